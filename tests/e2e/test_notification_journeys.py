"""A coach assigns a module; the rep sees the bell's count go up, opens the notification, lands
on the module and the count goes down again, then chooses to get emails at once; on a laptop
and on a phone."""
import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import DESKTOP, PHONE, screenshot
from tests.e2e.test_sign_in_journeys import sign_in

pytestmark = pytest.mark.e2e
REP = "rep02@example.com"  # in coach.sam's cohort; rep01 is other journeys'
UNREAD = re.compile(r"^(\d+) unread notifications?$|^Notifications, none unread$")


def unread(page) -> int:
    """The bell's count, as a screen reader hears it (the link's accessible name)."""
    bell = page.get_by_role("link", name=UNREAD)
    expect(bell).to_be_visible()
    match = UNREAD.match(" ".join(bell.locator(".visually-hidden").text_content().split()))
    return int(match.group(1) or 0)


@pytest.mark.parametrize("viewport,label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_a_rep_follows_the_bell_to_work_their_coach_assigned(
        browser, live_server, viewport, label):
    phone = viewport is PHONE
    rep_context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
    rep = rep_context.new_page()
    sign_in(rep, live_server, REP)
    expect(rep.get_by_role("heading", level=1)).to_have_text("This week")
    rep_name = " ".join(rep.locator(".usermenu__who").text_content().split()[:-1])  # less the role
    before = unread(rep)

    coach_context = browser.new_context(viewport=DESKTOP)
    coach = coach_context.new_page()
    sign_in(coach, live_server, "coach.sam@example.com")
    coach.get_by_role("link", name=rep_name).click()
    expect(coach.get_by_role("heading", level=1)).to_have_text(rep_name)
    module = coach.get_by_label("Module or quiz")
    value, text = module.evaluate("s => { const o = s.querySelector('optgroup[label=Modules] "
                                  "option'); return [o.value, o.text]; }")
    module.select_option(value)
    title = text.removesuffix(" (done)").strip()
    coach.get_by_label("Due date").fill((dt.date.today() + dt.timedelta(days=4)).isoformat())
    coach.get_by_role("button", name="Assign").click()
    expect(coach.locator(".flash--success")).to_contain_text("Assigned to")
    coach_context.close()

    rep.reload()
    assert unread(rep) == before + 1
    bell = rep.get_by_role("link", name=f"{before + 1} unread notification"
                           f"{'' if before == 0 else 's'}")
    expect(bell).to_be_visible()  # outside the menu: on a phone too
    screenshot(rep, f"notification-bell-{label}")
    bell.click()
    expect(rep.get_by_role("heading", level=1)).to_have_text("Notifications")
    newest = rep.locator(".notification-list li").first
    expect(newest).to_contain_text(f"Sam Whitfield assigned you “{title}”")
    screenshot(rep, f"notifications-page-{label}")
    newest.get_by_role("link").click()
    expect(rep).to_have_url(re.compile(r"/tracks/[^/]+/modules/[^/]+$"))
    expect(rep.get_by_role("heading", level=1)).to_have_text(title)
    assert unread(rep) == before

    # How notifications reach the inbox: a daily digest until the rep chooses otherwise.
    rep.goto(live_server + "/notifications/email")
    expect(rep.get_by_role("heading", level=1)).to_have_text("Notification emails")
    rep.get_by_role("radio", name=re.compile("Immediately")).check()
    rep.get_by_role("button", name="Save").click()
    expect(rep.locator(".flash--success")).to_have_text("Notification emails: immediately.")
    expect(rep.get_by_role("radio", name=re.compile("Immediately"))).to_be_checked()
    screenshot(rep, f"notification-emails-{label}")
    rep_context.close()
