"""Benchmark: `cev-learn import activities` of a generated 1,000,000-row file on SQLite, then
the same file again (every row unchanged); then the same number of rows imported into the large
seeded organisation (bench/organisation.py: its current reps, the last year's dates) while it
is being served, and the manager's Ramp page opened right after: the import changed every
cohort, so the page is built again from the ramp facts, cohort by cohort.

Then a CRM export as it comes against the same rows in the native format: a Salesforce
activity report (Windows-1252, every cell quoted, reps by full name, dates M/D/YYYY, no Activity
ID column so each row's id is made of its cells, the report's footer) and the activities.csv of
the same rows, with the ids the report's rows get, each imported into an empty database through
crm_import.import_file, the service the command line runs (timed inside the process, without
its start). Both must store the same records; the target is a ratio mapped/native under 2.

Run with `make bench`, or `python bench/activity_import.py crm` for the CRM comparison alone.
BENCH_ACTIVITY_ROWS sets the rows (default 1,000,000), BENCH_REPS and BENCH_COHORTS the
organisation (as in bench/pages.py). Prints a table and writes bench/results/activity_import.json
(bench/results/crm_import.json for the comparison alone).
"""
import csv
import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
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


# --- A CRM export as it comes, against the same rows in the native format ---------------------

FIRST_NAMES = ("Ava", "Ben", "Carla", "Dmitri", "Elena", "Farah", "Gus", "Hana", "Isaac", "Jade",
               "Kofi", "Lena", "Marco", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Zoë",
               "Aisha", "Bruno", "Chloé", "Diego", "Emma")
LAST_NAMES = ("Thompson", "Okafor", "Ruiz", "Volkov", "Rossi", "Haddad", "Lindqvist", "Kobayashi",
              "Mensah", "Nguyen", "Boateng", "Fischer", "De Luca", "O'Brien", "Shaikh", "Raman",
              "Walsh", "Ibáñez", "Carter", "Müller")
SF_TYPES = (("Logged Call", "call"), ("Email", "email"), ("Event", "meeting"), ("Call", "call"),
            ("Email", "email"), ("Demo", "demo"), ("Meeting", "meeting"))
SF_SUBJECTS = ("Call", "Follow-up call, pricing", "Email: Re: pricing", "Onsite visit")
SF_FOOTER = ("Team activities", "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.",
             "Confidential Information - Do Not Distribute",
             "Generated By:  Dana Whitfield  11/27/2026 5:42 PM", "Northwind Sales Inc.")

IMPORT_ONCE = """
import datetime as dt, json, resource, sys, time
from cev_learn import create_app
from cev_learn.platform.db import db, no_cyclic_gc
from cev_learn.ramp.crm_import import import_file
app = create_app()
with open(sys.argv[1], "rb") as file:
    data = file.read()
with app.app_context():
    started, cpu = time.perf_counter(), time.process_time()
    with no_cyclic_gc():  # as the command line runs it
        found = import_file(data, "activities", skip_invalid=False, today=dt.date.today(),
                            types=app.config["ACTIVITY_TYPES"])
    db.session.commit()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
report = found.report
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "created": report.created,
                  "errors": len(report.errors), "mapping": found.shape.mapping_name,
                  "encoding": found.shape.encoding,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


def crm_rep_names(reps: int) -> list[str]:
    """As many different full names (a middle initial once first and last names run out)."""
    pairs = [(first, last) for last in LAST_NAMES for first in FIRST_NAMES]
    initials = ["", *(f"{letter}. " for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")]
    if reps > len(pairs) * len(initials):
        raise SystemExit(f"BENCH_REPS: at most {len(pairs) * len(initials):,} named reps")
    return [f"{first} {initials[n // len(pairs)]}{last}"
            for n, (first, last) in ((n, pairs[n % len(pairs)]) for n in range(reps))]


def write_named_reps(path: Path, names: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("email", "name", "role"))
        writer.writerows((f"crm{n}@example.com", name, "rep") for n, name in enumerate(names))


def write_salesforce_and_native(salesforce: Path, native: Path, rows: int,
                                names: list[str]) -> None:
    """The same activities twice: as Salesforce exports its activity report, and as
    activities.csv with the id each report row gets (its Assigned, Date, Activity Type and
    Subject cells as written, joined by U+001F: the first 20 hex digits of their SHA-256, and
    -2, -3... for the same cells again)."""
    days = [FIRST_DAY + dt.timedelta(days=d) for d in range(365)]
    us_days = [f"{day.month}/{day.day}/{day.year}" for day in days]
    iso_days = [day.isoformat() for day in days]
    seen = Counter()
    with salesforce.open("w", newline="", encoding="cp1252") as sf_out, \
            native.open("w", newline="", encoding="utf-8") as native_out:
        report = csv.writer(sf_out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        report.writerow(("Assigned", "Activity Type", "Date", "Subject", "Company / Account",
                         "Contact", "Status", "Priority"))
        native_out.write("external_id,rep_email,occurred_on,type,quantity,amount\n")
        for n in range(rows):
            rep = (n * 7919) % len(names)
            label, kind = SF_TYPES[n % len(SF_TYPES)]
            day, subject = (n * 31) % 365, SF_SUBJECTS[(n // 7) % len(SF_SUBJECTS)]
            report.writerow((names[rep], label, us_days[day], subject, "Northwind Traders",
                             "Maria Garcia", "Completed", "Normal"))
            key = "\x1f".join((names[rep], us_days[day], label, subject))
            seen[key] += 1
            external_id = "salesforce:row-" + hashlib.sha256(key.encode()).hexdigest()[:20]
            if seen[key] > 1:
                external_id += f"-{seen[key]}"
            native_out.write(f"{external_id},crm{rep}@example.com,{iso_days[day]},{kind},,\n")
        sf_out.write("\r\n")
        report.writerows((line,) for line in SF_FOOTER)


SAME_RECORDS = """
SELECT count(*) FROM activity_record AS a JOIN other.activity_record AS b
  ON a.external_id = b.external_id AND a.user_id = b.user_id AND a.occurred_on = b.occurred_on
 AND a.type = b.type AND a.quantity = b.quantity AND a.amount = b.amount
