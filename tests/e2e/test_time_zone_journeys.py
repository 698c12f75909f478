"""A person whose browser is in New York signs in for the first time and reads every time in
New York's zone; they change it on their time-zone page and the times follow. At desktop and
phone width."""
import re
import subprocess

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import BIN, DESKTOP, PHONE, screenshot

pytestmark = pytest.mark.e2e

PASSWORD = "a first morning in new york"
EASTERN = re.compile(r"\d\d \w{3} \d{4} \d\d:\d\d E[SD]T")  # EST in winter, EDT in summer
LONDON = re.compile(r"\d\d \w{3} \d{4} \d\d:\d\d (GMT|BST)")


def new_admin(live_env, email: str, name: str) -> None:
    """An admin who has never signed in, so has no time zone yet."""
    subprocess.run([str(BIN / "cev-learn"), "users", "create", email, "--name", name,
                    "--role", "admin", "--password-stdin"], env=live_env, check=True,
                   input=PASSWORD + "\n", capture_output=True, text=True, timeout=60)


def open_menu_on_a_phone(page, phone: bool) -> None:
    if phone:
        page.get_by_text("Menu", exact=True).click()


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_times_are_shown_in_the_browsers_zone_and_follow_a_change(
        browser, live_server, live_env, width):
    phone = width == "phone"
    email, name = f"tz.{width}@example.com", f"Tess Zone {width.title()}"
    new_admin(live_env, email, name)
    context = browser.new_context(viewport=PHONE if phone else DESKTOP, is_mobile=phone,
                                  has_touch=phone, timezone_id="America/New_York")
    page = context.new_page()
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server + "/admin/users")

    # Their own last sign-in, just now, in New York's zone.
    page.get_by_label("Search").fill(email)
    page.get_by_role("button", name="Filter").click()
    row = page.get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text(EASTERN)
    screenshot(page, f"time-zone-users-{width}")

    open_menu_on_a_phone(page, phone)
    page.get_by_role("link", name="Time zone").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your time zone")
    expect(page.get_by_role("main")).to_contain_text("shown to you in America/New York")
    expect(page.get_by_label("Time zone")).to_have_value("America/New_York")
    assert page.evaluate("document.documentElement.scrollWidth") <= (390 if phone else 1366)
    screenshot(page, f"time-zone-page-{width}")

    page.get_by_label("Time zone").select_option("Europe/London")
    page.get_by_role("button", name="Save time zone").click()
    expect(page.locator(".flash--success")).to_contain_text("Time zone set to Europe/London.")
    # The browser still says New York: it offers its zone back.
    expect(page.get_by_text("Your browser is set to America/New York.")).to_be_visible()
    screenshot(page, f"time-zone-changed-{width}")
    page.goto(live_server + "/admin/users?q=" + email)
    expect(page.get_by_role("row").filter(has_text=name)).to_contain_text(LONDON)
    context.close()
