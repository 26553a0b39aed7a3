"""The procurement HTTP app (`uvicorn procurement.main:create_app --factory`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from localwealth_shared.db import Database
from localwealth_shared.events.outbox import Outbox
from localwealth_shared.http.app import create_service_app
from localwealth_shared.jobs import JobStore
from localwealth_shared.observability.logging import configure_logging

from procurement.alerts.endpoints import router as alerts_router
from procurement.alerts.matching import AlertPublisher
from procurement.awards.endpoints import router as awards_router
from procurement.config import ProcurementSettings, get_settings
from procurement.db import platform
from procurement.matching.endpoints import router as matching_router
from procurement.matching.index import OpportunityIndex, SupplierIndex
from procurement.matching.warmup import IndexWarmup
from procurement.ocds.endpoints import router as ocds_router
from procurement.ocds.import_endpoints import router as imports_router
from procurement.rules.thresholds import ThresholdTable, default_thresholds
from procurement.tenders.endpoints import router as tenders_router
from procurement.tenders.service import TenderService

OUTBOX = Outbox(platform, "procurement")
DESCRIPTION = """Tenders modelled on OCDS 1.1.5 with Procurement Act 2023 notice types, date-versioned thresholds
and below-threshold reservation for local, UK, SME or VCSE suppliers. Planned tenders are private to their
buyer; published ones are public to every tenant with `procurement:read` and announced as
`procurement.tender` events."""


def build_service(settings: ProcurementSettings) -> TenderService:
    thresholds = (
        ThresholdTable.from_file(settings.thresholds_file) if settings.thresholds_file else default_thresholds()
    )
    return TenderService(thresholds, OUTBOX, ocid_prefix=settings.ocid_prefix, on_published=[AlertPublisher(OUTBOX)])


def create_app(settings: ProcurementSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging("procurement", settings.log_level, json=settings.log_json)
    db = Database(settings.database_url)
    supplier_index, opportunity_index = SupplierIndex(), OpportunityIndex()
    warmup = IndexWarmup(db, supplier_index, opportunity_index)
    app = create_service_app(
        settings=settings,
        db=db,
        tables=platform,
        title="localwealth procurement",
        description=DESCRIPTION,
        # Matching declares /tenders/matching-weights, so it comes before /tenders/{tender_id}.
        routers=[matching_router, imports_router, tenders_router, awards_router, ocds_router, alerts_router],
        extra_readiness={"matching_index": warmup.readiness},
    )
    app.state.tender_service = build_service(settings)
    app.state.supplier_index = supplier_index
    app.state.opportunity_index = opportunity_index
    app.state.index_warmup = warmup
    app.state.outbox = OUTBOX
    app.state.job_store = JobStore(db, platform)

    factory_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: FastAPI) -> AsyncIterator[None]:
        async with factory_lifespan(app_):
            warmup.start()  # in the background: /healthz answers meanwhile, /readyz says loading
            try:
                yield
            finally:
                await warmup.stop()

    app.router.lifespan_context = lifespan
    return app
