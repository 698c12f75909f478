"""saved import mappings and CRM names of people

Revision ID: 4e56fcdf6cac
Revises: c209e07aca31
Create Date: 2026-12-06 21:03:22.009434

"""
from alembic import op
import sqlalchemy as sa

import cev_learn.platform.db


# revision identifiers, used by Alembic.
revision = '4e56fcdf6cac'
down_revision = 'c209e07aca31'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('crm_person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('crm_key', sa.String(length=200), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', cev_learn.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_crm_person_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crm_person')),
    sa.UniqueConstraint('source', 'crm_key', name=op.f('uq_crm_person_source'))
    )
    op.create_index('ix_crm_person_user_id', 'crm_person', ['user_id'], unique=False)
    op.create_table('import_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', cev_learn.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_import_mapping_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_mapping')),
    sa.UniqueConstraint('name', name=op.f('uq_import_mapping_name'))
    )
    with op.batch_alter_table('pending_import', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mapping', sa.String(length=80), nullable=True))


def downgrade():
    with op.batch_alter_table('pending_import', schema=None) as batch_op:
        batch_op.drop_column('mapping')
    op.drop_table('import_mapping')
    op.drop_index('ix_crm_person_user_id', table_name='crm_person')
    op.drop_table('crm_person')
