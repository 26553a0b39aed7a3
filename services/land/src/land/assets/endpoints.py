"""HTTP endpoints for assets (SPEC §6.1). Every asset belongs to the calling council; others' read as 404."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from localwealth_shared.http.concurrency import check_if_match, set_etag
from localwealth_shared.http.pagination import Cursor, Limit
from localwealth_shared.http.problems import NotFound, field_error, problem_responses

from land.assets import repository
from land.assets.schemas import Asset, AssetCreate, AssetFields, AssetPage, AssetStatus
from land.assets.service import project
from land.dependencies import AssetServiceDep, Reader, ReadSession, Writer, WriteSession

router = APIRouter(prefix="/api/v1/assets", tags=["assets"])


def _not_found(asset_id: str) -> NotFound:
    return NotFound(f"no asset {asset_id}", code="asset_not_found")


def _floats(raw: str, count: int, name: str, example: str) -> list[float]:
    try:
        values = [float(v) for v in raw.split(",")]
    except ValueError:
        values = []
    if len(values) != count:
        raise field_error(
            ("query", name), f"expected {count} comma-separated numbers, e.g. {example}", f"{name}.format"
        )
    return values


@router.get("", response_model=AssetPage, responses=problem_responses(401, 403, 422), summary="Search assets")
async def list_assets(
    principal: Reader,
    session: ReadSession,
    bbox: Annotated[str | None, Query(description="min_lon,min_lat,max_lon,max_lat (EPSG:4326)")] = None,
    near: Annotated[str | None, Query(description="<lat>,<lon>; needs radius_km")] = None,
    radius_km: Annotated[float | None, Query(gt=0, le=500)] = None,
    lad: Annotated[str | None, Query(pattern=r"^[EWSN]\d{8}$")] = None,
    status_: Annotated[AssetStatus | None, Query(alias="status")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    box = None
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = _floats(bbox, 4, "bbox", "-1.3,51.7,-1.2,51.8")
        if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
            raise field_error(("query", "bbox"), "min must not exceed max, within -180..180 / -90..90", "bbox.range")
        box = (min_lon, min_lat, max_lon, max_lat)
    point = None
    if near is not None or radius_km is not None:
        if near is None or radius_km is None:
            raise field_error(("query", "near"), "near and radius_km go together", "near.radius_required")
        lat, lon = _floats(near, 2, "near", "51.75,-1.26")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise field_error(("query", "near"), "latitude -90..90, longitude -180..180", "near.range")
        point = (lat, lon)
    query = repository.AssetQuery(
        owner=principal.tenant_id,
        bbox=box,
        near=point,
        radius_km=radius_km,
        lad=lad,
        status=status_.value if status_ else None,
        limit=limit,
        cursor=cursor,
    )
    rows, next_cursor = await repository.search(session, query)
    return {"data": [project(a) for a in rows], "next_cursor": next_cursor}


@router.post(
    "",
    response_model=Asset,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 409, 422),
    summary="Register an asset",
)
async def create_asset(
    body: AssetCreate, response: Response, principal: Writer, session: WriteSession, service: AssetServiceDep
) -> dict[str, Any]:
    asset = await service.create(session, principal.tenant_id, body.model_dump(mode="python", exclude_unset=False))
    response.headers["Location"] = f"/api/v1/assets/{asset.id}"
    set_etag(response, asset.version)
    return project(asset)


@router.get("/{asset_id}", response_model=Asset, responses=problem_responses(401, 403, 404), summary="Get an asset")
async def get_asset(asset_id: str, response: Response, principal: Reader, session: ReadSession) -> dict[str, Any]:
    asset = await repository.get_owned(session, principal.tenant_id, asset_id)
    if asset is None:
        raise _not_found(asset_id)
    set_etag(response, asset.version)
    return project(asset)


@router.patch(
    "/{asset_id}",
    response_model=Asset,
    responses=problem_responses(401, 403, 404, 409, 412, 422),
    summary="Correct an asset",
)
async def update_asset(
    asset_id: str,
    body: AssetFields,
    request: Request,
    response: Response,
    principal: Writer,
    session: WriteSession,
    service: AssetServiceDep,
) -> dict[str, Any]:
    asset = await repository.get_owned(session, principal.tenant_id, asset_id)
    if asset is None:
        raise _not_found(asset_id)
    check_if_match(request, asset.version)
    fields = body.model_dump(mode="python", exclude_unset=True)
    if fields.get("name", "") is None:
        raise field_error(("body", "name"), "an asset needs a name", "name.required")
    await service.update(session, asset, fields)
    set_etag(response, asset.version)
    return project(asset)
