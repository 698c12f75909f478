"""each rep's first weeks of activity side by side

Revision ID: c209e07aca31
Revises: 1698ea913c9a
Create Date: 2026-12-06 20:52:01.938609

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'c209e07aca31'
down_revision = '1698ea913c9a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rep_early_activity',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('week_1', sa.Integer(), nullable=True),
    sa.Column('week_2', sa.Integer(), nullable=True),
    sa.Column('week_3', sa.Integer(), nullable=True),
    sa.Column('week_4', sa.Integer(), nullable=True),
    sa.Column('week_5', sa.Integer(), nullable=True),
    sa.Column('week_6', sa.Integer(), nullable=True),
    sa.Column('week_7', sa.Integer(), nullable=True),
    sa.Column('week_8', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_rep_early_activity_user_id_user')),
    sa.PrimaryKeyConstraint('user_id', 'type', name=op.f('pk_rep_early_activity'))
    )
    op.drop_index('ix_rep_week_activity_by_type', table_name='rep_week_activity')
    # the first eight weeks of the weekly facts already stored, pivoted
    weeks = ", ".join(f"SUM(CASE WHEN week = {n} THEN quantity END)" for n in range(1, 9))
    op.execute("INSERT INTO rep_early_activity (user_id, type, "
               + ", ".join(f"week_{n}" for n in range(1, 9)) + ") "
               f"SELECT user_id, type, {weeks} FROM rep_week_activity WHERE week <= 8 "
               "GROUP BY user_id, type")


def downgrade():
    op.create_index('ix_rep_week_activity_by_type', 'rep_week_activity',
                    ['user_id', 'type', 'week', 'quantity'], unique=False)
    op.drop_table('rep_early_activity')
