"""Tenders; platform tables (outbox, inbox, idempotency, jobs).

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 05:13:31.770451
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
    op.create_table('tenders',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('ocid', sa.String(length=200), nullable=False),
    sa.Column('buyer_tenant_id', sa.String(length=100), nullable=False),
    sa.Column('buyer_name', sa.String(length=500), nullable=True),
    sa.Column('buyer_kind', sa.String(length=20), nullable=False),
    sa.Column('buyer_area_lad_codes', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('notice_type', sa.String(length=5), nullable=True),
    sa.Column('contract_type', sa.String(length=20), nullable=True),
    sa.Column('value_amount', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('value_currency', sa.String(length=3), nullable=True),
    sa.Column('amount_gross', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('above_threshold', sa.Boolean(), nullable=True),
    sa.Column('threshold', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('publication_date', sa.Date(), nullable=True),
    sa.Column('cpv_codes', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('delivery_lad_codes', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('delivery_postcode', sa.String(length=10), nullable=True),
    sa.Column('delivery_lat', sa.Float(), nullable=True),
    sa.Column('delivery_lon', sa.Float(), nullable=True),
    sa.Column('tender_period_start', sa.Date(), nullable=True),
    sa.Column('tender_period_end', sa.Date(), nullable=True),
    sa.Column('lots', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('suitability', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('reservation', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('award_criteria', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', localwealth_shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', localwealth_shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tenders')),
    sa.UniqueConstraint('ocid', name=op.f('uq_tenders_ocid'))
    )
    with op.batch_alter_table('tenders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tenders_buyer_tenant_id'), ['buyer_tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tenders_status'), ['status'], unique=False)
        batch_op.create_index('ix_tenders_updated_at_id', ['updated_at', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('tenders', schema=None) as batch_op:
        batch_op.drop_index('ix_tenders_updated_at_id')
        batch_op.drop_index(batch_op.f('ix_tenders_status'))
        batch_op.drop_index(batch_op.f('ix_tenders_buyer_tenant_id'))

    op.drop_table('tenders')
    drop_platform_tables_v1(op.get_bind())
