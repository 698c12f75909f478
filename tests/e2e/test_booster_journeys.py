"""A rep answers a booster that is due, on a phone and on a desktop: This week offers it, the
booster page asks one question, checking it shows at once whether it was right with the
question's feedback, and it leaves This week's count."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import screenshot
from tests.e2e.test_sign_in_journeys import sign_in

pytestmark = pytest.mark.e2e
REP = "rep04@example.com"  # has boosters due in the demo; no other journey answers them


def boosters_due(page, live_server) -> int:
    """How many boosters This week says are due (0 when it shows none)."""
    page.goto(f"{live_server}/week")
    section = page.locator("#boosters-due")
    if section.count() == 0:
        return 0
    return int(re.search(r"(\d+) short question", section.inner_text()).group(1))


def answer_one(page) -> None:
    """Give some answer to the question on the page, whatever its type."""
    question = page.locator("fieldset.question").first
    rows = question.locator("fieldset.match")
    if rows.count():
        for row in rows.all():
            row.locator("input[type=radio]").first.check()
    elif question.locator("input[type=radio], input[type=checkbox]").count():
        question.locator("input[type=radio], input[type=checkbox]").first.check()
    else:
        question.get_by_label("Your answer").fill("12")


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_a_rep_answers_a_due_booster_and_it_leaves_this_week(request, live_server, device):
    page = request.getfixturevalue("phone_page" if device == "phone" else "page")
    sign_in(page, live_server, REP)
    before = boosters_due(page, live_server)
    assert before > 0
    page.get_by_role("link", name="Answer boosters").click()
    expect(page.get_by_role("heading", name="Boosters", exact=True)).to_be_visible()
    expect(page.locator("fieldset.question")).to_have_count(1)
    assert page.locator(".option__feedback, .explanation").count() == 0  # nothing told yet
    if device == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, "phone-rep-booster")
    answer_one(page)
    page.get_by_role("button", name="Check my answer").click()
    expect(page.locator("#booster-verdict")).to_have_text(re.compile(r"^(Right|Not quite)$"))
    expect(page.locator("#booster-next")).to_have_text(
        re.compile("comes back on|will not come back"))
    expect(page.locator(".question--review .badge")).to_be_visible()
    if device == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, f"{'phone-' if device == 'phone' else ''}rep-booster-answered")
    assert boosters_due(page, live_server) == before - 1
