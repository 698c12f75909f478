"""Statements pushed to a real Learning Record Store (Ralph, started by the tests): they land,
read back as sent and as the feed serves them; batch after batch from the cursor kept in the
database; a restart of the LRS, or the app dying mid-push, loses nothing and doubles nothing;
a statement the LRS holds with other content is kept as it is, and the rest goes on."""
import dataclasses
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from cev_learn.accounts.models import Role
from cev_learn.content.models import Milestone, Module, ModuleProgress, Quiz, QuizVersion
from cev_learn.platform.db import db, utcnow
from cev_learn.quizzes.models import Attempt, AttemptState
from cev_learn.ramp.models import Achievement
from cev_learn.webhooks.worker import Worker
from cev_learn.xapi import push
from cev_learn.xapi.lrs import LrsClient
from cev_learn.xapi.models import LrsCursor
from tests.api.test_xapi_api import recorded, reviewed
from tests.helpers import make_user
from tests.xapi.lrs_server import KEY, SECRET

pytestmark = pytest.mark.slow  # a real LRS in its own process

CEV_LEARN = str(Path(sys.executable).with_name("cev-learn"))
BASE_URL = "https://learn.example.com"


def at(day, hour=9, minute=0):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=dt.UTC)


def completed(rep, slug, when):
    module = db.session.scalar(select(Module).where(Module.slug == slug))
    db.session.add(ModuleProgress(user_id=rep.id, module_id=module.id, opened_at=when,
                                  completed_at=when))
    db.session.commit()


def graded(rep, number, when, score):
    quiz = db.session.scalar(select(Quiz))
    version_id = db.session.scalar(select(QuizVersion.id).where(QuizVersion.quiz_id == quiz.id))
    db.session.add(Attempt(user_id=rep.id, quiz_id=quiz.id, version_id=version_id,
                           attempt_no=number, state=AttemptState.GRADED, started_at=when,
                           layout=[], submitted_at=when, graded_at=when, score=score,
                           passed=score >= 0.7))
    db.session.commit()


def achieved(rep, day, stored):
    milestone = db.session.scalar(select(Milestone))
    db.session.add(Achievement(user_id=rep.id, milestone_id=milestone.id, achieved_on=day,
                               source="coach", updated_at=stored))
    db.session.commit()


@pytest.fixture
def reps(synced_track):
    """Five reps who each completed a module, took the quiz and reached the first meeting in
    early March: 15 statements."""
    people = [make_user(Role.REP, email=f"rep{n}@example.com", name=f"Rep {n}")
              for n in range(5)]
    for n, rep in enumerate(people):
        completed(rep, "intro", at(2, 9, n))
        graded(rep, 1, at(2, 10, n), 0.5 + n / 10)
        achieved(rep, dt.date(2026, 3, 2), at(2, 11, n))
    return people


@pytest.fixture
def pushing(make_app, ralph):
    """pushing(**settings) -> (app, push settings) of an app that pushes to the test LRS."""
    def build(**settings):
        app = make_app(**{"LRS_URL": ralph.url, "LRS_KEY": KEY, "LRS_SECRET": SECRET,
                          "LRS_BATCH_SIZE": 4, "XAPI_SETTLE_SECONDS": 0, "BASE_URL": BASE_URL,
                          **settings})
        return app, push.PushSettings.from_config(app.config)
    return build


def push_now(app, settings, clock=utcnow, **options) -> push.PushReport:
    with app.app_context():
        client = LrsClient(settings.lrs)
        try:
            return push.push_due(settings, client, clock, **options)
        finally:
            client.close()


def cursor(app) -> LrsCursor:
    with app.app_context():
        found = db.session.scalar(select(LrsCursor))
        db.session.expunge_all()
        return found


def feed(api) -> list[dict]:
    """What the xAPI feed serves an admin (its base URL is the default one)."""
    response = api(make_user(Role.ADMIN)).get("/api/v1/xapi/statements?limit=500")
    assert response.status_code == 200
    return response.json["statements"]


def ids(statements) -> list[str]:
    return [s["id"] for s in statements]


def held_once(ralph) -> dict[str, dict]:
    """The statements the LRS holds, by id, checking it holds none twice."""
    held = ralph.statements()
    assert len(ids(held)) == len(set(ids(held))), "a statement stored twice"
    return {s["id"]: s for s in held}


# --- The round trip -------------------------------------------------------------------------

