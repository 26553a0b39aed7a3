"""Tables every service has beside its domain tables: outbox, inbox, idempotency keys, import jobs.

Each service attaches them to its own MetaData (a service owns its database) and creates them in its
first migration through `create_platform_tables_v1`, then applies each later step (`upgrade_platform_tables_v2`)
in a migration of its own. Changing a table here needs a new step, and the earlier steps must still build
what they built: `create_platform_tables_v1` undoes the later changes on the current definitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
)

from localwealth_shared.db import make_metadata
from localwealth_shared.sqltypes import JSONDoc, UTCDateTime

_BIG_ID = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements only INTEGER PRIMARY KEY


@dataclass(frozen=True)
class PlatformTables:
    outbox: Table
    inbox: Table
    idempotency_keys: Table
    import_jobs: Table
    import_job_errors: Table
    import_job_uploads: Table

    @property
    def all(self) -> list[Table]:
        return [self.outbox, self.inbox, self.idempotency_keys, self.import_jobs, self.import_job_errors,
                self.import_job_uploads]  # fmt: skip


def define_platform_tables(metadata: MetaData) -> PlatformTables:
    outbox = Table(
        "outbox",
        metadata,
        Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("type", String(200), nullable=False),
        Column("source", String(200), nullable=False),
        Column("subject", String(200)),
        Column("time", UTCDateTime, nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("traceparent", String(60)),
        Column("created_at", UTCDateTime, nullable=False),
        Column("published_at", UTCDateTime),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text),
    )
    Index(
        "ix_outbox_pending",
        outbox.c.id,
        postgresql_where=outbox.c.published_at.is_(None),
        sqlite_where=outbox.c.published_at.is_(None),
    )
    Index("ix_outbox_key_id", outbox.c.key, outbox.c.id)
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(100), nullable=False),
        Column("event_id", String(100), nullable=False),
        Column("event_type", String(200), nullable=False),
        Column("processed_at", UTCDateTime, nullable=False),
        PrimaryKeyConstraint("consumer", "event_id"),
    )
    idempotency_keys = Table(
        "idempotency_keys",
        metadata,
        Column("tenant_id", String(100), nullable=False),
        Column("key", String(255), nullable=False),
        Column("request_hash", String(64), nullable=False),
        Column("state", String(20), nullable=False),
        Column("response_status", Integer),
        Column("response_headers", JSONDoc),
        Column("response_body", LargeBinary),
        Column("created_at", UTCDateTime, nullable=False),
        PrimaryKeyConstraint("tenant_id", "key"),
    )
    Index("ix_idempotency_keys_created_at", idempotency_keys.c.created_at)
    import_jobs = Table(
        "import_jobs",
        metadata,
        Column("id", String(36), primary_key=True),
        Column("tenant_id", String(100), nullable=False),
        Column("kind", String(50), nullable=False),
        Column("status", String(30), nullable=False),
        Column("filename", String(500)),
        Column("content_type", String(200)),
        Column("content_sha256", String(64), nullable=False),
        Column("options", JSONDoc, nullable=False),
        Column("total", Integer),
        Column("processed", Integer, nullable=False, server_default=text("0")),
        Column("counts", JSONDoc, nullable=False),
        Column("error_count", Integer, nullable=False, server_default=text("0")),
        Column("message", Text),
        Column("created_at", UTCDateTime, nullable=False),
        Column("started_at", UTCDateTime),
        Column("finished_at", UTCDateTime),
        Column("updated_at", UTCDateTime, nullable=False),
    )
    Index("ix_import_jobs_status_created", import_jobs.c.status, import_jobs.c.created_at)
    Index("ix_import_jobs_tenant_created", import_jobs.c.tenant_id, import_jobs.c.created_at)
    import_job_errors = Table(
        "import_job_errors",
        metadata,
        Column("job_id", String(36), nullable=False),
        Column("seq", Integer, nullable=False),
        Column("row", Integer, nullable=False),
        Column("field", String(200), nullable=False),
        Column("message", Text, nullable=False),
        PrimaryKeyConstraint("job_id", "seq"),
    )
    # v2: the uploaded file apart from the job's row, which progress reports update after every batch (on
    # SQLite an update rewrites the whole row: a 136 MB upload, dozens of times per import).
    import_job_uploads = Table(
        "import_job_uploads",
        metadata,
        Column("job_id", String(36), primary_key=True),
        Column("content", LargeBinary, nullable=False),
    )
    return PlatformTables(outbox, inbox, idempotency_keys, import_jobs, import_job_errors, import_job_uploads)


def _v1_tables(metadata: MetaData) -> list[Table]:
    """The tables as v1 made them: the current ones with v2 undone (the upload in the job's row)."""
    tables = define_platform_tables(metadata)
    tables.import_jobs.append_column(Column("content", LargeBinary, nullable=False))
    return [table for table in tables.all if table is not tables.import_job_uploads]


def create_platform_tables_v1(bind: object) -> None:
    """Called from a service's first Alembic migration: `create_platform_tables_v1(op.get_bind())`."""
    snapshot = make_metadata()
    snapshot.create_all(bind=bind, tables=_v1_tables(snapshot))  # type: ignore[arg-type]


def drop_platform_tables_v1(bind: object) -> None:
    snapshot = make_metadata()
    snapshot.drop_all(bind=bind, tables=_v1_tables(snapshot))  # type: ignore[arg-type]


def upgrade_platform_tables_v2(op: Any) -> None:
    """v2, from a service's migration (`upgrade_platform_tables_v2(op)`): uploads move to their own table."""
    op.create_table(
        "import_job_uploads",
        Column("job_id", String(36), nullable=False),
        Column("content", LargeBinary, nullable=False),
        PrimaryKeyConstraint("job_id", name="pk_import_job_uploads"),
    )
    op.execute("INSERT INTO import_job_uploads (job_id, content) SELECT id, content FROM import_jobs")
    with op.batch_alter_table("import_jobs") as batch:
        batch.drop_column("content")


def downgrade_platform_tables_v2(op: Any) -> None:
    with op.batch_alter_table("import_jobs") as batch:
        batch.add_column(Column("content", LargeBinary, nullable=False, server_default=text("''")))
    op.execute(
        "UPDATE import_jobs SET content = COALESCE("
        "(SELECT content FROM import_job_uploads WHERE import_job_uploads.job_id = import_jobs.id), content)"
    )
    op.drop_table("import_job_uploads")
