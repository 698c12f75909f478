"""A rep reads a module that names their own coach, ticks its checklist (with and without
JavaScript) and goes on from "Mark as complete" to the next item of their schedule: on the
starter track, which requires checklists, once every item is ticked."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import DESKTOP, PHONE, screenshot, tick_the_whole_checklist
from tests.e2e.test_sign_in_journeys import sign_in

pytestmark = pytest.mark.e2e

REP = "rep09@example.com"  # in Rita's DACH cohort, 12 days in; no other journey signs in as rep09
TRACK = "/tracks/sales-foundations"
WELCOME = TRACK + "/modules/welcome"
AHEAD = {"desktop": ("running-a-demo", "Running a demo that maps to the pain",
                     "/modules/objection-handling"),
         "phone": ("objection-handling", "Handling objections without arguing",
                   "/quizzes/demo-and-objections")}


def checklist(page):
    return page.locator(".prose").get_by_role("checkbox")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_rep_reads_their_coach_ticks_the_checklist_and_goes_on(browser, live_server, size):
    viewport = DESKTOP if size == "desktop" else PHONE
    context = browser.new_context(viewport=viewport, is_mobile=size == "phone",
                                  has_touch=size == "phone")
    page = context.new_page()
    sign_in(page, live_server, REP)
    page.goto(live_server + WELCOME)
    prose = page.locator(".prose")
    expect(prose).to_contain_text("Meet Rita Schultz, who coaches")
    expect(prose).not_to_contain_text("{{")

    item = page.get_by_label("Call blocks are in my calendar for the next four weeks.")
    expect(checklist(page)).to_have_count(6)
    expect(page.get_by_role("button", name="Save my checklist")).to_be_hidden()  # saved at once
    was = item.is_checked()
    item.set_checked(not was)
    expect(page.get_by_role("status").filter(has_text="and saved")).to_be_visible()
    item.scroll_into_view_if_needed()
    screenshot(page, f"module-checklist-rep-{size}")
    page.reload()
    expect(item).to_be_checked(checked=not was)
    item.set_checked(was)  # as it was, for the other width
    expect(page.get_by_role("status").filter(has_text="and saved")).to_be_visible()

    # Desktop completes the demo module and lands on the next one; the phone then completes
    # that one and lands on the quiz that follows it in the schedule.
    read, title, following = AHEAD[size]
    page.goto(live_server + TRACK + "/modules/" + read)
    tick_the_whole_checklist(page)  # the starter track's checklists count
    page.get_by_role("button", name="Mark as complete").click()
    expect(page).to_have_url(re.compile(following + "$"))
    expect(page.locator(".flash--success")).to_contain_text(f"“{title}” marked as complete.")
    screenshot(page, f"module-next-after-complete-{size}")
    context.close()


def test_without_javascript_the_checklist_saves_with_its_button(browser, live_server):
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, REP)
    page.goto(live_server + WELCOME)
    item = page.get_by_label("I have a list of 30 accounts that fit our profile.")
    was = item.is_checked()
    item.set_checked(not was)
    page.get_by_role("button", name="Save my checklist").click()
    expect(page.locator(".flash--success")).to_have_text("Checklist saved.")
    expect(item).to_be_checked(checked=not was)
    screenshot(page, "module-checklist-saved-no-js")
    item.set_checked(was)
    page.get_by_role("button", name="Save my checklist").click()
    expect(item).to_be_checked(checked=was)
    context.close()


def test_rep_completes_a_module_once_every_item_of_its_checklist_is_ticked(page, live_server):
    """The starter track requires checklists: the page says what is left, "Mark as complete"
    is refused naming it, and once every box is ticked the module completes."""
    sign_in(page, live_server, REP)
    page.goto(live_server + TRACK + "/modules/pricing-and-negotiation")  # due day 42: unread
    needed = page.locator("#checklist-needed")
    boxes = checklist(page).count()
    expect(needed).to_have_text("Tick every item of the checklist to complete this module: "
                                f"{boxes} of {boxes} still to tick.")
    page.get_by_role("button", name="Mark as complete").click()
    refusal = page.locator(".flash--error")
    expect(refusal).to_contain_text("“Pricing and negotiation basics” is not complete yet")
    expect(refusal).to_contain_text("Still to tick: “")
    first = checklist(page).first
    with page.expect_response(lambda r: r.url.endswith("/checklist") and r.ok):
        first.check()
    expect(needed).to_contain_text(f"{boxes - 1} of {boxes} still to tick.")
    screenshot(page, "module-checklist-required-rep")
    tick_the_whole_checklist(page)
    expect(needed).to_have_text("Every item of the checklist is ticked: you can complete this "
                                "module.")
    page.get_by_role("button", name="Mark as complete").click()
    expect(page).to_have_url(re.compile("/quizzes/pricing-pipeline-cadence$"))
    expect(page.locator(".flash--success")).to_contain_text("marked as complete")
    page.goto(live_server + TRACK + "/modules/pricing-and-negotiation")
    expect(page.locator(".done")).to_have_text("✓ Completed")
    expect(needed).to_have_count(0)


def test_coach_reads_neutral_wording_and_plain_boxes(page, live_server):
    sign_in(page, live_server, "coach.rita@example.com")
    page.goto(live_server + WELCOME)
    prose = page.locator(".prose")
    expect(prose).to_contain_text("Meet your coach, who coaches your cohort")
    expect(prose.get_by_role("checkbox")).to_have_count(0)
    expect(prose).to_contain_text("☐ Call blocks are in my calendar")
    screenshot(page, "module-neutral-coach")