"""


def crm_export_against_native(tmp: Path) -> dict:
    """Seconds to import the Salesforce-shaped export and the same rows in the native format,
    each into an empty database with the same reps; both must store the same records."""
    names = crm_rep_names(REPS)
    write_named_reps(tmp / "crm-reps.csv", names)
    files = {"native": tmp / "crm-native.csv", "salesforce": tmp / "crm-salesforce.csv"}
    write_salesforce_and_native(files["salesforce"], files["native"], ROWS, names)
    results, databases = {}, {}
    for label, path in files.items():
        databases[label] = tmp / f"crm-{label}.sqlite"
        env = {**os.environ, "CEV_LEARN_INSTANCE_PATH": str(tmp),
               "CEV_LEARN_DATABASE_URL": f"sqlite:///{databases[label]}"}
        subprocess.run([CEV_LEARN, "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([CEV_LEARN, "import", "users", str(tmp / "crm-reps.csv")], env=env,
                       check=True, capture_output=True)
        done = subprocess.run([sys.executable, "-c", IMPORT_ONCE, str(path)], env=env,
                              check=True, capture_output=True, text=True)
        found = json.loads(done.stdout.splitlines()[-1])
        if found["created"] != ROWS or found["errors"]:
            raise SystemExit(f"{label}: {found}")
        results[label] = found
    with closing(sqlite3.connect(databases["native"])) as conn:
        conn.execute("ATTACH DATABASE ? AS other", (str(databases["salesforce"]),))
        same = conn.execute(SAME_RECORDS).fetchone()[0]
    if same != ROWS:
        raise SystemExit(f"the two imports stored different records: {same:,} of {ROWS:,} agree")
    native, mapped = results["native"]["seconds"], results["salesforce"]["seconds"]
    return {"crm_rows": ROWS, "crm_reps": len(names),
            "crm_salesforce_file_mb": round(files["salesforce"].stat().st_size / 1e6, 1),
            "crm_native_seconds": native, "crm_salesforce_seconds": mapped,
            "crm_native_cpu_seconds": results["native"]["cpu_seconds"],
            "crm_salesforce_cpu_seconds": results["salesforce"]["cpu_seconds"],
            "crm_native_peak_mb": results["native"]["peak_mb"],
            "crm_salesforce_peak_mb": results["salesforce"]["peak_mb"],
            "crm_native_rows_per_second": round(ROWS / native),
            "crm_salesforce_rows_per_second": round(ROWS / mapped),
            "crm_ratio_salesforce_to_native": round(mapped / native, 2),
            "crm_cpu_ratio_salesforce_to_native": round(
                results["salesforce"]["cpu_seconds"] / results["native"]["cpu_seconds"], 2),
            "crm_salesforce_detected_as": f"{results['salesforce']['mapping']} "
                                          f"({results['salesforce']['encoding']})"}


def print_crm(results: dict) -> None:
    print(f"\nCRM export as it comes ({results['crm_rows']:,} rows, {results['crm_reps']} reps "
          f"by full name; import_file in the process, its start left out):")
    files = {"native": "activities.csv",
             "salesforce": f"Salesforce report, {results['crm_salesforce_file_mb']} MB"}
    for label, file in files.items():
        print(f"{f'{label} ({file})':<48}{results[f'crm_{label}_seconds']:>8.2f} s"
              f"{results[f'crm_{label}_rows_per_second']:>10,} rows/s"
              f"{results[f'crm_{label}_cpu_seconds']:>8.2f} s CPU"
              f"{results[f'crm_{label}_peak_mb']:>8,} MB peak")
    ratio = results["crm_ratio_salesforce_to_native"]
    verdict = "under the target of 2" if ratio < 2 else "ABOVE the target of 2"
    print(f"{'ratio Salesforce-shaped / native':<48}{ratio:>8.2f}   {verdict}"
          f" (CPU time: {results['crm_cpu_ratio_salesforce_to_native']:.2f})")


def crm_only() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        results = crm_export_against_native(Path(tmp))
    out = ROOT / "results"
    out.mkdir(exist_ok=True)
    (out / "crm_import.json").write_text(json.dumps(results, indent=2) + "\n")
    print_crm(results)


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
        results.update(crm_export_against_native(tmp))
    out = ROOT / "results"
    out.mkdir(exist_ok=True)
    (out / "activity_import.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"{'activity import (' + f'{ROWS:,}' + ' rows)':<40}{'seconds':>10}")
    for key, value in results.items():
        if key.endswith("_seconds") and not key.startswith("crm_"):
            print(f"{key[:-8].replace('_', ' '):<40}{value:>10.2f}")
    print("(times include starting the cev-learn process; see 'startup')")
    print(f"\ninto the organisation ({results['organisation_reps']:,} reps, "
          f"{results['organisation_cohorts']} cohorts, served by {WORKERS} gunicorn workers):")
    before, after = results["ramp_page_before_import_ms"], results["ramp_page_after_import_ms"]
    print(f"{'manager Ramp page before the import':<40}{before:>8.0f} ms")
    print(f"{'manager Ramp page right after it':<40}{after:>8.0f} ms"
          f" ({results['ramp_page_after_import_sql']} SQL statements)")
    print_crm(results)


if __name__ == "__main__":
    if sys.argv[1:] == ["crm"]:
        crm_only()
    else:
        main()
