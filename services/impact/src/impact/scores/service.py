"""Keeping organisation impact scores current: recomputed when the registry or social value changes, stored,
and announced as `impact.organisation-score.changed.v1` (through the outbox, in the same transaction) only
when the score or its components actually changed — so replays publish nothing new."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from localwealth_shared.clock import utcnow
from localwealth_shared.events.outbox import Outbox
from sqlalchemy.ext.asyncio import AsyncSession

from impact.db import KnownOrganisation, OrganisationScore, platform
from impact.scores.score import Score, score_organisation
from impact.social_value.service import delivered_by_organisation

SCORE_CHANGED = "org.localwealth.impact.organisation-score.changed.v1"
OUTBOX = Outbox(platform, "impact")


async def compute(session: AsyncSession, org: KnownOrganisation) -> Score:
    delivered, committed = await delivered_by_organisation(session, org.id)
    return score_organisation(org.data, Decimal(delivered or 0), Decimal(committed or 0))


async def refresh_scores(session: AsyncSession, organisation_ids: Iterable[str]) -> int:
    """Recompute and publish changed scores; returns how many changed."""
    changed = 0
    for org_id in sorted(set(organisation_ids)):
        org = await session.get(KnownOrganisation, org_id)
        if org is None or org.deregistered:
            continue
        score = (await compute(session, org)).api()
        stored = await session.get(OrganisationScore, org_id)
        if stored is not None and (stored.score, stored.components) == (score["score"], score["components"]):
            continue
        previous = stored.score if stored is not None else None
        if stored is None:
            stored = OrganisationScore(organisation_id=org_id, version=0)
            session.add(stored)
        stored.score, stored.components, stored.explanation = score["score"], score["components"], score["explanation"]
        stored.computed_at, stored.version = utcnow(), stored.version + 1
        await OUTBOX.add(
            session,
            SCORE_CHANGED,
            org_id,
            {
                "organisation_id": org_id,
                "score": stored.score,
                "previous_score": previous,
                "components": stored.components,
                "explanation": stored.explanation,
                "computed_at": stored.computed_at.isoformat().replace("+00:00", "Z"),
                "version": stored.version,
            },
        )
        changed += 1
    return changed
