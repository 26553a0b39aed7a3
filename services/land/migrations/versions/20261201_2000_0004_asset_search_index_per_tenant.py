"""asset search index per tenant: (owner, lat, lon) replaces (lat, lon)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 20:00:00
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_assets_owner_lat_lon", "assets", ["owner", "lat", "lon"], unique=False)
    op.drop_index("ix_assets_lat_lon", table_name="assets")


def downgrade() -> None:
    op.create_index("ix_assets_lat_lon", "assets", ["lat", "lon"], unique=False)
    op.drop_index("ix_assets_owner_lat_lon", table_name="assets")
