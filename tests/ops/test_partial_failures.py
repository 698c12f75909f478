"""Half-done writes: an operation that fails after its first writes leaves no trace of them.

Each test breaks an operation mid-way (after it has sent writes to the database), checks that
the user gets a clean error, that every table holds exactly what it held before, and that the
same operation sent again, unbroken, succeeds once.
"""
import datetime as dt
import io
import re

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from cev_learn.accounts.api_tokens import Scope
from cev_learn.accounts.models import Role, User
from cev_learn.cohorts.models import CohortCoach, Membership, Signoff
from cev_learn.cohorts.services import create_cohort, find_track
from cev_learn.content import sync as content_sync
from cev_learn.content.models import Module, QuizVersion
from cev_learn.platform.db import db
from cev_learn.quizzes import services as quiz_services
from cev_learn.quizzes.models import Attempt, AttemptAnswer, AttemptState
from cev_learn.ramp import facts, import_service
from cev_learn.ramp.models import Achievement, ActivityRecord
from cev_learn.ramp.pending_imports import PendingImport
from tests.api.helpers import token_for
from tests.helpers import csrf_token, login, make_user, post_form
from tests.content.trees import good_track
from tests.factories import make_cohort
from tests.quizzes.fixtures import quiz_track
from tests.quizzes.test_attempts import right_answers, start
from tests.snapshots import stored_state

ACTIVITIES = "external_id,rep_email,occurred_on,type,quantity,amount"
TOKEN = re.compile(r'name="token" type="hidden" value="([^"]+)"')


class Fault(Exception):
    """The error injected into an operation half-way."""


