"""spend lines, suppliers and known organisations; platform tables

Revision ID: 0001
Revises: 
Create Date: 2026-12-01 19:50:05.229791
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import localwealth_shared.sqltypes
from localwealth_shared.platform_tables import create_platform_tables_v1, drop_platform_tables_v1

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables_v1(op.get_bind())
    op.create_table('known_organisations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('name_key', sa.String(length=500), nullable=False),
    sa.Column('legal_form', sa.String(length=60), nullable=True),
    sa.Column('operating_lad_codes', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('is_sme', sa.Boolean(), nullable=False),
    sa.Column('is_vcse', sa.Boolean(), nullable=False),
    sa.Column('is_social_economy', sa.Boolean(), nullable=False),
    sa.Column('real_living_wage', sa.Boolean(), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('registry_version', sa.Integer(), nullable=False),
    sa.Column('deregistered', sa.Boolean(), nullable=False),
    sa.Column('updated_at', localwealth_shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_known_organisations'))
    )
    with op.batch_alter_table('known_organisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_known_organisations_name_key'), ['name_key'], unique=False)

    op.create_table('spend_suppliers',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('tenant_id', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('name_key', sa.String(length=500), nullable=False),
    sa.Column('identifier', sa.String(length=120), nullable=True),
    sa.Column('redacted', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('method', sa.String(length=20), nullable=True),
    sa.Column('candidates', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', localwealth_shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', localwealth_shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spend_suppliers')),
    sa.UniqueConstraint('tenant_id', 'name_key', name='uq_spend_suppliers_tenant_name_key')
    )
    with op.batch_alter_table('spend_suppliers', schema=None) as batch_op:
        batch_op.create_index('ix_spend_suppliers_organisation', ['organisation_id'], unique=False)
        batch_op.create_index('ix_spend_suppliers_tenant_status', ['tenant_id', 'status', 'id'], unique=False)
        batch_op.create_index('ix_spend_suppliers_tenant_updated', ['tenant_id', 'updated_at', 'id'], unique=False)

    op.create_table('organisation_identifiers',
    sa.Column('identifier', sa.String(length=120), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['known_organisations.id'], name=op.f('fk_organisation_identifiers_organisation_id_known_organisations')),
    sa.PrimaryKeyConstraint('identifier', name=op.f('pk_organisation_identifiers'))
    )
    with op.batch_alter_table('organisation_identifiers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_identifiers_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('spend_lines',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('tenant_id', sa.String(length=100), nullable=False),
    sa.Column('line_key', sa.String(length=64), nullable=False),
    sa.Column('supplier_id', sa.String(length=36), nullable=False),
    sa.Column('transaction_ref', sa.String(length=100), nullable=True),
    sa.Column('paid_date', sa.Date(), nullable=True),
    sa.Column('period_date', sa.Date(), nullable=False),
    sa.Column('date_basis', sa.String(length=12), nullable=False),
    sa.Column('financial_year', sa.String(length=7), nullable=False),
    sa.Column('quarter', sa.SmallInteger(), nullable=False),
    sa.Column('amount_pence', sa.BigInteger(), nullable=False),
    sa.Column('supplier_name', sa.String(length=500), nullable=False),
    sa.Column('supplier_ref', sa.String(length=100), nullable=True),
    sa.Column('body', sa.String(length=200), nullable=True),
    sa.Column('service_area', sa.String(length=200), nullable=True),
    sa.Column('category', sa.String(length=200), nullable=True),
    sa.Column('expenditure_code', sa.String(length=50), nullable=True),
    sa.Column('capital_or_revenue', sa.String(length=20), nullable=True),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('created_at', localwealth_shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', localwealth_shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['supplier_id'], ['spend_suppliers.id'], name=op.f('fk_spend_lines_supplier_id_spend_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spend_lines')),
    sa.UniqueConstraint('tenant_id', 'line_key', name='uq_spend_lines_tenant_line_key')
    )
    with op.batch_alter_table('spend_lines', schema=None) as batch_op:
        batch_op.create_index('ix_spend_lines_supplier', ['supplier_id'], unique=False)
        batch_op.create_index('ix_spend_lines_tenant_period', ['tenant_id', 'period_date'], unique=False)
        batch_op.create_index('ix_spend_lines_tenant_updated', ['tenant_id', 'updated_at', 'id'], unique=False)

    # ### end Alembic commands ###


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('spend_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_spend_lines_tenant_updated')
        batch_op.drop_index('ix_spend_lines_tenant_period')
        batch_op.drop_index('ix_spend_lines_supplier')

    op.drop_table('spend_lines')
    with op.batch_alter_table('organisation_identifiers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_identifiers_organisation_id'))

    op.drop_table('organisation_identifiers')
    with op.batch_alter_table('spend_suppliers', schema=None) as batch_op:
        batch_op.drop_index('ix_spend_suppliers_tenant_updated')
        batch_op.drop_index('ix_spend_suppliers_tenant_status')
        batch_op.drop_index('ix_spend_suppliers_organisation')

    op.drop_table('spend_suppliers')
    with op.batch_alter_table('known_organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_known_organisations_name_key'))

    op.drop_table('known_organisations')
    drop_platform_tables_v1(op.get_bind())
