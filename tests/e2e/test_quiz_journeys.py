"""A rep takes and passes a starter quiz; a coach opens the result and the item analysis."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cev_learn.content.questions import QuestionType
from cev_learn.content.quiz_formats.files import parse_quiz_file
from tests.e2e.helpers import screenshot
from tests.e2e.test_sign_in_journeys import sign_in

pytestmark = pytest.mark.e2e
QUIZ_TITLE = "Demos and objections"
QUIZ_FILE = (Path(__file__).resolve().parents[2]
             / "courses/sales-foundations/quizzes/demo-and-objections.gift")


def _norm(text: str) -> str:
    return " ".join(text.replace("_____", " ").split())


def answer_everything_right(page, questions):
    """Fill in the right answers, finding each question on the page by its prompt."""
    by_prompt = {_norm(q.prompt): q for q in questions}
    for fieldset in page.locator("fieldset.question").all():
        prompt = _norm(fieldset.locator(".question__prompt").inner_text())
        question = by_prompt[prompt]
        kind = question.type
        if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            for choice in question.choices:
                if choice.weight > 0:
                    fieldset.locator("label").filter(has_text=_norm(choice.text)).first.click()
        elif kind is QuestionType.TRUE_FALSE:
            fieldset.get_by_label("True" if question.answer else "False", exact=True).check()
        elif kind is QuestionType.SHORT:
            best = max(question.answers, key=lambda a: a.weight)
            fieldset.get_by_label("Your answer").fill(best.text.replace("*", ""))
        elif kind is QuestionType.NUMERIC:
            best = max(question.numeric, key=lambda n: n.weight)
            fieldset.get_by_label("Your answer").fill(f"{best.value:g}")
        elif kind is QuestionType.MATCHING:
            for pair in question.pairs:
                if pair.left:
                    fieldset.get_by_role("group", name=_norm(pair.left), exact=True).get_by_label(
                        _norm(pair.right), exact=True).check()
        elif kind is QuestionType.ESSAY:
            fieldset.get_by_label("Your answer").fill("Harbor & Pine pays €140,000 a quarter.")


def test_rep_passes_a_quiz_and_the_coach_reviews_it(browser, page, live_server):
    questions = parse_quiz_file(QUIZ_FILE)
    assert not any(q.type is QuestionType.ESSAY for q in questions)
    sign_in(page, live_server, "rep12@example.com")  # DACH cohort, 12 days in
    page.goto(live_server + "/tracks/sales-foundations")
    page.get_by_role("link", name=QUIZ_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshot(page, "quiz-intro-rep")
    page.get_by_role("button", name=re.compile("Start")).click()
    expect(page.get_by_role("button", name="Review and submit")).to_be_visible()
    answer_everything_right(page, questions)
    expect(page.locator(".save-status")).to_contain_text("Saved at")  # autosave ran
    screenshot(page, "quiz-take-rep")
    page.get_by_role("button", name="Review and submit").click()
    page.get_by_role("button", name=re.compile(r"^Submit \d+ of \d+ answers")).click()
    expect(page.locator(".result__score")).to_contain_text("100%")
    expect(page.locator(".result__score")).to_contain_text("Passed")
    screenshot(page, "quiz-result-rep")

    context = browser.new_context(viewport={"width": 1366, "height": 768})
    coach = context.new_page()
    sign_in(coach, live_server, "coach.rita@example.com")
    coach.get_by_role("navigation", name="Main").get_by_role("link", name="Quiz results").click()
    screenshot(coach, "quiz-results-index-coach")
    coach.get_by_role("link", name=QUIZ_TITLE).click()
    row = coach.get_by_role("row").filter(has_text="rep12@example.com")
    expect(row).to_contain_text("Passed")
    row.get_by_role("link").first.click()
    expect(coach.locator(".result__score")).to_contain_text("100%")
    screenshot(coach, "quiz-attempt-coach")
    coach.go_back()
    coach.get_by_role("link", name="Item analysis").click()
    expect(coach.get_by_role("heading", level=1)).to_contain_text("Item analysis")
    expect(coach.locator("table.analysis tbody tr").first).to_be_visible()
    screenshot(coach, "quiz-analysis-coach")
    context.close()
