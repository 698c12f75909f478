"""Boosters: completing a module the quiz covers schedules a few of its questions; the rep
answers them one at a time on the booster page and sees at once how they did; each answer
moves the question between Leitner boxes, once however often the form is sent; nobody answers
or sees anyone else's."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from cev_learn.accounts.models import Role
from cev_learn.platform.db import db
from cev_learn.quizzes.booster_queries import booster_correctness, due_boosters
from cev_learn.quizzes.leitner import QUESTIONS_PER_MODULE
from cev_learn.quizzes.models import BoosterAnswer
from tests.factories import make_cohort
from tests.helpers import make_user, post_form
from cev_learn.quizzes.boosters import asked
from tests.quizzes.boosting import answer_form, boosters_of, completed

TODAY = dt.date.today()


@pytest.fixture
def covered(make_quiz):
    """The quiz `check`, covering the module intro (not discovery)."""
    return make_quiz(covers="[intro]")


@pytest.fixture
def rep(covered):
    rep = make_user(Role.REP, name="Rae Rep")
    make_cohort(reps=[rep])
    return rep


def post_answer(client, booster, fields: dict, seq=None):
    return post_form(client, f"/boosters/{booster.id}",
                     {"seq": str(booster.answer_count if seq is None else seq), **fields},
                     token_from="/boosters")


def test_completing_a_covered_module_schedules_a_few_askable_questions_in_box_one(rep):
    boosters = completed(rep, days_ago=0)
    assert len(boosters) == QUESTIONS_PER_MODULE
    assert {(b.box, b.due_on, b.answer_count, b.retired_at) for b in boosters} == {
        (1, TODAY + dt.timedelta(days=2), 0, None)}
    kinds = {b.question_key: asked(b).question.type.value for b in boosters}
    assert "essay" not in kinds.values()
    completed(rep, days_ago=0)  # again: nothing new
    assert len(boosters_of(rep)) == QUESTIONS_PER_MODULE


def test_a_module_no_quiz_covers_schedules_nothing(rep):
    assert completed(rep, "discovery") == []


def test_the_page_asks_the_oldest_due_question_without_its_answers(rep, signed_in):
    completed(rep)
    page = signed_in(rep).get("/boosters").get_data(as_text=True)
    assert "3 questions due" in page and "Check my answer" in page
    assert "CANARY" not in page  # neither right answers nor feedback before submitting


def test_a_right_answer_moves_it_up_a_box_and_says_so_at_once(rep, signed_in):
    booster = completed(rep)[0]
    client = signed_in(rep)
    response = post_answer(client, booster, answer_form(booster, right=True))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Right" in page and "from box 2 of 4" in page and "Next booster (2 due)" in page
    booster = boosters_of(rep)[0]
    assert (booster.box, booster.due_on, booster.answer_count) == (
        2, TODAY + dt.timedelta(days=7), 1)


def test_a_wrong_answer_sends_it_back_to_box_one_with_the_feedback(rep, signed_in):
    booster = completed(rep)[0]
    client = signed_in(rep)
    response = post_answer(client, booster, answer_form(booster, right=False))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not quite" in page and "to try again" in page
    booster = boosters_of(rep)[0]
    assert (booster.box, booster.due_on) == (1, TODAY + dt.timedelta(days=2))


def test_the_same_form_sent_twice_counts_once(rep, signed_in):
    booster = completed(rep)[0]
    client = signed_in(rep)
    fields = answer_form(booster, right=True)
    first = post_answer(client, booster, fields, seq=0)
    second = post_answer(client, booster, answer_form(booster, right=False), seq=0)
    assert first.headers["Location"] == second.headers["Location"]
    assert "already answered" in client.get(second.headers["Location"]).get_data(as_text=True)
    answers = db.session.scalars(select(BoosterAnswer)).all()
    assert [(a.seq, a.correct) for a in answers] == [(0, True)]
    assert boosters_of(rep)[0].box == 2


def test_a_blank_or_foreign_answer_is_refused_with_a_message_and_changes_nothing(rep, signed_in):
    booster = completed(rep)[0]
    client = signed_in(rep)
    blank = post_answer(client, booster, {})
    assert blank.status_code == 302 and blank.headers["Location"] == "/boosters"
    assert "answer the question before checking it" in client.get("/boosters").get_data(
        as_text=True)
    odd = post_answer(client, booster, {"q-0123456789abcdef": "x"})
    assert odd.status_code == 302
    assert "not a question of this attempt" in client.get("/boosters").get_data(as_text=True)
    no_seq = post_form(client, f"/boosters/{booster.id}", {}, token_from="/boosters")
    assert no_seq.status_code == 400 and "seq" in no_seq.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(BoosterAnswer)) == 0
    assert boosters_of(rep)[0].answer_count == 0


def test_a_booster_not_due_yet_is_not_answered(rep, signed_in):
    booster = completed(rep, days_ago=0)[0]
    client = signed_in(rep)
    post_answer(client, booster, answer_form(booster, right=True))
    assert "not due yet" in client.get("/boosters").get_data(as_text=True)
    assert boosters_of(rep)[0].answer_count == 0


def test_someone_elses_booster_answers_as_one_that_does_not_exist(rep, signed_in):
    other = make_user(Role.REP)
    make_cohort(reps=[other])
    theirs = completed(other)[0]
    client = signed_in(rep)
    completed(rep)
    missing = 10_000_000
    for booster_id in (theirs.id, missing):
        response = post_form(client, f"/boosters/{booster_id}", {"seq": "0"},
                             token_from="/boosters")
        assert response.status_code == 404
        assert client.get(f"/boosters/{booster_id}/answers/0").status_code == 404
    assert boosters_of(other)[0].answer_count == 0


def test_only_reps_answer_boosters(rep, signed_in):
    coach = make_user(Role.COACH)
    assert signed_in(coach).get("/boosters").status_code == 403


def test_this_week_lists_boosters_due_until_they_are_answered(rep, signed_in):
    boosters = completed(rep)
    client = signed_in(rep)
    week = client.get("/week").get_data(as_text=True)
    assert "Boosters due" in week and "3 short questions" in week
    for booster in boosters:
        post_answer(client, booster, answer_form(booster, right=True))
    week = client.get("/week").get_data(as_text=True)
    assert "Boosters due" not in week
    assert "No boosters due" in client.get("/boosters").get_data(as_text=True)


def test_booster_correctness_per_question_counts_answers_by_the_day(rep, signed_in):
    first, second, _ = completed(rep)
    client = signed_in(rep)
    post_answer(client, first, answer_form(first, right=True))
    post_answer(client, second, answer_form(second, right=False))
    mastery = {m.question_key: m for m in booster_correctness([rep.id], TODAY)}
    assert (mastery[first.question_key].answered, mastery[first.question_key].right,
            mastery[first.question_key].highest_box_right) == (1, 1, 1)
    assert (mastery[second.question_key].share_right,
            mastery[second.question_key].highest_box_right) == (0.0, 0)
    assert booster_correctness([rep.id], TODAY - dt.timedelta(days=1)) == []
    assert len(due_boosters(rep.id, TODAY)) == 1


def test_an_answer_without_the_forms_token_is_refused(rep, signed_in):
    booster = completed(rep)[0]
    client = signed_in(rep)
    response = client.post(f"/boosters/{booster.id}",
                           data={"seq": "0", **answer_form(booster, right=True)})
    assert response.status_code == 400
    assert boosters_of(rep)[0].answer_count == 0
