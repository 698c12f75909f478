"""ramp facts: counted activity per rep, type and tenure week, and per calendar month

Revision ID: 3c1d2e4f5a6b
Revises: 11ae5c425377
Create Date: 2026-12-05 17:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c1d2e4f5a6b'
down_revision = '11ae5c425377'
branch_labels = None
depends_on = None

# The facts of the records already stored, as ramp.facts computes them (`cev-learn ramp
# rebuild` does the same at any time).
_START = "COALESCE(m.start_on, c.start_on)"
_COUNTED = f"""FROM activity_record a
    JOIN membership m ON m.user_id = a.user_id AND m.moved_out_at IS NULL
    JOIN cohort c ON c.id = m.cohort_id
    WHERE a.occurred_on >= {_START}"""
_AMOUNT = ("CASE WHEN a.amount > 1000000000000 THEN 1000000000000.0 "
           "WHEN a.amount > 0 THEN a.amount ELSE 0.0 END")
_WEEK = {"sqlite": f"CAST(julianday(a.occurred_on) - julianday({_START}) AS INTEGER) / 7 + 1",
         "postgresql": f"(a.occurred_on - {_START}) / 7 + 1"}
_MONTH = {"sqlite": "date(a.occurred_on, 'start of month')",
          "postgresql": "CAST(date_trunc('month', a.occurred_on) AS DATE)"}


def upgrade():
    op.create_table('rep_week_activity',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('last_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_rep_week_activity_user_id_user')),
    sa.PrimaryKeyConstraint('user_id', 'week', 'type', name=op.f('pk_rep_week_activity'))
    )
    op.create_index('ix_rep_week_activity_last_on', 'rep_week_activity', ['last_on'], unique=False)
    op.create_table('rep_month_activity',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Double(), nullable=False),
    sa.Column('last_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_rep_month_activity_user_id_user')),
    sa.PrimaryKeyConstraint('user_id', 'month', 'type', name=op.f('pk_rep_month_activity'))
    )
    op.create_index('ix_rep_month_activity_last_on', 'rep_month_activity', ['last_on'], unique=False)
    dialect = op.get_bind().dialect.name
    week, month = _WEEK[dialect], _MONTH[dialect]
    op.execute(f"""INSERT INTO rep_week_activity (user_id, type, week, quantity, last_on)
        SELECT a.user_id, a.type, {week}, SUM(a.quantity), MAX(a.occurred_on) {_COUNTED}
        GROUP BY a.user_id, a.type, {week}""")
    op.execute(f"""INSERT INTO rep_month_activity (user_id, type, month, quantity, amount, last_on)
        SELECT a.user_id, a.type, {month}, SUM(a.quantity), SUM({_AMOUNT}), MAX(a.occurred_on)
        {_COUNTED} GROUP BY a.user_id, a.type, {month}""")


def downgrade():
    op.drop_index('ix_rep_month_activity_last_on', table_name='rep_month_activity')
    op.drop_table('rep_month_activity')
    op.drop_index('ix_rep_week_activity_last_on', table_name='rep_week_activity')
    op.drop_table('rep_week_activity')
