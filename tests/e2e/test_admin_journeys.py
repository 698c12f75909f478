"""An admin manages people in the browser; the person they create can sign in."""
import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import screenshot
from tests.e2e.test_sign_in_journeys import sign_in

pytestmark = pytest.mark.e2e


def test_admin_creates_a_rep_who_then_signs_in(browser, page, live_server):
    sign_in(page, live_server, "admin@example.com")
    page.get_by_role("link", name="Add a user").first.click()
    page.get_by_label("Email", exact=True).fill("new.hire@example.com")
    page.get_by_label("Full name").fill("Nia Newhire")
    page.get_by_label("Role").select_option("rep")
    page.get_by_label("Territory").fill("EMEA South")
    page.get_by_label("Start date").fill("2026-11-23")
    page.get_by_label("Invite them to choose their own password").uncheck()
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat the password").fill("short")
    page.get_by_role("button", name="Create user").click()
    expect(page.locator("#password-error")).to_contain_text("between 12 and 256")
    screenshot(page, "admin-create-user-errors")
    page.get_by_label("Password", exact=True).fill("welcome aboard nia")
    page.get_by_label("Repeat the password").fill("welcome aboard nia")
    page.get_by_role("button", name="Create user").click()
    expect(page.locator(".flash--success")).to_contain_text("User new.hire@example.com created.")
    page.goto(f"{live_server}/admin/users?q=Newhire")  # the demo's people fill the first pages
    expect(page.get_by_role("link", name="Nia Newhire")).to_be_visible()
    screenshot(page, "admin-users")

    rep_context = browser.new_context()
    rep_page = rep_context.new_page()
    sign_in(rep_page, live_server, "new.hire@example.com", "welcome aboard nia")
    expect(rep_page.get_by_role("heading", level=1)).to_have_text("This week")
    rep_context.close()


def test_admin_deactivates_a_rep_after_confirming(page, live_server):
    sign_in(page, live_server, "admin@example.com")
    page.goto(live_server + "/admin/users?q=alumni001")  # a rep of an earlier cohort: no
    # other journey signs in as them
    page.locator("table a").first.click()
    page.get_by_label("Yes, deactivate").check()
    page.get_by_role("button", name="Deactivate").click()
    expect(page.locator(".flash--success")).to_contain_text("is deactivated")
    expect(page.get_by_role("button", name="Reactivate")).to_be_visible()
    screenshot(page, "admin-user-deactivated")


def test_admin_finds_how_statements_reach_a_learning_record_store(page, phone_page, live_server):
    """The demo has no LRS configured: the page says how to set one up, at both widths."""
    sign_in(page, live_server, "admin@example.com")
    page.get_by_role("link", name="Users", exact=True).first.click()
    page.get_by_role("link", name="Learning record store").click()  # beside Webhooks
    expect(page.get_by_role("heading", level=1)).to_have_text("Learning record store")
    expect(page.get_by_role("heading", name="No LRS to push to")).to_be_visible()
    expect(page.locator("main")).to_contain_text("CEV_LEARN_LRS_URL")
    screenshot(page, "admin-lrs-desktop")

    sign_in(phone_page, live_server, "admin@example.com")
    phone_page.goto(live_server + "/admin/lrs")
    expect(phone_page.get_by_role("heading", name="No LRS to push to")).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "admin-lrs-phone")
