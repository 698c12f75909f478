"""Soak test: a minute of mixed traffic at 32 connections against gunicorn serving a seeded
demo, then checks that nothing failed, was lost or was stored twice, and that no worker grew.

Everyone signs in first (the opening rush: scrypt takes most of a second per sign-in), then the
minute starts; worker memory is taken after a warm-up of at least 10 s and at the end.

Run with `make soak`: on SQLite, then on PostgreSQL through scripts/with-postgres. By itself,
`python bench/soak.py` uses a new SQLite file, or the (empty) database named by
CEV_LEARN_TEST_DATABASE_URL. SOAK_SECONDS, SOAK_CONNECTIONS, SOAK_WORKERS and SOAK_REPS change
the defaults. Prints a table, writes bench/results/soak-<database>.json (and the gunicorn log
beside it) and exits 1 if a check fails.
"""
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import stored
from servers import Server, create_token, instance_env, read_log, seed_demo
from traffic import (Browser, Ledger, Phases, Recorder, crm_person, rep_person, staff_person,
                     start_crowd, stop_crowd)

SECONDS = int(os.environ.get("SOAK_SECONDS", "60"))
WARM_UP = min(10, SECONDS // 3)
CONNECTIONS = int(os.environ.get("SOAK_CONNECTIONS", "32"))
WORKERS = int(os.environ.get("SOAK_WORKERS", "5"))
REPS = int(os.environ.get("SOAK_REPS", "200"))
MAX_RSS_GROWTH = 0.10
STAFF = ("coach.sam@example.com", "coach.rita@example.com", "manager@example.com",
         "admin@example.com")
PREFIX = "soak"
RESULTS = Path(__file__).resolve().parent / "results"


def people(url: str, token: str, recorder: Recorder, ledger: Ledger,
           phases: Phases) -> list[tuple]:
    """About a tenth CRM connections, a sixth coaches and managers, the rest reps."""
    crm, staff = max(1, CONNECTIONS // 10), max(1, CONNECTIONS // 6)
    reps = max(1, CONNECTIONS - crm - staff)
    emails = [f"rep{n:02d}@example.com" for n in range(1, REPS + 1)]

    def browser(n: int) -> Browser:
        return Browser([url], recorder, ledger, random.Random(n))

    return ([(rep_person, (browser(n), emails[n::reps], phases)) for n in range(reps)]
            + [(staff_person, (browser(reps + n), STAFF[n % len(STAFF)], phases))
               for n in range(staff)]
            + [(crm_person, (browser(reps + staff + n), token, emails, f"{PREFIX}-{n}", phases))
               for n in range(crm)])


def run(database_url: str, tmp: Path) -> dict:
    # The soak is about load, not the API's rate limit: let every batch through.
    env = instance_env(tmp, database_url, API_RATE_LIMIT="1000000 per minute")
    seed_demo(env, REPS)
    token = create_token(env, "manager@example.com", "soak")
    after_attempt = stored.last_attempt_id(database_url)
    recorder, ledger, phases = Recorder(), Ledger(), Phases()
    log_path = tmp / "gunicorn.log"
    with Server(env, WORKERS, log_path) as server:
        crowd = people(server.url, token, recorder, ledger, phases)
        threads, rush = start_crowd(crowd, ledger, phases)
        started = time.monotonic()
        warm_up = _warm_up(ledger, sum(p[0] is not crm_person for p in crowd), started)
        rss_warm = server.worker_rss_kib(seconds=2)
        time.sleep(max(0.0, started + SECONDS - time.monotonic()))
        stop_crowd(threads, phases)
        rss_end = server.worker_rss_kib()
        log = read_log(log_path, WORKERS)  # before gunicorn's own lines about stopping
    return {"recorder": recorder, "ledger": ledger, "log": log, "warm_up": warm_up,
            "rush": rush,
            "rss": {"warm": rss_warm, "end": rss_end}, "log_path": log_path,
            "stored": stored.compare(database_url, ledger.submissions, after_attempt,
                                     ledger.external_ids, PREFIX)}


def _warm_up(ledger: Ledger, people: int, started: float) -> float:
    """Wait WARM_UP seconds, and on until all these people have signed in and seen each of
    their pages once (the workers have then loaded what they keep), but at most half the run;
    return how long that took."""
    while True:
        elapsed = time.monotonic() - started
        if elapsed >= SECONDS / 2 or (elapsed >= WARM_UP and ledger.people_warm >= people):
            return elapsed
        time.sleep(0.1)


def rss_rows(rss: dict) -> list[dict]:
    return [{"pid": pid, "warm_kib": warm, "end_kib": rss["end"].get(pid),
             "growth": (rss["end"][pid] - warm) / warm if pid in rss["end"] else None}
            for pid, warm in sorted(rss["warm"].items())]


def checks(outcome: dict) -> dict[str, tuple[bool, str]]:
    statuses, ledger, log = outcome["recorder"].statuses(), outcome["ledger"], outcome["log"]
    client_5xx = sum(n for status, n in statuses.items() if status >= 500)
    rows = rss_rows(outcome["rss"])
    grown = [r for r in rows if r["growth"] is None or r["growth"] > MAX_RSS_GROWTH]
    same_workers = outcome["rss"]["warm"].keys() == outcome["rss"]["end"].keys()
    found = stored.problems(outcome["stored"])
    return {
        "no 5xx response": (client_5xx == 0, f"{client_5xx} seen by clients"),
        "every request answered": (not ledger.transport_errors,
                                   f"{len(ledger.transport_errors)} without a response"),
        "no 5xx in the request log": (not log.server_errors, f"{len(log.server_errors)} logged"),
        "no 'database is locked'": (log.database_locked == 0,
                                    f"{log.database_locked} log lines"),
        "no worker timeout or restart": (not log.worker_trouble and same_workers,
                                         f"{len(log.worker_trouble)} log lines"),
        "acknowledged = stored, once each": (not found, "; ".join(found) or "all match"),
        "repeated batches change nothing": (not ledger.repeat_problems,
                                            f"{ledger.repeats} repeats, "
                                            f"{len(ledger.repeat_problems)} changed something"),
        f"worker RSS grew ≤ {MAX_RSS_GROWTH:.0%}": (not grown,
                                                    f"{len(grown)} of {len(rows)} grew more"),
        "traffic ran as planned": (not ledger.crashes and bool(ledger.submissions)
                                   and ledger.batches > 0,
                                   f"{len(ledger.crashes)} simulation errors, "
                                   f"{len(ledger.submissions)} submissions, "
                                   f"{ledger.batches} batches"),
    }


def report(name: str, outcome: dict, results: dict[str, tuple[bool, str]]) -> dict:
    by_kind = outcome["recorder"].by_kind()
    total = sum(k["requests"] for k in by_kind.values())
    seconds = outcome["rush"] + SECONDS
    print(f"\nsoak on {name}: {CONNECTIONS} connections, {WORKERS} gunicorn workers, {REPS} reps: "
          f"everyone's sign-in {outcome['rush']:.0f} s, then {SECONDS} s of mixed traffic; "
          f"{total:,} requests ({total / seconds:.0f}/s); memory after a warm-up of "
          f"{outcome['warm_up']:.0f} s (until everyone had seen each of their pages)")
    print(f"{'kind':<26}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}  statuses")
    for kind, row in by_kind.items():
        codes = " ".join(f"{code}×{n}" for code, n in row["statuses"].items())
        print(f"{kind:<26}{row['requests']:>9}{row['p50_ms']:>9.0f}{row['p95_ms']:>9.0f}  {codes}")
    for what, found in outcome["stored"].items():
        print(f"{what.replace('_', ' ')}: acknowledged {found['acknowledged']}, stored "
              f"{found['stored']}")
    print(f"request log: {sum(outcome['log'].statuses.values()):,} lines, statuses "
          + " ".join(f"{c}×{n}" for c, n in sorted(outcome["log"].statuses.items())))
    print(f"{'worker pid':<12}{'RSS warm KiB':>14}{'RSS end KiB':>14}{'growth':>9}")
    for row in rss_rows(outcome["rss"]):
        growth = "gone" if row["growth"] is None else f"{row['growth']:+.1%}"
        print(f"{row['pid']:<12}{row['warm_kib']:>14,}{row['end_kib'] or 0:>14,}{growth:>9}")
    for check, (passed, detail) in results.items():
        print(f"{'PASS' if passed else 'FAIL'}  {check}: {detail}")
    ledger = outcome["ledger"]
    for problem in (ledger.transport_errors[:5] + ledger.crashes[:5] + ledger.repeat_problems[:5]
                    + [json.dumps(e) for e in outcome["log"].server_errors[:5]]
                    + outcome["log"].tracebacks[:3]):
        print("  " + problem)
    return {"database": name, "seconds": SECONDS, "opening_sign_in_seconds": outcome["rush"],
            "warm_up_seconds": outcome["warm_up"],
            "connections": CONNECTIONS, "workers": WORKERS, "reps": REPS, "requests": total,
            "requests_per_second": total / seconds, "by_kind": by_kind,
            "stored": outcome["stored"], "request_log": outcome["log"].as_json(),
            "worker_rss": rss_rows(outcome["rss"]), "activity_batches": ledger.batches,
            "repeated_batches": ledger.repeats, "transport_errors": ledger.transport_errors[:20],
            "checks": {c: {"passed": p, "detail": d} for c, (p, d) in results.items()},
            "passed": all(p for p, _ in results.values())}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        database_url = (os.environ.get("CEV_LEARN_TEST_DATABASE_URL")
                        or f"sqlite:///{tmp / 'soak.sqlite'}")
        name = "postgresql" if database_url.startswith("postgres") else "sqlite"
        outcome = run(database_url, tmp)
        summary = report(name, outcome, checks(outcome))
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"soak-{name}.json").write_text(json.dumps(summary, indent=2) + "\n")
        shutil.copy(outcome["log_path"], RESULTS / f"soak-{name}.log")
    sys.exit(0 if summary["passed"] else 1)


if __name__ == "__main__":
    main()
