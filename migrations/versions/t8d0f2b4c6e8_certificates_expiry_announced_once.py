"""certificates: the day their expiry was announced (certification.expired), once

Revision ID: t8d0f2b4c6e8
Revises: s6b8d0f2a4c6
Create Date: 2026-12-07 23:10:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 't8d0f2b4c6e8'
down_revision = 's6b8d0f2a4c6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expiry_announced_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_column('expiry_announced_on')
