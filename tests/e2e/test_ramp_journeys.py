"""A manager reads the ramp: dashboard, then a cohort, then a rep; the charts are drawn."""
import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import screenshot
from tests.e2e.test_sign_in_journeys import sign_in

pytestmark = pytest.mark.e2e


def drawn_points(page, chart_id: str) -> int:
    """Points of the drawing `chart_id` (a phone sees the one whose id ends in "-narrow")."""
    chart = page.locator(f"svg[aria-labelledby^='{chart_id}-title']")
    expect(chart).to_be_visible()
    return chart.locator(".point, .chart__dot").count()  # a phone's dots carry no tooltip


def test_manager_drills_from_dashboard_to_cohort_to_rep(page, phone_page, live_server):
    sign_in(page, live_server, "manager@example.com")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ramp")
    # The demo's history: several cohorts, onboarding shrinking from months to weeks.
    assert drawn_points(page, "ttp-trend") >= 3
    assert drawn_points(page, "km-cohorts") >= 10
    assert drawn_points(page, "territories") >= 2
    expect(page.locator(".card").filter(has_text="Median days to productivity")).to_contain_text("days")
    page.get_by_text("Data table: Time to productivity by cohort").click()
    expect(page.locator("details[open] table")).to_be_visible()
    screenshot(page, "ramp-dashboard")

    # The current EMEA North cohort: 60 days in, with eight weeks of activity.
    page.locator("a[href*='/ramp/cohorts/']", has_text="EMEA North").first.click()
    expect(page.locator(".breadcrumb")).to_contain_text("Ramp")
    assert drawn_points(page, "km-cohort") >= 2
    assert drawn_points(page, "funnel") >= 3
    assert drawn_points(page, "ramp-curve") >= 1
    assert drawn_points(page, "pace") >= 10
    screenshot(page, "ramp-cohort")
    page.get_by_label("Activity").select_option("meeting")
    page.locator("#pace").get_by_role("button", name="Show").click()
    expect(page.locator("svg[aria-labelledby^='pace'] title").first).to_contain_text("meeting")

    rep_link = page.locator("#pace ~ .section table a").first
    rep_name = rep_link.inner_text().strip()
    rep_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(rep_name)
    assert drawn_points(page, "rep-weekly") >= 4
    assert drawn_points(page, "rep-milestones") >= 1
    screenshot(page, "ramp-rep")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").nth(1).click()
    assert download.value.suggested_filename.endswith("-weekly-" + page.locator(
        "#as-of").input_value() + ".csv")

    sign_in(phone_page, live_server, "manager@example.com")
    assert drawn_points(phone_page, "ttp-trend-narrow") >= 3
    screenshot(phone_page, "ramp-dashboard-phone")
