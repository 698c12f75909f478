"""an achievement cev_learn measured that is cleared (its row deleted because its records no
longer reach it) is copied into achievement_change by a trigger too, in the statement that
deletes it

A correction recorded by hand and cleared by a coach is still written to the history by the
service, which knows who cleared it and why.

Revision ID: a7c3e5f7b9d1
Revises: f6a1b2c3d4e7
Create Date: 2026-12-07 12:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7c3e5f7b9d1'
down_revision = 'f6a1b2c3d4e7'
branch_labels = None
depends_on = None

COLUMNS = "user_id, milestone_id, achieved_on, source, recorded_by_id, note, created_at"
# When it was cleared: the database's clock, in the form the app stores times in (SQLite
# holds them as UTC text with microseconds).
NOW = {"postgresql": "statement_timestamp()",
       "sqlite": "strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'"}
WHEN = "OLD.source = 'auto'"


def copy(dialect: str) -> str:
    return (f"INSERT INTO achievement_change ({COLUMNS}) VALUES "
            f"(OLD.user_id, OLD.milestone_id, NULL, 'auto', NULL, NULL, {NOW[dialect]});")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION achievement_cleared() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN {copy('postgresql')} RETURN NULL; END $$")
        op.execute("CREATE TRIGGER achievement_cleared AFTER DELETE ON achievement "
                   f"FOR EACH ROW WHEN ({WHEN}) EXECUTE FUNCTION achievement_cleared()")
    else:
        op.execute("CREATE TRIGGER achievement_cleared AFTER DELETE ON achievement "
                   f"FOR EACH ROW WHEN {WHEN} BEGIN {copy('sqlite')} END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER achievement_cleared ON achievement")
        op.execute("DROP FUNCTION achievement_cleared()")
    else:
        op.execute("DROP TRIGGER achievement_cleared")
