"""assignments cev_learn gives by itself (re-certification work before a certificate expires)
have no person who assigned them

Revision ID: r4e6a0c4f8d5
Revises: q2d5f9b3e7c4
Create Date: 2026-12-07 19:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'r4e6a0c4f8d5'
down_revision = 'q2d5f9b3e7c4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.alter_column('assigned_by_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    # The column needs a person again: work cev_learn assigned reads as the rep's own.
    op.execute("UPDATE assignment SET assigned_by_id = user_id WHERE assigned_by_id IS NULL")
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.alter_column('assigned_by_id', existing_type=sa.Integer(), nullable=False)
