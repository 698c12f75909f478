"""Benchmark: the pages reps, coaches and managers open, against /healthz, on a large seeded
organisation served by gunicorn and loaded by wrk at fixed concurrency.

Run with `make bench` (or `make bench-pages`); BENCH_REPS=50 for a quick run (BENCH_COHORTS,
BENCH_DURATION, BENCH_WARMUP, BENCH_CONNECTIONS and BENCH_THREADS also apply). Prints a table
and writes bench/results/pages.json. Exits non-zero when a request fails (any response that is
not a 200); a page below its target is reported as such, not as an error.
"""
import datetime as dt
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import organisation
from harness import BenchError, Load, Server, run_wrk, sign_in, sql_counts

ROOT = Path(__file__).resolve().parent
REPS = int(os.environ.get("BENCH_REPS", "5000"))
COHORTS = int(os.environ.get("BENCH_COHORTS", min(100, max(1, REPS // 10))))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
THREADS = min(int(os.environ.get("BENCH_THREADS", "2")), CONNECTIONS)
LOAD = Load(THREADS, CONNECTIONS, int(os.environ.get("BENCH_DURATION", "10").rstrip("s")))
WARMUP = Load(THREADS, CONNECTIONS, int(os.environ.get("BENCH_WARMUP", "2").rstrip("s")))
WORKERS = 2 * (os.cpu_count() or 1) + 1
MANAGER = "manager@example.com"
PASSWORD = "onboard-demo-2026"  # cev_learn.demo.DEMO_PASSWORD
MAX_STATEMENTS = 12
MAX_PAGE_KB = 200  # HTML (or JSON) of one page
# The API limits requests per token; the benchmark measures the page, not the limit.
API_RATE_LIMIT = "1000000 per minute"
# Throughput a page must keep, as a share of /healthz's in the same run.
REP_PAGE, COACH_PAGE, OVERVIEW = 0.20, 0.10, 0.05
# /healthz is measured first and last; a bigger change means other load disturbed the run.
DRIFT = 0.25


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    viewer: str | None  # who asks: rep, coach, manager, token (the manager's API token)
    target: float | None


def pages(s: organisation.Subjects) -> list[Page]:
    track, cohort = f"/tracks/{s.track_slug}", s.cohort_id
    return [
        Page("healthz (baseline)", "/healthz", None, None),
        Page("rep home", "/week", "rep", REP_PAGE),
        Page("rep: module", f"{track}/modules/{s.module_slug}", "rep", REP_PAGE),
        Page("rep: quiz", f"{track}/quizzes/{s.quiz_slug}", "rep", REP_PAGE),
        Page("coach home", "/coach", "coach", COACH_PAGE),
        Page("coach: rep page", f"/reps/{s.rep_id}", "coach", COACH_PAGE),
        Page("coach: cohort ramp", f"/ramp/cohorts/{cohort}", "coach", OVERVIEW),
        Page("manager dashboard", "/ramp", "manager", OVERVIEW),
        Page("manager: cohort ramp", f"/ramp/cohorts/{cohort}", "manager", OVERVIEW),
        Page("manager: cohort", f"/cohorts/{cohort}", "manager", OVERVIEW),
        Page("API cohort ramp (JSON)", f"/api/v1/cohorts/{cohort}/ramp", "token", OVERVIEW),
        Page("healthz (again)", "/healthz", None, None),
    ]


def sign_in_everyone(server: Server, s: organisation.Subjects, token: str) -> dict:
    """Request headers per viewer: the cookies of signing in on the login form, the API token."""
    return {"rep": {"Cookie": sign_in(server, s.rep_email, PASSWORD)},
            "coach": {"Cookie": sign_in(server, s.coach_email, PASSWORD)},
            "manager": {"Cookie": sign_in(server, MANAGER, PASSWORD)},
            "token": {"Authorization": f"Bearer {token}"}, None: {}}


def open_alone(server: Server, page: Page, headers: dict) -> float:
    """Open the page once with nothing else running; milliseconds. It must be a 200."""
    started = time.perf_counter()
    reply = server.get(page.path, headers)
    if reply.status != 200:
        where = f" to {reply.location}" if reply.location else ""
        raise BenchError(f"{page.name} ({page.path}) gave {reply.status}{where}")
    return (time.perf_counter() - started) * 1000


def page_kb(server: Server, page: Page, headers: dict) -> float:
    """The size of the page's body in KB (1,024 bytes)."""
    return len(server.get(page.path, headers).body.encode()) / 1024


def measure(server: Server, page: Page, headers: dict) -> dict:
    """Open the page once (caches cold), warm up, load it with wrk; then open it alone on
    the idle, warm server."""
    url = server.address(page.path)
    start = server.log.mark()
    first_ms = open_alone(server, page, headers)  # not a 200: not worth loading
    first_sql, _, _ = sql_counts(server.log.entries(start), page.path)
    warm = run_wrk(url, headers, WARMUP)
    server.wait_until_idle()
    start = server.log.mark()
    run = run_wrk(url, headers, LOAD)
    server.wait_until_idle()
    sql_median, sql_max, logged_not_200 = sql_counts(server.log.entries(start), page.path)
    failed = sum(report[key] for report in (warm, run) for key in
                 ("not_200", "connect_errors", "read_errors", "write_errors", "timeouts"))
    timed = run["requests"] > 0  # no request of a page slower than the run finishes
    return {"page": page.name, "viewer": page.viewer, "url": page.path,
            "p50_ms": run["p50_us"] / 1000 if timed else None,
            "p95_ms": run["p95_us"] / 1000 if timed else None,
            "max_ms": run["max_us"] / 1000 if timed else None, "requests": run["requests"],
            "requests_per_second": run["requests"] / (run["duration_us"] / 1e6),
            "first_ms": first_ms, "first_sql": first_sql,
            "alone_ms": open_alone(server, page, headers), "kb": page_kb(server, page, headers),
            "sql_median": sql_median, "sql_max": sql_max, "target_ratio": page.target,
            "failed_requests": failed, "logged_not_200": logged_not_200}


def judge(row: dict, baseline_rps: float) -> dict:
    """Add the ratio to /healthz and the verdict: pass, below target, or error."""
    ratio = row["requests_per_second"] / baseline_rps if baseline_rps else 0.0
    misses = []
    if row["target_ratio"] is not None:
        if ratio < row["target_ratio"]:
            misses.append(f"ratio {ratio:.3f} < {row['target_ratio']:.2f}")
        if not row["requests"]:
            misses.append(f"no request finished in the {LOAD.seconds} s run")
        elif row["sql_median"] > MAX_STATEMENTS:
            misses.append(f"{row['sql_median']:g} SQL statements > {MAX_STATEMENTS}")
        if row["kb"] > MAX_PAGE_KB:
            misses.append(f"{row['kb']:.0f} KB > {MAX_PAGE_KB} KB")
    if row["failed_requests"] or row["logged_not_200"]:
        result = "error"
    elif row["target_ratio"] is None:
        result = "baseline"
    else:
        result = "below target" if misses else "pass"
    return {**row, "ratio": ratio, "result": result, "misses": misses}


def print_table(rows: list[dict]) -> None:
    url_width = max(len(row["url"]) for row in rows) + 2
    print(f"{'page':<24}{'URL':<{url_width}}{'first ms (SQL)':>16}{'alone ms':>9}{'p50 ms':>9}"
          f"{'p95 ms':>9}{'req/s':>8}{'SQL/req (max)':>15}{'KB':>6}{'ratio':>7}{'target':>8}"
          "  result")
    for row in rows:
        sql = "-" if row["sql_median"] is None else f"{row['sql_median']:g} ({row['sql_max']})"
        target = "" if row["target_ratio"] is None else f">={row['target_ratio']:.2f}"
        first = f"{row['first_ms']:.0f} ({row['first_sql']:g})"
        alone, p50, p95 = (_ms(row[key]) for key in ("alone_ms", "p50_ms", "p95_ms"))
        print(f"{row['page']:<24}{row['url']:<{url_width}}{first:>16}{alone:>9}{p50:>9}{p95:>9}"
              f"{row['requests_per_second']:>8.1f}{sql:>15}{row['kb']:>6.0f}"
              f"{row['ratio']:>7.3f}{target:>8}  {row['result']}")
    print("(first: the page's first request on this server, before warm-up; alone: one request "
          "on the idle, warm server; p50, p95, req/s: under wrk after warm-up.\n Targets: req/s "
          f"as a share of /healthz's in this run, at most {MAX_STATEMENTS} SQL statements "
          f"per request under wrk, the median of the request log, and at most {MAX_PAGE_KB} KB)")
    drift = rows[-1]["ratio"] - 1
    if abs(drift) > DRIFT:
        print(f"warning: /healthz's req/s changed by {drift:+.0%} from the first run to the "
              "last: other work loaded this machine, so the ratios are unreliable")
    for row in rows:
        if row["result"] == "below target":
            print(f"below target: {row['page']}: {'; '.join(row['misses'])}")
        elif row["result"] == "error":
            print(f"ERROR: {row['page']}: {row['failed_requests']} failed requests "
                  f"(wrk), {row['logged_not_200']} logged responses other than 200")


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def machine() -> dict:
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0]
    commit = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                            capture_output=True, text=True).stdout.strip()
    return {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "cpu_count": os.cpu_count(), "load_average": os.getloadavg()[0],
            "platform": platform.platform(),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "gunicorn": version("gunicorn"), "wrk": wrk, "commit": commit}


def settings(org: organisation.Organisation, s: organisation.Subjects) -> dict:
    return {"reps": org.reps, "cohorts": org.cohorts,
            "seed_command": " ".join(organisation.seed_arguments(org.reps, org.cohorts)),
            "database": org.database.name, "migration_head": s.migration_head,
            "seeded_on": dt.date.fromtimestamp(org.database.stat().st_mtime).isoformat(),
            "seeded_in_seconds": org.seeded_in_seconds, "workers": WORKERS,
            "threads": LOAD.threads, "connections": LOAD.connections,
            "duration_seconds": LOAD.seconds, "warmup_seconds": WARMUP.seconds,
            "api_rate_limit": API_RATE_LIMIT, "rep": s.rep_email, "coach": s.coach_email,
            "manager": MANAGER, "cohort_id": s.cohort_id}


def run(org: organisation.Organisation, tmp: Path) -> tuple[organisation.Subjects, list[dict]]:
    database = organisation.working_copy(org.database, tmp / "bench.sqlite")
    env = {**organisation.app_env(os.environ, database, tmp), "CEV_LEARN_REQUEST_LOG": "true",
           "CEV_LEARN_API_RATE_LIMIT": API_RATE_LIMIT}
    subjects = organisation.subjects(database)
    token = organisation.create_token(env, MANAGER)
    rows = []
    with Server(env, WORKERS, tmp / "server.log") as server:
        headers = sign_in_everyone(server, subjects, token)
        for page in pages(subjects):
            print(f"  {page.name} …", flush=True)
            rows.append(measure(server, page, headers[page.viewer]))
    return subjects, rows


def bench() -> int:
    org = organisation.organisation(dict(os.environ), REPS, COHORTS)
    print(f"Pages of {org.database.name}: {WORKERS} gunicorn workers, wrk -t{LOAD.threads} "
          f"-c{LOAD.connections} -d{LOAD.seconds}s after {WARMUP.seconds}s of warm-up per page",
          flush=True)
    facts = machine()  # before the run: the load average says how busy the machine was
    with tempfile.TemporaryDirectory() as tmp:
        subjects, rows = run(org, Path(tmp))
    rows = [judge(row, rows[0]["requests_per_second"]) for row in rows]
    out = ROOT / "results"
    out.mkdir(exist_ok=True)
    report = {"machine": facts, "settings": settings(org, subjects), "pages": rows}
    (out / "pages.json").write_text(json.dumps(report, indent=2) + "\n")
    print_table(rows)
    return 1 if any(row["result"] == "error" for row in rows) else 0


def main() -> int:
    try:
        return bench()
    except (BenchError, organisation.SetupError) as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
