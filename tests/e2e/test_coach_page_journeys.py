"""A coach's page for one rep keeps every action on screen: recording a milestone by hand (its
date, note and Save), assigning work and signing off, on a laptop and on a phone; the sign-off
chooses no level for the coach; who has not passed a quiz is listed beside who has."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import PHONE, screenshot
from tests.e2e.test_sign_in_journeys import sign_in

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1280, "height": 800}

# True when the element sticks out past the right or left edge of the viewport, or of an
# ancestor that clips or scrolls sideways (a table scrolled out of view, say).
CLIPPED = """el => {
  const box = el.getBoundingClientRect();
  if (box.left < 0 || box.right > document.documentElement.clientWidth) return true;
  for (let up = el.parentElement; up; up = up.parentElement) {
    if (getComputedStyle(up).overflowX === 'visible') continue;
    const outer = up.getBoundingClientRect();
    if (box.left < outer.left - 0.5 || box.right > outer.right + 0.5) return true;
  }
  return false;
}"""


def open_first_rep(coach, live_server) -> str:
    sign_in(coach, live_server, "coach.sam@example.com")
    expect(coach.get_by_role("heading", level=1)).to_have_text("My reps")
    coach.locator("main a[href*='/reps/']").first.click()
    expect(coach.get_by_role("heading", level=2, name="Milestones")).to_be_visible()
    return coach.get_by_role("heading", level=1).inner_text().strip()


def assert_on_screen(page, locator):
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    count = locator.count()
    assert count > 0
    for index in range(count):
        element = locator.nth(index)
        expect(element).to_be_visible()
        assert not element.evaluate(CLIPPED), (index, element.bounding_box())


def milestone_actions(coach):
    milestones = coach.locator("#milestones")
    return [milestones.get_by_label("Note", exact=True),
            milestones.get_by_label("Reached on", exact=True),
            milestones.get_by_role("button", name="Save", exact=True)]


@pytest.mark.parametrize("viewport,label", [(LAPTOP, "laptop"), (PHONE, "phone")])
def test_every_action_on_the_rep_page_is_on_screen(browser, live_server, viewport, label):
    context = browser.new_context(viewport=viewport, is_mobile=viewport is PHONE,
                                  has_touch=viewport is PHONE)
    coach = context.new_page()
    open_first_rep(coach, live_server)
    for actions in milestone_actions(coach):
        assert_on_screen(coach, actions)
    assign = coach.get_by_role("region", name="Assign work")
    assert_on_screen(coach, assign.get_by_role("button", name="Assign", exact=True))
    assert_on_screen(coach, coach.get_by_role("link", name=re.compile("^Sign off:")))
    # Assign starts at work the rep has not done; done work says so in the list.
    chosen = coach.get_by_label("Module or quiz").evaluate(
        "s => s.options[s.selectedIndex].text")
    assert chosen and not chosen.endswith("(done)")
    screenshot(coach, f"coach-rep-page-{label}")
    context.close()


def test_coach_records_a_note_on_a_phone_and_signs_off_choosing_every_level(
        browser, live_server):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    coach = context.new_page()
    open_first_rep(coach, live_server)
    record = coach.locator(".milestone-record").filter(
        has=coach.get_by_role("heading", name="Two months at full quota"))
    record.get_by_label("Reached on").fill("")
    record.get_by_label("Note", exact=True).fill("Quota starts next month.")
    record.get_by_role("button", name="Save").click()
    expect(coach.locator(".flash--success")).to_contain_text("Two months at full quota")

    coach.get_by_role("link", name="Sign off: Value pitch").click()
    radios = coach.get_by_role("radio")
    assert radios.count() == 20
    for index in range(radios.count()):
        expect(radios.nth(index)).not_to_be_checked()
    discovery = coach.get_by_role("group", name="Discovery questions")
    expect(discovery).to_contain_text("Uncovers the pain, its cost and who feels it")
    screenshot(coach, "coach-signoff-phone")
    discovery.get_by_role("radio", name=re.compile(r"^4")).check()
    coach.get_by_role("button", name="Record sign-off").click()
    summary = coach.get_by_role("alert")
    expect(summary).to_contain_text("Choose a level from 1 to 5 for Value story.")
    expect(summary).not_to_contain_text("for Discovery questions")
    expect(coach.get_by_role("group", name="Discovery questions")
           .get_by_role("radio", name=re.compile(r"^4"))).to_be_checked()
    screenshot(coach, "coach-signoff-refused-phone")
    context.close()


def test_quiz_results_list_who_has_not_passed(page, live_server):
    sign_in(page, live_server, "coach.sam@example.com")
    page.goto(live_server + "/quizzes")
    expect(page.get_by_role("columnheader", name="Not started")).to_be_visible()
    page.get_by_role("link", name="Demos and objections").click()
    outstanding = page.get_by_role("region", name=re.compile("^Not passed yet"))
    expect(outstanding.get_by_role("heading", name=re.compile("^Not started"))).to_be_visible()
    expect(outstanding.get_by_role("heading",
                                   name=re.compile("^Attempted, not passed"))).to_be_visible()
    screenshot(page, "coach-quiz-not-passed")


def test_cohort_coaches_are_ticked_not_ctrl_clicked(page, live_server):
    sign_in(page, live_server, "manager@example.com")
    page.goto(live_server + "/cohorts/new")
    coaches = page.get_by_role("group", name="Coaches")
    coaches.get_by_role("checkbox", name=re.compile("Sam Whitfield")).check()
    coaches.get_by_role("checkbox", name=re.compile("Rita Schultz")).check()
    expect(coaches.get_by_role("checkbox", name=re.compile("Sam Whitfield"))).to_be_checked()
    screenshot(page, "manager-cohort-form")
