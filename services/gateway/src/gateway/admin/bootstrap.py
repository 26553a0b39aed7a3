"""Development start-up: the platform tenant `dev` and the demo council exist, so `make run` works on a fresh DB."""

from __future__ import annotations

import logging

from localwealth_shared.auth import ADMIN_TENANT_ID
from localwealth_shared.clock import utcnow
from localwealth_shared.db import Database
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from gateway.db import Tenant

logger = logging.getLogger("gateway.bootstrap")

DEV_TENANTS = (
    {"id": ADMIN_TENANT_ID, "name": "Platform admin (development)", "kind": "council", "lad_codes": []},
    {"id": "E07000178", "name": "Oxford City Council", "kind": "council", "lad_codes": ["E07000178"]},
)


async def ensure_dev_tenants(db: Database) -> None:
    """Idempotent, and safe when several processes start at once (the loser of an insert race moves on)."""
    for spec in DEV_TENANTS:
        try:
            async with db.transaction() as session:
                if await session.get(Tenant, spec["id"]) is not None:
                    continue
                now = utcnow()
                session.add(Tenant(**spec, created_at=now, updated_at=now, version=1))
            logger.info("created development tenant %s", spec["id"])
        except IntegrityError:
            continue
        except (OperationalError, ProgrammingError) as exc:
            raise RuntimeError("the gateway database has no tables; run `localwealth gateway migrate` first") from exc
