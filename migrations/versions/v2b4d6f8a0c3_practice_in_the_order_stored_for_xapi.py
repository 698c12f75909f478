"""practice recordings and reviews in the order they were stored: the order of their xAPI
statements

Revision ID: v2b4d6f8a0c3
Revises: u0a2c4e6f8b1
Create Date: 2026-12-08 01:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'v2b4d6f8a0c3'
down_revision = 'u0a2c4e6f8b1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index('ix_submission_submitted_at', ['submitted_at'], unique=False)
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index('ix_review_created_at', ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index('ix_review_created_at')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_submitted_at')
