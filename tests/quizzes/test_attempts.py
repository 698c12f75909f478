"""Taking quizzes: answers stay secret until submission, grading is server-side and happens
once, limits hold under concurrency, late answers do not count."""
import datetime as dt
import re
import threading

import pytest
from sqlalchemy import func, select, update

from cev_learn.accounts.models import Role
from cev_learn.content.models import Quiz
from cev_learn.content.questions import QuestionType
from cev_learn.platform.db import db
from cev_learn.quizzes import services
from cev_learn.quizzes.grading import Response
from cev_learn.quizzes.models import Attempt, AttemptAnswer, AttemptState
from tests.helpers import csrf_token, login, make_user, post_form, reload, sync_content
from tests.factories import make_cohort

QUIZ_URL = "/tracks/test-track/quizzes/check"
CONFIRM = {"confirm": "yes"}  # what the summary page's submit button sends


@pytest.fixture
def quiz_app(app, make_quiz):
    make_quiz()
    return app


def rep_client(app):
    rep = make_user(Role.REP)
    client = app.test_client()
    login(client, rep.email)
    return rep, client


def start(client) -> tuple[int, str]:
    response = post_form(client, QUIZ_URL + "/start", token_from=QUIZ_URL)
    assert response.status_code == 302, response.get_data(as_text=True)
    attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return attempt_id, client.get(f"/attempts/{attempt_id}").get_data(as_text=True)


def option_tokens(page: str, field: str) -> dict[str, str]:
    """Map option text to its token for one question on the take page."""
    pattern = re.compile(rf'name="{re.escape(field)}" value="([^"]+)"[^>]*> ([^<]+)</label>')
    return {text.strip(): token for token, text in pattern.findall(page)}


def fields(page: str) -> dict[str, str]:
    """question title -> field name, in page order (titles are not shown, prompts are)."""
    return dict(zip(["who", "demo", "framework", "meetings", "roles", "pitch"],
                    _ordered_fields(page), strict=False))


def _ordered_fields(page):
    names = []
    for name in re.findall(r'name="(q-[0-9a-f]{16})"', page):
        if name not in names:
            names.append(name)
    return names


def by_prompt(page: str) -> dict[str, str]:
    """Identify each question's field by a word of its prompt."""
    found = {}
    for block in re.findall(r'<fieldset class="question".*?</fieldset>', page, re.DOTALL):
        name = re.search(r'name="(q-[0-9a-f]{16})', block).group(1)
        for word, label in (("signs", "who"), ("demo before", "demo"), ("framework", "framework"),
                            ("meetings", "meetings"), ("Match", "roles"), ("pitch", "pitch")):
            if word in block:
                found[label] = name
    return found


def right_answers(page: str) -> dict[str, list[str]]:
    f = by_prompt(page)
    who = option_tokens(page, f["who"])
    matches = {}
    for left, right in (("Dana", "economic buyer"), ("Tom", "champion"),
                        ("Priya", "technical evaluator")):
        row = re.search(rf'<legend class="match__left">{left}</legend>.*?'
                        rf'name="({re.escape(f["roles"])}-\d+)"', page, re.DOTALL).group(1)
        matches[row] = [option_tokens(page, row)[right]]
    return {f["who"]: [who["Dana Okafor"]], f["demo"]: ["false"], f["framework"]: ["meddic"],
            f["meetings"]: ["12"], f["pitch"]: ["Cut late-delivery penalties."], **matches}


def test_quiz_page_and_start(quiz_app):
    _rep, client = rep_client(quiz_app)
    page = client.get(QUIZ_URL).get_data(as_text=True)
    assert "Check yourself" in page and "Pass mark" in page and "60%" in page
    attempt_id, take = start(client)
    assert "Review and submit" in take and "Question 6" in take
    assert db.session.get(Attempt, attempt_id).state is AttemptState.IN_PROGRESS


def test_nothing_about_answers_reaches_the_page_before_submission(quiz_app):
    _rep, client = rep_client(quiz_app)
    attempt_id, take = start(client)
    assert "CANARY" not in take
    assert "option--correct" not in take and "Explanation" not in take
    # Saving and reloading reveals nothing either.
    post_form(client, f"/attempts/{attempt_id}/save", right_answers(take),
              token_from=f"/attempts/{attempt_id}")
    again = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "CANARY" not in again
    assert 'value="meddic"' in again  # the rep's own answer is kept


