"""The impact HTTP app (`uvicorn impact.main:create_app --factory`)."""

from __future__ import annotations

from fastapi import FastAPI
from localwealth_shared.db import Database
from localwealth_shared.http.app import create_service_app
from localwealth_shared.jobs import JobStore
from localwealth_shared.observability.logging import configure_logging

from impact.config import ImpactSettings, get_settings
from impact.db import platform
from impact.indicators.endpoints import router as indicators_router
from impact.lm3.endpoints import router as lm3_router
from impact.scores.endpoints import router as scores_router
from impact.social_value.endpoints import router as social_value_router
from impact.spend.endpoints import imports_router
from impact.spend.endpoints import router as spend_router
from impact.suppliers.endpoints import router as suppliers_router
from impact.suppliers.reconcile import Thresholds

DESCRIPTION = """Whether community wealth building is working: each council's spend (Transparency Code files and
ERP pushes), its suppliers reconciled to the registry, local spend, LM3, social value and the five CWB pillars.
Spend and analyses are private to the council that owns them."""


def thresholds_of(settings: ImpactSettings) -> Thresholds:
    return Thresholds(auto_match=settings.auto_match_score, suggest=settings.suggest_score)


def create_app(settings: ImpactSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging("impact", settings.log_level, json=settings.log_json)
    db = Database(settings.database_url)
    app = create_service_app(
        settings=settings,
        db=db,
        tables=platform,
        title="localwealth impact",
        description=DESCRIPTION,
        # The imports and suppliers routes come before any /spend/{...} path so theirs win.
        routers=[
            imports_router,
            suppliers_router,
            spend_router,
            indicators_router,
            scores_router,
            lm3_router,
            social_value_router,
        ],
    )
    app.state.thresholds = thresholds_of(settings)
    app.state.job_store = JobStore(db, platform)
    return app
