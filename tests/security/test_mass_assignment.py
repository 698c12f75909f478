"""Mass assignment: forms and JSON bodies carrying fields of the stored row (role, score,
ids, password hash…) change only what the form or body is for. Forms ignore fields they do
not have; API bodies refuse them with a 422 problem naming each one, and store nothing."""
import datetime as dt
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from cev_learn.accounts.api_tokens import ApiToken, Scope
from cev_learn.accounts.models import Role, User
from cev_learn.accounts.passwords import verify_password
from cev_learn.cohorts.models import (Assignment, AssignmentKind, CoachingNote, Cohort,
                                      Membership, Signoff)
from cev_learn.content.models import Module
from cev_learn.content.questions import QuestionType
from cev_learn.platform.db import db, utcnow
from cev_learn.quizzes import services
from cev_learn.quizzes.models import Attempt, AttemptAnswer, AttemptState
from cev_learn.ramp.models import Achievement
from tests.api.helpers import token_for
from tests.helpers import FAST_HASH, PASSWORD, csrf_token, login, make_user
from tests.factories import make_cohort
from tests.security.module_data import module_data, snapshot

TODAY = dt.date.today()
DAYS_FROM_TODAY = ('YESTERDAY',)  # moved with TODAY (conftest)
YESTERDAY = (TODAY - dt.timedelta(days=1)).isoformat()
NEW_PASSWORD = "a brand new passphrase"
# What a user row must keep whatever a form sends (names of columns and of fields alike).
FORGED_USER = {"is_admin": "y", "active": "", "password_hash": "forged",
               "session_generation": "99", "created_at": "2000-01-01T00:00:00",
               "last_login_at": "2000-01-01T00:00:00"}


@pytest.fixture(scope="module")
def world(database_url, tmp_path_factory):
    with module_data(database_url, tmp_path_factory.mktemp("mass-assignment")) as app:
        users = {key: make_user(role, email=f"{key}@example.com")
                 for key, role in (("ada", Role.ADMIN), ("kim", Role.COACH),
                                   ("mae", Role.MANAGER), ("ana", Role.REP), ("ola", Role.REP))}
        north = make_cohort(name="North", coaches=[users["kim"]], reps=[users["ana"]])
        south = make_cohort(name="South", reps=[users["ola"]])
        yield SimpleNamespace(app=app, north=north, south=south, **users)


def web(world, user):
    """A signed-in client and its CSRF token."""
    client = world.app.test_client()
    assert login(client, user.email).status_code == 302
    return client, csrf_token(client, "/")


def row(obj) -> dict:
    """Every column of the object as stored now."""
    db.session.rollback()
    stored = db.session.get(type(obj), obj.id)
    return {c.key: getattr(stored, c.key) for c in type(obj).__table__.columns}


def changed(before: dict, after: dict) -> set[str]:
    return {key for key in before if before[key] != after[key]}


# --- The signed-in user's own account ----------------------------------------------------------

def test_changing_ones_password_changes_nothing_else_of_the_account(world):
    pat = make_user(Role.REP, name="Pat Rep", territory="EMEA")
    client, token = web(world, pat)
    before = row(pat)
    response = client.post("/account/password", data={
        "csrf_token": token, "current_password": PASSWORD, "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD, **FORGED_USER, "role": "admin", "id": str(world.ada.id),
        "email": "x@example.com",
        "name": "Forged", "territory": "DACH", "start_on": "2000-01-01"})
    assert response.status_code == 302
    after = row(pat)
    assert changed(before, after) == {"password_hash", "session_generation"}
    assert after["session_generation"] == before["session_generation"] + 1
    assert verify_password(after["password_hash"], NEW_PASSWORD, FAST_HASH)


# --- Quizzes: the score comes from grading only ------------------------------------------------

FORGED_ATTEMPT = {"score": "1", "max_score": "1", "passed": "y", "state": "graded",
                  "attempt_no": "7", "submitted_at": "2000-01-01T00:00:00", "layout": "[]",
                  "graded_at": "2000-01-01T00:00:00", "deadline_at": "2099-01-01T00:00:00",
                  "flagged": "[]"}