def test_submit_grades_on_the_server_and_reveals_per_policy(quiz_app):
    _rep, client = rep_client(quiz_app)
    attempt_id, take = start(client)
    answers = right_answers(take)
    response = post_form(client, f"/attempts/{attempt_id}/submit", {**answers, **CONFIRM},
                         token_from=f"/attempts/{attempt_id}")
    assert response.status_code == 302
    attempt = db.session.get(Attempt, attempt_id)
    # 5 auto-graded questions right (short answer "meddic" is only the 50% alternative),
    # the essay waits for the coach: 4.5 of 6 points so far.
    assert attempt.state is AttemptState.NEEDS_GRADING
    assert attempt.score == pytest.approx(4.5 / 6)
    result = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "CANARY-EXPLANATION" in result and "CANARY-FEEDBACK-RIGHT" in result
    assert "Waiting for your coach" in result


def test_forged_fields_are_ignored(quiz_app):
    _rep, client = rep_client(quiz_app)
    attempt_id, take = start(client)
    f = by_prompt(take)
    forged = {"score": "1.0", "passed": "y", "correct": "1", "fraction": "1",
              f["demo"]: ["true"]}
    post_form(client, f"/attempts/{attempt_id}/submit", {**forged, **CONFIRM},
              token_from=f"/attempts/{attempt_id}")
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.score == 0.0 and attempt.passed is False


def test_an_option_from_another_question_is_a_400_and_stores_nothing(quiz_app):
    _rep, client = rep_client(quiz_app)
    attempt_id, take = start(client)
    f = by_prompt(take)
    who_token = next(iter(option_tokens(take, f["who"]).values()))
    good = right_answers(take)
    bad = {**good, f["demo"]: ["true"], f["roles"] + "-0": [who_token]}
    response = post_form(client, f"/attempts/{attempt_id}/save", bad,
                         token_from=f"/attempts/{attempt_id}")
    assert response.status_code == 400
    assert "belongs to another question" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 0
    unknown = post_form(client, f"/attempts/{attempt_id}/submit", {"q-0123456789abcdef": "x"},
                        token_from=f"/attempts/{attempt_id}")
    assert unknown.status_code == 400
    assert db.session.get(Attempt, attempt_id).state is AttemptState.IN_PROGRESS


def test_replayed_submit_keeps_the_first_result(quiz_app):
    _rep, client = rep_client(quiz_app)
    attempt_id, take = start(client)
    token = csrf_token(client, f"/attempts/{attempt_id}")
    answers = {**right_answers(take), **CONFIRM, "csrf_token": token}
    first = client.post(f"/attempts/{attempt_id}/submit", data=answers)
    score = db.session.get(Attempt, attempt_id).score
    f = by_prompt(take)
    replay = client.post(f"/attempts/{attempt_id}/submit",
                         data={**answers, f["demo"]: "true", f["meetings"]: "99"})
    assert first.status_code == replay.status_code == 302
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).score == score


def test_ten_concurrent_submissions_record_one_result(quiz_app):
    _rep, client = rep_client(quiz_app)
    attempt_id, take = start(client)
    token = csrf_token(client, f"/attempts/{attempt_id}")
    answers = {**right_answers(take), **CONFIRM, "csrf_token": token}
    cookie = client.get_cookie("cev_learn_session")
    statuses, errors = [], []

    def submit():
        tab = quiz_app.test_client()
        tab.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
        try:
            statuses.append(tab.post(f"/attempts/{attempt_id}/submit", data=answers).status_code)
        except Exception as exc:  # noqa: BLE001 - asserted below
            errors.append(repr(exc))

    threads = [threading.Thread(target=submit) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and statuses == [302] * 10
    assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 6
    attempt = reload(db.session.get(Attempt, attempt_id))
    assert attempt.state is AttemptState.NEEDS_GRADING
    assert attempt.score == pytest.approx(4.5 / 6)


def test_ten_concurrent_starts_with_one_attempt_left_make_one_attempt(app, make_quiz):
    make_quiz(max_attempts=2)
    rep, client = rep_client(app)
    attempt_id, _take = start(client)
    post_form(client, f"/attempts/{attempt_id}/submit", CONFIRM,
              token_from=f"/attempts/{attempt_id}")
    token = csrf_token(client, QUIZ_URL)
    cookie = client.get_cookie("cev_learn_session")
    statuses, errors = [], []

    def begin():
        tab = app.test_client()
        tab.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
        try:
            statuses.append(tab.post(QUIZ_URL + "/start", data={"csrf_token": token}).status_code)
        except Exception as exc:  # noqa: BLE001 - asserted below
            errors.append(repr(exc))

    threads = [threading.Thread(target=begin) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and statuses == [302] * 10
    assert db.session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.user_id == rep.id)) == 2


