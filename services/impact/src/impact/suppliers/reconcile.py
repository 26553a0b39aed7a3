"""Supplier reconciliation: which registry organisation is the supplier a council's ledger names?

Identifiers first (a company or charity number the council published), then the normalised name (case,
punctuation, "Ltd"/"Limited", "&"/"and"), then fuzzy similarity of the names without their legal-form
words. A fuzzy match links the supplier only when it is strong and clearly ahead of the runner-up;
weaker ones wait in the review queue with their candidates. A council officer's manual match is final.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from localwealth_shared.clock import utcnow
from localwealth_shared.reference.names import core_name_key, name_key
from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from impact.db import KnownOrganisation, OrganisationIdentifier, SpendSupplier

UNMATCHED, SUGGESTED, MATCHED, REDACTED = "unmatched", "suggested", "matched", "redacted"
STATUSES = (UNMATCHED, SUGGESTED, MATCHED, REDACTED)
# A fuzzy winner must lead the runner-up by this many points to be linked without review.
CLEAR_LEAD = 3.0
MAX_CANDIDATES = 5


@dataclass(frozen=True)
class Thresholds:
    auto_match: float = 92.0
    suggest: float = 75.0


@dataclass(frozen=True)
class Decision:
    status: str
    organisation_id: str | None = None
    confidence: float | None = None
    method: str | None = None
    candidates: tuple[dict[str, Any], ...] = ()


# Order-insensitive name similarity (0–100): "Council Oxford City" is "Oxford City Council". A native
# rapidfuzz scorer, so one supplier is compared with 100,000 names in milliseconds.
similarity = fuzz.token_sort_ratio


def sorted_words(key: str) -> str:
    """A name key's words in order: `similarity(a, b)` is `fuzz.ratio(sorted_words(a), sorted_words(b))`
    (keys are single-spaced ASCII), so the registry's names are sorted once, not on every comparison."""
    return " ".join(sorted(key.split()))


@dataclass
class OrganisationNames:
    """The registry's organisations as the matcher sees them: ids, display names and comparison keys."""

    ids: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    cores: list[str] = field(default_factory=list)
    sorted_cores: list[str] = field(default_factory=list)  # each core's words sorted (see `sorted_words`)
    # core name key → organisations
    by_key: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_identifier: dict[str, str] = field(default_factory=dict)

    def add(self, org_id: str, name: str, identifiers: Sequence[str] = ()) -> None:
        index = len(self.ids)
        self.ids.append(org_id)
        self.names.append(name)
        self.keys.append(name_key(name))
        self.cores.append(core_name_key(name))
        self.sorted_cores.append(sorted_words(self.cores[index]))
        self.by_key[self.cores[index]].append(index)
        for identifier in identifiers:
            self.by_identifier[identifier] = org_id

    @classmethod
    async def load(cls, session: AsyncSession) -> OrganisationNames:
        names = cls()
        identifiers: dict[str, list[str]] = defaultdict(list)
        for identifier, org_id in (
            await session.execute(select(OrganisationIdentifier.identifier, OrganisationIdentifier.organisation_id))
        ).all():
            identifiers[org_id].append(identifier)
        rows = await session.execute(
            select(KnownOrganisation.id, KnownOrganisation.name).where(KnownOrganisation.deregistered.is_(False))
        )
        for org_id, name in rows.all():
            names.add(org_id, name, identifiers.get(org_id, ()))
        return names

    def candidate(self, index: int, score: float, method: str) -> dict[str, Any]:
        return {
            "organisation_id": self.ids[index],
            "name": self.names[index],
            "score": round(score, 1),
            "method": method,
        }


