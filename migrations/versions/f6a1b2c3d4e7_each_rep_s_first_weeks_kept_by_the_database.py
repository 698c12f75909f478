"""each rep's first weeks kept by the database: a weekly ramp fact of weeks 1 to 8 written
(inserted or updated) is copied into its column of rep_early_activity by a trigger, in the
statement that writes it

Revision ID: f6a1b2c3d4e7
Revises: e5f9a2b3c4d6
Create Date: 2026-12-07 06:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f6a1b2c3d4e7'
down_revision = 'e5f9a2b3c4d6'
branch_labels = None
depends_on = None

EARLY_WEEKS = 8
WEEKS = [f"week_{n}" for n in range(1, EARLY_WEEKS + 1)]
# The week's quantity in its own column (None when the fact is empty), the others None; an
# existing row keeps its other weeks.
COPY = (
    f"INSERT INTO rep_early_activity (user_id, type, {', '.join(WEEKS)}) VALUES "
    "(NEW.user_id, NEW.type, "
    + ", ".join(f"CASE WHEN NEW.week = {n} AND NEW.records > 0 THEN NEW.quantity END"
                for n in range(1, EARLY_WEEKS + 1))
    + ") ON CONFLICT (user_id, type) DO UPDATE SET "
    + ", ".join(f"{week} = CASE WHEN NEW.week = {n} THEN excluded.{week} "
                f"ELSE rep_early_activity.{week} END" for n, week in enumerate(WEEKS, 1))
    + ";")
WHEN = f"NEW.week BETWEEN 1 AND {EARLY_WEEKS}"


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION rep_week_to_early() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN {COPY} RETURN NULL; END $$")
        op.execute("CREATE TRIGGER rep_week_to_early AFTER INSERT OR UPDATE ON "
                   f"rep_week_activity FOR EACH ROW WHEN ({WHEN}) "
                   "EXECUTE FUNCTION rep_week_to_early()")
    else:
        for event in ("INSERT", "UPDATE"):
            op.execute(f"CREATE TRIGGER rep_week_to_early_{event.lower()} AFTER {event} ON "
                       f"rep_week_activity FOR EACH ROW WHEN {WHEN} BEGIN {COPY} END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER rep_week_to_early ON rep_week_activity")
        op.execute("DROP FUNCTION rep_week_to_early()")
    else:
        for event in ("insert", "update"):
            op.execute(f"DROP TRIGGER rep_week_to_early_{event}")
