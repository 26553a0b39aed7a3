"""Tenants and API keys; platform tables (outbox, inbox, idempotency keys, import jobs).

Revision ID: 0001
Revises:
Create Date: 2026-11-23 12:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import localwealth_shared.sqltypes
from localwealth_shared.platform_tables import create_platform_tables_v1, drop_platform_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")


def upgrade() -> None:
    create_platform_tables_v1(op.get_bind())
    op.create_table(
        "tenants",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("lad_codes", JSON_DOC, nullable=False),
        sa.Column("created_at", localwealth_shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", localwealth_shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenants")),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("scopes", JSON_DOC, nullable=False),
        sa.Column("created_at", localwealth_shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", localwealth_shared.sqltypes.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_api_keys_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_index("ix_api_keys_tenant_id_created_at", "api_keys", ["tenant_id", "created_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_api_keys_tenant_id_created_at", table_name="api_keys")
    op.drop_table("api_keys")
    op.drop_table("tenants")
    drop_platform_tables_v1(op.get_bind())
