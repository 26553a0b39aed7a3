"""Request-scoped dependencies of the land service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from localwealth_shared.auth import Principal, require
from localwealth_shared.http.sessions import ReadSession, WriteSession

from land.acv.service import AcvService
from land.assets.service import AssetService
from land.cat.service import CatService

__all__ = ["AcvServiceDep", "AssetServiceDep", "CatServiceDep", "ReadSession", "Reader", "WriteSession", "Writer"]

Reader = Annotated[Principal, Depends(require("land:read"))]
Writer = Annotated[Principal, Depends(require("land:write"))]


def _assets(request: Request) -> AssetService:
    return request.app.state.asset_service  # type: ignore[no-any-return]


def _acv(request: Request) -> AcvService:
    return request.app.state.acv_service  # type: ignore[no-any-return]


AssetServiceDep = Annotated[AssetService, Depends(_assets)]
AcvServiceDep = Annotated[AcvService, Depends(_acv)]


def _cat(request: Request) -> CatService:
    return request.app.state.cat_service  # type: ignore[no-any-return]


CatServiceDep = Annotated[CatService, Depends(_cat)]