def test_practice_statements_land_in_the_lrs_as_the_feed_serves_them(pushing, ralph, reps, api):
    """A recording submitted (attempted) and its coach's review (passed, with its score); a
    peer's review is no statement."""
    coach, peer = make_user(Role.COACH), make_user(Role.REP)
    submission = recorded(reps[0], at(3, 9))
    reviewed(submission, coach, at(3, 10), 0.75, passed=True)
    reviewed(submission, peer, at(3, 11), 1.0, passed=True, peer=True)
    app, settings = pushing()
    assert push_now(app, settings).sent == 17
    held = held_once(ralph)
    practice = [s for s in feed(api) if "/exercises/" in s["object"]["id"]]
    assert [s["verb"]["id"] for s in practice] == ["http://adlnet.gov/expapi/verbs/attempted",
                                                   "http://adlnet.gov/expapi/verbs/passed"]
    for statement in practice:
        kept = held[statement["id"]]
        assert kept["object"]["id"] == statement["object"]["id"].replace(
            "http://127.0.0.1:5000", BASE_URL)
        assert kept["verb"] == statement["verb"] and kept.get("result") == statement.get("result")
    assert practice[1]["result"] == {"score": {"scaled": 0.75}, "success": True,
                                     "completion": True}


def test_statements_land_in_the_lrs_and_read_back_as_the_feed_serves_them(
        pushing, ralph, reps, api):
    app, settings = pushing()
    report = push_now(app, settings)
    assert (report.sent, report.batches, report.conflicts, report.failed) == (15, 4, [], False)

    held = held_once(ralph)
    served = feed(api)
    assert set(held) == set(ids(served)) and len(held) == 15
    for statement in served:
        kept = held[statement["id"]]
        # As sent, with the activity ids of the configured base URL; the LRS set `stored`.
        statement["object"]["id"] = statement["object"]["id"].replace(
            "http://127.0.0.1:5000", BASE_URL)
        assert {key: kept[key] for key in statement} == statement
        assert kept["object"]["id"].startswith(f"{BASE_URL}/tracks/test-track/")
        assert "stored" in kept and kept["authority"]["mbox"] == "mailto:lrs@example.com"

    last = cursor(app)
    assert last.statements_sent == 15 and last.failures == 0 and last.lease_token is None
    assert (last.stored_at, last.kind) == (at(2, 11, 4), "milestone")

    # Pushing again sends nothing; what is recorded next goes, and only that.
    assert push_now(app, settings).sent == 0
    completed(reps[0], "discovery", utcnow() - dt.timedelta(seconds=1))
    again = push_now(app, settings)
    assert (again.sent, again.batches) == (1, 1)
    assert len(held_once(ralph)) == 16


def test_statements_wait_to_settle_before_they_go(pushing, ralph, reps):
    app, settings = pushing(XAPI_SETTLE_SECONDS=60)
    completed(reps[1], "discovery", utcnow())  # still settling: a write may commit behind it
    assert push_now(app, settings).sent == 15
    assert push_now(app, settings, clock=lambda: utcnow() + dt.timedelta(seconds=61)).sent == 1


def test_credentials_the_lrs_refuses_are_a_failure_tried_again(pushing, ralph, reps):
    app, settings = pushing()
    wrong = dataclasses.replace(settings, lrs=dataclasses.replace(settings.lrs, secret="no"))
    report = push_now(app, wrong)
    assert report.failed and report.sent == 0 and report.last.error.startswith("HTTP 401")
    assert ralph.statements() == [] and cursor(app).stored_at is None
    assert push_now(app, settings, ignore_wait=True).sent == 15


# --- Restarts: nothing lost, nothing doubled -------------------------------------------------

def test_a_restart_of_the_lrs_loses_nothing(pushing, ralph, reps):
    app, settings = pushing()
    assert push_now(app, settings, max_batches=1).sent == 4
    ralph.stop()

    now = utcnow()
    down = push_now(app, settings, clock=lambda: now)
    assert down.failed and down.sent == 0
    assert down.last.error.startswith("could not connect")
    assert down.last.retry_at == now + dt.timedelta(seconds=5)  # the first wait
    before = cursor(app)
    assert (before.statements_sent, before.failures, before.last_error) == (
        4, 1, down.last.error)
    # Until the wait is over it is not tried again.
    waiting = push_now(app, settings, clock=lambda: now + dt.timedelta(seconds=4))
    assert waiting.last.state == push.WAITING and waiting.batches == 0

    ralph.start()  # the same files, the same port
    back = push_now(app, settings, clock=lambda: now + dt.timedelta(seconds=6))
    assert (back.sent, back.failed) == (11, False)
    assert len(held_once(ralph)) == 15
    after = cursor(app)
    assert (after.statements_sent, after.failures, after.last_error) == (15, 0, None)

    ralph.restart()  # what it held before is still there
    assert len(held_once(ralph)) == 15


