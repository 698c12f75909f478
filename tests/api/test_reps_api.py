"""GET /api/v1/reps/<id>/progress and /attempts: the facts of the rep's page, for the staff
who may see that page, and never a question or an answer."""
import datetime as dt

import pytest
from sqlalchemy import select

from cev_learn.accounts.models import Role
from cev_learn.cohorts.models import Assignment, AssignmentKind
from cev_learn.content.models import Module, ModuleProgress, Quiz
from cev_learn.platform.db import db, utcnow
from cev_learn.quizzes import services
from cev_learn.quizzes.models import AttemptState
from cev_learn.ramp.facts import refresh_reps
from cev_learn.ramp.models import ActivityRecord
from tests.helpers import make_user
from tests.factories import make_cohort

TODAY = dt.date.today()
DAYS_FROM_TODAY = ('START',)  # moved with TODAY (conftest)
START = TODAY - dt.timedelta(days=3)
STARTED_AT = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
SUBMITTED_AT = dt.datetime(2026, 1, 5, 9, 12, tzinfo=dt.UTC)


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def at_noon(date: dt.date) -> dt.datetime:
    return dt.datetime.combine(date, dt.time(12), dt.UTC)


def attempt_quiz(rep, *, score: float, passed: bool):
    """A submitted attempt at the test quiz with a known result."""
    quiz = db.session.scalar(select(Quiz))
    grace = dt.timedelta(seconds=30)
    attempt = services.start_attempt(rep, quiz, utcnow(), grace)
    services.submit_attempt(attempt.id, None, utcnow(), grace)
    attempt.state, attempt.score, attempt.passed = AttemptState.GRADED, score, passed
    attempt.started_at, attempt.submitted_at = STARTED_AT, SUBMITTED_AT
    db.session.commit()
    return attempt


@pytest.fixture
def team(api_track):
    """Ana (Spring, EMEA, coached by Kim) started three days ago; Cy is in Autumn (DACH)."""
    kim = make_user(Role.COACH, email="kim@example.com")
    lou = make_user(Role.COACH, email="lou@example.com")
    ana = make_user(Role.REP, email="ana@example.com", name="Ana Rep")
    cy = make_user(Role.REP, email="cy@example.com", name="Cy Rep")
    spring = make_cohort(name="Spring", reps=[ana], coaches=[kim], start_on=START,
                         territory="EMEA")
    make_cohort(name="Autumn", reps=[cy], coaches=[lou], start_on=START, territory="DACH")
    return {"kim": kim, "lou": lou, "ana": ana, "cy": cy, "spring": spring}


@pytest.fixture
def progress(team):
    """Ana read the intro, holds a coach's two assignments, tried the quiz twice (the second
    attempt still open), held a meeting and made four calls yesterday."""
    ana, kim = team["ana"], team["kim"]
    modules = {m.slug: m for m in db.session.scalars(select(Module))}
    quiz = db.session.scalar(select(Quiz))
    db.session.add(ModuleProgress(user_id=ana.id, module_id=modules["intro"].id,
                                  opened_at=at_noon(TODAY - dt.timedelta(days=2)),
                                  completed_at=at_noon(TODAY - dt.timedelta(days=1))))
    db.session.add_all([
        Assignment(user_id=ana.id, kind=AssignmentKind.MODULE, module_id=modules["discovery"].id,
                   due_on=TODAY - dt.timedelta(days=1), assigned_by_id=kim.id),
        Assignment(user_id=ana.id, kind=AssignmentKind.QUIZ, quiz_id=quiz.id,
                   due_on=TODAY + dt.timedelta(days=10), assigned_by_id=kim.id)])
    for external_id, kind, quantity in (("m-1", "meeting", 1), ("c-1", "call", 4)):
        db.session.add(ActivityRecord(external_id=external_id, user_id=ana.id, type=kind,
                                      occurred_on=TODAY - dt.timedelta(days=1),
                                      quantity=quantity))
    db.session.commit()
    first = attempt_quiz(ana, score=0.5, passed=False)
    services.start_attempt(ana, quiz, utcnow(), dt.timedelta(seconds=30))  # left open
    refresh_reps([ana.id], TODAY)
    db.session.commit()
    return first


def assert_problem(response, status: int):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"


# --- Progress -----------------------------------------------------------------------------

