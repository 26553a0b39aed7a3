"""CAT applications: the council's stage machine, scoring, the decision with its undervalue, completion.

Every change writes a `land.transfer` event through the outbox (`applied`, `decided`, `completed`);
completion also marks the asset community-owned (`land.asset.transferred`).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from localwealth_shared.clock import today, utcnow
from localwealth_shared.events.outbox import Outbox
from localwealth_shared.http.problems import Conflict, field_error
from sqlalchemy.ext.asyncio import AsyncSession

from land.assets import repository as assets
from land.assets.service import AssetService
from land.cat.policy import (
    COMPLETED,
    DECISION_STAGE,
    DEFAULT_POLICY,
    REJECTED,
    CatPolicy,
    transition_refusal,
    weighted_score,
)
from land.cat.schemas import money
from land.cat.valuation import undervalue
from land.db import CatApplication, CatPolicyRecord
from land.organisations import read_model

EVENT = "org.localwealth.land.transfer.{}.v1"


async def policy_of(session: AsyncSession, council: str) -> tuple[CatPolicy, bool]:
    """The council's policy, and whether it is the default."""
    record = await session.get(CatPolicyRecord, council)
    return (CatPolicy.from_json(record.policy), False) if record else (DEFAULT_POLICY, True)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def event_data(app: CatApplication) -> dict[str, Any]:
    return {
        "id": app.id,
        "asset_id": app.asset_id,
        "organisation_id": app.organisation_id,
        "council": app.council,
        "stage": app.stage,
        "proposed_use": app.proposed_use,
        "outcome": app.outcome,
        "transfer_type": app.transfer_type,
        "market_value": money(app.market_value),
        "consideration": money(app.consideration),
        "undervalue": money(app.undervalue),
        "requires_secretary_of_state_consent": app.requires_secretary_of_state_consent,
        "applied_on": _iso(app.applied_on),
        "decided_on": _iso(app.decided_on),
        "completed_on": _iso(app.completed_on),
        "version": app.version,
    }


def view(app: CatApplication, on: date) -> dict[str, Any]:
    policy = CatPolicy.from_json(app.policy)
    target = policy.target_days(app.stage)
    days = (on - app.stage_entered_on).days
    return {
        **event_data(app),
        "stage_entered_on": _iso(app.stage_entered_on),
        "stage_target_days": target,
        "days_in_stage": days,
        "overdue": target is not None and app.stage not in (COMPLETED, REJECTED, "withdrawn") and days > target,
        "history": app.history,
        "scores": app.scores,
        "score": app.score,
    }


class CatService:
    def __init__(self, outbox: Outbox, assets_service: AssetService) -> None:
        self.outbox, self.assets = outbox, assets_service

    async def _changed(self, session: AsyncSession, app: CatApplication, kind: str | None = None) -> None:
        app.updated_at, app.version = utcnow(), app.version + 1
        await session.flush()
        if kind:
            await self.outbox.add(session, EVENT.format(kind), app.id, event_data(app))

    async def apply(self, session: AsyncSession, council: str, body: dict[str, Any]) -> CatApplication:
        asset = await assets.get_owned(session, council, body["asset_id"])
        if asset is None:
            raise field_error(("body", "asset_id"), "no such asset in this council's register", "asset.unknown")
        if asset.community_owned:
            raise field_error(("body", "asset_id"), "the asset has already been transferred", "asset.transferred")
        if await read_model.find(session, body["organisation_id"]) is None:
            raise field_error(
                ("body", "organisation_id"), "not an organisation in the registry", "organisation.unknown"
            )
        policy, _ = await policy_of(session, council)
        applied_on = body.get("applied_on") or today()
        now = utcnow()
        app = CatApplication(
            id=str(uuid.uuid4()),
            council=council,
            asset_id=asset.id,
            organisation_id=body["organisation_id"],
            proposed_use=body["proposed_use"],
            policy=policy.to_json(),
            stage=policy.first,
            stage_entered_on=applied_on,
            history=[{"stage": policy.first, "entered_on": applied_on.isoformat()}],
            applied_on=applied_on,
            created_at=now,
            updated_at=now,
            version=1,
        )
        session.add(app)
        await session.flush()
        await self.outbox.add(session, EVENT.format("applied"), app.id, event_data(app))
        return app

    async def transition(self, session: AsyncSession, app: CatApplication, to: str, on: date) -> CatApplication:
        policy = CatPolicy.from_json(app.policy)
        refusal = transition_refusal(policy, app.stage, to, approved=app.outcome == "approved")
        if refusal:
            raise Conflict(refusal, code="cat.illegal_transition", extra={"stage": app.stage, "to": to})
        if on < app.stage_entered_on:
            raise field_error(("body", "on"), "before the current stage began", "date.order")
        app.history = [*app.history, {"stage": to, "entered_on": on.isoformat()}]
        app.stage, app.stage_entered_on = to, on
        if to != COMPLETED:
            await self._changed(session, app)
            return app
        app.completed_on = on
        await self._changed(session, app, "completed")
        asset = await assets.get_owned(session, app.council, app.asset_id)
        assert asset is not None
        transfer = {
            "organisation_id": app.organisation_id,
            "transfer_application_id": app.id,
            "transfer_type": app.transfer_type,
            "transferred_on": on.isoformat(),
        }
        await self.assets.mark_transferred(session, asset, transfer)
        return app

    async def score(self, session: AsyncSession, app: CatApplication, scores: dict[str, int]) -> CatApplication:
        policy = CatPolicy.from_json(app.policy)
        expected = {c.name for c in policy.criteria}
        if set(scores) != expected:
            raise field_error(
                ("body", "scores"), f"score exactly these criteria: {', '.join(sorted(expected))}", "cat.criteria"
            )
        for name, value in scores.items():
            if not 0 <= value <= 5:
                raise field_error(("body", "scores", name), "scores run from 0 to 5", "cat.score_range")
        app.scores, app.score = scores, weighted_score(policy, scores)
        await self._changed(session, app)
        return app

    async def decide(self, session: AsyncSession, app: CatApplication, body: dict[str, Any]) -> CatApplication:
        if app.stage != DECISION_STAGE or app.outcome is not None:
            raise Conflict(
                f"a decision is recorded at the {DECISION_STAGE} stage, once (the application is at {app.stage})",
                code="cat.not_at_decision",
            )
        approved = body["outcome"] == "approved"
        if approved:
            for field in ("transfer_type", "market_value", "consideration"):
                if body.get(field) is None:
                    raise field_error(("body", field), "needed to approve a transfer", "cat.decision_incomplete")
            value = undervalue(body["market_value"]["amount"], body["consideration"]["amount"])
            app.transfer_type = body["transfer_type"].value
            app.market_value, app.consideration = body["market_value"]["amount"], body["consideration"]["amount"]
            app.undervalue, app.requires_secretary_of_state_consent = (
                value.amount,
                value.requires_secretary_of_state_consent,
            )
        app.outcome, app.decided_on = body["outcome"].value, body.get("decided_on") or today()
        if not approved:
            app.history = [*app.history, {"stage": REJECTED, "entered_on": app.decided_on.isoformat()}]
            app.stage, app.stage_entered_on = REJECTED, app.decided_on
        await self._changed(session, app, "decided")
        return app
