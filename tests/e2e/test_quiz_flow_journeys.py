"""What first-time reps tripped over in a quiz, at desktop and phone width: a submit by
mistake, a deadline that scrolled away, a result with no way on, cut matching options and
faint reviews."""
import datetime as dt
import re
import sqlite3
import subprocess
from contextlib import closing

import pytest
from playwright.sync_api import expect

from cev_learn.content.questions import QuestionType
from cev_learn.content.quiz_formats.files import parse_quiz_file
from tests.e2e.helpers import BIN, DESKTOP, PHONE, SCREENSHOTS, screenshot
from tests.e2e.test_quiz_journeys import QUIZ_FILE, QUIZ_TITLE, _norm, answer_everything_right
from tests.e2e.test_sign_in_journeys import sign_in

pytestmark = pytest.mark.e2e
QUIZ_URL = "/tracks/sales-foundations/quizzes/demo-and-objections"
PASSWORD = "a quiz flow password"
SIZES = {"desktop": DESKTOP, "phone": PHONE}


def new_rep(live_env, email: str) -> str:
    """A rep with no attempts yet (the demo's reps may have taken the quiz already)."""
    subprocess.run([str(BIN / "cev-learn"), "users", "create", email, "--name", "Quinn Flow",
                    "--role", "rep", "--password-stdin"], env=live_env, check=True,
                   input=PASSWORD + "\n", capture_output=True, text=True, timeout=60)
    return email


def open_quiz(browser, live_server, live_env, email: str, size: str):
    """A rep in New York starts the quiz, at one screen size."""
    context = browser.new_context(viewport=SIZES[size], locale="en-US",
                                  timezone_id="America/New_York",
                                  is_mobile=size == "phone", has_touch=size == "phone")
    page = context.new_page()
    sign_in(page, live_server, new_rep(live_env, email), PASSWORD)
    page.goto(live_server + QUIZ_URL)
    page.get_by_role("button", name=re.compile("Start")).click()
    expect(page.get_by_role("heading", level=1, name=QUIZ_TITLE)).to_be_visible()
    return context, page


