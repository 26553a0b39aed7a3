"""activity facts, indicator inputs, organisation scores

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 20:01:47.340269
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import localwealth_shared.sqltypes

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('activity_facts',
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('subject_id', sa.String(length=100), nullable=False),
    sa.Column('tenant_id', sa.String(length=100), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('amount_pence', sa.BigInteger(), nullable=True),
    sa.Column('organisation_id', sa.String(length=36), nullable=True),
    sa.Column('attributes', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('source_version', sa.Integer(), nullable=False),
    sa.Column('updated_at', localwealth_shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'subject_id', name=op.f('pk_activity_facts'))
    )
    with op.batch_alter_table('activity_facts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_facts_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ix_activity_facts_tenant_kind_date', ['tenant_id', 'kind', 'occurred_on'], unique=False)

    op.create_table('indicator_inputs',
    sa.Column('tenant_id', sa.String(length=100), nullable=False),
    sa.Column('indicator', sa.String(length=60), nullable=False),
    sa.Column('financial_year', sa.String(length=7), nullable=False),
    sa.Column('amount_pence', sa.BigInteger(), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=True),
    sa.Column('updated_at', localwealth_shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'indicator', 'financial_year', name=op.f('pk_indicator_inputs'))
    )
    op.create_table('organisation_scores',
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('components', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('explanation', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('computed_at', localwealth_shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_organisation_scores'))
    )
    with op.batch_alter_table('known_organisations', schema=None) as batch_op:
        # Existing rows get an empty list; the next registry event for each fills it in.
        batch_op.add_column(sa.Column('ownership', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False, server_default=sa.text("'[]'")))



def downgrade() -> None:
    with op.batch_alter_table('known_organisations', schema=None) as batch_op:
        batch_op.drop_column('ownership')

    op.drop_table('organisation_scores')
    op.drop_table('indicator_inputs')
    with op.batch_alter_table('activity_facts', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_facts_tenant_kind_date')
        batch_op.drop_index(batch_op.f('ix_activity_facts_organisation_id'))

    op.drop_table('activity_facts')