def test_progress_has_the_items_quizzes_milestones_and_pace_of_the_rep_page(team, progress,
                                                                             api):
    ana, spring = team["ana"], team["spring"]
    response = api(team["kim"]).get(f"/api/v1/reps/{ana.id}/progress")
    assert response.status_code == 200, response.json
    assert response.json == {
        "rep": {"id": ana.id, "email": "ana@example.com", "name": "Ana Rep"},
        "cohort": {"id": spring.id, "name": "Spring"},
        "track": "test-track", "start_on": START.isoformat(), "end_on": None,
        "tenure_day": 3, "standing": "behind",
        "items": [
            {"kind": "module", "source": "track", "title": "Introduction",
             "due_on": day(-2), "done_on": day(-1), "status": "done"},
            {"kind": "module", "source": "track", "title": "Discovery",
             "due_on": day(2), "done_on": None, "status": "due"},
            {"kind": "quiz", "source": "track", "title": "Check yourself",
             "due_on": day(4), "done_on": None, "status": "due"},
            {"kind": "module", "source": "assignment", "title": "Discovery",
             "due_on": day(-1), "done_on": None, "status": "overdue"},
            {"kind": "quiz", "source": "assignment", "title": "Check yourself",
             "due_on": day(10), "done_on": None, "status": "upcoming"},
        ],
        "quizzes": [{"slug": "check", "title": "Check yourself", "best_score": 0.5,
                     "passed": False, "attempts_used": 2, "max_attempts": 3}],
        "milestones": [{"slug": "first-meeting", "title": "First meeting", "due_on": day(18),
                        "achieved_on": day(-1), "status": "complete", "progress": 1.0,
                        "source": "auto"}],
        "week": {"tenure_week": 1, "pace": [
            {"activity": "call", "actual": 4, "target": 10.0, "pace": 0.4}]},
    }


def test_a_passed_quiz_counts_as_done(team, api):
    attempt_quiz(team["ana"], score=0.9, passed=True)
    body = api(team["kim"]).get(f"/api/v1/reps/{team['ana'].id}/progress").json
    assert body["quizzes"] == [{"slug": "check", "title": "Check yourself", "best_score": 0.9,
                                "passed": True, "attempts_used": 1, "max_attempts": 3}]
    quiz_item = next(i for i in body["items"] if i["kind"] == "quiz")
    assert (quiz_item["done_on"], quiz_item["status"]) == (SUBMITTED_AT.date().isoformat(),
                                                           "done")
    assert body["milestones"][0] == {"slug": "first-meeting", "title": "First meeting",
                                     "due_on": day(18), "achieved_on": None, "status": None,
                                     "progress": None, "source": None}


def test_a_rep_in_no_cohort_has_only_their_name(team, api):
    loner = make_user(Role.REP, email="loner@example.com", name="Lone Rep")
    response = api(make_user(Role.ADMIN)).get(f"/api/v1/reps/{loner.id}/progress")
    assert response.status_code == 200
    assert response.json == {
        "rep": {"id": loner.id, "email": "loner@example.com", "name": "Lone Rep"},
        "cohort": None, "track": None, "start_on": None, "end_on": None, "tenure_day": None,
        "standing": None, "items": [], "quizzes": [], "milestones": [], "week": None}


@pytest.mark.parametrize("path", ["progress", "attempts"])
def test_who_may_read_a_rep(team, api, path):
    ana = team["ana"]
    url = f"/api/v1/reps/{ana.id}/{path}"
    for viewer in (team["kim"], make_user(Role.MANAGER, territory="EMEA"),
                   make_user(Role.MANAGER), make_user(Role.ADMIN)):
        assert api(viewer).get(url).status_code == 200
    # the same 404 as the rep's page for staff who may not see the rep
    for viewer in (team["lou"], make_user(Role.MANAGER, territory="DACH")):
        response = api(viewer).get(url)
        assert_problem(response, 404)
        assert response.json["detail"] == f"no rep {ana.id} that this token may see"
    assert_problem(api(ana).get(url), 403)  # reps use their pages, not the API
    assert_problem(api().get(url), 401)


@pytest.mark.parametrize("path", ["progress", "attempts"])
def test_only_reps_are_found(team, api, path):
    admin = api(make_user(Role.ADMIN))
    assert_problem(admin.get(f"/api/v1/reps/{team['kim'].id}/{path}"), 404)
    assert_problem(admin.get(f"/api/v1/reps/999999/{path}"), 404)


# --- Attempts -----------------------------------------------------------------------------

def test_attempts_list_submitted_results_only(team, progress, api):
    response = api(team["kim"]).get(f"/api/v1/reps/{team['ana'].id}/attempts")
    assert response.status_code == 200
    assert response.json == {"items": [
        {"quiz": "check", "quiz_title": "Check yourself", "attempt_no": 1, "state": "graded",
         "started_at": "2026-01-05T09:00:00Z", "submitted_at": "2026-01-05T09:12:00Z",
         "score": 0.5, "passed": False}]}
    assert "CANARY" not in response.get_data(as_text=True)


def test_attempts_waiting_for_grading_are_listed_without_answers(team, api):
    ana = team["ana"]
    quiz = db.session.scalar(select(Quiz))
    grace = dt.timedelta(seconds=30)
    attempt = services.start_attempt(ana, quiz, utcnow(), grace)
    services.submit_attempt(attempt.id, None, utcnow(), grace)
    attempt.state, attempt.score, attempt.passed = AttemptState.NEEDS_GRADING, None, None
    db.session.commit()
    response = api(team["kim"]).get(f"/api/v1/reps/{ana.id}/attempts")
    [item] = response.json["items"]
    assert (item["state"], item["attempt_no"], item["score"], item["passed"]) == (
        "needs_grading", 1, None, None)
    assert set(item) == {"quiz", "quiz_title", "attempt_no", "state", "started_at",
                         "submitted_at", "score", "passed"}
    assert "CANARY" not in response.get_data(as_text=True)
