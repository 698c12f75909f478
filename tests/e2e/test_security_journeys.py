"""What the hardening looks like to the people using cev_learn: a guessable password is
refused with the reason, and a manager of one territory imports CRM data only for their reps."""
import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import screenshot
from tests.e2e.test_sign_in_journeys import sign_in

pytestmark = pytest.mark.e2e

ACTIVITIES = "\n".join([
    "external_id,rep_email,occurred_on,type,quantity,amount",
    "crm-e2e-1,rep06@example.com,2026-11-02,call,4,",   # EMEA North: Mae's
    "crm-e2e-2,rep09@example.com,2026-11-02,call,2,",   # DACH: not Mae's
]) + "\n"


def test_a_rep_changing_their_password_is_told_why_a_guessable_one_is_refused(page, live_server):
    sign_in(page, live_server, "rep03@example.com")  # no other journey signs in as rep03
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Password").click()
    page.get_by_label("Current password").fill("onboard-demo-2026")
    page.get_by_label("New password", exact=True).fill("password1234")
    page.get_by_label("Repeat the new password").fill("password1234")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#password-error")).to_contain_text(
        "This password is too easy to guess. This is a very common password.")
    screenshot(page, "password-change-guessable")
    page.get_by_label("Current password").fill("onboard-demo-2026")
    page.get_by_label("New password", exact=True).fill("lantern orbit cider moss")
    page.get_by_label("Repeat the new password").fill("lantern orbit cider moss")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".flash--success")).to_contain_text("Password changed.")


def test_a_territory_manager_imports_only_for_their_own_reps(browser, page, live_server,
                                                             tmp_path):
    sign_in(page, live_server, "admin@example.com")
    page.get_by_role("link", name="Add a user").first.click()
    page.get_by_label("Email").fill("mae.north@example.com")
    page.get_by_label("Full name").fill("Mae Northcott")
    page.get_by_label("Role").select_option("manager")
    page.get_by_label("Territory").fill("EMEA North")
    page.get_by_label("Invite them to choose their own password").uncheck()
    page.get_by_label("Password", exact=True).fill("northern lights ledger")
    page.get_by_label("Repeat the password").fill("northern lights ledger")
    page.get_by_role("button", name="Create user").click()
    expect(page.locator(".flash--success")).to_contain_text("mae.north@example.com created")

    mae = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    sign_in(mae, live_server, "mae.north@example.com", "northern lights ledger")
    mae.get_by_role("link", name="Import CRM data").click()
    csv_file = tmp_path / "activities.csv"
    csv_file.write_text(ACTIVITIES)
    mae.get_by_label("What the file holds").select_option("activities")
    mae.get_by_label("File", exact=True).set_input_files(str(csv_file))
    mae.get_by_role("button", name="Check file").click()
    expect(mae.get_by_role("alert")).to_contain_text("1 bad row; nothing can be imported")
    expect(mae.locator("#bad-rows")).to_contain_text(
        "rep09@example.com is not a rep in a cohort or territory you manage")
    screenshot(mae, "import-other-territory")

    mae.get_by_label("Skip invalid rows").check()
    mae.get_by_label("File", exact=True).set_input_files(str(csv_file))
    mae.get_by_role("button", name="Check file").click()
    mae.get_by_role("button", name="Import 1 row").click()
    expect(mae.locator(".flash")).to_contain_text("1 created")
    mae.context.close()
