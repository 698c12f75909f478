"""scope versions: cached pages rebuilt for the reps and cohorts a write changed

Revision ID: 5e7f9a1b2c3d
Revises: 3c1d2e4f5a6b
Create Date: 2026-12-05 17:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e7f9a1b2c3d'
down_revision = '3c1d2e4f5a6b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scope_version',
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('scope', name=op.f('pk_scope_version'))
    )


def downgrade():
    op.drop_table('scope_version')
