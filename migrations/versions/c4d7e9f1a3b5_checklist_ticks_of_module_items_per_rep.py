"""checklist ticks: the checklist items of a module that each rep ticked

Revision ID: c4d7e9f1a3b5
Revises: c0ac4e5d1e7a
Create Date: 2026-12-07 15:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import cev_learn.platform.db


# revision identifiers, used by Alembic.
revision = 'c4d7e9f1a3b5'
down_revision = 'c0ac4e5d1e7a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('checklist_tick',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('item_key', sa.String(length=32), nullable=False),
    sa.Column('ticked_at', cev_learn.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['module.id'],
                            name=op.f('fk_checklist_tick_module_id_module')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_checklist_tick_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_tick')),
    sa.UniqueConstraint('user_id', 'module_id', 'item_key',
                        name=op.f('uq_checklist_tick_user_id'))
    )


def downgrade():
    op.drop_table('checklist_tick')