class Breaker:
    """Makes one function raise Fault, and remembers the writes sent before it did."""

    def __init__(self, monkeypatch):
        self.monkeypatch, self.writes, self.writes_before_fault = monkeypatch, [], None
        self.armed = None
        event.listen(Engine, "before_cursor_execute", self._note)

    def _note(self, _conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            self.writes.append(statement)

    def arm(self, owner, name: str, *, at_call: int = 1) -> None:
        """Let owner.name run normally until its `at_call`-th call, which raises Fault."""
        real, calls = getattr(owner, name), []

        def failing(*args, **kwargs):
            calls.append(args)
            if len(calls) == at_call:
                self.writes_before_fault = list(self.writes)
                raise Fault(f"injected fault in {name}")
            return real(*args, **kwargs)

        self.writes.clear()
        self.armed = (owner, name, real)
        self.monkeypatch.setattr(owner, name, failing)

    def wrote_before_fault(self, table: str) -> bool:
        """Whether the operation had already written to `table` when it failed."""
        assert self.writes_before_fault is not None, "the fault was never reached"
        return any(re.search(rf'\b(INTO|UPDATE|FROM)\s+"?{table}"?\b', statement, re.I)
                   for statement in self.writes_before_fault)

    def disarm(self) -> None:
        self.monkeypatch.setattr(*self.armed)

    def close(self) -> None:
        event.remove(Engine, "before_cursor_execute", self._note)


@pytest.fixture
def breaker(monkeypatch):
    breaker = Breaker(monkeypatch)
    yield breaker
    breaker.close()


@pytest.fixture
def failing_app(make_app):
    """An app that answers unexpected errors with its 500 page, as in production."""
    return make_app(PROPAGATE_EXCEPTIONS=False)


def count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def assert_clean_error_page(response) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 500, page
    assert "Something went wrong" in page
    assert "Traceback" not in page and "injected fault" not in page


def sync(app, root):
    """Run `content sync` in the app's own context, as `cev-learn` does (not the test's twin,
    whose SQLite statements autocommit)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=["content", "sync", str(root)])


def signed_in(app, user):
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


# --- Quiz submission -----------------------------------------------------------------------

def test_a_submission_failing_once_its_answers_are_stored_keeps_the_attempt_open(
        failing_app, tmp_path, breaker):
    assert sync(failing_app, quiz_track(tmp_path)).exit_code == 0
    rep = make_user(Role.REP)
    client = signed_in(failing_app, rep)
    attempt_id, take = start(client)
    url = f"/attempts/{attempt_id}/submit"
    answers = {**right_answers(take), "confirm": "yes",
               "csrf_token": csrf_token(client, f"/attempts/{attempt_id}")}
    attempt = db.session.get(Attempt, attempt_id)
    questions = quiz_services.version_questions(attempt.version)
    graded = sum(questions[entry["key"]].type.graded for entry in attempt.layout)

    breaker.arm(quiz_services, "total_score", at_call=1)  # every answer graded and stored
    before = stored_state()
    assert_clean_error_page(client.post(url, data=answers))
    assert breaker.wrote_before_fault("attempt_answer")  # the answers were stored, then undone
    assert stored_state() == before

    breaker.disarm()
    assert client.post(url, data=answers).status_code == 302
    assert client.post(url, data=answers).status_code == 302  # a repeat changes nothing
    db.session.rollback()
    assert db.session.get(Attempt, attempt_id).state is AttemptState.NEEDS_GRADING  # the essay
    assert count(Attempt) == 1
    assert count(AttemptAnswer, AttemptAnswer.attempt_id == attempt_id) == graded


# --- Coach sign-off ------------------------------------------------------------------------

PITCH_MILESTONE = ("  - {slug: pitch-certified, title: Pitch certified, due_day: 30,\n"
                   "     measure: {signoff: pitch}}\n")


def test_a_signoff_failing_in_milestone_recomputation_is_not_recorded(
        failing_app, tmp_path, breaker):
    root = quiz_track(tmp_path)
    track_yaml = root / "test-track" / "track.yaml"
    track_yaml.write_text(track_yaml.read_text().replace("milestones:\n",
                                                         "milestones:\n" + PITCH_MILESTONE))
    assert sync(failing_app, root).exit_code == 0
    coach, rep = make_user(Role.COACH), make_user(Role.REP)
    make_cohort(reps=[rep], coaches=[coach])
    client = signed_in(failing_app, coach)
    url = f"/reps/{rep.id}/signoffs/pitch"
    scores = {"score_0": "5", "score_1": "4", "score_2": "4", "comment_0": "Sharp questions.",
              "csrf_token": csrf_token(client, url)}

    breaker.arm(facts, "refresh_reps")
    before = stored_state()
    assert_clean_error_page(client.post(url, data=scores))
    assert breaker.wrote_before_fault("signoff")
    assert stored_state() == before

    breaker.disarm()
    assert client.post(url, data=scores).status_code == 302
    assert count(Signoff) == 1
    assert count(Achievement, Achievement.user_id == rep.id) == 1  # pitch-certified, once


# --- Users CSV import ----------------------------------------------------------------------

USERS_CSV = "\n".join([
    "email,name,role,cohort,start_date,end_date,territory,coach_email",
    "kim.coach@example.com,Kim Coach,coach,,,,,",
    "cy.rep@example.com,Cy Rep,rep,Spring 2026,,,West,kim.coach@example.com",
    "dee.rep@example.com,Dee Rep,rep,Spring 2026,2026-03-09,,West,",
]) + "\n"
NEW_EMAILS = ("kim.coach@example.com", "cy.rep@example.com", "dee.rep@example.com")


def test_a_user_import_failing_while_placing_reps_creates_no_users(
        failing_app, tmp_path, breaker):
    assert sync(failing_app, good_track(tmp_path)).exit_code == 0
    create_cohort(name="Spring 2026", track=find_track("test-track"),
                  start_on=dt.date(2026, 3, 2), territory=None, coaches=[])
    db.session.commit()
    client = signed_in(failing_app, make_user(Role.ADMIN))

    def upload():
        return post_form(client, "/admin/import/users",
                         {"file": (io.BytesIO(USERS_CSV.encode()), "users.csv")},
                         token_from="/admin/import/users")

    breaker.arm(facts, "refresh_reps")  # once every rep is placed
    before = stored_state()
    assert_clean_error_page(upload())
    assert breaker.wrote_before_fault("user") and breaker.wrote_before_fault("membership")
    assert stored_state() == before

    breaker.disarm()
    assert upload().headers["Location"] == "/admin/users"
    assert upload().headers["Location"] == "/admin/users"  # the same file again: no change
    assert count(User, User.email.in_(NEW_EMAILS)) == 3
    assert count(Membership) == 2 and count(CohortCoach) == 1


# --- CRM activities ------------------------------------------------------------------------

def activity_rows(reps, n: int) -> list[tuple]:
    return [(f"crm-{i}", reps[i % len(reps)].email, f"2026-03-{i + 1:02d}", "call", 2, 0)
            for i in range(n)]


def test_a_confirmed_crm_upload_failing_at_its_second_batch_stores_nothing(
        failing_app, breaker, monkeypatch):
    reps = [make_user(Role.REP), make_user(Role.REP)]
    client = signed_in(failing_app, make_user(Role.MANAGER))
    rows = activity_rows(reps, 5)
    csv = "\n".join([ACTIVITIES, *(",".join(map(str, row)) for row in rows)]) + "\n"
    checked = post_form(client, "/ramp/import", {
        "kind": "activities", "file": (io.BytesIO(csv.encode()), "activities.csv")},
        token_from="/ramp/import")
    assert checked.status_code == 200, checked.get_data(as_text=True)
    confirm = {"token": TOKEN.search(checked.get_data(as_text=True)).group(1),
               "csrf_token": csrf_token(client, "/ramp/import")}

    monkeypatch.setattr(import_service, "BATCH", 2)
    breaker.arm(import_service, "_write", at_call=2)
    before = stored_state()
    assert_clean_error_page(client.post("/ramp/import/confirm", data=confirm))
    assert breaker.wrote_before_fault("activity_record")
    assert stored_state() == before  # the checked file still waits for its confirmation

    breaker.disarm()
    assert client.post("/ramp/import/confirm", data=confirm).status_code == 302
    assert client.post("/ramp/import/confirm", data=confirm).status_code == 404  # used up
    assert count(ActivityRecord) == 5 and count(PendingImport) == 0


def test_an_activity_batch_failing_at_its_second_insert_is_a_problem_and_stores_nothing(
        failing_app, breaker, monkeypatch):
    reps = [make_user(Role.REP), make_user(Role.REP)]
    headers = {"Authorization": f"Bearer {token_for(make_user(Role.MANAGER), Scope.WRITE)}"}
    client = failing_app.test_client()
    fields = ("external_id", "rep_email", "occurred_on", "type", "quantity", "amount")
    batch = {"records": [dict(zip(fields, row)) for row in activity_rows(reps, 5)]}

    def send(body):
        return client.post("/api/v1/activities", json=body, headers=headers)

    # A first batch, so that using the token is not written during the one that fails.
    assert send({"records": [{**batch["records"][0], "external_id": "first"}]}).status_code == 200
    monkeypatch.setattr(import_service, "BATCH", 2)
    breaker.arm(import_service, "_write", at_call=2)
    before = stored_state()
    failed = send(batch)
    assert breaker.wrote_before_fault("activity_record")
    assert (failed.status_code, failed.mimetype) == (500, "application/problem+json")
    assert failed.get_json()["status"] == 500 and "injected" not in failed.get_data(as_text=True)
    assert stored_state() == before

    breaker.disarm()
    assert send(batch).get_json()["created"] == 5
    assert send(batch).get_json()["unchanged"] == 5
    assert count(ActivityRecord) == 6


# --- Content sync --------------------------------------------------------------------------

def test_a_content_sync_failing_at_its_last_step_changes_nothing(failing_app, tmp_path, breaker):
    assert sync(failing_app, quiz_track(tmp_path / "v1")).exit_code == 0
    changed = quiz_track(tmp_path / "v2", pass_mark=0.8)
    discovery = changed / "test-track" / "modules" / "02-discovery.md"
    discovery.write_text(discovery.read_text() + "\nAsk about timing too.\n")
    quiz = changed / "test-track" / "quizzes" / "check.gift"
    quiz.write_text(quiz.read_text() + "\n::Order::Discovery comes before the demo. {TRUE}\n")
    (changed / "test-track" / "assets" / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"1" * 32)

    breaker.arm(content_sync, "_sync_assets")
    before = stored_state()
    failed = sync(failing_app, changed)
    assert failed.exit_code == 1 and isinstance(failed.exception, Fault)
    assert breaker.wrote_before_fault("module") and breaker.wrote_before_fault("quiz")
    assert stored_state() == before

    breaker.disarm()
    retried = sync(failing_app, changed)
    assert retried.exit_code == 0, retried.output
    assert retried.output.count("1 updated") == 4  # track, module, quiz, asset
    assert "nothing written" in sync(failing_app, changed).output
    assert count(QuizVersion) == 2 and count(Module) == 2
    assert db.session.scalar(select(Module.body_markdown).where(
        Module.slug == "discovery")).endswith("Ask about timing too.\n")