def decide(name: str, identifier: str | None, names: OrganisationNames, thresholds: Thresholds) -> Decision:
    """Where one supplier name (and identifier, if published) leads: pure, so its precision can be tested."""
    if identifier and identifier in names.by_identifier:
        return Decision(MATCHED, names.by_identifier[identifier], 1.0, "identifier")
    core, key = core_name_key(name), name_key(name)
    exact = names.by_key.get(core, [])
    if len(core.split()) == 1:
        # A one-word core ("consultancy" of "The Consultancy Company Ltd") is too generic to link on its own:
        # the whole name, legal words included, must agree too; otherwise an officer decides.
        whole = [i for i in exact if names.keys[i] == key]
        if exact and not whole:
            return Decision(
                SUGGESTED, candidates=tuple(names.candidate(i, 100.0, "name") for i in exact[:MAX_CANDIDATES])
            )
        exact = whole
    if len(exact) == 1:
        return Decision(MATCHED, names.ids[exact[0]], 0.98, "name")
    if len(exact) > 1:  # two registered bodies share the name: an officer must choose
        return Decision(SUGGESTED, candidates=tuple(names.candidate(i, 100.0, "name") for i in exact[:MAX_CANDIDATES]))
    if not names.cores:
        return Decision(UNMATCHED)
    found = process.extract(
        sorted_words(core), names.sorted_cores, scorer=fuzz.ratio, limit=MAX_CANDIDATES, score_cutoff=thresholds.suggest
    )  # = process.extract(core, names.cores, scorer=similarity, ...), five times faster
    if not found:
        return Decision(UNMATCHED)
    candidates = tuple(names.candidate(index, score, "fuzzy") for _, score, index in found)
    best, runner_up = found[0][1], (found[1][1] if len(found) > 1 else 0.0)
    # Typos are tolerated, a different first word is not: "CBG Consultants" is not "CAG Consultants".
    same_start = core.split()[:1] == names.cores[found[0][2]].split()[:1]
    if best >= thresholds.auto_match and best - runner_up >= CLEAR_LEAD and same_start:
        return Decision(MATCHED, names.ids[found[0][2]], round(best / 100, 3), "fuzzy", candidates)
    return Decision(SUGGESTED, candidates=candidates)


async def reconcile(
    session: AsyncSession, suppliers: Sequence[SpendSupplier], names: OrganisationNames, thresholds: Thresholds
) -> dict[str, int]:
    """Decide for each supplier (manual matches and redacted names are left alone); counts by outcome, and
    `changed`: how many suppliers' match changed."""
    counts = dict.fromkeys((*STATUSES, "changed"), 0)
    now = utcnow()
    open_ = [s for s in suppliers if not s.redacted and s.method != "manual"]
    # Name comparison is CPU work: off the event loop, so the process keeps serving while it runs.
    pairs = [(s.name, s.identifier) for s in open_]
    decisions = await asyncio.to_thread(lambda: [decide(name, ident, names, thresholds) for name, ident in pairs])
    for supplier, decision in zip(open_, decisions, strict=True):
        counts[decision.status] += 1
        state = (
            decision.status,
            decision.organisation_id,
            decision.confidence,
            decision.method,
            list(decision.candidates),
        )
        if state != (
            supplier.status,
            supplier.organisation_id,
            supplier.confidence,
            supplier.method,
            supplier.candidates,
        ):
            supplier.status, supplier.organisation_id, supplier.confidence = state[:3]
            supplier.method, supplier.candidates = state[3], state[4]
            supplier.updated_at, supplier.version = now, supplier.version + 1
            counts["changed"] += 1
    return counts


async def reconcile_ids(
    session: AsyncSession, supplier_ids: Sequence[str], thresholds: Thresholds, names: OrganisationNames | None = None
) -> dict[str, int]:
    names = names or await OrganisationNames.load(session)
    counts = dict.fromkeys((*STATUSES, "changed"), 0)
    for start in range(0, len(supplier_ids), 500):
        chunk = supplier_ids[start : start + 500]
        suppliers = (await session.scalars(select(SpendSupplier).where(SpendSupplier.id.in_(chunk)))).all()
        for status, n in (await reconcile(session, suppliers, names, thresholds)).items():
            counts[status] += n
    return counts
