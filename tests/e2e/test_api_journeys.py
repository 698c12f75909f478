"""An admin connects a CRM: creates an API token, sees its secret once, and the token works."""
import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import screenshot
from tests.e2e.test_sign_in_journeys import sign_in

pytestmark = pytest.mark.e2e


def test_admin_creates_a_token_and_the_crm_reads_the_ramp(page, live_server):
    sign_in(page, live_server, "admin@example.com")
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    page.get_by_label("User").fill("manager@example.com")
    page.get_by_label("Name").fill("Salesforce sync")
    page.get_by_label("Allow writes").check()
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("#token-secret").inner_text().strip()
    assert secret.startswith("cev_")
    expect(page.get_by_role("row").filter(has_text="Salesforce sync")).to_contain_text(
        "Read and write")
    screenshot(page, "api-tokens")

    api = page.request
    cohorts = api.get(live_server + "/api/v1/cohorts",
                      headers={"Authorization": f"Bearer {secret}"})
    assert cohorts.status == 200
    first = cohorts.json()["items"][0]
    ramp = api.get(f"{live_server}/api/v1/cohorts/{first['id']}/ramp",
                   headers={"Authorization": f"Bearer {secret}"})
    assert ramp.status == 200 and ramp.json()["cohort"] == first["name"]
    refused = api.get(live_server + "/api/v1/cohorts")
    assert refused.status == 401 and refused.headers["content-type"] == "application/problem+json"

    page.get_by_role("link", name="API reference").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("cev_learn API")
    expect(page.get_by_text("GET /api/v1/cohorts/{cohort_id}/ramp")).to_be_visible()
    screenshot(page, "api-reference")

    page.goto(live_server + "/admin/tokens")
    row = page.get_by_role("row").filter(has_text="Salesforce sync")
    row.locator("summary").click()
    row.get_by_label("Yes, revoke").check()
    row.get_by_role("button", name="Revoke").click()
    expect(page.locator(".flash--success")).to_contain_text("revoked")
    assert api.get(live_server + "/api/v1/cohorts",
                   headers={"Authorization": f"Bearer {secret}"}).status == 401
