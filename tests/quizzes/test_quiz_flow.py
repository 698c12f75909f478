"""The way to a quiz result: a submit goes to a summary first and only the summary's
confirmation (or the deadline) grades; the navigator and the summary say what is answered,
unanswered and flagged; the result says what was wrong and where to go next."""
import datetime as dt
import re

import pytest
from sqlalchemy import func, select, update

from cev_learn.accounts.models import Role
from cev_learn.content.models import Quiz
from cev_learn.platform.db import db
from cev_learn.quizzes import services
from cev_learn.quizzes.models import Attempt, AttemptAnswer, AttemptState
from tests.helpers import login, make_user, post_form, reload, sync_content
from tests.quizzes.fixtures import quiz_track
from tests.quizzes.test_attempts import CONFIRM, by_prompt, rep_client, right_answers, start


@pytest.fixture
def quiz_app(app, make_quiz):
    make_quiz()
    return app


def question_keys(page: str) -> list[str]:
    return re.findall(r'<fieldset class="question" id="question-([0-9a-f]{16})"', page)


def number_of(page: str, field: str) -> int:
    """The number a question (by its field) has on the take page: questions are shuffled."""
    return question_keys(page).index(field[2:]) + 1


def graded_right(attempt_id: int) -> bool:
    """Graded with right_answers: 4.5 of 6 points, the essay waiting for the coach."""
    attempt = reload(db.session.get(Attempt, attempt_id))
    return attempt.state is AttemptState.NEEDS_GRADING and attempt.score == pytest.approx(4.5 / 6)


def test_a_submit_without_confirmation_saves_and_shows_the_summary(quiz_app):
    _rep, client = rep_client(quiz_app)
    attempt_id, take = start(client)
    f = by_prompt(take)
    response = post_form(client, f"/attempts/{attempt_id}/submit",
                         {"page": "answers", f["demo"]: ["false"]},
                         token_from=f"/attempts/{attempt_id}")
    assert response.headers["Location"].endswith(f"/attempts/{attempt_id}/summary")
    attempt = reload(db.session.get(Attempt, attempt_id))
    assert attempt.state is AttemptState.IN_PROGRESS and attempt.score is None
    assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 6  # saved
    summary = client.get(f"/attempts/{attempt_id}/summary").get_data(as_text=True)
    assert "Submit 1 of 6 answers — this uses attempt 1 of 3" in summary
    assert "5 questions are not answered" in summary
    for key in question_keys(take):
        if key != f["demo"][2:]:
            assert f'/attempts/{attempt_id}#question-{key}"' in summary
    quiz_page = client.get("/tracks/test-track/quizzes/check").get_data(as_text=True)
    assert "Resume attempt 1" in quiz_page and "3 allowed, 1 used" in quiz_page


def test_a_blank_attempt_is_warned_and_not_scored_until_confirmed(quiz_app):
    _rep, client = rep_client(quiz_app)
    attempt_id, _take = start(client)
    post_form(client, f"/attempts/{attempt_id}/submit", {"page": "answers"},
              token_from=f"/attempts/{attempt_id}")
    summary = client.get(f"/attempts/{attempt_id}/summary").get_data(as_text=True)
    assert "You have not answered any question." in summary
    assert "Submit 0 of 6 answers — this uses attempt 1 of 3" in summary
    assert reload(db.session.get(Attempt, attempt_id)).state is AttemptState.IN_PROGRESS
    post_form(client, f"/attempts/{attempt_id}/submit", CONFIRM,
              token_from=f"/attempts/{attempt_id}/summary")
    attempt = reload(db.session.get(Attempt, attempt_id))
    assert attempt.state is AttemptState.GRADED and attempt.score == 0.0


def test_the_confirmation_grades_the_answers_saved_before_it(quiz_app):
    _rep, client = rep_client(quiz_app)
    attempt_id, take = start(client)
    post_form(client, f"/attempts/{attempt_id}/submit",
              {"page": "answers", **right_answers(take)}, token_from=f"/attempts/{attempt_id}")
    response = post_form(client, f"/attempts/{attempt_id}/submit", CONFIRM,
                         token_from=f"/attempts/{attempt_id}/summary")
    assert response.headers["Location"].endswith(f"/attempts/{attempt_id}")
    assert graded_right(attempt_id)


def test_the_deadline_submits_without_a_confirmation(app, make_quiz):
    make_quiz(time_limit_minutes=10)
    _rep, client = rep_client(app)
    attempt_id, take = start(client)
    just_now = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)  # inside the grace period
    db.session.execute(update(Attempt).where(Attempt.id == attempt_id)
                       .values(deadline_at=just_now))
    db.session.commit()
    # What the page's clock sends at the deadline: the page's answers, no confirmation.
    post_form(client, f"/attempts/{attempt_id}/submit",
              {"page": "answers", **right_answers(take)}, token_from="/")
    assert graded_right(attempt_id)  # the answers sent at the deadline count


def test_the_service_does_not_grade_an_unconfirmed_submit_before_the_deadline(quiz_app):
    rep = make_user(Role.REP)
    quiz, now = db.session.scalar(select(Quiz)), dt.datetime.now(dt.UTC)
    attempt = services.start_attempt(rep, quiz, now, dt.timedelta(0))
    assert services.submit_from_page(attempt, {"page": ["answers"]}, False, now,
                                     dt.timedelta(0)) is False
    assert attempt.state is AttemptState.IN_PROGRESS and services.attempts_used(rep, quiz) == 1
    assert services.submit_from_page(attempt, {}, True, now, dt.timedelta(0)) is True
    assert attempt.state is AttemptState.GRADED


