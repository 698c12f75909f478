"""a sign-off rubric keeps what each level of each criterion looks like, when track.yaml
describes it (rubrics: <slug>: levels:), for coaches to read beside the levels they choose

Revision ID: c0ac4e5d1e7a
Revises: b3d7f1e9c2a4
Create Date: 2026-12-07 15:20:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c0ac4e5d1e7a'
down_revision = 'b3d7f1e9c2a4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("rubric") as batch_op:
        batch_op.add_column(sa.Column("levels", sa.JSON(), nullable=True))


def downgrade():
    # SQLite drops the column in place: copying the table would break sign-offs' foreign keys.
    with op.batch_alter_table("rubric", recreate="never") as batch_op:
        batch_op.drop_column("levels")
