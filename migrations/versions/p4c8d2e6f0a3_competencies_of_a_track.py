"""competencies of a track: what a rep's readiness score is built from, as track.yaml
declares them (the next content sync fills them in)

Revision ID: p4c8d2e6f0a3
Revises: p2c4e6a8b0d3
Create Date: 2026-12-07 18:40:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'p4c8d2e6f0a3'
down_revision = 'p2c4e6a8b0d3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('track', recreate='never') as batch_op:
        batch_op.add_column(sa.Column('competencies', sa.JSON(), nullable=False,
                                      server_default='[]'))


def downgrade():
    # Dropped in place (SQLite 3.35+ can): a copied table could not replace one that modules,
    # cohorts and quizzes refer to.
    with op.batch_alter_table('track', recreate='never') as batch_op:
        batch_op.drop_column('competencies')
