"""The land-register import job: rows become assets of the uploading council, matched by UPRN, then by
asset reference, so a re-upload updates what changed and creates nothing twice."""

from __future__ import annotations

from typing import Any

from localwealth_shared.db import Database
from localwealth_shared.http.problems import Problem
from localwealth_shared.jobs import JobContext
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from land.assets.service import AssetService
from land.db import Asset
from land.imports.land_register import RegisterFormatError, count_rows, parse

KIND = "land.register"
BATCH = 200


def import_handler(db: Database, assets: AssetService):  # type: ignore[no-untyped-def]
    async def run(job: JobContext) -> None:
        try:
            job.total = count_rows(job.content)
            rows = list(parse(job.content))
        except RegisterFormatError as exc:
            job.error(1, "file", str(exc))
            raise
        await job.report()
        seen: dict[tuple[str, str], int] = {}
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            async with db.transaction() as session:
                owned = await _owned(session, job.tenant_id, batch)
                for row in batch:
                    job.processed += 1
                    keys = [(k, row.fields[k]) for k in ("uprn", "reference") if row.fields.get(k)]
                    duplicate = next((seen[k] for k in keys if k in seen), None)
                    if duplicate is not None:
                        row.errors.append((keys[0][0], f"the same asset as row {duplicate}"))
                    if row.errors:
                        for field_name, message in row.errors:
                            job.error(row.number, field_name, message)
                        job.counts["rejected"] += 1
                        continue
                    seen.update(dict.fromkeys(keys, row.number))
                    existing = next((owned[k] for k in keys if k in owned), None)
                    fields: dict[str, Any] = {"status": "in_use", **row.fields} if existing is None else row.fields
                    try:
                        async with session.begin_nested():
                            if existing is None:
                                created = await assets.create(session, job.tenant_id, fields)
                                owned.update({k: created for k in keys})
                                job.counts["created"] += 1
                            else:
                                before = existing.version
                                await assets.update(session, existing, fields)
                                job.counts["updated" if existing.version != before else "unchanged"] += 1
                    except Problem as exc:  # e.g. a bad postcode, or a UPRN another row of ours holds
                        job.error(row.number, _field(exc), exc.detail or exc.code)
                        job.counts["rejected"] += 1
            await job.report()

    return run


async def _owned(session: AsyncSession, tenant_id: str, batch: list[Any]) -> dict[tuple[str, str], Asset]:
    """The council's assets this batch names, by UPRN and by reference: only those, so a batch costs the same
    however large the register already is (both keys are uniquely indexed per owner)."""
    uprns = [row.fields["uprn"] for row in batch if row.fields.get("uprn")]
    references = [row.fields["reference"] for row in batch if row.fields.get("reference")]
    if not uprns and not references:
        return {}
    stmt = select(Asset).where(Asset.owner == tenant_id, or_(Asset.uprn.in_(uprns), Asset.reference.in_(references)))
    return {
        key: asset
        for asset in (await session.scalars(stmt)).all()
        for key in (("uprn", asset.uprn), ("reference", asset.reference))
        if key[1]
    }


def _field(problem: Problem) -> str:
    if problem.errors:
        return str(problem.errors[0]["loc"][-1])
    return "row"