def answers(attempt: Attempt) -> tuple[dict, str]:
    """A form answering the single-choice and true/false questions right and the essay
    (waiting for a coach), the rest blank; and the essay's key."""
    questions = services.version_questions(attempt.version)
    form, essay = {}, None
    for entry in attempt.layout:
        key, question = entry["key"], questions[entry["key"]]
        if question.type is QuestionType.SINGLE:
            right = next(i for i, c in enumerate(question.choices) if c.weight == 1)
            form[f"q-{key}"] = f"{key}.{entry['order'].index(right)}"
            form[f"q-{key}-points"] = "100"  # a q- name of this attempt, but no field of it
        elif question.type is QuestionType.TRUE_FALSE:
            form[f"q-{key}"] = "false"
        elif question.type is QuestionType.ESSAY:
            form[f"q-{key}"], essay = "We cut ramp time in half.", key
    return form, essay


def test_a_quiz_score_comes_from_grading_not_from_the_form(world):
    rep = make_user(Role.REP)
    make_cohort(coaches=[world.kim], reps=[rep])
    client, token = web(world, rep)
    started = client.post("/tracks/test-track/quizzes/check/start", data={"csrf_token": token})
    attempt = db.session.get(Attempt, int(started.headers["Location"].rsplit("/", 1)[1]))
    form, essay = answers(attempt)
    forged = {"csrf_token": token, **form, **FORGED_ATTEMPT, "user_id": str(world.ana.id),
              "quiz_id": "0", "version_id": "0", f"q-{essay}-fraction": "1"}
    before = row(attempt)
    assert client.post(f"/attempts/{attempt.id}/save", data=forged).status_code == 302
    assert row(attempt) == before
    stored = db.session.scalars(select(AttemptAnswer).where(
        AttemptAnswer.attempt_id == attempt.id)).all()
    assert {a.question_key for a in stored} == {e["key"] for e in attempt.layout}
    assert all(a.fraction is None for a in stored)

    confirmed = {**forged, "confirm": "yes"}
    assert client.post(f"/attempts/{attempt.id}/submit", data=confirmed).status_code == 302
    after = row(attempt)
    assert changed(before, after) == {"state", "score", "submitted_at"}
    # two of six questions right, the essay waiting for a coach
    assert (after["state"], after["score"], after["passed"]) == (
        AttemptState.NEEDS_GRADING, pytest.approx(2 / 6), None)

    coach, coach_token = web(world, world.kim)
    graded = coach.post(f"/quizzes/attempts/{attempt.id}/grade/{essay}", data={
        "csrf_token": coach_token, "points": "1", "comment": "Good.", "fraction": "0",
        "score": "1", "passed": "y", "graded_by_id": str(world.ada.id), "state": "graded"})
    assert graded.status_code == 302
    answer = db.session.scalar(select(AttemptAnswer).where(
        AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.question_key == essay))
    assert (answer.fraction, answer.comment, answer.graded_by_id) == (1.0, "Good.", world.kim.id)
    final = row(attempt)
    # 3 of 6 is below the pass mark of 0.6, whatever the form said
    assert (final["state"], final["score"], final["passed"]) == (
        AttemptState.GRADED, pytest.approx(0.5), False)


# --- Admin forms -------------------------------------------------------------------------------

def test_user_admin_forms_set_only_their_own_fields(world):
    client, token = web(world, world.ada)
    ana_before = row(world.ana)
    created = client.post("/admin/users/new", data={
        "csrf_token": token, "email": "new@example.com", "name": "New Rep", "role": "rep",
        "password": NEW_PASSWORD, "confirm": NEW_PASSWORD, **FORGED_USER,
        "id": str(world.ana.id)})
    assert created.status_code == 302
    new = db.session.scalar(select(User).where(User.email == "new@example.com"))
    assert new.id != world.ana.id and row(world.ana) == ana_before
    assert (new.role, new.active, new.session_generation, new.last_login_at) == (
        Role.REP, True, 0, None)
    assert verify_password(new.password_hash, NEW_PASSWORD, FAST_HASH)
    assert new.created_at > utcnow() - dt.timedelta(minutes=5)

    before = row(new)
    edited = client.post(f"/admin/users/{new.id}", data={
        "csrf_token": token, "email": "new@example.com", "name": "Renamed Rep", "role": "rep",
        **FORGED_USER, "id": str(world.ana.id)})
    assert edited.status_code == 302
    assert changed(before, row(new)) == {"name"} and row(world.ana) == ana_before

    ada_before = row(world.ada)
    own = client.post(f"/admin/users/{world.ada.id}", data={
        "csrf_token": token, "email": world.ada.email, "name": world.ada.name, "role": "rep"})
    assert own.status_code == 400
    assert row(world.ada) == ada_before