def viewport_shot(page, name: str) -> None:
    """What the screen shows now (not the whole page): for what stays in view."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def below_the_bar(page, locator) -> bool:
    bar, box = page.locator(".quiz-bar").bounding_box(), locator.bounding_box()
    return box["y"] >= bar["y"] + bar["height"] - 1


def fieldset_of(page, question_type: QuestionType, questions):
    """The question of a type on the page, found by its prompt."""
    question = next(q for q in questions if q.type is question_type)
    fieldset = page.locator("fieldset.question").filter(has_text=_norm(question.prompt)[:40])
    return question, fieldset


@pytest.mark.parametrize("size", SIZES)
def test_a_submit_asks_first_and_the_deadline_stays_in_view(browser, live_server, live_env,
                                                           size):
    questions = parse_quiz_file(QUIZ_FILE)
    context, page = open_quiz(browser, live_server, live_env, f"flow.{size}@example.com", size)
    timer = page.get_by_role("timer")
    # The deadline in the rep's own time zone (New York, their browser's at first sign-in).
    expect(timer.locator("time")).to_have_text(re.compile(r"^\d\d:\d\d E[SD]T$"))
    navigator = page.get_by_role("navigation", name="Questions")
    expect(navigator.get_by_role("link")).to_have_count(len(questions))
    expect(navigator.get_by_role("link").first).to_contain_text("Not answered")
    screenshot(page, f"quiz-flow-take-{size}")
    viewport_shot(page, f"quiz-flow-take-top-{size}")

    # Mid-page and at the last question the deadline is still on screen, covering nothing.
    last = page.locator("fieldset.question").last
    last.scroll_into_view_if_needed()
    expect(timer).to_be_in_viewport()
    navigator.get_by_role("link").nth(5).click()
    sixth = page.locator("fieldset.question").nth(5).locator("legend").first
    expect(sixth).to_be_in_viewport()
    assert below_the_bar(page, sixth)
    expect(timer).to_be_in_viewport()
    viewport_shot(page, f"quiz-flow-mid-page-{size}")

    # A blank attempt is not scored: the summary warns and asks to confirm.
    page.get_by_role("button", name="Review and submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before submitting")
    expect(page.locator("#summary-warning")).to_contain_text("You have not answered any question")
    confirm = page.get_by_role("button", name=re.compile(r"^Submit \d+ of \d+ answers"))
    expect(confirm).to_have_text(
        f"Submit 0 of {len(questions)} answers — this uses attempt 1 of 3")
    screenshot(page, f"quiz-flow-summary-blank-{size}")

    # Back to the questions: answer them all, one wrong, and flag one.
    page.get_by_role("link", name="Back to the questions").click()
    answer_everything_right(page, questions)
    question, fieldset = fieldset_of(page, QuestionType.TRUE_FALSE, questions)
    fieldset.get_by_label("False" if question.answer else "True", exact=True).check()
    fieldset.get_by_label(re.compile(r"Flag question \d+ to come back to it")).check()
    number = fieldset.locator(".question__number").inner_text().split()[-1]
    item = navigator.get_by_role("link", name=re.compile(rf"^\s*Question {number}\s"))
    expect(item).to_contain_text("Answered")
    expect(item).to_contain_text("Flagged")
    expect(page.locator(".save-status")).to_contain_text("Saved at")
    page.get_by_role("button", name="Review and submit").click()
    expect(page.locator("#summary-flagged")).to_contain_text(f"question {number}")
    expect(confirm).to_have_text(
        f"Submit {len(questions)} of {len(questions)} answers — this uses attempt 1 of 3")
    screenshot(page, f"quiz-flow-summary-{size}")
    confirm.click()

    # The result: what was wrong, with a link to it, and where to go next.
    summary = page.locator("#result-summary")
    expect(summary).to_contain_text(f"1 of {len(questions)} questions not fully right")
    expect(page.get_by_role("link", name=re.compile(r"^Next: "))).to_be_visible()
    next_steps = page.get_by_role("navigation", name="Where to go next")
    expect(next_steps.get_by_role("link", name="This week")).to_be_visible()
    expect(page.get_by_role("link", name="Back to the quiz")).to_be_visible()
    screenshot(page, f"quiz-flow-result-{size}")
    viewport_shot(page, f"quiz-flow-result-top-{size}")
    summary.get_by_role("link", name=f"Question {number}").click()
    wrong = page.locator(f"section.question:has(.question__number:text-is('Question {number}'))")
    expect(wrong.get_by_role("heading")).to_be_in_viewport()
    expect(wrong).to_contain_text("Incorrect")
    expect(wrong).to_contain_text("Your answer:")
    page.get_by_role("link", name=re.compile(r"^Next: ")).click()
    expect(page).to_have_url(re.compile(r"/modules/pipeline-and-crm-hygiene$"))
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_matching_options_are_whole_and_the_review_reads_as_text(browser, live_server,
                                                                  live_env, size):
    questions = parse_quiz_file(QUIZ_FILE)
    context, page = open_quiz(browser, live_server, live_env, f"match.{size}@example.com", size)
    question, fieldset = fieldset_of(page, QuestionType.MATCHING, questions)
    longest = max((p.right for p in question.pairs), key=len)
    width = SIZES[size]["width"]
    for option in fieldset.get_by_label(_norm(longest), exact=True).all():
        label = option.locator("xpath=..")
        label.scroll_into_view_if_needed()
        expect(label).to_contain_text(_norm(longest))  # the whole text, wrapped
        box = label.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        assert label.evaluate("e => e.scrollWidth <= e.clientWidth")
    viewport_shot(page, f"quiz-flow-matching-{size}")
    answer_everything_right(page, questions)
    left = next(p for p in question.pairs if p.left)
    others = [p.right for p in question.pairs if p.right != left.right]
    fieldset.get_by_role("group", name=_norm(left.left), exact=True).get_by_label(
        _norm(others[0]), exact=True).check()  # one match wrong
    page.get_by_role("button", name="Review and submit").click()
    page.get_by_role("button", name=re.compile(r"^Submit \d+ of \d+ answers")).click()
    review = page.locator("section.question").filter(
        has_text=_norm(question.prompt)[:40]).locator(".match-review")
    expect(review).to_be_visible()
    expect(review.locator("select, input")).to_have_count(0)  # text, not disabled controls
    wrong_row = review.locator(".match-review__row").filter(has_text=_norm(left.left))
    expect(wrong_row).to_contain_text(f"Your match: {_norm(others[0])}")
    expect(wrong_row).to_contain_text("Wrong")
    expect(wrong_row).to_contain_text(f"Right answer: {_norm(left.right)}")
    expect(review.locator(".verdict", has_text="Right")).to_have_count(
        sum(1 for p in question.pairs if p.left) - 1)
    review.scroll_into_view_if_needed()
    viewport_shot(page, f"quiz-flow-matching-review-{size}")
    context.close()


def test_the_page_submits_itself_at_the_deadline(browser, live_server, live_env, live_instance):
    questions = parse_quiz_file(QUIZ_FILE)
    email = "flow.deadline@example.com"
    context, page = open_quiz(browser, live_server, live_env, email, "desktop")
    question, fieldset = fieldset_of(page, QuestionType.TRUE_FALSE, questions)
    fieldset.get_by_label("True" if question.answer else "False", exact=True).check()
    expect(page.locator(".save-status")).to_contain_text("Saved at")
    deadline_in(live_instance / "e2e.sqlite", email, dt.timedelta(seconds=3))
    page.reload()
    # No confirmation: when the clock reaches the deadline the page submits and is graded.
    expect(page.locator(".result__score")).to_be_visible(timeout=30_000)
    expect(page.locator(".result__score")).to_contain_text("Not passed")
    context.close()


def deadline_in(database, email: str, left: dt.timedelta) -> None:
    """What the passing minutes do: the rep's open attempt is due `left` from now."""
    due = (dt.datetime.now(dt.UTC) + left).replace(tzinfo=None)
    with closing(sqlite3.connect(database)) as db, db:
        db.execute("UPDATE attempt SET deadline_at = ? WHERE state = 'in_progress' AND user_id = "
                   "(SELECT id FROM user WHERE email = ?)",
                   (due.strftime("%Y-%m-%d %H:%M:%S.%f"), email))
