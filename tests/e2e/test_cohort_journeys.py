"""A coach assigns work and signs off; the rep sees it this week and catches up."""
import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import screenshot, tick_the_whole_checklist
from tests.e2e.test_sign_in_journeys import sign_in

pytestmark = pytest.mark.e2e


def overdue_count(coach_page, rep_name) -> int:
    row = coach_page.get_by_role("row").filter(has=coach_page.get_by_role("link", name=rep_name))
    return int(row.get_by_role("cell").nth(3).inner_text().strip())


def test_coach_assigns_rep_catches_up_and_coach_signs_off(browser, page, live_server):
    sign_in(page, live_server, "rep01@example.com")
    expect(page.get_by_role("heading", level=1)).to_have_text("This week")  # signed in
    rep_name = page.locator(".usermenu__who").inner_text().rsplit(" ", 1)[0].strip()

    context = browser.new_context(viewport={"width": 1366, "height": 768})
    coach = context.new_page()
    sign_in(coach, live_server, "coach.sam@example.com")
    screenshot(coach, "coach-home")
    before = overdue_count(coach, rep_name)
    assert before > 0  # the demo's struggling rep

    coach.get_by_role("link", name=rep_name).click()
    expect(coach.get_by_role("heading", level=1)).to_have_text(rep_name)
    # Give the rep a firm new date for a module they are late with.
    late = coach.get_by_role("row").filter(has_text="Overdue").filter(
        has=coach.locator("a[href*='/modules/']")).first
    title = late.get_by_role("link").first.inner_text().strip()
    coach.get_by_label("Module or quiz").select_option(label=title)
    due = dt.date.today() + dt.timedelta(days=2)
    coach.get_by_label("Due date").fill(due.isoformat())
    coach.get_by_label("Note for the rep").fill("Read before Thursday's call with Marcus.")
    coach.get_by_role("button", name="Assign").click()
    expect(coach.locator(".flash--success")).to_contain_text("Assigned to")
    screenshot(coach, "rep-page-coach")

    page.reload()
    assigned = page.locator(".worklist__item").filter(has_text="Assigned by your coach")
    expect(assigned.first).to_contain_text(title)
    expect(assigned.first).to_contain_text("Read before Thursday's call with Marcus.")
    screenshot(page, "rep-week")
    assigned.first.get_by_role("link", name=title).click()
    tick_the_whole_checklist(page)  # the starter track's checklists count
    page.get_by_role("button", name=re.compile("Mark as complete|I have read")).click()
    expect(page.locator(".flash--success")).to_contain_text("marked as complete")

    coach.goto(live_server + "/coach")
    assert overdue_count(coach, rep_name) == before - 1

    coach.get_by_role("link", name=rep_name).click()
    coach.get_by_role("link", name="Sign off: Value pitch").click()
    for criterion in coach.locator("fieldset.criterion").all():
        criterion.get_by_role("radio", name=re.compile(r"^5 — excellent")).check()
    coach.get_by_label("Comment on value story").fill("Costed the penalties in their words.")
    coach.get_by_role("button", name="Record sign-off").click()
    expect(coach.locator(".flash--success")).to_contain_text("100%, passed")
    expect(coach.locator("#signoffs")).to_contain_text("Passed")
    context.close()


def test_coach_home_on_a_phone(phone_page, live_server):
    sign_in(phone_page, live_server, "coach.rita@example.com")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("My reps")
    screenshot(phone_page, "coach-home-phone")
