"""Reference look-ups for front-end pickers: CPV, SIC, local authorities, postcodes."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from localwealth_shared.auth import Principal, require
from localwealth_shared.http.problems import NotFound, field_error, problem_responses
from localwealth_shared.reference.classification import search_cpv, search_sic
from localwealth_shared.reference.geography import (
    PostcodeError,
    default_gazetteer,
    local_authorities,
    local_authority,
    normalise_postcode,
)

from registry.db import Postcode
from registry.dependencies import ReadSession

router = APIRouter(prefix="/api/v1/reference", tags=["reference"])
Reader = Annotated[Principal, Depends(require("registry:read"))]
SearchText = Annotated[str, Query(min_length=1, max_length=100, description="Code prefix or words of the description")]
PickerLimit = Annotated[int, Query(ge=1, le=100)]


@router.get("/cpv", responses=problem_responses(401, 422), summary="Search CPV 2008 codes")
async def cpv(_: Reader, q: SearchText, limit: PickerLimit = 20) -> dict[str, Any]:
    return {"data": search_cpv(q, limit)}


@router.get("/sic", responses=problem_responses(401, 422), summary="Search UK SIC 2007 codes")
async def sic(_: Reader, q: SearchText, limit: PickerLimit = 20) -> dict[str, Any]:
    return {"data": search_sic(q, limit)}


@router.get("/local-authorities", responses=problem_responses(401), summary="UK local authority districts (LAD25)")
async def local_authority_list(_: Reader) -> dict[str, Any]:
    return {"data": [asdict(la) for la in local_authorities()]}


@router.get("/postcodes/{postcode}", responses=problem_responses(401, 404, 422), summary="Look up a postcode")
async def postcode(postcode: str, _: Reader, session: ReadSession) -> dict[str, Any]:
    try:
        normalised = normalise_postcode(postcode)
    except PostcodeError as exc:
        raise field_error(["path", "postcode"], str(exc), exc.rule) from exc
    exact = await session.get(Postcode, normalised)
    if exact is not None and exact.lat is not None:
        lat, lon, lad, precision = exact.lat, exact.lon, exact.lad_code, "exact"
    else:
        point = default_gazetteer().lookup_centroid(normalised)
        if point is None:
            raise NotFound(f"{normalised} is not in the postcode data", code="postcode_unknown")
        lat, lon, lad, precision = point.lat, point.lon, point.lad_code, point.precision
    authority = local_authority(lad) if lad else None
    return {
        "postcode": normalised,
        "lat": lat,
        "lon": lon,
        "precision": precision,
        "lad_code": lad,
        "local_authority": authority.name if authority else None,
    }
