"""peer reviews of practice recordings: a review's `peer` flag, one review per reviewer and
submission, and reviews found by their reviewer (a rep's data erased)

Revision ID: u0a2c4e6f8b1
Revises: t8d0f2b4c6e8
Create Date: 2026-12-08 01:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'u0a2c4e6f8b1'
down_revision = 't8d0f2b4c6e8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('peer', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.drop_index('ix_review_submission_id')
        batch_op.create_index('uq_review_submission_id_reviewer_id',
                              ['submission_id', 'reviewer_id'], unique=True)
        batch_op.create_index('ix_review_reviewer_id', ['reviewer_id'], unique=False)


def downgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index('ix_review_reviewer_id')
        batch_op.drop_index('uq_review_submission_id_reviewer_id')
        batch_op.create_index('ix_review_submission_id', ['submission_id'], unique=False)
        batch_op.drop_column('peer')
