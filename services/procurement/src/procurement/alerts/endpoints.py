"""Alert subscriptions (SPEC §5.2 Alerts) and their webhook delivery log; private to the tenant."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response, status
from localwealth_shared.auth import Principal, require
from localwealth_shared.clock import utcnow
from localwealth_shared.http.problems import NotFound, field_error, problem_responses
from pydantic import AnyHttpUrl, BaseModel, Field
from sqlalchemy import select

from procurement.alerts.signing import new_secret
from procurement.db import AlertSubscription, Supplier, WebhookDelivery
from procurement.dependencies import ReadSession, WriteSession
from procurement.tenders.normalise import validated_cpv_codes, validated_lad_codes
from procurement.tenders.schemas import Amount, Input, LadCode

router = APIRouter(prefix="/api/v1/alerts/subscriptions", tags=["alerts"])
Reader = Annotated[Principal, Depends(require("procurement:read"))]
Writer = Annotated[Principal, Depends(require("procurement:write"))]


class SubscriptionCreate(Input):
    organisation_id: Annotated[str, Field(max_length=36)]
    cpv_codes: list[str] = Field(default_factory=list, max_length=50)
    lad_codes: list[LadCode] = Field(default_factory=list, max_length=100)
    min_value: Amount | None = None
    max_value: Amount | None = None
    webhook_url: AnyHttpUrl


class Subscription(BaseModel):
    id: str
    organisation_id: str
    cpv_codes: list[str]
    lad_codes: list[str]
    min_value: str | None
    max_value: str | None
    webhook_url: str
    created_at: datetime
    secret: str | None = Field(None, description="Standard Webhooks signing secret; shown only in the create response")


class Delivery(BaseModel):
    id: str
    event_type: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None
    payload: dict[str, Any]


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def _view(sub: AlertSubscription, *, with_secret: bool = False) -> dict[str, Any]:
    return {
        "id": sub.id,
        "organisation_id": sub.organisation_id,
        "cpv_codes": sub.cpv_codes,
        "lad_codes": sub.lad_codes,
        "min_value": _dec(sub.min_value),
        "max_value": _dec(sub.max_value),
        "webhook_url": sub.webhook_url,
        "created_at": sub.created_at,
        "secret": sub.secret if with_secret else None,
    }


async def _own(session: Any, subscription_id: str, tenant_id: str) -> AlertSubscription:
    sub = await session.get(AlertSubscription, subscription_id)
    if sub is None or sub.tenant_id != tenant_id:
        raise NotFound(f"no subscription {subscription_id}", code="subscription_not_found")
    return sub


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=Subscription,
    responses=problem_responses(401, 403, 422),
    summary="Subscribe an organisation to matching published tenders (webhook, Standard Webhooks signed)",
)
async def create_subscription(
    body: SubscriptionCreate, response: Response, principal: Writer, session: WriteSession
) -> dict[str, Any]:
    supplier = await session.get(Supplier, body.organisation_id)
    if supplier is None or supplier.deregistered:
        raise field_error(
            ["body", "organisation_id"], "no registered organisation with this id", "organisation.unknown"
        )
    if body.min_value is not None and body.max_value is not None and body.max_value < body.min_value:
        raise field_error(["body", "max_value"], "must not be below min_value", "value_range.order")
    sub = AlertSubscription(
        id=str(uuid.uuid4()),
        tenant_id=principal.tenant_id,
        organisation_id=body.organisation_id,
        cpv_codes=validated_cpv_codes(body.cpv_codes, ["body", "cpv_codes"]),
        lad_codes=validated_lad_codes(body.lad_codes, ["body", "lad_codes"]),
        min_value=body.min_value,
        max_value=body.max_value,
        webhook_url=str(body.webhook_url),
        secret=new_secret(),
        created_at=utcnow(),
    )
    session.add(sub)
    await session.flush()
    response.headers["Location"] = f"/api/v1/alerts/subscriptions/{sub.id}"
    return _view(sub, with_secret=True)


@router.get("", response_model=list[Subscription], responses=problem_responses(401, 403), summary="Your subscriptions")
async def list_subscriptions(principal: Reader, session: ReadSession) -> list[dict[str, Any]]:
    subs = (
        (
            await session.execute(
                select(AlertSubscription)
                .where(AlertSubscription.tenant_id == principal.tenant_id)
                .order_by(AlertSubscription.created_at, AlertSubscription.id)
            )
        )
        .scalars()
        .all()
    )
    return [_view(s) for s in subs]


@router.get("/{subscription_id}", response_model=Subscription, responses=problem_responses(401, 403, 404))
async def get_subscription(subscription_id: str, principal: Reader, session: ReadSession) -> dict[str, Any]:
    return _view(await _own(session, subscription_id, principal.tenant_id))


@router.delete("/{subscription_id}", status_code=204, responses=problem_responses(401, 403, 404))
async def delete_subscription(subscription_id: str, principal: Writer, session: WriteSession) -> Response:
    await session.delete(await _own(session, subscription_id, principal.tenant_id))
    return Response(status_code=204)


@router.get(
    "/{subscription_id}/deliveries",
    response_model=list[Delivery],
    responses=problem_responses(401, 403, 404),
    summary="The webhook delivery log: each call's status, attempts and last error",
)
async def list_deliveries(subscription_id: str, principal: Reader, session: ReadSession) -> list[Any]:
    await _own(session, subscription_id, principal.tenant_id)
    return list(
        (
            await session.execute(
                select(WebhookDelivery)
                .where(WebhookDelivery.subscription_id == subscription_id)
                .order_by(WebhookDelivery.created_at, WebhookDelivery.id)
                .limit(200)
            )
        )
        .scalars()
        .all()
    )
