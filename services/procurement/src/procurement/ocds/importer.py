"""The OCDS import job: store each release, recompile every touched ocid from all its releases, and create
or update the tender and its awards — one ocid per transaction, so one bad process never sinks the file.

Imported tenders belong to the importing tenant (who may edit or award them); the OCDS buyer is kept as
`buyer.name`. A re-upload of the same file stores nothing new and reports every release as unchanged.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Any

import orjson
from localwealth_shared.clock import utcnow
from localwealth_shared.db import Database
from localwealth_shared.events.outbox import Outbox
from localwealth_shared.http.problems import Problem
from localwealth_shared.jobs import JobContext
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from procurement.awards.linking import link_supplier
from procurement.awards.service import record_award
from procurement.db import Award, OcdsRelease, Tender
from procurement.ocds.mapping import map_release
from procurement.ocds.merge import compile_releases
from procurement.ocds.parse import OcdsFileError, ReadRelease, read_releases
from procurement.tenders.normalise import BuyerInfo
from procurement.tenders.service import TenderService

KIND = "ocds-releases"
IMPORTED_BUYER_KIND = "council"  # OCDS does not say; sub-central thresholds are the common case


def _hash(release: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(release, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _problem_message(exc: Problem) -> tuple[str, str]:
    if exc.errors:
        first = exc.errors[0]
        return ".".join(str(p) for p in first["loc"][1:]) or "release", first["msg"]
    return "release", exc.detail or exc.code


class OcdsImport:
    def __init__(self, job: JobContext, service: TenderService, outbox: Outbox) -> None:
        self.job, self.service, self.outbox = job, service, outbox

    async def process(self, session: AsyncSession, ocid: str, items: list[ReadRelease]) -> None:
        new: list[ReadRelease] = []
        for item in items:
            assert item.release is not None
            release_id = str(item.release.get("id") or "")
            digest = _hash(item.release)
            stored = await session.get(OcdsRelease, (ocid, release_id))
            if stored is not None and stored.content_hash == digest:
                self.job.counts["unchanged"] += 1
                continue
            if stored is None:
                stored = OcdsRelease(ocid=ocid, release_id=release_id)
                session.add(stored)
            stored.date, stored.content_hash, stored.release = item.release.get("date"), digest, item.release
            stored.imported_by, stored.imported_at = self.job.tenant_id, utcnow()
            new.append(item)
        if not new:
            return
        await session.flush()
        releases = (await session.execute(select(OcdsRelease.release).where(OcdsRelease.ocid == ocid))).scalars().all()
        mapped = map_release(compile_releases(list(releases)))
        row = new[-1].position
        for field_name, message in mapped.warnings:
            self.job.error(row, field_name, f"warning: {message}")
        if mapped.fields is None:
            raise _Rejected(len(new))
        tender = (await session.execute(select(Tender).where(Tender.ocid == ocid))).scalar_one_or_none()
        if tender is not None and tender.buyer_tenant_id != self.job.tenant_id:
            self.job.error(row, "ocid", f"{ocid} is already another tenant's tender")
            raise _Rejected(len(new))
        if tender is None:
            buyer = BuyerInfo(self.job.tenant_id, mapped.buyer_name, IMPORTED_BUYER_KIND, ())
            tender = await self.service.create(session, mapped.fields, buyer, ocid=ocid, source="ocds")
            self.job.counts["created"] += 1
            self.job.counts["updated"] += len(new) - 1
        else:
            tender.buyer_name = mapped.buyer_name or tender.buyer_name
            await self.service.update(session, tender, mapped.fields, self.job.tenant_id)
            self.job.counts["updated"] += len(new)
        await self._awards(session, tender, mapped.awards, row)

    async def _awards(self, session: AsyncSession, tender: Tender, awards: list[dict[str, Any]], row: int) -> None:
        known = set(
            (await session.execute(select(Award.ocds_award_id).where(Award.tender_id == tender.id))).scalars().all()
        )
        lot_ids = {lot["id"] for lot in tender.lots}
        for award in awards:
            if award["ocds_award_id"] in known:
                continue
            ref = dict(award["supplier"])
            try:
                link = await link_supplier(session, ref, ["awards", "suppliers"])
            except Problem:
                self.job.error(row, "awards.suppliers.identifier", "warning: supplier identifier not valid; ignored")
                link = await link_supplier(session, {**ref, "identifier": None}, ["awards", "suppliers"])
            value = {"amount": award["value"], "currency": "GBP"} if award["value"] is not None else None
            await record_award(
                session,
                self.outbox,
                tender,
                link,
                lot_id=award["lot_id"] if award["lot_id"] in lot_ids else None,
                value=value,
                on=award["date"],
                tenant_id=self.job.tenant_id,
                ocds_award_id=award["ocds_award_id"],
            )
            known.add(award["ocds_award_id"])


class _Rejected(Exception):
    def __init__(self, releases: int) -> None:
        self.releases = releases


def ocds_import_handler(db: Database, service: TenderService, outbox: Outbox):
    async def run(job: JobContext) -> None:
        try:
            items = list(read_releases(job.content))
        except OcdsFileError as exc:
            job.error(1, "file", str(exc))
            raise
        job.total = len(items)
        by_ocid: dict[str, list[ReadRelease]] = defaultdict(list)
        for item in items:
            if item.release is None:
                job.error(item.position, "release", item.problem or "unreadable")
                job.counts["rejected"] += 1
            elif not isinstance(item.release.get("ocid"), str) or not item.release["ocid"]:
                job.error(item.position, "ocid", "the release has no ocid")
                job.counts["rejected"] += 1
            elif not item.release.get("id"):
                job.error(item.position, "id", "the release has no id")
                job.counts["rejected"] += 1
            else:
                by_ocid[item.release["ocid"]].append(item)
        job.processed = job.counts["rejected"]
        importer = OcdsImport(job, service, outbox)
        for ocid, group in by_ocid.items():
            try:
                async with db.transaction() as session:
                    await importer.process(session, ocid, group)
            except _Rejected as rejected:
                job.counts["rejected"] += rejected.releases
            except Problem as exc:
                field_name, message = _problem_message(exc)
                job.error(group[-1].position, field_name, message)
                job.counts["rejected"] += len(group)
            job.processed += len(group)
            await job.report()

    return run