def test_attempt_limit_is_enforced(app, make_quiz):
    make_quiz(max_attempts=1)
    rep, client = rep_client(app)
    attempt_id, _take = start(client)
    post_form(client, f"/attempts/{attempt_id}/submit", CONFIRM,
              token_from=f"/attempts/{attempt_id}")
    response = post_form(client, QUIZ_URL + "/start", token_from=QUIZ_URL)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You have used all 1 attempts at this quiz." in page
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_late_answers_are_not_graded(app, make_quiz):
    make_quiz(time_limit_minutes=10)
    _rep, client = rep_client(app)
    attempt_id, take = start(client)
    f = by_prompt(take)
    post_form(client, f"/attempts/{attempt_id}/save", {f["demo"]: ["false"]},
              token_from=f"/attempts/{attempt_id}")
    # Let the clock run out: the answer above was saved six minutes ago and the deadline
    # passed five minutes ago, well beyond the grace period.
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    db.session.execute(update(Attempt).where(Attempt.id == attempt_id).values(deadline_at=past))
    db.session.execute(update(AttemptAnswer).values(saved_at=past - dt.timedelta(minutes=1)))
    db.session.commit()
    late = post_form(client, f"/attempts/{attempt_id}/save", right_answers(take),
                     token_from=QUIZ_URL)
    assert late.status_code == 409
    # No confirmation: the page submits itself at the deadline, and that still grades.
    post_form(client, f"/attempts/{attempt_id}/submit", right_answers(take), token_from=QUIZ_URL)
    attempt = reload(db.session.get(Attempt, attempt_id))
    assert attempt.state is not AttemptState.IN_PROGRESS
    assert attempt.score == pytest.approx(1 / 6)  # only the answer saved in time counts
    assert attempt.submitted_at <= past + dt.timedelta(seconds=30)


def test_review_policy_never_keeps_answers_private(app, make_quiz):
    make_quiz(review="never")
    _rep, client = rep_client(app)
    attempt_id, take = start(client)
    post_form(client, f"/attempts/{attempt_id}/submit", {**right_answers(take), **CONFIRM},
              token_from=f"/attempts/{attempt_id}")
    result = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "CANARY" not in result and "%" in result


def test_coach_grades_the_essay_and_the_score_updates(quiz_app):
    rep, client = rep_client(quiz_app)
    attempt_id, take = start(client)
    post_form(client, f"/attempts/{attempt_id}/submit", {**right_answers(take), **CONFIRM},
              token_from=f"/attempts/{attempt_id}")
    coach = make_user(Role.COACH)
    make_cohort(reps=[rep], coaches=[coach])
    coach_client = quiz_app.test_client()
    login(coach_client, coach.email)
    page = coach_client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "Grade this answer" in page and "Cut late-delivery penalties." in page
    essay_key = by_prompt(take)["pitch"][2:]
    response = post_form(coach_client, f"/quizzes/attempts/{attempt_id}/grade/{essay_key}",
                         {"points": "1", "comment": "Crisp and costed."},
                         token_from=f"/attempts/{attempt_id}")
    assert response.status_code == 302
    attempt = reload(db.session.get(Attempt, attempt_id))
    assert attempt.state is AttemptState.GRADED
    assert attempt.score == pytest.approx(5.5 / 6) and attempt.passed is True
    assert "Crisp and costed." in client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    too_many = post_form(coach_client, f"/quizzes/attempts/{attempt_id}/grade/{essay_key}",
                         {"points": "7"}, token_from=f"/attempts/{attempt_id}")
    assert too_many.status_code == 302
    assert reload(db.session.get(Attempt, attempt_id)).score == pytest.approx(5.5 / 6)


def test_coaches_see_only_their_cohorts_attempts(quiz_app):
    rep, client = rep_client(quiz_app)
    attempt_id, take = start(client)
    post_form(client, f"/attempts/{attempt_id}/submit", {**right_answers(take), **CONFIRM},
              token_from=f"/attempts/{attempt_id}")
    own_coach, other_coach = make_user(Role.COACH), make_user(Role.COACH)
    make_cohort(reps=[rep], coaches=[own_coach])
    make_cohort(coaches=[other_coach])
    quiz_id = db.session.scalar(select(Quiz.id))
    for coach, visible in ((own_coach, True), (other_coach, False)):
        web = quiz_app.test_client()
        login(web, coach.email)
        assert web.get(f"/attempts/{attempt_id}").status_code == (200 if visible else 404)
        results = web.get(f"/quizzes/{quiz_id}/results").get_data(as_text=True)
        assert (rep.email in results) is visible
        assert (rep.email in web.get(f"/quizzes/{quiz_id}/results.csv").get_data(as_text=True)) \
            is visible
        key = by_prompt(take)["pitch"][2:]
        graded = post_form(web, f"/quizzes/attempts/{attempt_id}/grade/{key}", {"points": "1"},
                           token_from="/")
        assert graded.status_code == (302 if visible else 404)


