"""Organisation business rules. Services never commit: the request or message boundary does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from localwealth_shared.clock import today, utcnow
from localwealth_shared.events.envelope import CloudEvent
from localwealth_shared.events.outbox import Outbox
from localwealth_shared.http.problems import Conflict
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from registry.db import Organisation, OrganisationCpv, OrganisationIdentifier, Site
from registry.organisations import repository
from registry.organisations.normalise import NormalisedOrganisation, Normaliser, new_id
from registry.organisations.projection import content_hash, project

EVENT_REGISTERED = "org.localwealth.registry.organisation.registered.v1"
EVENT_UPDATED = "org.localwealth.registry.organisation.updated.v1"
EVENT_DEREGISTERED = "org.localwealth.registry.organisation.deregistered.v1"

ImportOutcome = Literal["created", "updated", "unchanged"]


@dataclass
class OrganisationService:
    normaliser: Normaliser
    outbox: Outbox

    async def create(self, session: AsyncSession, data: dict[str, Any], *, tenant_id: str) -> Organisation:
        day = today()
        normalised = await self.normaliser.normalise(session, data, today=day)
        await self._refuse_taken_identifiers(session, normalised, own_id=None)
        org = self._new(normalised, tenant_id=tenant_id, source_key=None, day=day)
        session.add(org)
        await self._flush_or_conflict(session)
        await self.outbox.add(session, EVENT_REGISTERED, org.id, project(org, day))
        return org

    async def update(
        self, session: AsyncSession, org: Organisation, changes: dict[str, Any], *, tenant_id: str
    ) -> bool:
        """Apply `changes` (only the keys given); returns False when nothing changed (no event, no new version)."""
        day = today()
        normalised = await self.normaliser.normalise(session, {**self.as_input(org), **changes}, today=day)
        await self._refuse_taken_identifiers(session, normalised, own_id=org.id)
        if not self._change(org, normalised, tenant_id=tenant_id, day=day):
            return False
        await self._flush_or_conflict(session)
        await self.outbox.add(session, EVENT_UPDATED, org.id, project(org, day))
        return True

    async def deregister(self, session: AsyncSession, org: Organisation, *, tenant_id: str) -> None:
        now = utcnow()
        org.deregistered_at = now
        org.updated_at = now
        org.updated_by = tenant_id
        org.version += 1
        # Identifiers are released so the organisation can be registered again later.
        org.identifiers.clear()
        await session.flush()
        await self.outbox.add(
            session,
            EVENT_DEREGISTERED,
            org.id,
            {
                "id": org.id,
                "name": org.name,
                "canonical_identifier": org.canonical_identifier,
                "deregistered_at": now.isoformat().replace("+00:00", "Z"),
                "deregistered_by": tenant_id,
                "version": org.version,
            },
        )

    async def stage_import_row(
        self,
        data: dict[str, Any],
        *,
        tenant_id: str,
        existing: Organisation | None,
        source_key: str | None,
        exact_postcodes: dict[str, Any],
        lenient_codes: bool,
    ) -> tuple[ImportOutcome, Organisation, CloudEvent | None]:
        """Validate one imported row and apply it in memory: a new organisation, or the row's fields merged
        into `existing` (fields the row does not state are kept). Nothing is flushed: the caller flushes and
        writes the events for a whole batch at once. Raises Problem (422) for an invalid row."""
        day = today()
        if existing is None:
            normalised = await self.normaliser.normalise(
                None, data, today=day, exact_postcodes=exact_postcodes, lenient_codes=lenient_codes
            )
            org = self._new(normalised, tenant_id=tenant_id, source_key=source_key, day=day)
            return "created", org, self.outbox.build(EVENT_REGISTERED, org.id, project(org, day))
        current = self.as_input(existing)
        merged = {**current, **data}
        # Import rows add the identifiers they know about rather than dropping ones entered by hand.
        merged["identifiers"] = _union(
            current["identifiers"],
            data.get("identifiers") or [],
            key=lambda i: (i["scheme"].upper(), i["id"].upper().replace(" ", "")),
        )
        normalised = await self.normaliser.normalise(
            None, merged, today=day, exact_postcodes=exact_postcodes, lenient_codes=lenient_codes
        )
        if source_key and source_key not in (existing.source_keys or []):
            existing.source_keys = [*(existing.source_keys or []), source_key]
        if not self._change(existing, normalised, tenant_id=tenant_id, day=day):
            return "unchanged", existing, None
        return "updated", existing, self.outbox.build(EVENT_UPDATED, existing.id, project(existing, day))

    def _new(self, n: NormalisedOrganisation, *, tenant_id: str, source_key: str | None, day: date) -> Organisation:
        now = utcnow()
        org = Organisation(
            id=new_id(),
            created_by=tenant_id,
            updated_by=tenant_id,
            created_at=now,
            updated_at=now,
            version=1,
            source_keys=[source_key] if source_key else [],
            identifiers=[],
            sites=[],
            cpv_index=[],
        )
        self._apply(org, n)
        org.content_hash = content_hash(org, day)
        return org

    def _change(self, org: Organisation, n: NormalisedOrganisation, *, tenant_id: str, day: date) -> bool:
        self._apply(org, n)
        new_hash = content_hash(org, day)
        if new_hash == org.content_hash:
            return False
        org.content_hash = new_hash
        org.version += 1
        org.updated_at = utcnow()
        org.updated_by = tenant_id
        return True

    @staticmethod
    def as_input(org: Organisation) -> dict[str, Any]:
        """The stored organisation in input shape, so a partial change can be merged and re-validated."""
        return {
            "name": org.name,
            "description": org.description,
            "legal_form": org.legal_form,
            "identifiers": [{"scheme": i.scheme, "id": i.value} for i in org.identifiers],
            "ownership": list(org.ownership or []),
            "sites": [
                {
                    "name": s.name,
                    "address": s.address,
                    "postcode": s.postcode,
                    "lat": s.lat if s.postcode_status in ("none", "unknown") else None,
                    "lon": s.lon if s.postcode_status in ("none", "unknown") else None,
                    "is_registered_office": s.is_registered_office,
                    "is_operating_site": s.is_operating_site,
                }
                for s in org.sites
            ],
            "sic_codes": list(org.sic_codes or []),
            "cpv_codes": list(org.cpv_codes or []),
            "employees": org.employees,
            "turnover": (
                {"amount": org.turnover_amount, "currency": org.turnover_currency or "GBP"}
                if org.turnover_amount is not None
                else None
            ),
            "members": org.members,
            "website": org.website,
            "email": org.email,
            "certifications": list(org.certifications or []),
        }

    @staticmethod
    def _apply(org: Organisation, n: NormalisedOrganisation) -> None:
        org.name, org.name_key, org.description, org.legal_form = n.name, n.name_key, n.description, n.legal_form
        org.canonical_identifier = n.canonical_identifier
        org.ownership, org.sic_codes, org.cpv_codes = n.ownership, n.sic_codes, n.cpv_codes
        org.employees, org.members, org.website, org.email = n.employees, n.members, n.website, n.email
        org.turnover_amount, org.turnover_currency = n.turnover_amount, n.turnover_currency
        org.certifications = n.certifications
        org.is_vcse, org.is_sme = n.flags["is_vcse"], n.flags["is_sme"]
        org.is_social_economy = n.flags["is_social_economy"]
        org.warnings = n.warnings
        wanted = {(i.scheme, i.id) for i in n.identifiers}
        org.identifiers[:] = [i for i in org.identifiers if (i.scheme, i.value) in wanted]
        have = {(i.scheme, i.value) for i in org.identifiers}
        org.identifiers.extend(
            OrganisationIdentifier(scheme=s, value=v, organisation_id=org.id) for s, v in sorted(wanted - have)
        )
        org.identifiers.sort(key=lambda i: i.scheme)
        _replace_sites(org, n)
        wanted_cpv = set(n.cpv_codes)
        org.cpv_index[:] = [c for c in org.cpv_index if c.code in wanted_cpv]
        have_cpv = {c.code for c in org.cpv_index}
        org.cpv_index.extend(OrganisationCpv(organisation_id=org.id, code=c) for c in sorted(wanted_cpv - have_cpv))

    async def _refuse_taken_identifiers(
        self, session: AsyncSession, n: NormalisedOrganisation, *, own_id: str | None
    ) -> None:
        owners = await repository.owners_of_identifiers(session, n.identifiers)
        for identifier, owner in owners.items():
            if owner != own_id:
                raise _identifier_conflict(identifier.org_id, owner)

    @staticmethod
    async def _flush_or_conflict(session: AsyncSession) -> None:
        try:
            await session.flush()
        except IntegrityError as exc:  # a concurrent writer took an identifier between our check and insert
            raise Conflict(
                "an identifier of this organisation belongs to another organisation", code="identifier_taken"
            ) from exc


def _replace_sites(org: Organisation, n: NormalisedOrganisation) -> None:
    """Keep site ids stable when a site (by postcode + address) is still there."""
    existing = {(s.postcode, s.address): s for s in org.sites}
    sites: list[Site] = []
    for position, ns in enumerate(n.sites):
        site = existing.pop((ns.postcode, ns.address), None) or Site(id=new_id(), organisation_id=org.id)
        site.position = position
        for attr in (
            "name",
            "address",
            "postcode",
            "postcode_status",
            "lat",
            "lon",
            "lad_code",
            "is_registered_office",
            "is_operating_site",
        ):
            setattr(site, attr, getattr(ns, attr))
        sites.append(site)
    org.sites[:] = sites


def _identifier_conflict(org_id_text: str, owner: str) -> Conflict:
    return Conflict(
        f"{org_id_text} already identifies organisation {owner}",
        code="identifier_taken",
        extra={"existing_organisation_id": owner, "existing_organisation": f"/api/v1/organisations/{owner}"},
    )


def _union(a: list[dict[str, Any]], b: list[dict[str, Any]], *, key: Any) -> list[dict[str, Any]]:
    seen = {key(x) for x in a}
    return [*a, *[x for x in b if key(x) not in seen]]