def test_flagged_questions_show_in_the_navigator_and_the_summary(quiz_app):
    _rep, client = rep_client(quiz_app)
    attempt_id, take = start(client)
    f = by_prompt(take)
    flagged = f["meetings"][2:]
    post_form(client, f"/attempts/{attempt_id}/save",
              {"page": "answers", f["demo"]: ["false"], "flag": [flagged]},
              token_from=f"/attempts/{attempt_id}")
    again = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    nav = re.search(r'<nav class="quiz-nav".*?</nav>', again, re.DOTALL).group(0)
    items = dict(re.findall(r'data-nav-for="([0-9a-f]{16})"(.*?)</a>', nav, re.DOTALL))
    assert len(items) == 6  # every answerable question
    assert "Answered" in items[f["demo"][2:]] and "Not answered" in items[f["who"][2:]]
    assert re.search(r'<span class="quiz-nav__flag">Flagged', items[flagged])
    assert re.search(r'<span class="quiz-nav__flag" hidden>', items[f["demo"][2:]])
    assert f'name="flag" value="{flagged}" checked' in again
    assert "1 of 6 answered" in re.sub(r"<[^>]+>", "", again)
    summary = client.get(f"/attempts/{attempt_id}/summary").get_data(as_text=True)
    assert "You flagged 1 question to come back to:" in summary
    assert f'#question-{flagged}">question {number_of(take, f["meetings"])}</a>' in summary


def test_a_flag_on_another_attempts_question_is_refused(quiz_app):
    _rep, client = rep_client(quiz_app)
    attempt_id, _take = start(client)
    response = post_form(client, f"/attempts/{attempt_id}/save",
                         {"page": "answers", "flag": ["0123456789abcdef"]},
                         token_from=f"/attempts/{attempt_id}")
    assert response.status_code == 400
    assert "is not a question of this attempt" in response.get_data(as_text=True)
    assert reload(db.session.get(Attempt, attempt_id)).flagged is None


def test_the_summary_of_a_submitted_attempt_leads_to_its_result(quiz_app):
    _rep, client = rep_client(quiz_app)
    attempt_id, _take = start(client)
    post_form(client, f"/attempts/{attempt_id}/submit", CONFIRM,
              token_from=f"/attempts/{attempt_id}")
    response = client.get(f"/attempts/{attempt_id}/summary")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/attempts/{attempt_id}")


def test_the_result_lists_wrong_answers_and_the_next_steps(app, tmp_path):
    root = quiz_track(tmp_path)
    yaml = root / "test-track/track.yaml"
    yaml.write_text(yaml.read_text().replace(  # the quiz before the second module
        "  - {module: discovery, due_day: 5}\n  - {quiz: check, due_day: 7}\n",
        "  - {quiz: check, due_day: 3}\n  - {module: discovery, due_day: 5}\n"))
    sync_content(app, root)
    _rep, client = rep_client(app)
    attempt_id, take = start(client)
    f = by_prompt(take)
    answers = {**right_answers(take), f["demo"]: ["true"]}  # one wrong
    post_form(client, f"/attempts/{attempt_id}/submit", {**answers, **CONFIRM},
              token_from=f"/attempts/{attempt_id}")
    result = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    top = result[:result.index('class="question')]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", top))
    assert "2 of 6 questions not fully right" in text  # the 50% short answer and the wrong one
    demo, framework = number_of(take, f["demo"]), number_of(take, f["framework"])
    assert f'href="#question-{f["demo"][2:]}">Question {demo}</a> — incorrect' in top
    assert f'href="#question-{f["framework"][2:]}">Question {framework}</a> — partly correct' \
        in top
    assert "1 written answer waits for your coach" in text
    assert re.search(r'href="/tracks/test-track/modules/discovery">Next: Discovery</a>', top)
    assert 'href="/week">This week</a>' in top
    assert 'href="/tracks/test-track/quizzes/check">Back to the quiz</a>' in top


def test_the_review_shows_answers_as_text_marked_in_words(quiz_app):
    _rep, client = rep_client(quiz_app)
    attempt_id, take = start(client)
    f = by_prompt(take)
    roles = {k: v for k, v in right_answers(take).items() if k.startswith(f["roles"] + "-")}
    first, second = sorted(roles)[:2]
    roles[first], roles[second] = roles[second], roles[first]  # two matches swapped
    post_form(client, f"/attempts/{attempt_id}/submit",
              {**right_answers(take), **roles, **CONFIRM}, token_from=f"/attempts/{attempt_id}")
    result = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    questions = result[result.index('<div class="quiz-form">'):]
    assert "disabled" not in questions and "<select" not in questions
    assert "<input" not in questions
    review = re.search(r'<dl class="match-review">.*?</dl>', result, re.DOTALL).group(0)
    rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", row)).strip()
            for row in re.findall(r'<div class="match-review__row">(.*?)</div>', review,
                                  re.DOTALL)]
    assert rows[0] == "Dana Your match: champion Wrong Right answer: economic buyer"
    assert rows[1] == "Tom Your match: economic buyer Wrong Right answer: champion"
    assert rows[2] == "Priya Your match: technical evaluator Right"
    assert "Your answer</strong> <strong class=\"verdict verdict--ok\">Right</strong>" in result
