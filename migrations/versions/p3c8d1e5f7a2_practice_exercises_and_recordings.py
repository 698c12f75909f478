"""practice exercises declared in track.yaml, the recordings reps submit for them and the
reviews of those recordings

Revision ID: p3c8d1e5f7a2
Revises: p4c8d2e6f0a3
Create Date: 2026-12-07 18:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

import cev_learn.platform.db


# revision identifiers, used by Alembic.
revision = 'p3c8d1e5f7a2'
down_revision = 'p4c8d2e6f0a3'
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
    op.create_table(
        'submission',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('exercise_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('storage_key', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('duration_seconds', sa.Double(), nullable=True),
        sa.Column('state', sa.Enum('waiting', 'reviewed', 'resubmit', name='submission_state',
                                   native_enum=False, length=16), nullable=False),
        sa.Column('submitted_at', when, nullable=False),
        sa.Column('review_due_on', sa.Date(), nullable=False),
        sa.Column('reviewed_at', when, nullable=True),
        sa.ForeignKeyConstraint(['exercise_id'], ['exercise.id'],
                                name=op.f('fk_submission_exercise_id_exercise')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_submission_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_submission')),
        sa.UniqueConstraint('storage_key', name=op.f('uq_submission_storage_key')))
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index('ix_submission_user_id_exercise_id', ['user_id', 'exercise_id'],
                              unique=False)
        batch_op.create_index('ix_submission_state_submitted_at', ['state', 'submitted_at'],
                              unique=False)
    op.create_table(
        'review',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.Column('reviewer_id', sa.Integer(), nullable=False),
        sa.Column('scores', sa.JSON(), nullable=False),
        sa.Column('score', sa.Double(), nullable=False),
        sa.Column('passed', sa.Boolean(), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('comments', sa.JSON(), nullable=False),
        sa.Column('resubmit', sa.Boolean(), nullable=False),
        sa.Column('signoff_id', sa.Integer(), nullable=True),
        sa.Column('created_at', when, nullable=False),
        sa.ForeignKeyConstraint(['submission_id'], ['submission.id'],
                                name=op.f('fk_review_submission_id_submission')),
        sa.ForeignKeyConstraint(['reviewer_id'], ['user.id'], name=op.f('fk_review_reviewer_id_user')),
        sa.ForeignKeyConstraint(['signoff_id'], ['signoff.id'],
                                name=op.f('fk_review_signoff_id_signoff')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_review')))
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index('ix_review_submission_id', ['submission_id'], unique=False)


def downgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index('ix_review_submission_id')
    op.drop_table('review')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_state_submitted_at')
        batch_op.drop_index('ix_submission_user_id_exercise_id')
    op.drop_table('submission')
    op.drop_table('exercise')
