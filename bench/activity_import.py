"""Benchmark: `cev-learn import activities` of a generated 1,000,000-row file on SQLite, then
the same file again (every row unchanged); then the same number of rows imported into the large
seeded organisation (bench/organisation.py: its current reps, the last year's dates) while it
is being served, and the manager's Ramp page opened right after: the import changed every
cohort, so the page is built again from the ramp facts, cohort by cohort.

Run with `make bench`. BENCH_ACTIVITY_ROWS sets the rows (default 1,000,000), BENCH_REPS and
BENCH_COHORTS the organisation (as in bench/pages.py). Prints a table and writes
bench/results/activity_import.json.
"""
import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

import organisation
from harness import Server, sign_in, sql_counts
from pages import COHORTS as ORG_COHORTS, MANAGER, PASSWORD, REPS as ORG_REPS, WORKERS
from pages import Page, open_alone

ROWS = int(os.environ.get("BENCH_ACTIVITY_ROWS", "1000000"))
REPS = int(os.environ.get("BENCH_REPS", "500"))
ROOT = Path(__file__).resolve().parent
CEV_LEARN = str(Path(sys.executable).with_name("cev-learn"))
TYPES = ("call", "email", "meeting", "demo", "opportunity", "deal_won")
FIRST_DAY = dt.date(2025, 1, 1)


def write_reps(path: Path, reps: int) -> None:
    lines = ["email,name,role"] + [f"rep{n}@example.com,Rep {n},rep" for n in range(reps)]
    path.write_text("\n".join(lines) + "\n")


def write_activities(path: Path, rows: int, reps: int) -> None:
    days = [(FIRST_DAY + dt.timedelta(days=d)).isoformat() for d in range(365)]
    with path.open("w", newline="") as out:
        out.write("external_id,rep_email,occurred_on,type,quantity,amount\n")
        for n in range(rows):
            kind = TYPES[n % 6]
            amount = f"{(n % 997) * 125.5:.2f}" if kind == "deal_won" else ""
            out.write(f"crm-{n:08d},rep{n % reps}@example.com,{days[n % 365]},{kind},"
                      f"{1 + n % 3},{amount}\n")


def write_organisation_activities(path: Path, rows: int, emails: list[str]) -> None:
    """`rows` records for the organisation's reps over the last year, ids of their own."""
    today = dt.date.today()
    days = [(today - dt.timedelta(days=d)).isoformat() for d in range(365)]
    with path.open("w", newline="") as out:
        out.write("external_id,rep_email,occurred_on,type,quantity,amount\n")
        for n in range(rows):
            kind = TYPES[n % 6]
            amount = f"{(n % 997) * 125.5:.2f}" if kind == "deal_won" else ""
            out.write(f"bench-{n:08d},{emails[n % len(emails)]},{days[(n * 7) % 365]},{kind},"
                      f"{1 + n % 3},{amount}\n")


RAMP = Page("manager: Ramp dashboard", "/ramp", "manager", None)


def into_organisation(tmp: Path) -> dict:
    """Import into a working copy of the seeded organisation while gunicorn serves it, then
    time the manager's Ramp page (cached before the import) once, alone."""
    org = organisation.organisation(dict(os.environ), ORG_REPS, ORG_COHORTS)
    database = organisation.working_copy(org.database, tmp / "organisation.sqlite")
    env = {**organisation.app_env(os.environ, database, tmp / "instance"),
           "CEV_LEARN_REQUEST_LOG": "true"}
    with closing(sqlite3.connect(database)) as conn:
        emails = [e for (e,) in conn.execute(CURRENT_REP_EMAILS)]
    write_organisation_activities(tmp / "organisation.csv", ROWS, emails)
    with Server(env, WORKERS, tmp / "server.log") as server:
        headers = {"Cookie": sign_in(server, MANAGER, PASSWORD)}
        before = open_alone(server, RAMP, headers)
        seconds = timed(env, "import", "activities", str(tmp / "organisation.csv"))
        server.wait_until_idle()
        mark = server.log.mark()
        after = open_alone(server, RAMP, headers)
        time.sleep(0.05)  # the request's log line is written just after its response
        sql, _, _ = sql_counts(server.log.entries(mark), "/ramp")
    return {"organisation_reps": org.reps, "organisation_cohorts": org.cohorts,
            "organisation_reps_written": len(emails), "organisation_import_seconds": seconds,
            "ramp_page_before_import_ms": before, "ramp_page_after_import_ms": after,
            "ramp_page_after_import_sql": sql}


CURRENT_REP_EMAILS = """
SELECT u.email FROM membership m JOIN "user" u ON u.id = m.user_id
WHERE m.moved_out_at IS NULL AND u.role = 'rep' ORDER BY u.id
"""


def timed(env, *args) -> float:
    started = time.perf_counter()
    subprocess.run([CEV_LEARN, *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_reps(tmp / "reps.csv", REPS)
        write_activities(tmp / "activities.csv", ROWS, REPS)
        env = {**os.environ, "CEV_LEARN_INSTANCE_PATH": str(tmp),
               "CEV_LEARN_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite"}
        subprocess.run([CEV_LEARN, "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([CEV_LEARN, "import", "users", str(tmp / "reps.csv")], env=env,
                       check=True, capture_output=True)
        results = {
            "rows": ROWS,
            "reps": REPS,
            "startup_seconds": timed(env, "--help"),
            "first_import_seconds": timed(env, "import", "activities", str(tmp / "activities.csv")),
            "unchanged_reimport_seconds": timed(env, "import", "activities",
                                                str(tmp / "activities.csv")),
        }
        results.update(into_organisation(tmp))
    out = ROOT / "results"
    out.mkdir(exist_ok=True)
    (out / "activity_import.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"{'activity import (' + f'{ROWS:,}' + ' rows)':<40}{'seconds':>10}")
    for key, value in results.items():
        if key.endswith("_seconds"):
            print(f"{key[:-8].replace('_', ' '):<40}{value:>10.2f}")
    print("(times include starting the cev-learn process; see 'startup')")
    print(f"\ninto the organisation ({results['organisation_reps']:,} reps, "
          f"{results['organisation_cohorts']} cohorts, served by {WORKERS} gunicorn workers):")
    before, after = results["ramp_page_before_import_ms"], results["ramp_page_after_import_ms"]
    print(f"{'manager Ramp page before the import':<40}{before:>8.0f} ms")
    print(f"{'manager Ramp page right after it':<40}{after:>8.0f} ms"
          f" ({results['ramp_page_after_import_sql']} SQL statements)")


if __name__ == "__main__":
    main()
