"""ramp facts count their records: a weekly or monthly fact whose records all moved away is
empty (records 0) rather than deleted, so a correction adds and subtracts what changed
instead of summing the rep's facts again

Revision ID: e5f9a2b3c4d6
Revises: d4e8f1a2b3c5
Create Date: 2026-12-07 06:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

from cev_learn.ramp.sql import first_of_month, tenure_week


# revision identifiers, used by Alembic.
revision = 'e5f9a2b3c4d6'
down_revision = 'd4e8f1a2b3c5'
branch_labels = None
depends_on = None

record = sa.table("activity_record", sa.column("user_id", sa.Integer),
                  sa.column("type", sa.String), sa.column("occurred_on", sa.Date))
membership = sa.table("membership", sa.column("user_id", sa.Integer),
                      sa.column("cohort_id", sa.Integer), sa.column("start_on", sa.Date),
                      sa.column("moved_out_at", sa.DateTime))
cohort = sa.table("cohort", sa.column("id", sa.Integer), sa.column("start_on", sa.Date))


def _counted(fact, period):
    """How many counted records (a rep in a cohort, from the start date) the fact sums."""
    start = sa.func.coalesce(membership.c.start_on, cohort.c.start_on)
    return (sa.select(sa.func.count())
            .select_from(record.join(membership, sa.and_(
                membership.c.user_id == record.c.user_id, membership.c.moved_out_at.is_(None)))
                .join(cohort, cohort.c.id == membership.c.cohort_id))
            .where(record.c.user_id == fact.c.user_id, record.c.type == fact.c.type,
                   record.c.occurred_on >= start, period(start))
            .scalar_subquery())


def upgrade():
    for name in ("rep_week_activity", "rep_month_activity"):
        with op.batch_alter_table(name) as batch_op:
            batch_op.add_column(sa.Column("records", sa.Integer(), nullable=False,
                                          server_default="0"))
    week = sa.table("rep_week_activity", sa.column("user_id", sa.Integer),
                    sa.column("type", sa.String), sa.column("week", sa.Integer),
                    sa.column("records", sa.Integer))
    month = sa.table("rep_month_activity", sa.column("user_id", sa.Integer),
                     sa.column("type", sa.String), sa.column("month", sa.Date),
                     sa.column("records", sa.Integer))
    op.execute(week.update().values(records=_counted(
        week, lambda start: tenure_week(record.c.occurred_on, start) == week.c.week)))
    op.execute(month.update().values(records=_counted(
        month, lambda start: first_of_month(record.c.occurred_on) == month.c.month)))


def downgrade():
    for name in ("rep_week_activity", "rep_month_activity"):
        with op.batch_alter_table(name) as batch_op:
            batch_op.drop_column("records")
