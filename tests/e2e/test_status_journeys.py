"""Statuses a rep, a coach and a manager agree with: twelve days in, a milestone months away is
not started yet, never at risk; "at risk" means its due day is near (docs/metrics.md)."""
import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import screenshot
from tests.e2e.test_sign_in_journeys import sign_in

pytestmark = pytest.mark.e2e

NEAR_DAYS = 14  # the at-risk horizon's cap


def status_rows(page, heading) -> list[list[str]]:
    """The cells of each row of the table in the section under `heading`."""
    section = page.locator("section", has=page.get_by_role("heading", name=heading, exact=True))
    return [[cell.strip() for cell in row.locator("td").all_inner_texts()]
            for row in section.locator("tbody tr").all()]


def day(text: str) -> dt.date:
    return dt.datetime.strptime(re.search(r"\d{2} \w{3} \d{4}", text).group(), "%d %b %Y").date()


def test_a_rep_twelve_days_in_sees_far_milestones_as_not_started(page, phone_page, live_server):
    today = dt.date.today()
    sign_in(page, live_server, "rep09@example.com")  # DACH cohort, 12 days in; reads only
    milestones = status_rows(page, "Milestones")
    assert len(milestones) == 7
    statuses = [status for _, _, status in milestones]
    assert "At risk" not in statuses  # every open milestone is weeks away
    far = [row for row in milestones if (day(row[1]) - today).days > NEAR_DAYS]
    assert far and all(status in ("Not started yet", "On track") for _, _, status in far)
    assert statuses.count("Not started yet") >= 4
    expect(page.get_by_text("Not started yet").first).to_be_visible()
    screenshot(page, "status-rep-week-desktop")

    sign_in(phone_page, live_server, "rep09@example.com")
    expect(phone_page.get_by_text("Not started yet").first).to_be_visible()
    screenshot(phone_page, "status-rep-week-phone")


def test_coach_and_manager_count_only_reps_behind_or_near_a_miss(browser, page, live_server):
    today = dt.date.today()
    sign_in(page, live_server, "coach.rita@example.com")
    rows = status_rows(page, re.compile("DACH"))
    assert rows
    for name, status, _day, overdue, *_ in rows:
        # Twelve days in: behind only with work overdue, never at risk for a far milestone.
        assert status in ("Behind", "On track"), (name, status)
        assert (status == "Behind") == (overdue != "0"), (name, status, overdue)
    screenshot(page, "status-coach-home")

    manager = browser.new_context().new_page()
    sign_in(manager, live_server, "manager@example.com")
    count = int(manager.locator(".card", has_text="Need help now").locator(".card__big")
                .inner_text())
    listed = status_rows(manager, "Reps behind or at risk now")
    assert count == len(listed) or (count > 50 and len(listed) == 50)
    for name, _cohort, status, _day, overdue, next_milestone in listed:
        assert status in ("Behind", "At risk"), name
        if status == "At risk":  # near its due day, nothing overdue
            assert overdue == "0" and (day(next_milestone) - today).days <= NEAR_DAYS, name
    manager.context.close()
