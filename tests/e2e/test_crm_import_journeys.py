"""A manager imports this week's Salesforce report as Salesforce wrote it: the check page says
how it read the file and shows the first rows as they will be stored, asks who the one
unknown name is, and imports once it is matched. On a phone, a HubSpot export checks the same."""
import os
import subprocess

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import BIN, screenshot
from tests.e2e.test_sign_in_journeys import sign_in

pytestmark = pytest.mark.e2e


def demo_export(instance, tmp_path, fmt: str):
    """This week's activities of the served demo, as the CRM exports them."""
    path = tmp_path / f"{fmt}.csv"
    env = {**os.environ, "CEV_LEARN_INSTANCE_PATH": str(instance),
           "CEV_LEARN_DATABASE_URL": f"sqlite:///{instance}/e2e.sqlite"}
    subprocess.run([str(BIN / "cev-learn"), "demo", "crm-export", str(path), "--format", fmt],
                   env=env, check=True, capture_output=True, timeout=60)
    return path


def facts(page) -> dict[str, str]:
    terms = page.locator("dl.facts dt").all_inner_texts()
    values = page.locator("dl.facts dd").all_inner_texts()
    return dict(zip(terms, values))


def test_manager_imports_a_salesforce_report_unedited(page, phone_page, live_server,
                                                      live_instance, tmp_path):
    report = demo_export(live_instance, tmp_path, "salesforce-activities")
    sign_in(page, live_server, "manager@example.com")
    page.get_by_role("link", name="Import CRM data").click()
    page.get_by_label("File", exact=True).set_input_files(str(report))
    page.get_by_role("button", name="Check file").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("has 1 bad row")
    found = facts(page)
    assert found["Format"] == "Salesforce activity report"
    assert found["Encoding"] == "UTF-8 with byte order mark"
    assert found["Dates read as"] == "MM/DD/YYYY (11/20/2026)"
    assert found["Footer lines left out"] == "3"
    assert int(found["Left out: Activity Type: Task (not counted)"]) >= 1
    rows = page.get_by_role("region", name="The first rows as they will be stored")
    expect(rows.locator("tbody tr").first).to_contain_text("@example.com")
    expect(page.locator("#bad-rows")).to_contain_text(
        "Assigned 'Jordan Blake': no account has this name")
    screenshot(page, "crm-import-check")

    page.get_by_label("Jordan Blake").fill("rep03@example.com")
    page.get_by_role("button", name="Save matches and check again").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The checked file is ready to import")
    import_button = page.get_by_role("button", name="Import")
    created = int(facts(page)["Rows to create"])
    assert created > 10
    import_button.click()
    expect(page.locator(".flash, [role=status]").first).to_contain_text(
        f"Imported {created} rows: {created} created")

    # On a phone, this week's HubSpot export (semicolons, date and time) reads the same.
    export = demo_export(live_instance, tmp_path, "hubspot-activities")
    sign_in(phone_page, live_server, "manager@example.com")
    phone_page.goto(live_server + "/ramp/import")
    phone_page.get_by_label("File", exact=True).set_input_files(str(export))
    phone_page.get_by_role("button", name="Check file").click()
    found = facts(phone_page)
    assert found["Format"] == "HubSpot activities export"
    assert found["Separated by"] == "semicolon"
    expect(phone_page.get_by_label("Jordan Blake")).to_be_visible()
    screenshot(phone_page, "crm-import-check-phone")
