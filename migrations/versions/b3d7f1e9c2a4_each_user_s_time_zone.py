"""each user's time zone (an IANA name like Europe/Berlin): every time is shown to them in
it; none until they choose one or sign in with a browser that says it (UTC meanwhile)

Revision ID: b3d7f1e9c2a4
Revises: a7c3e5f7b9d1
Create Date: 2026-12-07 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3d7f1e9c2a4'
down_revision = 'a7c3e5f7b9d1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))


def downgrade():
    # SQLite drops the column in place: copying the table would break every foreign key to it.
    with op.batch_alter_table('user', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('time_zone')
