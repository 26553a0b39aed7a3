"""platform tables v2: import uploads in their own table, apart from the job row that progress reports update

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 01:00:00
"""

from alembic import op
from localwealth_shared.platform_tables import downgrade_platform_tables_v2, upgrade_platform_tables_v2

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    upgrade_platform_tables_v2(op)


def downgrade() -> None:
    downgrade_platform_tables_v2(op)
