"""A coach reads a rep's readiness score on their page, on a laptop and on a phone: the score,
every competency with how it moved, all on screen; the link leads to the track's readiness
page, which says in words whether the score ranks past reps."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import PHONE, screenshot
from tests.e2e.test_coach_page_journeys import LAPTOP, assert_on_screen, open_first_rep

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("viewport,label", [(LAPTOP, "laptop"), (PHONE, "phone")])
def test_the_coach_reads_a_rep_s_readiness(browser, live_server, viewport, label):
    context = browser.new_context(viewport=viewport, is_mobile=viewport is PHONE,
                                  has_touch=viewport is PHONE)
    coach = context.new_page()
    open_first_rep(coach, live_server)
    readiness = coach.get_by_role("region", name="Readiness", exact=True)
    expect(readiness.locator(".readiness__score strong")).to_have_text(re.compile(r"^\d{1,3}$"))
    expect(readiness).to_contain_text("in 7 days")
    rows = readiness.locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("Customer profile and sales process")
    assert_on_screen(coach, readiness.locator(".readiness__score"))
    assert_on_screen(coach, readiness.locator("table"))
    screenshot(coach, f"coach-rep-readiness-{label}")
    readiness.get_by_role("link", name="how well it ranks past reps").click()
    expect(coach.get_by_role("heading", level=1)).to_have_text(re.compile("^Readiness: "))
    expect(coach.get_by_role("heading", name="Is the score predictive?")).to_be_visible()
    expect(coach.locator(".verdicts")).to_contain_text(re.compile("(Not predictive|Predictive)"))
    context.close()
