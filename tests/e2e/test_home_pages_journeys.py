"""The pages each role opens on, as the README's tour shows them: every run of the browser
tests takes these screenshots again into docs/screenshots/, so the tour stays current."""
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import PHONE
from tests.e2e.test_sign_in_journeys import sign_in

pytestmark = pytest.mark.e2e

TOUR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
HOMES = [  # (who, lands on, heading, file in docs/screenshots)
    ("rep09@example.com", "/week", "This week", "rep-home"),  # DACH, 12 days in
    ("coach.rita@example.com", "/coach", "My reps", "coach-home"),
    ("manager@example.com", "/ramp", "Ramp", "manager-home"),
]


def tour_shot(page, name: str, full_page: bool) -> None:
    TOUR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(TOUR / f"{name}.png"), full_page=full_page)


@pytest.mark.parametrize("email,path,heading,name", HOMES, ids=[h[3] for h in HOMES])
def test_each_role_lands_on_its_home_page(browser, page, live_server, email, path, heading,
                                          name):
    sign_in(page, live_server, email)
    expect(page).to_have_url(live_server + path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    tour_shot(page, name, full_page=False)  # what one sees first, at 1366 × 768

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(phone, live_server, email)
    expect(phone.get_by_role("heading", level=1)).to_have_text(heading)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    tour_shot(phone, f"{name}-phone", full_page=False)
    phone.context.close()