def test_a_token_gets_the_scope_and_user_the_form_names(world):
    client, token = web(world, world.ada)
    response = client.post("/admin/tokens", data={
        "csrf_token": token, "email": world.kim.email, "name": "CRM sync",
        "scope": "write", "user_id": str(world.ada.id), "created_by_id": str(world.kim.id),
        "revoked_at": "2099-01-01T00:00:00", "digest": "0" * 64, "prefix": "cev_forged"})
    assert response.status_code == 200
    stored = db.session.scalar(select(ApiToken).where(ApiToken.name == "CRM sync"))
    assert (stored.user_id, stored.scope, stored.created_by_id, stored.revoked_at) == (
        world.kim.id, Scope.READ, world.ada.id, None)
    assert stored.digest != "0" * 64 and stored.prefix != "cev_forged"


# --- Cohort forms ------------------------------------------------------------------------------

def test_cohort_forms_set_only_their_own_fields(world):
    client, token = web(world, world.mae)
    north_before, rep = row(world.north), make_user(Role.REP)
    forged = {"id": str(world.north.id), "created_at": "2000-01-01T00:00:00", "track_id": "0",
              "coach_id": str(world.kim.id), "user_id": str(world.ana.id)}
    created = client.post("/cohorts/new", data={
        "csrf_token": token, "name": "Spring", "track": "test-track", "start_on": "2026-03-02",
        **forged})
    assert created.status_code == 302
    spring = db.session.scalar(select(Cohort).where(Cohort.name == "Spring"))
    assert spring.id != world.north.id and row(world.north) == north_before
    assert spring.coach_links == [] and spring.created_at > utcnow() - dt.timedelta(minutes=5)

    before = row(spring)
    edited = client.post(f"/cohorts/{spring.id}", data={
        "csrf_token": token, "name": "Spring AEs", "track": "test-track",
        "start_on": "2026-03-02", **forged})
    assert edited.status_code == 302
    assert changed(before, row(spring)) == {"name"} and row(world.north) == north_before

    memberships = {m.id: row(m) for m in db.session.scalars(select(Membership))}
    added = client.post(f"/cohorts/{spring.id}/members", data={
        "csrf_token": token, "rep": rep.email, "cohort_id": str(world.north.id),
        "user_id": str(world.ana.id), "moved_out_at": "2000-01-01T00:00:00",
        "joined_at": "2000-01-01T00:00:00"})
    assert added.status_code == 302
    assert {m.id: row(m) for m in db.session.scalars(
        select(Membership).where(Membership.id.in_(memberships)))} == memberships
    new = db.session.scalar(select(Membership).where(Membership.user_id == rep.id))
    assert (new.cohort_id, new.moved_out_at) == (spring.id, None)
    assert new.joined_at > utcnow() - dt.timedelta(minutes=5)


# --- What coaches record about a rep -----------------------------------------------------------

