"""Pages find rows of the large tables through indexes: no statement a page runs reads a whole
table of activity, attempts, progress or achievements (SQLite's EXPLAIN QUERY PLAN)."""
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from cev_learn.platform.caching import cache
from cev_learn.platform.db import db
from tests.helpers import login

# Tables that grow with reps and years of CRM data; small ones (cohort, track, …) may be read
# whole when a page lists them all.
LARGE_TABLES = ("activity_record", "attempt", "attempt_answer", "module_progress", "achievement",
                "achievement_change", "quota", "membership", "assignment", "signoff",
                "coaching_note", "user")
FULL_SCAN = re.compile(r"^SCAN (\w+)(?! USING COVERING INDEX)")
DEMO_PASSWORD = "onboard-demo-2026"
PAGES = {
    "rep01@example.com": ["/week", "/tracks/sales-foundations",
                          "/tracks/sales-foundations/modules/welcome",
                          "/tracks/sales-foundations/quizzes/icp-and-process"],
    "coach.sam@example.com": ["/coach", "/reps/{rep}", "/ramp", "/ramp/cohorts/{cohort}",
                              "/ramp/reps/{rep}"],
    "manager@example.com": ["/ramp", "/ramp/cohorts/{cohort}", "/ramp/reps/{rep}", "/coach",
                            "/cohorts/{cohort}"],
}


@contextmanager
def captured(engine):
    statements = []

    def grab(_conn, _cursor, statement, parameters, _context, _executemany):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", grab)


def full_scans(engine, statements) -> list[str]:
    found = []
    with engine.connect() as conn:
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters):
                match = FULL_SCAN.match(row[3])
                if match and match.group(1) in LARGE_TABLES:
                    found.append(f"{row[3]} in: {' '.join(statement.split())[:160]}")
    return found


def test_pages_read_large_tables_through_indexes(app, demo_organisation):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL plans by table statistics")
        engine = db.engine
    demo_organisation()
    rep_id = db.session.scalar(db.text("SELECT id FROM user WHERE email = 'rep01@example.com'"))
    cohort_id = db.session.scalar(db.text(
        "SELECT cohort_id FROM membership WHERE user_id = :rep"), {"rep": rep_id})
    problems = {}
    for email, urls in PAGES.items():
        client = app.test_client()
        login(client, email, DEMO_PASSWORD)
        for url in (u.format(rep=rep_id, cohort=cohort_id) for u in urls):
            assert client.get(url).status_code == 200, url  # reads the track, records a visit
            with app.app_context():
                cache.clear()
            with captured(engine) as statements:
                assert client.get(url).status_code == 200, url
            if scans := full_scans(engine, statements):
                problems[f"{email} {url}"] = scans
    assert not problems, problems
