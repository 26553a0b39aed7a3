"""Reading and writing a tenant's matching weights."""

from __future__ import annotations

from typing import Any

from localwealth_shared.clock import utcnow
from sqlalchemy.ext.asyncio import AsyncSession

from procurement.db import MatchingWeights
from procurement.matching.weights import DEFAULT_WEIGHTS, normalised


async def weights_for(session: AsyncSession, tenant_id: str) -> tuple[dict[str, float], bool]:
    row = await session.get(MatchingWeights, tenant_id)
    if row is None:
        return dict(DEFAULT_WEIGHTS), True
    return normalised({k: float(v) for k, v in row.weights.items()}), False


async def save_weights(session: AsyncSession, tenant_id: str, weights: dict[str, Any]) -> None:
    stored = {k: str(v) for k, v in weights.items()}
    row = await session.get(MatchingWeights, tenant_id)
    if row is None:
        session.add(MatchingWeights(tenant_id=tenant_id, weights=stored, updated_at=utcnow(), version=1))
    else:
        row.weights, row.updated_at, row.version = stored, utcnow(), row.version + 1
