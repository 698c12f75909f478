"""A locked or restarting database: requests wait for a short lock, and otherwise fail cleanly
(503 with Retry-After, nothing stored half-way) and succeed when sent again; the first request
after a PostgreSQL restart does not trip over a dead pooled connection."""
import os
import sqlite3
import subprocess
import threading
import time

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url

from cev_learn.accounts.api_tokens import Scope
from cev_learn.accounts.decorators import public
from cev_learn.accounts.models import Role
from cev_learn.cohorts.models import CoachingNote
from cev_learn.platform.db import db
from cev_learn.ramp import facts
from cev_learn.ramp.models import ActivityRecord
from tests.api.helpers import token_for
from tests.helpers import csrf_token, login, make_user
from tests.content.trees import good_track
from tests.factories import make_cohort
from tests.snapshots import stored_state

PG_CTL = os.environ.get("CEV_LEARN_TEST_PG_CTL")


def outage_app(make_app, **config):
    """An app that answers unexpected errors with its 500 page, as in production."""
    return make_app(PROPAGATE_EXCEPTIONS=False, API_RATE_LIMIT="100000 per minute", **config)


class Site:
    """A coach signed in on the web and a manager's API token, with a rep to write about.

    It keeps plain values, not model objects, and leaves the test's own session without a
    transaction: a connection held across a server restart would fail the test, not the app.
    """

    def __init__(self, app, tmp_path):
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["content", "sync",
                                                        str(good_track(tmp_path))])
        assert result.exit_code == 0, result.output
        self.app = app
        coach, rep = make_user(Role.COACH), make_user(Role.REP)
        make_cohort(reps=[rep], coaches=[coach])
        self.rep_id, self.rep_email = rep.id, rep.email
        self.web = app.test_client()
        assert login(self.web, coach.email).status_code == 302
        self.csrf = csrf_token(self.web, f"/reps/{rep.id}")
        self.bearer = {"Authorization": f"Bearer {token_for(make_user(Role.MANAGER), Scope.WRITE)}"}
        assert self.send_activity("warm-up").status_code == 200  # the token's use is noted now
        db.session.close()

    def add_note(self, body: str):
        return self.web.post(f"/reps/{self.rep_id}/notes",
                             data={"body": body, "csrf_token": self.csrf})

    def send_activity(self, external_id: str, rep_email: str | None = None, client=None):
        record = {"external_id": external_id, "rep_email": rep_email or self.rep_email,
                  "occurred_on": "2026-03-02", "type": "call"}
        return (client or self.app.test_client()).post(
            "/api/v1/activities", json={"records": [record]}, headers=self.bearer)


def notes(body: str) -> int:
    count = db.session.scalar(select(func.count()).select_from(CoachingNote)
                              .where(CoachingNote.body == body))
    db.session.close()
    return count


def records(*external_ids: str) -> dict[str, int]:
    rows = db.session.execute(select(ActivityRecord.external_id, func.count()).where(
        ActivityRecord.external_id.in_(external_ids)).group_by(ActivityRecord.external_id))
    counts = {external_id: n for external_id, n in rows}
    db.session.close()
    return counts


def assert_busy_page(response) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page
    assert int(response.headers["Retry-After"]) > 0
    assert "Database busy" in page and "Wait a few seconds" in page
    assert "Traceback" not in page and "OperationalError" not in page


def assert_busy_problem(response) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0
    assert response.get_json()["title"] == "Service unavailable"


def test_other_database_errors_are_still_a_500(make_app):
    app = outage_app(make_app)

    @public
    def broken_query():
        db.session.execute(text("SELECT * FROM no_such_table"))

    app.add_url_rule("/broken-query", "broken_query", broken_query)
    response = app.test_client().get("/broken-query")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "Retry-After" not in response.headers
    assert "Something went wrong" in page and "no_such_table" not in page


# --- SQLite: another connection holds the write lock --------------------------------------

@pytest.fixture
def sqlite_file(database_url) -> str:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        pytest.skip("SQLite's database-wide write lock")
    return url.database


