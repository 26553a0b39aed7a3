"""spend lines: no foreign key to their supplier (bulk import speed; see SpendLine.supplier_id); the
tenant/period index extended to cover the indicators' per-supplier sums

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 00:40:00
"""

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

FK = "fk_spend_lines_supplier_id_spend_suppliers"


COVERING = ("tenant_id", "period_date", "supplier_id", "amount_pence", "financial_year")


def upgrade() -> None:
    with op.batch_alter_table("spend_lines") as batch:  # SQLite: the table is copied without the constraint
        batch.drop_constraint(FK, type_="foreignkey")
    op.drop_index("ix_spend_lines_tenant_period", table_name="spend_lines")
    op.create_index("ix_spend_lines_tenant_period_supplier", "spend_lines", list(COVERING))


def downgrade() -> None:
    op.drop_index("ix_spend_lines_tenant_period_supplier", table_name="spend_lines")
    op.create_index("ix_spend_lines_tenant_period", "spend_lines", ["tenant_id", "period_date"])
    with op.batch_alter_table("spend_lines") as batch:
        batch.create_foreign_key(FK, "spend_suppliers", ["supplier_id"], ["id"])