def test_coaching_forms_record_for_the_rep_and_coach_of_the_request(world):
    rep = make_user(Role.REP)
    make_cohort(coaches=[world.kim], reps=[rep], start_on=TODAY - dt.timedelta(days=30))
    client, token = web(world, world.kim)
    module = db.session.scalar(select(Module.id).where(Module.slug == "intro"))
    elsewhere = {"user_id": str(world.ola.id), "author_id": str(world.ada.id),
                 "coach_id": str(world.ada.id), "assigned_by_id": str(world.ada.id),
                 "recorded_by_id": str(world.ada.id), "created_at": "2000-01-01T00:00:00",
                 "id": "1"}
    posts = {
        "notes": {"body": "Strong discovery.", "shared": "y"},
        "assignments": {"item": f"module:{module}", "due_on": "2099-01-01", "kind": "quiz",
                        "quiz_id": "1", "module_id": "0"},
        "signoffs/pitch": {"score_0": "1", "score_1": "1", "score_2": "1", "score": "1.0",
                           "passed": "y", "signed_on": "2000-01-01", "scores": "[5, 5, 5]"},
        "milestones/first-meeting": {"achieved_on": YESTERDAY, "source": "import",
                                     "milestone_id": "0", "updated_at": "2000-01-01"},
    }
    for path, data in posts.items():
        response = client.post(f"/reps/{rep.id}/{path}",
                               data={"csrf_token": token, **data, **elsewhere})
        assert response.status_code == 302, path
    note = db.session.scalar(select(CoachingNote).where(CoachingNote.user_id == rep.id))
    assert (note.author_id, note.shared) == (world.kim.id, True)
    assignment = db.session.scalar(select(Assignment).where(Assignment.user_id == rep.id))
    assert (assignment.kind, assignment.module_id, assignment.quiz_id,
            assignment.assigned_by_id) == (AssignmentKind.MODULE, module, None, world.kim.id)
    signoff = db.session.scalar(select(Signoff).where(Signoff.user_id == rep.id))
    assert (signoff.coach_id, signoff.scores, signoff.score, signoff.passed,
            signoff.signed_on) == (world.kim.id, [1, 1, 1], 0.0, False, TODAY)
    achievement = db.session.scalar(select(Achievement).where(Achievement.user_id == rep.id))
    assert (achievement.source, achievement.recorded_by_id, str(achievement.achieved_on)) == (
        "coach", world.kim.id, YESTERDAY)
    for model in (CoachingNote, Assignment, Signoff, Achievement):
        assert db.session.scalar(select(model).where(model.user_id == world.ola.id)) is None


# --- API bodies: unknown fields are refused, by name -------------------------------------------

FORGED_ROW = {"id": 1, "user_id": 1, "source": "import", "created_at": "2000-01-01T00:00:00Z"}
API_WRITES = {
    "user": ("PUT", "/api/v1/users", "ada", lambda w: {
        "email": "api-rep@example.com", "name": "Api Rep", "role": "rep", "cohort": "North"},
        {"active": False, "is_admin": True, "password_hash": "forged", "session_generation": 9}),
    "achievement": ("PUT", "/api/v1/reps/{ana}/achievements/first-meeting", "kim",
                    lambda w: {"achieved_on": YESTERDAY},
                    {"recorded_by": "ada@example.com", "milestone_id": 1, "updated_at": "x"}),
    "activities": ("POST", "/api/v1/activities", "mae", lambda w: {"records": [{
        "external_id": "crm-1", "rep_email": "ana@example.com", "occurred_on": YESTERDAY,
        "type": "meeting"}]}, {"amount_paid": 5}),
    "quotas": ("POST", "/api/v1/quotas", "mae", lambda w: {"quotas": [{
        "rep_email": "ana@example.com", "month": "2026-01", "amount": 1000}]}, {"quota": 0}),
}


def forge(body: dict, extra: dict) -> tuple[dict, list[str]]:
    """The body with forged fields in each item it holds (and on itself), and their pointers."""
    fields = {**FORGED_ROW, **extra}
    items = next((k for k, v in body.items() if isinstance(v, list)), None)
    if items is None:
        return {**body, **fields}, [f"/{name}" for name in fields]
    forged = {**body, items: [{**item, **fields} for item in body[items]], "user_id": 1}
    return forged, ["/user_id", *(f"/{items}/0/{name}" for name in fields)]


@pytest.mark.parametrize("name", API_WRITES)
def test_api_bodies_refuse_fields_they_do_not_have_and_store_nothing(world, name):
    method, path, who, body, extra = API_WRITES[name]
    path = path.format(ana=world.ana.id)
    headers = {"Authorization": f"Bearer {token_for(getattr(world, who), Scope.WRITE)}"}
    client, legit = world.app.test_client(), body(world)
    forged, pointers = forge(legit, extra)
    before = snapshot()
    response = client.open(path, method=method, json=forged, headers=headers)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert {e["pointer"]: e["detail"] for e in response.json["errors"]} == {
        pointer: "Extra inputs are not permitted" for pointer in pointers}
    assert snapshot() == before
    # the same body without them is stored: the forged fields alone were refused
    assert client.open(path, method=method, json=legit, headers=headers).status_code in (200, 201)
    assert snapshot() != before
