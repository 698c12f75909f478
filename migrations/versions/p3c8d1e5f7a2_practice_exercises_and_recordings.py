"""practice exercises declared in track.yaml

Revision ID: p3c8d1e5f7a2
Revises: n7b2e4c6a8f1
Create Date: 2026-12-07 18:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

import cev_learn.platform.db


# revision identifiers, used by Alembic.
revision = 'p3c8d1e5f7a2'
down_revision = 'n7b2e4c6a8f1'
branch_labels = None
depends_on = None


def upgrade():
    when = cev_learn.platform.db.UTCDateTime(timezone=True)
    op.create_table(
        'exercise',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('track_id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=100), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('prompt_markdown', sa.Text(), nullable=False),
        sa.Column('prompt_html', sa.Text(), nullable=False),
        sa.Column('rubric_slug', sa.String(length=100), nullable=False),
        sa.Column('max_seconds', sa.Integer(), nullable=False),
        sa.Column('peer_review', sa.Boolean(), nullable=False),
        sa.Column('completes_signoff', sa.Boolean(), nullable=False),
        sa.Column('retired_at', when, nullable=True),
        sa.ForeignKeyConstraint(['track_id'], ['track.id'], name=op.f('fk_exercise_track_id_track')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_exercise')),
        sa.UniqueConstraint('track_id', 'slug', name=op.f('uq_exercise_track_id')))


def downgrade():
    op.drop_table('exercise')
