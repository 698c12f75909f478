"""certifications as track.yaml declares them: what earns each, how long it is valid and when
its holders are reminded

Revision ID: p1c4e8a2d6b3
Revises: p3c8d1e5f7a2
Create Date: 2026-12-07 18:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

import cev_learn.platform.db


# revision identifiers, used by Alembic.
revision = 'p1c4e8a2d6b3'
down_revision = 'p3c8d1e5f7a2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'certification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('track_id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=100), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('requires', sa.JSON(), nullable=False),
        sa.Column('valid_for_days', sa.Integer(), nullable=False),
        sa.Column('remind_days_before', sa.Integer(), nullable=False),
        sa.Column('retired_at', cev_learn.platform.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['track_id'], ['track.id'],
                                name=op.f('fk_certification_track_id_track')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_certification')),
        sa.UniqueConstraint('track_id', 'slug', name=op.f('uq_certification_track_id')))


def downgrade():
    op.drop_table('certification')
