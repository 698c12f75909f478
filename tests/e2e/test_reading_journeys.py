"""A rep reads the playbook and marks progress; their coach sees it."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import NEW_REP, NEW_REP_PASSWORD, screenshot, tick_the_whole_checklist
from tests.e2e.test_sign_in_journeys import sign_in

pytestmark = pytest.mark.e2e


def add_new_rep_to_sams_cohort(browser, live_server):
    """The manager puts the new rep into coach Sam's cohort from the Cohorts page."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    manager = context.new_page()
    sign_in(manager, live_server, "manager@example.com")
    manager.get_by_role("navigation", name="Main").get_by_role("link", name="Cohorts").click()
    manager.get_by_role("link", name=re.compile("EMEA North")).click()
    manager.get_by_label("Rep's email").fill(NEW_REP)
    manager.get_by_role("button", name=re.compile("Add to")).click()
    expect(manager.locator(".flash--success")).to_contain_text("Kai Fresh is in")
    expect(manager.get_by_role("cell", name=re.compile("Kai Fresh"))).to_be_visible()
    screenshot(manager, "cohort-members-manager")
    context.close()


def test_rep_reads_follows_a_link_completes_and_coach_sees_it(browser, page, live_server):
    add_new_rep_to_sams_cohort(browser, live_server)
    sign_in(page, live_server, NEW_REP, NEW_REP_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Playbook").click()
    page.get_by_role("link", name="Sales Onboarding Foundations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sales Onboarding Foundations")
    expect(page.get_by_role("group", name="Track progress")).to_contain_text("0%")
    screenshot(page, "track-overview-rep")

    page.get_by_role("link", name="Welcome: how your first 90 days work").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome: how your first 90 days work")
    screenshot(page, "module-welcome-rep")
    # Follow a relative link written in the markdown to another module.
    page.locator(".prose").get_by_role("link", name="ideal customer profile").first.click()
    expect(page).to_have_url(re.compile(r"/tracks/sales-foundations/modules/ideal-customer-profile"))
    title = page.get_by_role("heading", level=1).inner_text()

    tick_the_whole_checklist(page)  # the starter track's checklists count
    page.get_by_role("button", name="Mark as complete").click()
    expect(page.locator(".flash--success")).to_contain_text("marked as complete")
    # On to the next module of the schedule: the welcome module, still unread, comes later.
    expect(page).to_have_url(re.compile(r"/tracks/sales-foundations/modules/sales-process$"))
    page.get_by_role("link", name="Sales Onboarding Foundations").click()
    expect(page.get_by_role("group", name="Track progress")).to_contain_text("6%")  # 1 of 17
    row = page.get_by_role("row").filter(has_text=title)
    expect(row).to_contain_text("Completed")

    coach_context = browser.new_context(viewport={"width": 1366, "height": 768})
    coach = coach_context.new_page()
    sign_in(coach, live_server, "coach.sam@example.com")
    coach.goto(live_server + "/tracks/sales-foundations/modules/ideal-customer-profile")
    completions = coach.locator(".completions")
    expect(completions.get_by_role("cell").first).to_contain_text(NEW_REP)
    screenshot(coach, "module-completions-coach")
    coach_context.close()


def test_search_finds_modules(page, live_server):
    sign_in(page, live_server, "rep04@example.com")
    page.goto(live_server + "/tracks")
    page.get_by_role("searchbox", name="Search the playbook").fill("objection")
    page.get_by_role("button", name="Search").click()
    first = page.locator(".results__title").first
    expect(first).to_have_text("Handling objections without arguing")
    screenshot(page, "search-results")


def test_module_page_reads_well_on_a_phone(phone_page, live_server):
    sign_in(phone_page, live_server, "rep05@example.com")
    phone_page.goto(live_server + "/tracks/sales-foundations/modules/discovery-calls")
    expect(phone_page.get_by_role("heading", level=1)).to_be_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"
    screenshot(phone_page, "module-discovery-phone")
