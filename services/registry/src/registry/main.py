"""The registry HTTP app (`uvicorn registry.main:create_app --factory`)."""

from __future__ import annotations

from fastapi import FastAPI
from localwealth_shared.db import Database
from localwealth_shared.events.outbox import Outbox
from localwealth_shared.http.app import create_service_app
from localwealth_shared.jobs import JobStore
from localwealth_shared.observability.logging import configure_logging

from registry.config import RegistrySettings, get_settings
from registry.db import platform
from registry.exports.endpoints import router as export_router
from registry.imports.endpoints import router as imports_router
from registry.organisations.endpoints import router as organisations_router
from registry.organisations.normalise import Normaliser
from registry.organisations.search import NameIndex
from registry.organisations.service import OrganisationService
from registry.reference.endpoints import router as reference_router
from registry.rules.flags import DEFAULT_FLAG_RULES, FlagRules

DESCRIPTION = """Organisations of the local social economy — co-operatives, social enterprises, charities,
community businesses, employee-owned firms — with their org-id identifiers, sites, classifications and
certifications. Public to every tenant with `registry:read`; every change records the tenant that made it
and is published as a `registry.organisation` event."""


def build_service(settings: RegistrySettings) -> OrganisationService:
    rules = FlagRules.from_json(settings.flag_rules_file) if settings.flag_rules_file else DEFAULT_FLAG_RULES
    return OrganisationService(Normaliser(rules, settings.canonical_priority), Outbox(platform, "registry"))


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging("registry", settings.log_level, json=settings.log_json)
    db = Database(settings.database_url)
    app = create_service_app(
        settings=settings,
        db=db,
        tables=platform,
        title="localwealth registry",
        description=DESCRIPTION,
        # Export and imports are declared before /{organisation_id} so their paths win.
        routers=[export_router, imports_router, organisations_router, reference_router],
    )
    app.state.organisation_service = build_service(settings)
    app.state.name_index = NameIndex()
    app.state.job_store = JobStore(db, platform)
    return app
