"""A manager reads the projected productivity dates and checks how good they are; a coach
sees a rep's on the rep's page."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import screenshot
from tests.e2e.test_ramp_journeys import drawn_points
from tests.e2e.test_sign_in_journeys import sign_in

pytestmark = pytest.mark.e2e
DATE = re.compile(r"\d\d \w{3} \d{4}")


def test_manager_checks_the_forecasts_then_reads_a_cohorts(page, live_server):
    sign_in(page, live_server, "manager@example.com")
    page.get_by_role("link", name="How good are the forecasts?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How good are the forecasts?")
    # The demo's five earlier cohorts are finished: forecasts replayed on days 30, 60, 90.
    interval = page.locator(".card").filter(has_text="Inside the 80% interval")
    expect(interval).to_contain_text("%")
    expect(page.locator(".card").filter(has_text="Median error")).to_contain_text("Baseline")
    assert drawn_points(page, "forecast-calibration") == 3
    assert drawn_points(page, "forecast-error") == 6
    page.get_by_text("Data table: Forecasts made on day 30").first.click()
    expect(page.locator("details[open] table")).to_contain_text("Day 90")
    screenshot(page, "ramp-forecasts")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").last.click()
    assert download.value.suggested_filename.startswith("forecast-backtest-sales-foundations-")

    page.get_by_role("link", name="Ramp").first.click()
    page.locator("a[href*='/ramp/cohorts/']", has_text="EMEA North").first.click()
    section = page.locator("#forecast")
    expect(section.locator(".card")).to_contain_text("Projected cohort median")
    expect(section.locator(".card .card__big")).to_have_text(DATE)
    first = section.locator("tbody tr").first
    expect(first.locator("td").nth(3)).to_have_text(DATE)
    rep_name = first.locator("a").inner_text().strip()
    first.locator("a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(rep_name)
    card = page.locator(".card.forecast")
    expect(card).to_contain_text("Projected productive")
    expect(card).to_contain_text("80% likely")
    screenshot(page, "ramp-rep-forecast")


def test_coach_sees_a_reps_projected_date(page, live_server):
    sign_in(page, live_server, "coach.sam@example.com")
    page.locator("a[href^='/reps/']").first.click()
    card = page.locator(".card.forecast")
    expect(card).to_contain_text("Projected productive")
    expect(card.locator(".card__big")).to_have_text(DATE)
    card.get_by_role("link", name="How good are the forecasts?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How good are the forecasts?")
