"""quiz attempts keep the questions a rep flagged to come back to before submitting

Revision ID: b3f1a9c7e2d5
Revises: c4d7e9f1a3b5
Create Date: 2026-12-07 15:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3f1a9c7e2d5'
down_revision = 'c4d7e9f1a3b5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flagged', sa.JSON(), nullable=True))


def downgrade():
    # SQLite drops the column in place: copying the table would break answers' foreign keys.
    with op.batch_alter_table('attempt', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('flagged')
