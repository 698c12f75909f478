"""tracks whose checklists count: track.yaml's checklists_required (off for every track until
its next sync says otherwise)

Revision ID: p2c8d4e6f1a3
Revises: n7b2e4c6a8f1
Create Date: 2026-12-07 18:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'p2c8d4e6f1a3'
down_revision = 'n7b2e4c6a8f1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('track', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('checklists_required', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    # SQLite drops the column in place: copying the table would break every foreign key to it.
    with op.batch_alter_table('track', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('checklists_required')
