"""Runs a registry import job: parse, match each row to an existing organisation, create or update.

Matching order (SPEC §4): identifiers, then the row's source key (e.g. its Co-operatives UK number), then
normalised name + postcode — except that two records carrying different keys from the same source are
different organisations even when name and postcode agree. A row matching an organisation that an
earlier row of the same file already wrote is reported as a duplicate (merging both would make every
re-upload flip the organisation between them).

Rows are validated and applied in memory and written a batch at a time: one flush and one bulk outbox
insert per batch. Should a batch hit a constraint (a concurrent writer took an identifier), it is rolled
back and redone row by row in savepoints so only the offending row is rejected. A second upload of the
same file finds every row matched and unchanged: nothing is written and no events are emitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from localwealth_shared.db import Database
from localwealth_shared.events.envelope import CloudEvent
from localwealth_shared.http.problems import Problem
from localwealth_shared.jobs import JobContext
from localwealth_shared.reference.geography import PostcodeError, normalise_postcode
from localwealth_shared.reference.identifiers import IdentifierError, normalise_identifier
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from registry.db import Organisation
from registry.imports.parsers import ImportFormatError, ParsedRow, get_parser
from registry.organisations import repository
from registry.organisations.names import name_key
from registry.organisations.normalise import known_postcodes
from registry.organisations.service import OrganisationService

KIND = "organisations"
# Third-party files a council cannot correct: unknown classification codes are dropped with a warning.
LENIENT_FORMATS = frozenset({"coops-uk"})


class RowMatcher:
    def __init__(
        self,
        identifiers: dict[tuple[str, str], str],
        source_keys: dict[str, str],
        names: dict[tuple[str, str | None], str],
    ) -> None:
        self.identifiers, self.source_keys, self.names = identifiers, source_keys, names
        self.keys_of: dict[str, set[str]] = {}
        for key, org_id in source_keys.items():
            self.keys_of.setdefault(org_id, set()).add(key)

    def match(self, org: dict[str, Any], source_key: str | None) -> str | None:
        for ident in org.get("identifiers") or []:
            try:
                normalised = normalise_identifier(ident["scheme"], ident["id"])
            except IdentifierError:
                continue
            if (found := self.identifiers.get((normalised.scheme, normalised.id))) is not None:
                return found
        if source_key and (found := self.source_keys.get(source_key)) is not None:
            return found
        candidate = self.names.get((name_key(org["name"]), _first_postcode(org)))
        if candidate is not None and source_key and self._other_key_of_same_source(candidate, source_key):
            return None
        return candidate

    def _other_key_of_same_source(self, org_id: str, source_key: str) -> bool:
        source = source_key.split(":", 1)[0] + ":"
        return any(k.startswith(source) and k != source_key for k in self.keys_of.get(org_id, ()))

    def remember(self, org: Organisation, source_key: str | None) -> None:
        for ident in org.identifiers:
            self.identifiers[(ident.scheme, ident.value)] = org.id
        if source_key:
            self.source_keys[source_key] = org.id
            self.keys_of.setdefault(org.id, set()).add(source_key)
        postcode = org.sites[0].postcode if org.sites else None
        self.names.setdefault((org.name_key, postcode), org.id)


def _first_postcode(org: dict[str, Any]) -> str | None:
    sites = org.get("sites") or []
    raw = sites[0].get("postcode") if sites else None
    if not raw:
        return None
    try:
        return normalise_postcode(raw)
    except PostcodeError:
        return None


def _postcodes(rows: list[ParsedRow]) -> list[str]:
    out = []
    for row in rows:
        for site in (row.organisation or {}).get("sites") or []:
            if site.get("postcode"):
                try:
                    out.append(normalise_postcode(site["postcode"]))
                except PostcodeError:
                    pass
    return out


@dataclass
class ImportRun:
    job: JobContext
    service: OrganisationService
    matcher: RowMatcher
    lenient: bool
    written_by_row: dict[str, int]

    async def batch(self, session: AsyncSession, rows: list[ParsedRow], *, per_row_savepoints: bool) -> None:
        exact = await known_postcodes(session, _postcodes(rows))
        matches = {r.row: self.matcher.match(r.organisation, r.source_key) for r in rows if r.organisation}
        existing = await repository.get_many(session, [m for m in matches.values() if m])
        events: list[tuple[CloudEvent, str]] = []
        for parsed in rows:
            self.job.processed += 1
            for e in parsed.errors:
                self.job.error(e.row, e.field, e.message)
            if parsed.organisation is None:
                self.job.counts["rejected"] += 1
                continue
            match_id = matches.get(parsed.row)
            if match_id is not None and match_id in self.written_by_row:
                self.job.counts["rejected"] += 1
                self.job.error(
                    parsed.row,
                    "row",
                    f"duplicate of row {self.written_by_row[match_id]} "
                    "(same identifier, source record or name and postcode)",
                )
                continue
            try:
                if per_row_savepoints:
                    async with session.begin_nested():
                        outcome, org, event = await self._stage(session, parsed, existing.get(match_id or ""), exact)
                        await session.flush()
                else:
                    outcome, org, event = await self._stage(session, parsed, existing.get(match_id or ""), exact)
            except (Problem, IntegrityError) as problem:
                self._reject(parsed, problem)
                continue
            self.job.counts[outcome] += 1
            self.written_by_row[org.id] = parsed.row
            self.matcher.remember(org, parsed.source_key)
            if event is not None:
                events.append((event, org.id))
        await session.flush()
        await self.service.outbox.add_many(session, events)

    async def _stage(
        self, session: AsyncSession, parsed: ParsedRow, existing: Organisation | None, exact: dict[str, Any]
    ) -> Any:
        outcome, org, event = await self.service.stage_import_row(
            parsed.organisation or {},
            tenant_id=self.job.tenant_id,
            existing=existing,
            source_key=parsed.source_key,
            exact_postcodes=exact,
            lenient_codes=self.lenient,
        )
        for w in org.warnings if outcome != "unchanged" else ():
            if w["code"] not in ("sic.legacy",):
                self.job.error(parsed.row, w["field"], f"warning: {w['message']}")
        if outcome == "created":
            session.add(org)
        return outcome, org, event

    def _reject(self, parsed: ParsedRow, problem: Exception) -> None:
        self.job.counts["rejected"] += 1
        if isinstance(problem, Problem):
            for item in problem.errors or [{"loc": ["row"], "msg": problem.detail}]:
                loc = [str(p) for p in item.get("loc", []) if p != "body"]
                self.job.error(parsed.row, ".".join(loc) or "row", str(item.get("msg")))
        else:
            self.job.error(parsed.row, "identifiers", "an identifier of this row belongs to another organisation")


def import_handler(db: Database, service: OrganisationService, batch_size: int = 500):  # type: ignore[no-untyped-def]
    async def run(job: JobContext) -> None:
        import_format = job.options.get("format", "csv")
        parser = get_parser(import_format)
        try:
            job.total = parser.count_rows(job.content)
            rows = list(parser.parse(job.content))
        except ImportFormatError as exc:
            job.error(1, "file", str(exc))
            raise
        await job.report()
        async with db.reader() as session:
            matcher = RowMatcher(
                await repository.identifier_index(session),
                await repository.source_key_index(session),
                await repository.name_postcode_index(session),
            )
        run_state = ImportRun(job, service, matcher, import_format in LENIENT_FORMATS, {})
        for start in range(0, len(rows), batch_size):
            chunk = rows[start : start + batch_size]
            snapshot = (job.processed, dict(job.counts), len(job._errors), dict(run_state.written_by_row))
            try:
                async with db.transaction() as session:
                    await run_state.batch(session, chunk, per_row_savepoints=False)
            except IntegrityError:
                # Someone else wrote a conflicting identifier meanwhile: redo this batch row by row.
                job.processed, job.counts, n_errors, run_state.written_by_row = snapshot
                del job._errors[n_errors:]
                async with db.reader() as session:
                    run_state.matcher = RowMatcher(
                        await repository.identifier_index(session),
                        await repository.source_key_index(session),
                        await repository.name_postcode_index(session),
                    )
                async with db.transaction() as session:
                    await run_state.batch(session, chunk, per_row_savepoints=True)
            await job.report()

    return run
