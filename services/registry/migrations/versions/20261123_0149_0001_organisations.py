"""Organisations, identifiers, sites, CPV index, exact postcodes; platform tables (outbox, inbox, idempotency, jobs).

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 01:49:05.950057
"""

import sqlalchemy as sa
from alembic import op
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
    op.create_table('organisations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('name_key', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('legal_form', sa.String(length=60), nullable=True),
    sa.Column('canonical_identifier', sa.String(length=120), nullable=True),
    sa.Column('ownership', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('sic_codes', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('cpv_codes', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('employees', sa.Integer(), nullable=True),
    sa.Column('turnover_amount', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('turnover_currency', sa.String(length=3), nullable=True),
    sa.Column('members', sa.Integer(), nullable=True),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('certifications', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('is_vcse', sa.Boolean(), nullable=False),
    sa.Column('is_sme', sa.Boolean(), nullable=False),
    sa.Column('is_social_economy', sa.Boolean(), nullable=False),
    sa.Column('warnings', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('source_keys', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', localwealth_shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', localwealth_shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deregistered_at', localwealth_shared.sqltypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations'))
    )
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisations_is_social_economy'), ['is_social_economy'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisations_is_vcse'), ['is_vcse'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisations_legal_form'), ['legal_form'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisations_name_key'), ['name_key'], unique=False)
        batch_op.create_index('ix_organisations_updated_at_id', ['updated_at', 'id'], unique=False)

    op.create_table('postcodes',
    sa.Column('postcode', sa.String(length=8), nullable=False),
    sa.Column('lad_code', sa.String(length=9), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('postcode', name=op.f('pk_postcodes'))
    )
    op.create_table('organisation_cpv',
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_cpv_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organisation_id', 'code', name=op.f('pk_organisation_cpv'))
    )
    with op.batch_alter_table('organisation_cpv', schema=None) as batch_op:
        batch_op.create_index('ix_organisation_cpv_code', ['code'], unique=False)

    op.create_table('organisation_identifiers',
    sa.Column('scheme', sa.String(length=30), nullable=False),
    sa.Column('value', sa.String(length=100), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_identifiers_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('scheme', 'value', name=op.f('pk_organisation_identifiers'))
    )
    with op.batch_alter_table('organisation_identifiers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_identifiers_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('sites',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('postcode', sa.String(length=10), nullable=True),
    sa.Column('postcode_status', sa.String(length=10), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lad_code', sa.String(length=9), nullable=True),
    sa.Column('is_registered_office', sa.Boolean(), nullable=False),
    sa.Column('is_operating_site', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_sites_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sites'))
    )
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sites_lad_code'), ['lad_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_sites_lat'), ['lat'], unique=False)
        batch_op.create_index(batch_op.f('ix_sites_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sites_postcode'), ['postcode'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sites_postcode'))
        batch_op.drop_index(batch_op.f('ix_sites_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_sites_lat'))
        batch_op.drop_index(batch_op.f('ix_sites_lad_code'))

    op.drop_table('sites')
    with op.batch_alter_table('organisation_identifiers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_identifiers_organisation_id'))

    op.drop_table('organisation_identifiers')
    with op.batch_alter_table('organisation_cpv', schema=None) as batch_op:
        batch_op.drop_index('ix_organisation_cpv_code')

    op.drop_table('organisation_cpv')
    op.drop_table('postcodes')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index('ix_organisations_updated_at_id')
        batch_op.drop_index(batch_op.f('ix_organisations_name_key'))
        batch_op.drop_index(batch_op.f('ix_organisations_legal_form'))
        batch_op.drop_index(batch_op.f('ix_organisations_is_vcse'))
        batch_op.drop_index(batch_op.f('ix_organisations_is_social_economy'))

    op.drop_table('organisations')
    drop_platform_tables_v1(op.get_bind())
