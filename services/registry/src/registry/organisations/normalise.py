"""Turn validated input into what is stored: identifiers normalised, codes checked, sites geocoded, flags derived.

All problems are collected and reported together as one 422, each naming its field and rule.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from localwealth_shared.http.problems import Unprocessable
from localwealth_shared.reference.classification import ClassificationError, normalise_cpv, normalise_sic
from localwealth_shared.reference.geography import PostcodeError, default_gazetteer, normalise_postcode
from localwealth_shared.reference.identifiers import (
    Identifier,
    IdentifierError,
    canonical_identifier,
    normalise_identifier,
)
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.db import Postcode
from registry.organisations.names import name_key
from registry.rules.flags import FlagRules, derive_flags


@dataclass
class NormalisedSite:
    name: str | None
    address: str | None
    postcode: str | None
    postcode_status: str
    lat: float | None
    lon: float | None
    lad_code: str | None
    is_registered_office: bool
    is_operating_site: bool


@dataclass
class NormalisedOrganisation:
    name: str
    name_key: str
    description: str | None
    legal_form: str | None
    identifiers: list[Identifier]
    canonical_identifier: str | None
    ownership: list[str]
    sites: list[NormalisedSite]
    sic_codes: list[str]
    cpv_codes: list[str]
    employees: int | None
    turnover_amount: Decimal | None
    turnover_currency: str | None
    members: int | None
    website: str | None
    email: str | None
    certifications: list[dict[str, Any]]
    flags: dict[str, bool]
    warnings: list[dict[str, str]] = field(default_factory=list)


class Normaliser:
    def __init__(self, flag_rules: FlagRules, canonical_priority: tuple[str, ...]) -> None:
        self.flag_rules = flag_rules
        self.canonical_priority = canonical_priority
        self.gazetteer = default_gazetteer()

    async def normalise(
        self,
        session: AsyncSession | None,
        data: dict[str, Any],
        *,
        today: date,
        loc_prefix: tuple[str, ...] = ("body",),
        lenient_codes: bool = False,
        exact_postcodes: dict[str, Postcode] | None = None,
    ) -> NormalisedOrganisation:
        """`lenient_codes`: unknown SIC/CPV codes are dropped with a warning instead of failing (third-party
        files a council cannot correct). `exact_postcodes`: preloaded exact points (imports), else the DB."""
        errors: list[dict[str, Any]] = []
        warnings: list[dict[str, str]] = []

        def err(loc: tuple[str | int, ...], msg: str, rule: str) -> None:
            errors.append({"loc": [*loc_prefix, *loc], "msg": msg, "type": rule})

        identifiers: list[Identifier] = []
        for i, ident in enumerate(data.get("identifiers") or []):
            try:
                normalised = normalise_identifier(ident["scheme"], ident["id"])
            except IdentifierError as exc:
                err(
                    ("identifiers", i, "id" if exc.rule != "identifier.unknown_scheme" else "scheme"),
                    str(exc),
                    exc.rule,
                )
                continue
            if normalised not in identifiers:
                identifiers.append(normalised)

        sic_codes: list[str] = []
        for i, code in enumerate(data.get("sic_codes") or []):
            try:
                value, legacy = normalise_sic(code)
            except ClassificationError as exc:
                if lenient_codes:
                    warnings.append({"field": f"sic_codes.{i}", "code": exc.rule, "message": f"dropped: {exc}"})
                else:
                    err(("sic_codes", i), str(exc), exc.rule)
                continue
            if legacy:
                warnings.append(
                    {
                        "field": f"sic_codes.{i}",
                        "code": "sic.legacy",
                        "message": f"{code!r} is a legacy or class-level SIC code, kept as {value}",
                    }
                )
            if value not in sic_codes:
                sic_codes.append(value)

        cpv_codes: list[str] = []
        for i, code in enumerate(data.get("cpv_codes") or []):
            try:
                value = normalise_cpv(code)
            except ClassificationError as exc:
                if lenient_codes:
                    warnings.append({"field": f"cpv_codes.{i}", "code": exc.rule, "message": f"dropped: {exc}"})
                else:
                    err(("cpv_codes", i), str(exc), exc.rule)
                continue
            if value not in cpv_codes:
                cpv_codes.append(value)

        sites: list[NormalisedSite] = []
        for i, site in enumerate(data.get("sites") or []):
            normalised_site = await self._site(session, site, i, err, warnings, exact_postcodes)
            if normalised_site is not None:
                sites.append(normalised_site)

        if errors:
            first = errors[0]
            raise Unprocessable(f"{'.'.join(str(p) for p in first['loc'][1:])}: {first['msg']}", errors=errors)

        turnover = data.get("turnover")
        turnover_amount = Decimal(str(turnover["amount"])) if turnover else None
        certifications = [_certification(c) for c in data.get("certifications") or []]
        ownership = sorted({str(o) for o in data.get("ownership") or []})
        legal_form = str(data["legal_form"]) if data.get("legal_form") else None
        flags = derive_flags(
            legal_form=legal_form,
            ownership=ownership,
            employees=data.get("employees"),
            turnover_amount=turnover_amount,
            certifications=[_dated(c) for c in certifications],
            today=today,
            rules=self.flag_rules,
        )
        canonical = canonical_identifier(identifiers, self.canonical_priority)
        return NormalisedOrganisation(
            name=data["name"].strip(),
            name_key=name_key(data["name"]),
            description=data.get("description"),
            legal_form=legal_form,
            identifiers=identifiers,
            canonical_identifier=canonical.org_id if canonical else None,
            ownership=ownership,
            sites=sites,
            sic_codes=sic_codes,
            cpv_codes=cpv_codes,
            employees=data.get("employees"),
            turnover_amount=turnover_amount,
            turnover_currency=(turnover or {}).get("currency", "GBP") if turnover else None,
            members=data.get("members"),
            website=data.get("website"),
            email=data.get("email"),
            certifications=certifications,
            flags=flags.as_dict(),
            warnings=warnings,
        )

    async def _site(
        self,
        session: AsyncSession | None,
        site: dict[str, Any],
        i: int,
        err: Any,
        warnings: list[dict[str, str]],
        exact_postcodes: dict[str, Postcode] | None,
    ) -> NormalisedSite | None:
        raw_postcode = site.get("postcode")
        postcode: str | None = None
        status, lat, lon, lad = "none", site.get("lat"), site.get("lon"), None
        if raw_postcode:
            try:
                postcode = normalise_postcode(raw_postcode)
            except PostcodeError as exc:
                err(("sites", i, "postcode"), str(exc), exc.rule)
                return None
            if exact_postcodes is not None:
                exact = exact_postcodes.get(postcode)
            else:
                exact = await session.get(Postcode, postcode) if session is not None else None
            if exact is not None and exact.lat is not None:
                status, point_lat, point_lon, lad = "exact", exact.lat, exact.lon, exact.lad_code
            else:
                point = self.gazetteer.lookup_centroid(postcode)
                if point is None:
                    status, point_lat, point_lon = "unknown", None, None
                    warnings.append(
                        {
                            "field": f"sites.{i}.postcode",
                            "code": "postcode.unknown",
                            "message": f"{postcode} is not in the bundled ONS postcode data; kept but not geocoded",
                        }
                    )
                else:
                    status, point_lat, point_lon, lad = point.precision, point.lat, point.lon, point.lad_code
            # Coordinates supplied by the caller are more precise than a centroid: keep them.
            if lat is None or lon is None:
                lat, lon = point_lat, point_lon
        return NormalisedSite(
            name=site.get("name"),
            address=site.get("address"),
            postcode=postcode,
            postcode_status=status,
            lat=lat,
            lon=lon,
            lad_code=lad,
            is_registered_office=bool(site.get("is_registered_office", False)),
            is_operating_site=bool(site.get("is_operating_site", True)),
        )


def _certification(c: dict[str, Any]) -> dict[str, Any]:
    def iso(v: Any) -> str | None:
        return v.isoformat() if isinstance(v, date) else v

    return {
        "scheme": str(c["scheme"]),
        "status": str(c.get("status") or "active"),
        "awarded_on": iso(c.get("awarded_on")),
        "expires_on": iso(c.get("expires_on")),
        "evidence_url": c.get("evidence_url"),
    }


def _dated(c: dict[str, Any]) -> dict[str, Any]:
    expires = c.get("expires_on")
    return {**c, "expires_on": date.fromisoformat(expires) if isinstance(expires, str) else expires}


def new_id() -> str:
    return str(uuid.uuid4())


async def known_postcodes(session: AsyncSession, postcodes: list[str]) -> dict[str, Postcode]:
    """Exact points for a batch of postcodes in one query (empty when the ONS file was never loaded)."""
    if not postcodes:
        return {}
    rows = (await session.execute(select(Postcode).where(Postcode.postcode.in_(postcodes)))).scalars()
    return {r.postcode: r for r in rows}
