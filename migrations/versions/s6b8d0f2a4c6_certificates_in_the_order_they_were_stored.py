"""certificates in the order they were stored: the order of their xAPI statements

Revision ID: s6b8d0f2a4c6
Revises: r4e6a0c4f8d5
Create Date: 2026-12-07 23:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 's6b8d0f2a4c6'
down_revision = 'r4e6a0c4f8d5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index('ix_certificate_created_at', ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index('ix_certificate_created_at')
