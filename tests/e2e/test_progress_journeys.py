"""One track progress everywhere a rep looks, and one numbering of the track's items."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import screenshot
from tests.e2e.test_sign_in_journeys import sign_in

pytestmark = pytest.mark.e2e


def track_progress(page) -> str:
    return page.get_by_role("group", name="Track progress").locator(".progress__value").inner_text()


def test_this_week_playbook_and_track_page_show_the_same_progress(page, live_server):
    sign_in(page, live_server, "rep09@example.com")  # DACH, 12 days in; reads only
    on_week = track_progress(page)
    assert on_week not in ("0%", "100%")  # part of the way: a number that can disagree
    expect(page.get_by_text(re.compile(r"\d+ of the track's \d+ modules and quizzes done"))) \
        .to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Playbook").click()
    assert track_progress(page) == on_week
    page.get_by_role("link", name="Sales Onboarding Foundations").click()
    assert track_progress(page) == on_week
    screenshot(page, "track-progress-track-page")

    # A module's "Item n of N" is its row number on the track page.
    row = page.get_by_role("row").filter(has_text="Handling objections without arguing")
    number = row.locator("td").first.inner_text()
    items = page.locator("table.schedule tbody tr td:first-child").filter(
        has_text=re.compile(r"^\d+$")).count()
    row.get_by_role("link").click()
    expect(page.get_by_text(f"Item {number} of {items}")).to_be_visible()
