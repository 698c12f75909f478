"""Each kind of user signs in, lands on their home page, and signs out."""
import pytest
from playwright.sync_api import expect

from cev_learn.demo import DEMO_PASSWORD
from tests.e2e.helpers import screenshot

pytestmark = pytest.mark.e2e

HOMES = [
    ("rep01@example.com", "/week", "This week"),
    ("coach.sam@example.com", "/coach", "My reps"),
    ("manager@example.com", "/ramp", "Ramp"),
    ("admin@example.com", "/admin/users", "Users"),
]


def sign_in(page, live_server, email, password=DEMO_PASSWORD):
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():  # a page opened next must not cut the sign-in short
        page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("email,path,heading", HOMES, ids=[h[2] for h in HOMES])
def test_each_role_lands_on_its_home_page(page, live_server, email, path, heading):
    sign_in(page, live_server, email)
    expect(page).to_have_url(live_server + path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=heading)).to_have_attribute("aria-current", "page")
    expect(page.locator(".flash--success")).to_contain_text("Welcome back")
    screenshot(page, f"home-{path.strip('/').replace('/', '-')}-desktop")


def test_wrong_password_shows_an_error_and_keeps_the_email(page, live_server):
    sign_in(page, live_server, "rep01@example.com", "not the password")
    expect(page.get_by_role("alert")).to_contain_text("Email or password is incorrect.")
    expect(page.get_by_label("Email")).to_have_value("rep01@example.com")
    expect(page).to_have_url(live_server + "/login")
    screenshot(page, "login-error")


def test_sign_out_ends_the_session(page, live_server):
    sign_in(page, live_server, "rep02@example.com")
    expect(page).to_have_url(live_server + "/week")
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".flash--success")).to_contain_text("You are signed out.")
    page.goto(live_server + "/week")
    expect(page).to_have_url(live_server + "/login?next=%2Fweek")


def test_deep_link_returns_after_sign_in(page, live_server):
    page.goto(live_server + "/admin/users?role=coach")
    expect(page).to_have_url(live_server + "/login?next=%2Fadmin%2Fusers%3Frole%3Dcoach")
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server + "/admin/users?role=coach")
    expect(page.get_by_role("cell", name="Sam Whitfield")).to_be_visible()


def test_phone_menu_collapses_and_still_signs_out(phone_page, live_server):
    page = phone_page
    sign_in(page, live_server, "coach.rita@example.com")
    expect(page.get_by_role("heading", level=1)).to_have_text("My reps")
    sign_out = page.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_hidden()
    screenshot(page, "home-coach-phone")
    page.get_by_text("Menu").click()
    expect(sign_out).to_be_visible()
    screenshot(page, "home-coach-phone-menu-open")
    sign_out.click()
    expect(page).to_have_url(live_server + "/login")


def test_screenshots_of_login_at_both_widths(page, phone_page, live_server):
    for name, p in (("desktop", page), ("phone", phone_page)):
        p.goto(live_server + "/login")
        expect(p.get_by_role("heading", level=1)).to_have_text("Sign in to cev_learn")
        screenshot(p, f"login-{name}")
