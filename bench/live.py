"""Benchmark: the pages of bench/pages.py measured twice on the large seeded organisation, first
with no writes, then while a CRM posts one activity a second through the API and a rep submits
a quiz every five seconds; and how long each ramp page takes to build when nothing is cached.

Every write changes the data version that cached pages are keyed by, so under writes the pages
are rebuilt again and again. Throughput is reported as a share of /healthz's measured in the
same phase of the same run, so the targets hold on any machine; the manager's Ramp dashboard
must also answer in at most 500 ms (p50) under writes.

Cold builds of the ramp pages (the Ramp dashboard, a cohort's and a rep's ramp page and the
cohort's ramp JSON), in milliseconds, the median of a few tries:
  fresh server  the first request to a freshly started gunicorn: every cache is empty (the
                file cache its workers share is emptied first) and the time includes the
                worker's first-request work (its first database connection, templates
                compiled, the track read);
  cache emptied the first request after the cache the workers share was emptied, the server
                running and nothing else: the page and every cohort's part of it are
                built from the database (the workers are warm);
  after write   the first request after one activity was posted for a rep of the cohort, with
                nothing else running (the workers are warm; what that rep's change touches is
                stale: their pages, their cohort's and the organisation's summary).

Run with `make bench-live` (SQLite, then PostgreSQL through scripts/with-postgres) or as part
of `make bench`. By itself, `python bench/live.py` runs on SQLite, against the organisation
bench/organisation.py seeds once into bench/cache/; with CEV_LEARN_TEST_DATABASE_URL naming an
empty PostgreSQL database (as scripts/with-postgres sets it) it seeds that database and runs
there.

BENCH_REPS=50 for a quick run; BENCH_COHORTS, BENCH_DURATION, BENCH_WARMUP,
BENCH_CONNECTIONS and BENCH_THREADS apply as in bench/pages.py. BENCH_LIVE_PG_REPS and
BENCH_LIVE_PG_COHORTS size the PostgreSQL organisation (seeding 5,000 reps there takes minutes;
default: the same as SQLite), BENCH_LIVE_TRIES the tries per cold build (default 3);
BENCH_LIVE_ONLY=cold times the cold builds alone (a few minutes; saved as its own section).

Prints a table per phase and one of cold builds, and writes bench/results/live.json (one
section per database; a run replaces its own). Exits non-zero when a request fails: a measured
page or a write answered with an unexpected status, or no response at all. A page below its
target is reported as such, not as an error.
"""
import datetime as dt
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

import organisation
import servers
from harness import BenchError, Server, run_wrk, sql_counts
from pages import (API_RATE_LIMIT, COHORTS, DRIFT, LOAD, MANAGER, REPS, WARMUP, WORKERS, Page,
                   judge, machine, open_alone, page_kb, pages, sign_in_everyone)
