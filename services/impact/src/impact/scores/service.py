"""Keeping organisation impact scores current: recomputed when the registry or social value changes, stored,
and announced as `impact.organisation-score.changed.v1` (through the outbox, in the same transaction) only
when the score or its components actually changed — so replays publish nothing new."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from localwealth_shared.clock import utcnow
from localwealth_shared.events.envelope import CloudEvent
from localwealth_shared.events.outbox import Outbox
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from impact.db import KnownOrganisation, OrganisationScore, platform
from impact.scores.score import Score, score_organisation
from impact.social_value.service import delivered_by_organisation
from impact.social_value.tables import SocialValueAward

SCORE_CHANGED = "org.localwealth.impact.organisation-score.changed.v1"
OUTBOX = Outbox(platform, "impact")


async def compute(session: AsyncSession, org: KnownOrganisation, has_awards: bool = True) -> Score:
    delivered, committed = await delivered_by_organisation(session, org.id) if has_awards else (0, 0)
    return score_organisation(org.data, Decimal(delivered or 0), Decimal(committed or 0))


async def refresh_scores(session: AsyncSession, organisation_ids: Iterable[str]) -> int:
    """Recompute and publish changed scores, 500 organisations per round of queries; how many changed."""
    ids, changed = sorted(set(organisation_ids)), 0
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        orgs = await _by_id(session, KnownOrganisation, KnownOrganisation.id, chunk)
        stored = await _by_id(session, OrganisationScore, OrganisationScore.organisation_id, chunk)
        with_awards = set(
            (
                await session.scalars(
                    select(SocialValueAward.organisation_id).where(SocialValueAward.organisation_id.in_(chunk))
                )
            ).all()
        )
        events = []
        for org_id in chunk:
            org = orgs.get(org_id)
            if org is None or org.deregistered:
                continue
            score = (await compute(session, org, org_id in with_awards)).api()
            row = stored.get(org_id)
            if row is not None and (row.score, row.components) == (score["score"], score["components"]):
                continue
            events.append((_announce(session, org_id, row, score), org_id))
        await OUTBOX.add_many(session, events)
        changed += len(events)
    return changed


async def _by_id(session: AsyncSession, model: Any, column: Any, ids: list[str]) -> dict[str, Any]:
    return {
        getattr(row, column.key): row for row in (await session.scalars(select(model).where(column.in_(ids)))).all()
    }


def _announce(session: AsyncSession, org_id: str, row: OrganisationScore | None, score: dict[str, Any]) -> CloudEvent:
    """Store the new score and build its event."""
    previous = row.score if row is not None else None
    if row is None:
        row = OrganisationScore(organisation_id=org_id, version=0)
        session.add(row)
    row.score, row.components, row.explanation = score["score"], score["components"], score["explanation"]
    row.computed_at, row.version = utcnow(), row.version + 1
    payload = {
        "organisation_id": org_id,
        "score": row.score,
        "previous_score": previous,
        "components": row.components,
        "explanation": row.explanation,
        "computed_at": row.computed_at.isoformat().replace("+00:00", "Z"),
        "version": row.version,
    }
    return OUTBOX.build(SCORE_CHANGED, org_id, payload)
