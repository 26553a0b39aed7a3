"""Matching endpoints (SPEC §5.2): suppliers for a tender or lot, open tenders for an organisation, lotting
advice, and the caller's weights."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from localwealth_shared.auth import Principal, require
from localwealth_shared.http.problems import NotFound, field_error, problem_responses
from sqlalchemy.ext.asyncio import AsyncSession

from procurement.db import Tender
from procurement.dependencies import ReadSession, WriteSession
from procurement.matching import engine, lotting
from procurement.matching.index import OpportunityIndex, SupplierIndex
from procurement.matching.schemas import (
    LottingAdvice,
    SupplierMatchList,
    TenderMatchList,
    WeightsIn,
    WeightsOut,
)
from procurement.matching.scoring import Match
from procurement.matching.weights_store import save_weights, weights_for
from procurement.tenders import repository

router = APIRouter(tags=["matching"])

Reader = Annotated[Principal, Depends(require("procurement:read"))]
Writer = Annotated[Principal, Depends(require("procurement:write"))]
TopK = Annotated[int, Query(ge=1, le=200, description="How many results (best first).")]


async def fresh_index(request: Request, session: AsyncSession) -> SupplierIndex:
    index: SupplierIndex = request.app.state.supplier_index
    await index.refresh(session)
    return index


async def fresh_opportunities(request: Request, session: AsyncSession) -> OpportunityIndex:
    index: OpportunityIndex = request.app.state.opportunity_index
    await index.refresh(session)
    return index


def _match_view(m: Match) -> dict[str, Any]:
    return {
        "score": m.score,
        "eligible": m.eligible,
        "components": m.components,
        "reasons": m.reasons,
        "lot_id": m.lot_id,
        "suggested_lot_id": m.suggested_lot_id,
    }


async def _tender(session: AsyncSession, tender_id: str, principal: Principal) -> Tender:
    tender = await repository.get_visible(session, tender_id, principal.tenant_id)
    if tender is None:
        raise NotFound(f"no tender {tender_id}", code="tender_not_found")
    return tender


def _check_lot(tender: Tender, lot_id: str | None) -> None:
    if lot_id is not None and lot_id not in {lot["id"] for lot in tender.lots}:
        raise field_error(["query", "lot_id"], f"tender has no lot {lot_id!r}", "lot.unknown")


@router.get(
    "/api/v1/tenders/matching-weights",
    response_model=WeightsOut,
    responses=problem_responses(401, 403),
    summary="The caller's match weights",
)
async def get_weights(principal: Reader, session: ReadSession) -> dict[str, Any]:
    weights, is_default = await weights_for(session, principal.tenant_id)
    return {"weights": weights, "is_default": is_default}


@router.put(
    "/api/v1/tenders/matching-weights",
    response_model=WeightsOut,
    responses=problem_responses(401, 403, 422),
    summary="Set the caller's match weights (relative; scaled to sum to 1)",
)
async def put_weights(body: WeightsIn, principal: Writer, session: WriteSession) -> dict[str, Any]:
    values = body.model_dump()
    if sum(values.values()) <= 0:
        raise field_error(["body"], "at least one weight must be above 0", "weights.all_zero")
    await save_weights(session, principal.tenant_id, values)
    await session.flush()
    weights, is_default = await weights_for(session, principal.tenant_id)
    return {"weights": weights, "is_default": is_default}


@router.get(
    "/api/v1/tenders/{tender_id}/matches",
    response_model=SupplierMatchList,
    responses=problem_responses(401, 403, 404, 422),
    summary="Suppliers for a tender or one of its lots, explained",
)
async def tender_matches(
    tender_id: str,
    request: Request,
    principal: Reader,
    session: ReadSession,
    lot_id: str | None = None,
    limit: TopK = 50,
) -> dict[str, Any]:
    tender = await _tender(session, tender_id, principal)
    _check_lot(tender, lot_id)
    index = await fresh_index(request, session)
    weights, _ = await weights_for(session, principal.tenant_id)
    opp = engine.opportunity(tender, lot_id)
    matches = index.top_suppliers(opp, weights, limit)
    data = [
        {"organisation_id": m.supplier_id, "name": index.suppliers[m.supplier_id].name, **_match_view(m)}
        for m in matches
    ]
    return {"data": data, "weights": weights}


@router.get(
    "/api/v1/organisations/{organisation_id}/tender-matches",
    response_model=TenderMatchList,
    responses=problem_responses(401, 403, 404),
    summary="Open tenders (and their lots) for an organisation, explained",
)
async def organisation_matches(
    organisation_id: str, request: Request, principal: Reader, session: ReadSession, limit: TopK = 50
) -> dict[str, Any]:
    index = await fresh_index(request, session)
    supplier = index.suppliers.get(organisation_id)
    if supplier is None:
        raise NotFound(f"no organisation {organisation_id} known to matching", code="organisation_not_found")
    weights, _ = await weights_for(session, principal.tenant_id)
    opportunities = await fresh_opportunities(request, session)
    matches = opportunities.top_tenders(supplier, weights, limit)
    data = [{"tender_id": m.tender_id, "title": opportunities.titles[m.tender_id], **_match_view(m)} for m in matches]
    return {"data": data, "weights": weights}


@router.get(
    "/api/v1/tenders/{tender_id}/lotting-advice",
    response_model=LottingAdvice,
    responses=problem_responses(401, 403, 404, 422),
    summary="How many eligible local social-economy suppliers lots of given sizes would reach",
)
async def lotting_advice(
    tender_id: str,
    request: Request,
    principal: Reader,
    session: ReadSession,
    lot_value: Annotated[list[Decimal], Query(min_length=1, max_length=20, description="Lot sizes (net £) to try")],
) -> dict[str, Any]:
    tender = await _tender(session, tender_id, principal)
    if tender.value_amount is None:
        raise field_error(["query", "tender_id"], "the tender has no value to split", "lotting.no_value")
    for i, size in enumerate(lot_value):
        if size <= 0:
            raise field_error(["query", "lot_value", i], "must be greater than 0", "greater_than")
    area = list(
        (tender.reservation or {}).get("area_lad_codes") or tender.delivery_lad_codes or tender.buyer_area_lad_codes
    )
    index = await fresh_index(request, session)
    opp = engine.opportunity(tender)
    local = lotting.local_social_economy(opp, index.candidates(opp.cpv_codes), area)
    return {
        "tender_id": tender.id,
        "tender_value": f"{tender.value_amount:f}",
        "area_lad_codes": area,
        "options": lotting.advise(opp, tender.value_amount, lot_value, local),
    }