from quiz_form import CONFIRM, fill_answers, quiz_fields
from traffic import Browser, Ledger, Recorder, redirect_path

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results" / "live.json"
PG_REPS = int(os.environ.get("BENCH_LIVE_PG_REPS", REPS))
PG_COHORTS = int(os.environ.get("BENCH_LIVE_PG_COHORTS", min(100, max(1, PG_REPS // 10))))
TRIES = int(os.environ.get("BENCH_LIVE_TRIES", "3"))
COLD_ONLY = os.environ.get("BENCH_LIVE_ONLY") == "cold"
ACTIVITY_EVERY, QUIZ_EVERY = 1.0, 5.0  # seconds
QUIZ_REPS = 8  # reps who take turns submitting quizzes: half in the measured cohort
DASHBOARD_P50_MS = 500  # the manager's Ramp dashboard under writes
PHASES = {"no_writes": "no writes",
          "writes": f"one activity every {ACTIVITY_EVERY:g} s, a quiz every {QUIZ_EVERY:g} s"}


# --- the database and who is in it --------------------------------------------------------

@dataclass(frozen=True)
class Database:
    name: str  # sqlite or postgresql
    url: str
    reps: int
    cohorts: int | None
    seed_command: str
    seeded_in_seconds: float | None  # None: taken from bench/cache/


def sqlite_database(tmp: Path) -> Database:
    """A working copy of the cached organisation (seeded first if there is none)."""
    org = organisation.organisation(dict(os.environ), REPS, COHORTS)
    copy = organisation.working_copy(org.database, tmp / "live.sqlite")
    return Database("sqlite", f"sqlite:///{copy}", org.reps, org.cohorts,
                    " ".join(organisation.seed_arguments(org.reps, org.cohorts)),
                    org.seeded_in_seconds)


def postgresql_database(url: str, tmp: Path) -> Database:
    """The organisation seeded into the (empty) PostgreSQL database at `url`."""
    arguments = organisation.seed_arguments(PG_REPS, PG_COHORTS)
    print(f"Seeding {' '.join(arguments[2:])} into PostgreSQL (not cached; "
          "BENCH_LIVE_PG_REPS sets the size)", flush=True)
    env = servers.instance_env(tmp, url)
    started = time.perf_counter()
    for command in (["db", "upgrade"], ["content", "sync"], arguments):
        servers.cev_learn(env, *command)
    return Database("postgresql", url, PG_REPS, PG_COHORTS, " ".join(arguments),
                    time.perf_counter() - started)


@dataclass(frozen=True)
class Cast:
    """Who is measured (pages.py's subjects) and whom the writes are about."""
    subjects: organisation.Subjects
    cohort_reps: list[str]  # current reps of the measured cohort
    other_reps: list[str]  # current reps of other cohorts
    quiz_reps: list[str]  # reps who submit quizzes, fewest attempts first
    quiz_slugs: list[str]  # the quizzes of the measured track


# Current reps: in a cohort they have not left, active.
CURRENT_REPS = """
SELECT u.email FROM membership m JOIN "user" u ON u.id = m.user_id
WHERE m.moved_out_at IS NULL AND m.end_on IS NULL AND u.active AND u.role = 'rep'
  AND {where}
ORDER BY {order} LIMIT :limit
"""
ATTEMPTS = "(SELECT count(*) FROM attempt a WHERE a.user_id = u.id)"
QUIZ_SLUGS = """
SELECT s.slug FROM schedule_item s
JOIN quiz q ON q.track_id = s.track_id AND q.slug = s.slug AND q.retired_at IS NULL
WHERE s.track_id = (SELECT track_id FROM cohort WHERE id = :cohort) AND s.kind = 'quiz'
ORDER BY s.position
"""


def portable(sql: str) -> str:
    """organisation.py's SQLite queries for any database: named parameters, CURRENT_DATE."""
    sql = sql.replace("date('now')", "CURRENT_DATE")
    parts = sql.split("?")
    return "".join(part + (f":p{n}" if n < len(parts) - 1 else "")
                   for n, part in enumerate(parts))


def query(conn, sql: str, *params) -> list[tuple]:
    return conn.execute(text(portable(sql)), {f"p{n}": p for n, p in enumerate(params)}).all()


def load_cast(url: str) -> Cast:
    """pages.py's subjects, the current reps the activities are for (at most 1,000 elsewhere)
    and the quiz takers: those with the fewest attempts, as quizzes allow three each."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            subjects = load_subjects(conn)
            cohort = subjects.cohort_id

            def reps(where: str, order: str = "u.id", limit: int = 1000) -> list[str]:
                sql = CURRENT_REPS.format(where=where, order=order)
                return list(conn.scalars(text(sql), {"cohort": cohort, "rep": subjects.rep_id,
                                                     "limit": limit}))

            in_cohort, elsewhere = "m.cohort_id = :cohort", "m.cohort_id <> :cohort"
            # not the measured rep, whose pages are measured
            quiz_reps = (reps(in_cohort + " AND u.id <> :rep", f"{ATTEMPTS}, u.id",
                              QUIZ_REPS // 2)
                         + reps(elsewhere, f"{ATTEMPTS}, u.id", QUIZ_REPS - QUIZ_REPS // 2))
            cast = Cast(subjects, reps(in_cohort), reps(elsewhere), quiz_reps,
                        list(conn.scalars(text(QUIZ_SLUGS), {"cohort": cohort})))
    finally:
        engine.dispose()
    if not cast.other_reps or not cast.quiz_slugs:
        raise organisation.SetupError("the organisation needs reps in two cohorts and a quiz")
    return cast


def load_subjects(conn) -> organisation.Subjects:
    """organisation.subjects(), on SQLite or PostgreSQL."""
    rep = query(conn, organisation.REP_SQL)
    if not rep:
        raise organisation.SetupError("the seeded organisation has no current rep with progress")
    rep_id, rep_email, cohort_id, track_id = rep[0]
    coach = query(conn, organisation.COACH_SQL, cohort_id)
    module = query(conn, organisation.MODULE_SQL, rep_id, track_id)
    quiz = query(conn, organisation.QUIZ_SQL, track_id, rep_id)
    if not (coach and module and quiz):
        raise organisation.SetupError(f"cohort {cohort_id} lacks a coach, an opened module "
                                      "or a quiz")
    track_slug = query(conn, "SELECT slug FROM track WHERE id = ?", track_id)[0][0]
    head = query(conn, "SELECT version_num FROM alembic_version")[0][0]
    return organisation.Subjects(rep_id, rep_email, cohort_id, coach[0][0], track_slug,
                                 module[0][0], quiz[0][0], head)


# --- the writers -----------------------------------------------------------------------------

class Every:
    """A thread doing `action` every `interval` seconds while `running` is set. Pausing waits
    for the action under way, so nothing is left in flight."""

    def __init__(self, interval: float, action, running: threading.Event, ledger: Ledger):
        self.interval, self.action, self.running, self.ledger = interval, action, running, ledger
        self.lock, self.stopping = threading.Lock(), threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        due = time.monotonic()
        while not self.stopping.wait(max(0.0, due - time.monotonic())):
            with self.lock:
                if self.running.is_set():
                    self._act()
            due = max(due + self.interval, time.monotonic())

    def _act(self) -> None:
        try:
            self.action()
        except Exception as exc:  # a fault of the benchmark, not an answer of the server
            with self.ledger.lock:
                self.ledger.crashes.append(f"{self.action.__name__}: {type(exc).__name__}: {exc}")

    def wait_until_quiet(self) -> None:
        with self.lock:
            pass


@dataclass
class QuizTaker:
    browser: Browser
    email: str
    quizzes: list[str] = field(default_factory=list)  # slugs with attempts left


class Writers:
    """A CRM posting one activity a second for reps of the measured cohort and of others, and
    reps taking turns to submit a quiz every five seconds. Created paused."""

    def __init__(self, url: str, token: str, cast: Cast, recorder: Recorder):
        self.cast, self.recorder, self.ledger = cast, recorder, Ledger()
        self.rng = random.Random(1)
        self.crm = Browser([url], recorder, self.ledger, random.Random(2))
        self.auth = {"Authorization": f"Bearer {token}"}
        self.prefix = f"live-{dt.datetime.now():%Y%m%d%H%M%S}"
        self.posted = self.submissions = 0
        self.activities: Counter = Counter()  # acknowledged, by kind
        self.problems: list[str] = []
        self.out_of_attempts = False
        self.running = threading.Event()
        self.takers = [QuizTaker(Browser([url], recorder, self.ledger, random.Random(3 + n)),
                                 email, list(cast.quiz_slugs))
                       for n, email in enumerate(cast.quiz_reps)]
        self.turn = 0
        self.loops = [Every(ACTIVITY_EVERY, self.post_random_activity, self.running, self.ledger),
                      Every(QUIZ_EVERY, self.submit_quiz, self.running, self.ledger)]
        self.running_seconds, self._resumed_at = 0.0, None

    def sign_in(self) -> None:
        """Sign the quiz takers in (scrypt: most of a second each), before anything is timed."""
        for taker in self.takers:
            if not taker.browser.sign_in(taker.email):
                raise BenchError(f"signing in as {taker.email} failed")
            # a page with a form: the CSRF token of the signed-in session
            taker.browser.get("rep track page", f"/tracks/{self.cast.subjects.track_slug}")

    def start(self) -> None:
        for loop in self.loops:
            loop.thread.start()

    def resume(self) -> None:
        self._resumed_at = time.monotonic()
        self.running.set()

    def pause(self) -> None:
        """Stop writing, and wait for the writes under way to be answered."""
        self.running.clear()
        for loop in self.loops:
            loop.wait_until_quiet()
        if self._resumed_at is not None:
            self.running_seconds += time.monotonic() - self._resumed_at
            self._resumed_at = None

    def stop(self) -> None:
        self.pause()
        for loop in self.loops:
            loop.stopping.set()
            loop.thread.join(60)

    def post_random_activity(self) -> None:
        """Half the activities for reps of the measured cohort, half for reps of others."""
        reps = self.cast.cohort_reps if self.rng.random() < 0.5 else self.cast.other_reps
        self.post_activity(self.rng.choice(reps), "api activities")

    def post_activity(self, rep_email: str, kind: str) -> None:
        """One new call, on a day of the last week, with an external id of its own."""
        self.posted += 1
        day = dt.date.today() - dt.timedelta(days=self.rng.randint(0, 6))
        record = {"external_id": f"{self.prefix}-{self.posted:07d}", "rep_email": rep_email,
                  "occurred_on": day.isoformat(), "type": "call", "quantity": 1, "amount": 0}
        reply = self.crm.request(kind, "POST", "/api/v1/activities",
                                 json={"records": [record]}, headers=self.auth)
        if reply is None:
            return  # in the ledger's transport errors
        if reply.status_code == 200 and reply.json().get("created") == 1:
            self.activities[kind] += 1
        else:
            self.problems.append(f"{kind}: {reply.status_code} {reply.text[:200]}")

    def submit_quiz(self) -> None:
        """The next rep in turn starts an attempt of one of their quizzes and submits it."""
        for _ in range(len(self.takers)):
            taker = self.takers[self.turn % len(self.takers)]
            self.turn += 1
            while taker.quizzes:
                outcome = self._take(taker, taker.quizzes[0])
                if outcome != "limit reached":
                    return
                taker.quizzes.pop(0)
        if not self.out_of_attempts:
            self.out_of_attempts = True
            self.problems.append("the quiz takers ran out of attempts")

    def _take(self, taker: QuizTaker, quiz_slug: str) -> str:
        """Start (or resume) an attempt, open it, submit plausible answers. The quiz page itself
        is not opened: it is one of the measured pages."""
        browser = taker.browser
        quiz = f"/tracks/{self.cast.subjects.track_slug}/quizzes/{quiz_slug}"
        started = browser.post("quiz start", quiz + "/start")
        attempt = redirect_path(started)
        if attempt == quiz:
            return "limit reached"
        if not attempt.startswith("/attempts/"):
            return self._problem("quiz start", started)
        page = browser.get("quiz attempt page", attempt)
        if page is None or page.status_code != 200:
            return self._problem("quiz attempt page", page)
        answers = fill_answers(quiz_fields(page.text), browser.rng)
        reviewed = browser.post("quiz review", attempt + "/submit", answers)
        if redirect_path(reviewed) != attempt + "/summary":
            return self._problem("quiz review", reviewed)
        submitted = browser.post("quiz submit", attempt + "/submit", CONFIRM)
        if redirect_path(submitted) != attempt:
            return self._problem("quiz submit", submitted)
        self.submissions += 1
        return "submitted"

    def _problem(self, kind: str, reply) -> str:
        if reply is not None:  # no response at all is in the ledger already
            where = redirect_path(reply)
            self.problems.append(f"{kind}: {reply.status_code}" + (f" to {where}" if where else ""))
        return "failed"

    def errors(self) -> list[str]:
        return self.problems + self.ledger.transport_errors + self.ledger.crashes

    def report(self) -> dict:
        seconds = self.running_seconds
        measured = self.activities["api activities"]
        return {"writing_seconds": seconds, "activities": measured,
                "activities_before_cold_builds": self.activities.total() - measured,
                "quiz_submissions": self.submissions,
                "activities_per_second": measured / seconds if seconds else 0.0,
                "quiz_submissions_per_second": self.submissions / seconds if seconds else 0.0,
                "by_kind": self.recorder.by_kind(), "errors": self.errors()[:20]}


# --- measuring -------------------------------------------------------------------------------

@contextmanager
def writing(writers: Writers | None):
    """The writers, if any, write inside the block and are paused (quietly) after it."""
    if writers is not None:
        writers.resume()
    try:
        yield
    finally:
        if writers is not None:
            writers.pause()


def measure(server: Server, page: Page, headers: dict, writers: Writers | None) -> dict:
    """Check the page answers, warm up, load it with wrk: with the writers writing, if any.
    Between runs they pause until the server is idle, so each run starts alike."""
    open_alone(server, page, headers)  # not a 200: not worth loading
    kb = page_kb(server, page, headers)
    with writing(writers):
        warm = run_wrk(server.address(page.path), headers, WARMUP)
    server.wait_until_idle()
    start = server.log.mark()
    with writing(writers):
        run = run_wrk(server.address(page.path), headers, LOAD)
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
            "sql_median": sql_median, "sql_max": sql_max, "kb": kb,
            "target_ratio": page.target, "failed_requests": failed,
            "logged_not_200": logged_not_200}


def is_dashboard(row: dict) -> bool:
    return row["url"] == "/ramp" and row["viewer"] == "manager"


def judge_phase(rows: list[dict], under_writes: bool) -> list[dict]:
    """pages.py's verdicts against this phase's /healthz; under writes, the dashboard's p50 too."""
    judged = [judge(row, rows[0]["requests_per_second"]) for row in rows]
    for row in judged:
        if under_writes and is_dashboard(row) and (row["p50_ms"] is None
                                                   or row["p50_ms"] > DASHBOARD_P50_MS):
            row["misses"].append(f"p50 {_ms(row['p50_ms'])} ms > {DASHBOARD_P50_MS} ms")
            if row["result"] == "pass":
                row["result"] = "below target"
    return judged


def measure_phase(server: Server, s: organisation.Subjects, headers: dict,
                  writers: Writers | None) -> list[dict]:
    print(f"Phase: {PHASES['writes' if writers else 'no_writes']}", flush=True)
    server.wait_until_idle()
    rows = []
    for page in pages(s):
        print(f"  {page.name} …", flush=True)
        rows.append(measure(server, page, headers[page.viewer], writers))
    return judge_phase(rows, writers is not None)


def ramp_pages(s: organisation.Subjects) -> list[Page]:
    """The pages whose cold build is timed, and who opens them."""
    cohort = s.cohort_id
    return [Page("manager: Ramp dashboard", "/ramp", "manager", None),
            Page("manager: cohort ramp", f"/ramp/cohorts/{cohort}", "manager", None),
            Page("manager: rep ramp", f"/ramp/reps/{s.rep_id}", "manager", None),
            Page("API cohort ramp (JSON)", f"/api/v1/cohorts/{cohort}/ramp", "token", None)]


@dataclass(frozen=True)
class Try:
    """One request of a cold build: its time, statements (from the request log) and status."""
    ms: float
    sql: float | None
    status: int
    log_tail: str = ""  # the server's log when the status was not a 200


def timed_once(server: Server, page: Page, headers: dict) -> Try:
    """One request, alone."""
    start = server.log.mark()
    started = time.perf_counter()
    status = server.get(page.path, headers).status
    ms = (time.perf_counter() - started) * 1000
    time.sleep(0.05)  # the request's log line is written just after its response
    sql, _, _ = sql_counts(server.log.entries(start), page.path)
    return Try(ms, sql, status, "" if status == 200 else server.log.tail(40))


def cold_after_write(server: Server, writers: Writers, headers: dict,
                     s: organisation.Subjects) -> dict[str, list[Try]]:
    """For each ramp page: post one activity for the measured rep (of the measured cohort),
    then time the page's next request; the writers are paused, nothing else runs."""
    tries = {}
    for page in ramp_pages(s):
        tries[page.path] = []
        for _ in range(TRIES):
            server.wait_until_idle()
            writers.post_activity(s.rep_email, "api activities (before a cold build)")
            tries[page.path].append(timed_once(server, page, headers[page.viewer]))
    return tries


def cold_emptied_cache(server: Server, env: dict, headers: dict,
                       s: organisation.Subjects) -> dict[str, list[Try]]:
    """For each ramp page: empty the file cache the running workers share, then time the
    page's next request; nothing else runs."""
    cache = Path(env["CEV_LEARN_INSTANCE_PATH"]) / "cache"
    tries = {}
    for page in ramp_pages(s):
        tries[page.path] = []
        for _ in range(TRIES):
            server.wait_until_idle()
            for entry in cache.glob("*"):
                entry.unlink(missing_ok=True)
            tries[page.path].append(timed_once(server, page, headers[page.viewer]))
    return tries


def cold_fresh_server(env: dict, headers: dict, s: organisation.Subjects,
                      log: Path) -> dict[str, list[Try]]:
    """For each ramp page: empty the shared cache, start gunicorn afresh and time its first
    request (the readiness check has opened /healthz, nothing else)."""
    tries = {}
    for page in ramp_pages(s):
        tries[page.path] = []
        for _ in range(TRIES):
            shutil.rmtree(Path(env["CEV_LEARN_INSTANCE_PATH"]) / "cache", ignore_errors=True)
            with Server(env, WORKERS, log) as server:
                tries[page.path].append(timed_once(server, page, headers[page.viewer]))
    return tries


def cold_rows(s: organisation.Subjects, fresh: dict, emptied: dict,
              after_write: dict) -> list[dict]:
    """Per ramp page, the median of the tries that were a 200; the others are errors."""
    def summary(label: str, tries: list[Try]) -> dict:
        good = [t for t in tries if t.status == 200]
        sql = [t.sql for t in good if t.sql is not None]
        return {f"{label}_ms": statistics.median(t.ms for t in good) if good else None,
                f"{label}_sql": statistics.median(sql) if sql else None,
                f"{label}_tries_ms": [t.ms for t in tries]}

    rows = []
    for page in ramp_pages(s):
        both = {"fresh_server": fresh[page.path], "cache_emptied": emptied[page.path],
                "after_write": after_write[page.path]}
        errors = [f"{label.replace('_', ' ')}: {t.status}\n{t.log_tail}"
                  for label, tries in both.items() for t in tries if t.status != 200]
        rows.append({"page": page.name, "url": page.path, "tries": TRIES,
                     **summary("fresh_server", both["fresh_server"]),
                     **summary("cache_emptied", both["cache_emptied"]),
                     **summary("after_write", both["after_write"]), "errors": errors})
    return rows


def run(database: Database, tmp: Path) -> dict:
    env = servers.instance_env(tmp, database.url, REQUEST_LOG="true",
                               API_RATE_LIMIT=API_RATE_LIMIT)
    cast = load_cast(database.url)
    s = cast.subjects
    read_token = organisation.create_token(env, MANAGER)
    write_token = servers.create_token(env, MANAGER, "bench-live-writer")
    log_path = tmp / "server.log"
    with Server(env, WORKERS, log_path) as server:
        headers = sign_in_everyone(server, s, read_token)
        writers = Writers(server.url, write_token, cast, Recorder())
        writers.sign_in()
        writers.start()
        no_writes = [] if COLD_ONLY else measure_phase(server, s, headers, None)
        try:
            under_writes = [] if COLD_ONLY else measure_phase(server, s, headers, writers)
            print("Cold builds after a write …", flush=True)
            after_write = cold_after_write(server, writers, headers, s)
        finally:
            writers.stop()
        print("Cold builds with the cache emptied …", flush=True)
        emptied = cold_emptied_cache(server, env, headers, s)
        log = servers.read_log(log_path, WORKERS)
    print("Cold builds on a freshly started server …", flush=True)
    fresh = cold_fresh_server(env, headers, s, tmp / "fresh-servers.log")
    return {"cast": cast, "phases": {"no_writes": no_writes, "writes": under_writes},
            "writers": writers.report(), "cold_builds": cold_rows(s, fresh, emptied, after_write),
            "server_log": {"database_locked": log.database_locked,
                           "server_errors": log.server_errors[:20],
                           "worker_trouble": log.worker_trouble[:20],
                           "tracebacks": log.tracebacks[:5]}}


# --- reporting -------------------------------------------------------------------------------

def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def print_phase(title: str, rows: list[dict]) -> None:
    print(f"\n{title}")
    print(f"{'page':<24}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>8}{'× /healthz':>11}"
          f"{'SQL/req':>9}{'KB':>6}{'target':>8}  result")
    for row in rows:
        sql = "-" if row["sql_median"] is None else f"{row['sql_median']:g}"
        target = "" if row["target_ratio"] is None else f">={row['target_ratio']:.2f}"
        print(f"{row['page']:<24}{_ms(row['p50_ms']):>9}{_ms(row['p95_ms']):>9}"
              f"{row['requests_per_second']:>8.1f}{row['ratio']:>11.3f}{sql:>9}"
              f"{row['kb']:>6.0f}{target:>8}  {row['result']}")
    drift = rows[-1]["ratio"] - 1
    if abs(drift) > DRIFT:
        print(f"warning: /healthz's req/s changed by {drift:+.0%} from the first run of this "
              "phase to the last: other work loaded this machine, so the ratios are unreliable")
    for row in rows:
        if row["result"] == "below target":
            print(f"below target: {row['page']}: {'; '.join(row['misses'])}")
        elif row["result"] == "error":
            print(f"ERROR: {row['page']}: {row['failed_requests']} failed requests "
                  f"(wrk), {row['logged_not_200']} logged responses other than 200")


def print_writers(report: dict) -> None:
    print(f"writes while measuring: {report['activities']} activities "
          f"({report['activities_per_second']:.2f}/s over {report['writing_seconds']:.0f} s), "
          f"{report['quiz_submissions']} quiz submissions "
          f"({report['quiz_submissions_per_second']:.2f}/s)")
    for kind, row in report["by_kind"].items():
        codes = " ".join(f"{code}×{n}" for code, n in row["statuses"].items())
        print(f"  {kind:<40} p50 {row['p50_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms  {codes}")
    for problem in report["errors"]:
        print(f"ERROR: writer: {problem}")


def print_cold(rows: list[dict]) -> None:
    print(f"\nCold builds (median of {TRIES}; ms, SQL statements in brackets)")
    labels = {"fresh_server": "fresh server", "cache_emptied": "cache emptied",
              "after_write": "after a write"}
    print(f"{'page':<26}{'URL':<26}" + "".join(f"{label:>16}" for label in labels.values()))
    for row in rows:
        cells = [f"{_ms(row[f'{key}_ms'])} ({_count(row[f'{key}_sql'])})" for key in labels]
        print(f"{row['page']:<26}{row['url']:<26}" + "".join(f"{cell:>16}" for cell in cells))
    print("(fresh server: the first request after gunicorn started, including the worker's "
          "first-request work;\n cache emptied: the next request after the shared cache was "
          "emptied, the workers warm;\n after a write: the next request after one activity was "
          "posted for a rep of the cohort, nothing else running)")


def _count(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def settings(database: Database, cast: Cast) -> dict:
    s = cast.subjects
    return {"database": database.name, "reps": database.reps, "cohorts": database.cohorts,
            "seed_command": database.seed_command,
            "seeded_in_seconds": database.seeded_in_seconds,
            "migration_head": s.migration_head, "workers": WORKERS, "threads": LOAD.threads,
            "connections": LOAD.connections, "duration_seconds": LOAD.seconds,
            "warmup_seconds": WARMUP.seconds, "api_rate_limit": API_RATE_LIMIT,
            "activity_every_seconds": ACTIVITY_EVERY, "quiz_every_seconds": QUIZ_EVERY,
            "cold_build_tries": TRIES, "rep": s.rep_email, "coach": s.coach_email,
            "manager": MANAGER, "cohort_id": s.cohort_id, "quiz_reps": cast.quiz_reps,
            "dashboard_p50_ms_under_writes": DASHBOARD_P50_MS}


def save(name: str, section: dict) -> None:
    """Replace this database's section of live.json, keeping the other's."""
    RESULTS.parent.mkdir(exist_ok=True)
    try:
        report = json.loads(RESULTS.read_text())
    except (FileNotFoundError, ValueError):
        report = {}
    report[name] = section
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")


def failures(outcome: dict) -> list[str]:
    found = [f"{phase}: {row['page']}" for phase, rows in outcome["phases"].items()
             for row in rows if row["result"] == "error"]
    found += [f"writer: {problem}" for problem in outcome["writers"]["errors"]]
    found += [f"cold build of {row['page']}: {error}" for row in outcome["cold_builds"]
              for error in row["errors"]]
    found += [f"server log: {len(outcome['server_log']['server_errors'])} responses 5xx"
              ] if outcome["server_log"]["server_errors"] else []
    return found


def bench() -> int:
    url = os.environ.get("CEV_LEARN_TEST_DATABASE_URL", "")
    facts = machine()  # before the run: the load average says how busy the machine was
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        database = (postgresql_database(url, tmp) if url.startswith("postgresql")
                    else sqlite_database(tmp))
        print(f"Live pages on {database.name}, {database.reps:,} reps: {WORKERS} gunicorn "
              f"workers, wrk -t{LOAD.threads} -c{LOAD.connections} -d{LOAD.seconds}s after "
              f"{WARMUP.seconds}s of warm-up per page, each page with no writes, then under "
              "writes", flush=True)
        outcome = run(database, tmp)
    save(database.name + ("-cold" if COLD_ONLY else ""), {"machine": facts, "settings": settings(database, outcome["cast"]),
                         "phases": outcome["phases"], "writers": outcome["writers"],
                         "cold_builds": outcome["cold_builds"],
                         "server_log": outcome["server_log"]})
    for phase, title in PHASES.items():
        if outcome["phases"][phase]:
            print_phase(f"{database.name}, {database.reps:,} reps — {title}",
                        outcome["phases"][phase])
    print_writers(outcome["writers"])
    print_cold(outcome["cold_builds"])
    if outcome["server_log"]["database_locked"]:
        print(f"warning: 'database is locked' {outcome['server_log']['database_locked']} times "
              "in the server log")
    problems = failures(outcome)
    for problem in problems:
        print(f"ERROR: {problem}")
    return 1 if problems else 0


def main() -> int:
    try:
        return bench()
    except (BenchError, organisation.SetupError) as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
