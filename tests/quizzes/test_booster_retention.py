"""Retention for coaches and item authors: per module and per question, first-try correctness
in the quiz against booster correctness by box, over the coach's own reps, as of a day."""
import datetime as dt

import pytest
from sqlalchemy import select

from cev_learn.accounts.models import Role
from cev_learn.content.models import Quiz, QuizVersion
from cev_learn.platform.db import db
from cev_learn.quizzes.models import Attempt, AttemptAnswer, AttemptState
from tests.factories import make_cohort
from tests.helpers import make_user, post_form
from tests.quizzes.boosting import answer_form, completed

TODAY = dt.date.today()
NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def quiz(make_quiz):
    return make_quiz(covers="[intro]")


def first_try(rep, quiz: Quiz, fractions: dict[str, float]) -> None:
    """A graded first attempt at the quiz with these scores per question."""
    version = db.session.scalar(select(QuizVersion).where(QuizVersion.quiz_id == quiz.id))
    attempt = Attempt(user_id=rep.id, quiz_id=quiz.id, version_id=version.id, attempt_no=1,
                      state=AttemptState.GRADED, started_at=NOW - dt.timedelta(days=4),
                      submitted_at=NOW - dt.timedelta(days=4), score=0.5, passed=False,
                      graded_at=NOW - dt.timedelta(days=4), layout=[])
    db.session.add(attempt)
    db.session.flush()
    db.session.add_all(AttemptAnswer(attempt_id=attempt.id, question_key=key, response={},
                                     saved_at=NOW, fraction=fraction)
                       for key, fraction in fractions.items())
    db.session.commit()


def test_a_coach_sees_first_try_against_boosters_for_their_own_reps(quiz, signed_in):
    coach, other_coach = make_user(Role.COACH), make_user(Role.COACH)
    rep = make_user(Role.REP)
    make_cohort(reps=[rep], coaches=[coach])
    make_cohort(coaches=[other_coach])
    one, two, three = completed(rep)
    first_try(rep, quiz, {one.question_key: 1.0, two.question_key: 1.0, three.question_key: 0.0})
    client = signed_in(rep)
    for booster, right in ((one, True), (two, False), (three, True)):
        post_form(client, f"/boosters/{booster.id}", {"seq": "0", **answer_form(booster, right)},
                  token_from="/boosters")
    page = signed_in(coach).get("/quizzes/retention").get_data(as_text=True)
    assert "Introduction" in page and "By question" in page
    # first try 2 of 3 right (67%), box 1: 2 of 3 right (67%)
    assert page.count("67% <span class=\"muted small\">of 3</span>") >= 2
    assert "Who signs" in page or "Demo first" in page or "Framework" in page
    theirs = signed_in(other_coach).get("/quizzes/retention").get_data(as_text=True)
    assert "No boosters yet" in theirs and "Introduction" not in theirs


def test_as_of_leaves_out_what_came_later_and_a_bad_date_is_named(quiz, signed_in):
    coach, rep = make_user(Role.COACH), make_user(Role.REP)
    make_cohort(reps=[rep], coaches=[coach])
    completed(rep, days_ago=3)
    client = signed_in(coach)
    before = (TODAY - dt.timedelta(days=5)).isoformat()
    assert "No boosters yet" in client.get(f"/quizzes/retention?as_of={before}").get_data(
        as_text=True)
    bad = client.get("/quizzes/retention?as_of=yesterday")
    assert bad.status_code == 400 and "as_of &#39;yesterday&#39; is not a date" in bad.get_data(
        as_text=True)


def test_reps_do_not_see_retention_and_coaches_reach_it_from_quiz_results(quiz, signed_in):
    rep = make_user(Role.REP)
    assert signed_in(rep).get("/quizzes/retention").status_code == 403
    coach = signed_in(Role.COACH)
    assert 'href="/quizzes/retention"' in coach.get("/quizzes").get_data(as_text=True)
    assert 'href="/quizzes/retention"' in coach.get(f"/quizzes/{quiz.id}/analysis").get_data(
        as_text=True)


def test_booster_pages_cost_the_same_at_3_and_40_reps(quiz, page_statements, signed_in):
    """The rep's pages read their own boosters; retention aggregates in a fixed number of
    statements, however many reps, boosters and answers."""

    def measure(n):
        coach = make_user(Role.COACH)
        reps = [make_user(Role.REP) for _ in range(n)]
        make_cohort(reps=reps, coaches=[coach])
        firsts = []
        for rep in reps:
            firsts.append(completed(rep)[0])
            post_form(signed_in(rep), f"/boosters/{firsts[-1].id}",
                      {"seq": "0", **answer_form(firsts[-1], right=True)}, token_from="/boosters")
        client = signed_in(reps[0])
        return [page_statements(client, "/week"), page_statements(client, "/boosters"),
                page_statements(client, f"/boosters/{firsts[0].id}/answers/0"),
                page_statements(signed_in(coach), "/quizzes/retention")]

    small, large = measure(3), measure(40)
    assert small == large
    assert max(large) <= 12, large


def test_retention_is_rebuilt_after_a_booster_answer(quiz, signed_in):
    coach, rep = make_user(Role.COACH), make_user(Role.REP)
    make_cohort(reps=[rep], coaches=[coach])
    booster = completed(rep)[0]
    client = signed_in(coach)
    assert "100% <span" not in client.get("/quizzes/retention").get_data(as_text=True)
    post_form(signed_in(rep), f"/boosters/{booster.id}",
              {"seq": "0", **answer_form(booster, right=True)}, token_from="/boosters")
    assert "100% <span class=\"muted small\">of 1</span>" in client.get(
        "/quizzes/retention").get_data(as_text=True)
