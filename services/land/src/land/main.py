"""The land HTTP app (`uvicorn land.main:create_app --factory`)."""

from __future__ import annotations

from fastapi import FastAPI
from localwealth_shared.db import Database
from localwealth_shared.events.outbox import Outbox
from localwealth_shared.http.app import create_service_app
from localwealth_shared.http.imports import import_router
from localwealth_shared.jobs import JobStore
from localwealth_shared.observability.logging import configure_logging

from land.acv.endpoints import router as acv_router
from land.acv.regimes import RegimeBook
from land.acv.service import AcvService
from land.assets.endpoints import router as assets_router
from land.assets.service import AssetService
from land.cat.endpoints import router as cat_router
from land.cat.service import CatService
from land.config import LandSettings, get_settings
from land.db import platform
from land.imports.runner import KIND as REGISTER_IMPORT
from land.scotland.requests import router as scotland_router

DESCRIPTION = """Public land and buildings and the community's rights over them: each council's asset
register, Assets of Community Value with their statutory clocks (nomination, listing, review, disposal
notices, moratoria), community asset transfer. Everything here is private to the council that owns it."""


def build_services(settings: LandSettings) -> tuple[AssetService, AcvService, CatService]:
    outbox = Outbox(platform, "land")
    assets = AssetService(outbox)
    return (
        assets,
        AcvService(outbox, RegimeBook.default(settings.crtb_effective_from), assets),
        CatService(outbox, assets),
    )


imports_router = import_router(
    prefix="/api/v1/assets/imports",
    kind=REGISTER_IMPORT,
    read_scope="land:read",
    write_scope="land:write",
    what="the council's land and building register (Local Government Transparency Code CSV)",
)


def create_app(settings: LandSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging("land", settings.log_level, json=settings.log_json)
    db = Database(settings.database_url)
    app = create_service_app(
        settings=settings,
        db=db,
        tables=platform,
        title="localwealth land",
        description=DESCRIPTION,
        # The imports routes come before /assets/{asset_id} so their paths win.
        routers=[imports_router, assets_router, acv_router, cat_router, scotland_router],
    )
    app.state.asset_service, app.state.acv_service, app.state.cat_service = build_services(settings)
    app.state.job_store = JobStore(db, platform)
    return app