def test_reps_cannot_see_each_others_attempts(quiz_app):
    _rep, client = rep_client(quiz_app)
    attempt_id, _take = start(client)
    _other, other_client = rep_client(quiz_app)
    assert other_client.get(f"/attempts/{attempt_id}").status_code == 404
    assert post_form(other_client, f"/attempts/{attempt_id}/submit", CONFIRM,
                     token_from=QUIZ_URL).status_code == 404


def test_results_csv_neutralises_formulas(quiz_app):
    rep = make_user(Role.REP, name="=HYPERLINK(\"http://evil\")")
    client = quiz_app.test_client()
    login(client, rep.email)
    attempt_id, take = start(client)
    post_form(client, f"/attempts/{attempt_id}/submit", {**right_answers(take), **CONFIRM},
              token_from=f"/attempts/{attempt_id}")
    manager = make_user(Role.MANAGER)
    manager_client = quiz_app.test_client()
    login(manager_client, manager.email)
    quiz_id = db.session.scalar(select(Quiz.id))
    response = manager_client.get(f"/quizzes/{quiz_id}/results.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    body = response.get_data(as_text=True)
    assert body.splitlines()[0] == ("rep,email,territory,attempt,started_at,submitted_at,"
                                    "score,passed,state")
    assert "\"'=HYPERLINK(\"\"http://evil\"\")\"" in body
    assert "\n=" not in body and ",=" not in body


def test_a_content_change_does_not_rewrite_history(quiz_app, tmp_path):
    _rep, client = rep_client(quiz_app)
    attempt_id, take = start(client)
    post_form(client, f"/attempts/{attempt_id}/submit", {**right_answers(take), **CONFIRM},
              token_from=f"/attempts/{attempt_id}")
    gift = tmp_path / "test-track/quizzes/check.gift"
    gift.write_text(gift.read_text().replace("Who signs the contract", "Who approves the budget"))
    assert sync_content(quiz_app, tmp_path).counts["quizzes"].updated == 1
    result = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "Who signs the contract" in result and "Who approves the budget" not in result
    _attempt, new_take = start(client)
    assert "Who approves the budget" in new_take


def test_review_after_passing_waits_for_a_pass(app, make_quiz):
    make_quiz(review="after_passing", pass_mark=0.5)
    _rep, client = rep_client(app)
    attempt_id, _take = start(client)
    post_form(client, f"/attempts/{attempt_id}/submit", CONFIRM,
              token_from=f"/attempts/{attempt_id}")
    failed = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "Not passed" in failed and "CANARY" not in failed
    second_id, take = start(client)
    answers = {k: v for k, v in right_answers(take).items()
               if k != by_prompt(take)["pitch"]}  # no essay: graded at once
    post_form(client, f"/attempts/{second_id}/submit", {**answers, **CONFIRM},
              token_from=f"/attempts/{second_id}")
    passed = client.get(f"/attempts/{second_id}").get_data(as_text=True)
    assert "Passed" in passed and "CANARY-EXPLANATION" in passed


def test_graded_at_is_when_the_result_became_final_or_last_changed(quiz_app):
    rep, coach = make_user(Role.REP), make_user(Role.COACH)
    quiz, no_grace = db.session.scalar(select(Quiz)), dt.timedelta(0)

    def at(hour):
        return dt.datetime(2026, 3, 2, hour, tzinfo=dt.UTC)

    blank = services.start_attempt(rep, quiz, at(8), no_grace)
    services.submit_attempt(blank.id, None, at(9), no_grace)  # nothing to wait for
    assert (blank.state, blank.graded_at) == (AttemptState.GRADED, at(9))

    essay = services.start_attempt(rep, quiz, at(10), no_grace)
    questions = services.version_questions(essay.version)
    key = next(e["key"] for e in essay.layout if questions[e["key"]].type is QuestionType.ESSAY)
    services.store_responses(essay, {key: Response(text="Cut late-delivery penalties.")}, at(10))
    services.submit_attempt(essay.id, None, at(11), no_grace)
    assert (essay.state, essay.graded_at) == (AttemptState.NEEDS_GRADING, None)
    services.grade_answer(essay.id, key, 0.5, None, coach, at(14))
    assert (essay.state, essay.submitted_at, essay.graded_at) == (
        AttemptState.GRADED, at(11), at(14))
    services.grade_answer(essay.id, key, 0.5, "Same again.", coach, at(15))
    assert essay.graded_at == at(14)  # the result did not change
    services.grade_answer(essay.id, key, 1.0, "On reflection, full marks.", coach, at(16))
    assert essay.graded_at == at(16)