def lock_writes(path: str) -> sqlite3.Connection:
    """Take SQLite's write lock from another connection, as a long import would."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    return other


def release(lock: sqlite3.Connection) -> None:
    lock.execute("ROLLBACK")
    lock.close()


def test_a_write_waits_for_a_short_lock_and_succeeds(make_app, tmp_path, sqlite_file):
    app = outage_app(make_app, SQLITE_BUSY_TIMEOUT_MS=2000)
    site = Site(app, tmp_path)
    with app.app_context():
        engine = db.engine
    waiting = threading.Event()

    def note_begin(_conn, _cursor, statement, *_args):
        if statement == "BEGIN IMMEDIATE":
            waiting.set()

    def release_once_a_request_waits(lock):
        waiting.wait(10)
        time.sleep(0.2)  # well inside the request's busy timeout
        release(lock)

    event.listen(engine, "before_cursor_execute", note_begin)
    try:
        for send, stored in ((lambda: site.add_note("Waited"), lambda: notes("Waited")),
                             (lambda: site.send_activity("waited"),
                              lambda: records("waited").get("waited", 0))):
            waiting.clear()
            releaser = threading.Thread(target=release_once_a_request_waits,
                                        args=(lock_writes(sqlite_file),))
            releaser.start()
            response = send()
            releaser.join()
            assert response.status_code in (200, 302), response.get_data(as_text=True)
            assert stored() == 1
    finally:
        event.remove(engine, "before_cursor_execute", note_begin)


def test_a_write_locked_out_past_the_timeout_is_a_503_and_succeeds_when_sent_again(
        make_app, tmp_path, sqlite_file):
    site = Site(outage_app(make_app, SQLITE_BUSY_TIMEOUT_MS=200), tmp_path)
    before = stored_state()
    lock = lock_writes(sqlite_file)
    try:
        assert_busy_page(site.add_note("Locked out"))
        assert_busy_problem(site.send_activity("locked-out"))
    finally:
        release(lock)
    assert stored_state() == before
    assert site.add_note("Locked out").status_code == 302
    assert site.send_activity("locked-out").get_json()["created"] == 1
    assert notes("Locked out") == 1 and records("locked-out") == {"locked-out": 1}


def test_no_free_pooled_connection_is_a_503_and_the_next_request_succeeds(make_app, tmp_path):
    site = Site(outage_app(make_app, SQLALCHEMY_ENGINE_OPTIONS={
        "pool_size": 1, "max_overflow": 0, "pool_timeout": 0.2}), tmp_path)
    before = stored_state()
    with site.app.app_context():
        held = db.engine.connect()  # the pool's only connection, busy elsewhere
    try:
        assert_busy_page(site.add_note("No connection"))
        assert_busy_problem(site.send_activity("no-connection"))
    finally:
        held.close()
    assert stored_state() == before
    assert site.add_note("No connection").status_code == 302
    assert site.send_activity("no-connection").get_json()["created"] == 1


# --- PostgreSQL: the server stops, starts, restarts --------------------------------------

@pytest.fixture
def postgres(database_url):
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("a PostgreSQL server to restart")
    if not PG_CTL:
        pytest.skip("CEV_LEARN_TEST_PG_CTL is not set (scripts/with-postgres sets it)")
    yield pg_ctl
    if subprocess.run([PG_CTL, "status"], capture_output=True).returncode != 0:
        pg_ctl("start", "-w")  # never leave the cluster down for the tests after this one


def pg_ctl(*args: str) -> None:
    subprocess.run([PG_CTL, *args], check=True, capture_output=True, timeout=60)


def test_requests_while_postgresql_is_down_are_a_503_and_succeed_once_it_is_back(
        make_app, tmp_path, postgres):
    site = Site(outage_app(make_app), tmp_path)
    postgres("stop", "-m", "fast", "-w")
    try:
        assert_busy_page(site.add_note("While down"))
        assert_busy_problem(site.send_activity("while-down"))
    finally:
        postgres("start", "-w")
    assert site.add_note("While down").status_code == 302
    assert site.send_activity("while-down").get_json()["created"] == 1
    assert notes("While down") == 1 and records("while-down") == {"while-down": 1}


def test_the_first_requests_after_a_restart_succeed(make_app, tmp_path, postgres):
    site = Site(outage_app(make_app), tmp_path)
    assert site.add_note("Before the restart").status_code == 302  # pooled connections now
    postgres("restart", "-m", "fast", "-w")
    assert site.add_note("After the restart").status_code == 302
    assert site.send_activity("after-restart").status_code == 200
    assert site.web.get(f"/reps/{site.rep_id}").status_code == 200


def test_writes_during_a_restart_are_stored_once_or_refused_with_a_503(
        make_app, tmp_path, postgres, monkeypatch):
    site = Site(outage_app(make_app), tmp_path)
    held_rep = make_user(Role.REP)
    held_rep_id, held_rep_email = held_rep.id, held_rep.email
    db.session.close()
    # One request is caught in the middle of its transaction when the server goes down.
    inside, resume = threading.Event(), threading.Event()
    refresh = facts.refresh_reps

    def refresh_after_the_restart(rep_ids, today, records, **options):
        rep_ids = set(rep_ids)
        if held_rep_id in rep_ids:
            inside.set()
            resume.wait(30)
        return refresh(rep_ids, today, records, **options)

    monkeypatch.setattr(facts, "refresh_reps", refresh_after_the_restart)
    restarted, stop = threading.Event(), threading.Event()
    sent, held, errors = [], [], []

    def keep_writing():
        client = site.app.test_client()
        try:
            while not stop.is_set():
                external_id, after_restart = f"live-{len(sent)}", restarted.is_set()
                sent.append((external_id, after_restart, site.send_activity(external_id,
                                                                            client=client)))
                time.sleep(0.005)
        except Exception as exc:  # noqa: BLE001 - asserted below
            errors.append(repr(exc))

    def send_held():
        held.append(site.send_activity("held", held_rep_email))

    def successes(after_restart: bool) -> int:
        return sum(1 for _, after, r in sent if after == after_restart and r.status_code == 200)

    writer, holder = threading.Thread(target=keep_writing), threading.Thread(target=send_held)
    writer.start()
    try:
        wait_for(lambda: successes(False) >= 3)
        holder.start()
        assert inside.wait(10)
        postgres("restart", "-m", "fast", "-w")
        restarted.set()
        resume.set()
        holder.join(30)
        wait_for(lambda: successes(True) >= 3)
    finally:
        resume.set()
        stop.set()
        writer.join(30)

    assert errors == []
    assert_busy_problem(held[0])  # its connection died with its transaction: nothing stored
    assert {r.status_code for _, _, r in sent} <= {200, 503}
    for _, _, response in sent:
        if response.status_code == 503:
            assert_busy_problem(response)
    assert all(r.status_code == 200 for _, after, r in sent if after)
    acknowledged = [external_id for external_id, _, r in sent if r.status_code == 200]
    assert records(*acknowledged, "held") == dict.fromkeys(acknowledged, 1)
    assert site.send_activity("held", held_rep_email).get_json()["created"] == 1
    assert records("held") == {"held": 1}


def wait_for(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_the_api_document_tells_clients_any_operation_may_answer_503(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operations = [op for path in document["paths"].values() for op in path.values()
                  if isinstance(op, dict) and "responses" in op]
    assert operations and all("503" in op["responses"] for op in operations)
