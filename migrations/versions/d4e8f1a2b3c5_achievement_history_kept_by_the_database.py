"""achievement history kept by the database: every achievement set or moved is copied into
achievement_change by a trigger, in the statement that writes it

A cleared achievement (its row deleted) is still written to the history by the service that
clears it, which knows who cleared it and why.

Revision ID: d4e8f1a2b3c5
Revises: b260223546f6
Create Date: 2026-12-07 06:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd4e8f1a2b3c5'
down_revision = 'b260223546f6'
branch_labels = None
depends_on = None

COLUMNS = "user_id, milestone_id, achieved_on, source, recorded_by_id, note, created_at"
NEW_VALUES = ("NEW.user_id, NEW.milestone_id, NEW.achieved_on, NEW.source, NEW.recorded_by_id, "
              "NEW.note, NEW.updated_at")
COPY = f"INSERT INTO achievement_change ({COLUMNS}) VALUES ({NEW_VALUES});"


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION achievement_changed() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN {COPY} RETURN NULL; END $$")
        op.execute("CREATE TRIGGER achievement_changed AFTER INSERT OR UPDATE ON achievement "
                   "FOR EACH ROW EXECUTE FUNCTION achievement_changed()")
    else:
        for event in ("INSERT", "UPDATE"):
            op.execute(f"CREATE TRIGGER achievement_changed_{event.lower()} AFTER {event} ON "
                       f"achievement FOR EACH ROW BEGIN {COPY} END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER achievement_changed ON achievement")
        op.execute("DROP FUNCTION achievement_changed()")
    else:
        for event in ("insert", "update"):
            op.execute(f"DROP TRIGGER achievement_changed_{event}")