def test_the_app_dying_mid_push_loses_and_doubles_nothing(
        pushing, ralph, reps, monkeypatch, database_url, tmp_path):
    # A lease long enough for two batches even on a busy machine (a push starts another batch
    # only while a whole request still fits in its lease); its end is reached below by moving
    # it, as the clock would, instead of waiting for it.
    app, settings = pushing(LRS_LEASE_SECONDS=20, LRS_TIMEOUT_SECONDS=5)
    record = push._record
    calls = {"n": 0}

    def dies_after_the_second_batch_lands(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:  # the LRS has the batch; the cursor never hears of it
            raise RuntimeError("killed")
        return record(*args, **kwargs)

    monkeypatch.setattr(push, "_record", dies_after_the_second_batch_lands)
    with pytest.raises(RuntimeError, match="killed"):
        push_now(app, settings)
    monkeypatch.undo()
    assert len(held_once(ralph)) == 8  # two batches landed
    stuck = cursor(app)
    assert stuck.statements_sent == 4 and stuck.lease_token is not None
    assert push_now(app, settings).last.state == push.BUSY  # its lease still holds

    with app.app_context():  # the dead push's lease runs out; a new process takes over
        db.session.execute(update(LrsCursor).values(
            leased_until=utcnow() - dt.timedelta(seconds=1)))
        db.session.commit()
    env = {**os.environ, "CEV_LEARN_DATABASE_URL": database_url,
           "CEV_LEARN_INSTANCE_PATH": str(tmp_path / "instance"),
           "CEV_LEARN_LRS_URL": ralph.url, "CEV_LEARN_LRS_KEY": KEY,
           "CEV_LEARN_LRS_SECRET": SECRET, "CEV_LEARN_LRS_BATCH_SIZE": "4",
           "CEV_LEARN_XAPI_SETTLE_SECONDS": "0", "CEV_LEARN_BASE_URL": BASE_URL}
    run = subprocess.run([CEV_LEARN, "xapi", "push"], env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    # The batch the LRS already had goes again (same ids) and the rest after it.
    assert run.stdout.strip() == (f"xAPI: 11 statements sent to {ralph.url} in 3 batches; "
                                  "nothing more is due.")
    assert len(held_once(ralph)) == 15
    assert cursor(app).statements_sent == 15


# --- What the LRS keeps ---------------------------------------------------------------------

def test_a_statement_the_lrs_holds_otherwise_is_kept_and_the_rest_go(pushing, ralph, reps):
    app, settings = pushing()
    assert push_now(app, settings).sent == 15
    milestone_of_rep0 = next(s for s in ralph.statements()
                             if s["actor"]["name"] == "Rep 0" and "result" not in s
                             and s["verb"]["id"].endswith("/achieved"))
    # Rep 0 is renamed, and a coach's note on their milestone records it again (same facts,
    # same statement id, now with the new name); Rep 1 completes another module.
    rep0 = reps[0]
    rep0.name = "Rep Zero"
    db.session.scalar(select(Achievement).where(Achievement.user_id == rep0.id)).updated_at = (
        utcnow() - dt.timedelta(seconds=2))
    db.session.commit()
    completed(reps[1], "discovery", utcnow() - dt.timedelta(seconds=1))

    report = push_now(app, settings)
    assert (report.sent, report.conflicts, report.failed) == (1, [milestone_of_rep0["id"]],
                                                              False)
    held = held_once(ralph)
    assert len(held) == 16
    assert held[milestone_of_rep0["id"]]["actor"]["name"] == "Rep 0"  # immutable
    assert push_now(app, settings).sent == 0  # the cursor moved past both


# --- The worker and the command ---------------------------------------------------------------

def test_the_worker_pushes_when_an_lrs_is_configured(pushing, ralph, reps):
    app, _settings = pushing()
    with app.app_context():
        counts = Worker(app).run(once=True)
    assert counts["statements pushed"] == 15
    assert len(held_once(ralph)) == 15


def invoke(app, *args):
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def test_the_command_says_what_went(pushing, ralph, reps):
    app, _settings = pushing(LRS_BATCH_SIZE=10)
    result = invoke(app, "xapi", "push")
    assert result.exit_code == 0, result.output
    assert result.output == (f"xAPI: 15 statements sent to {ralph.url} in 2 batches; "
                             "nothing more is due.\n")
    ralph.stop()
    completed(reps[2], "discovery", utcnow() - dt.timedelta(seconds=1))
    failed = invoke(app, "xapi", "push")
    assert failed.exit_code == 1
    assert failed.output.startswith(f"xAPI: 0 statements sent to {ralph.url} in 1 batch; "
                                    "then the LRS failed: could not connect")
    assert "The rest waits: the worker tries again from 20" in failed.output


def test_without_an_lrs_nothing_is_pushed(app, reps):
    with app.app_context():
        Worker(app).run(once=True)
        assert db.session.scalar(select(func.count()).select_from(LrsCursor)) == 0
    result = invoke(app, "xapi", "push")
    assert result.exit_code == 1
    assert "no LRS to push to: set LRS_URL (CEV_LEARN_LRS_URL)" in result.output
