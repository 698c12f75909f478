"""weekly ramp facts indexed by rep and type, quantity included, for the first weeks of many reps

Revision ID: 7a2b4c6d8e0f
Revises: 5e7f9a1b2c3d
Create Date: 2026-12-06 02:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7a2b4c6d8e0f'
down_revision = '5e7f9a1b2c3d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_rep_week_activity_by_type', 'rep_week_activity',
                    ['user_id', 'type', 'week', 'quantity'], unique=False)


def downgrade():
    op.drop_index('ix_rep_week_activity_by_type', table_name='rep_week_activity')
