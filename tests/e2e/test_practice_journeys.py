"""Practice with a recorded pitch, in Chromium with its fake microphone and camera: a rep
records and submits a take, the coach scores it with a comment pinned to a time, the rep sees
the comment and clicking its time seeks the player there, and the sign-off milestone is
reached. On a laptop and on a phone."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import CHROMIUM, DESKTOP, PHONE, screenshot
from tests.e2e.test_sign_in_journeys import sign_in

pytestmark = pytest.mark.e2e

MILESTONE = "Value pitch certified by a coach"


@pytest.fixture(scope="module")
def media_browser(playwright_driver):
    """Chromium with fake media devices, which grants the microphone and camera unasked."""
    browser = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
              "--autoplay-policy=no-user-gesture-required"])
    yield browser
    browser.close()


def new_page(browser, viewport):
    phone = viewport == PHONE
    context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
    context.grant_permissions(["microphone", "camera"])
    return context, context.new_page()


def milestone_row(page):
    return page.get_by_role("row").filter(has=page.get_by_text(MILESTONE))


@pytest.mark.parametrize("viewport,rep,label", [
    (DESKTOP, "rep10@example.com", "desktop"), (PHONE, "rep11@example.com", "phone")])
def test_a_recorded_pitch_is_reviewed_and_completes_the_signoff(media_browser, live_server,
                                                                 viewport, rep, label):
    context, page = new_page(media_browser, viewport)
    sign_in(page, live_server, rep)
    page.goto(live_server + "/week")
    expect(milestone_row(page)).not_to_contain_text("Reached")
    page.goto(live_server + "/practice")
    page.get_by_role("link", name="Record your value pitch", exact=True).click()
    page.get_by_role("button", name="Start recording").click()
    expect(page.get_by_role("status")).to_contain_text("Recording… 0:03", timeout=10_000)
    page.get_by_role("button", name="Stop").click()
    expect(page.get_by_role("status")).to_contain_text("Take recorded")
    expect(page.get_by_role("button", name="Record again")).to_be_visible()
    screenshot(page, f"practice-recorded-{label}")
    page.get_by_role("button", name="Submit recording").click()
    expect(page.locator(".flash--success")).to_contain_text("Recording submitted")
    link = page.locator(".submission-list a").first
    submission_url = live_server + link.get_attribute("href")

    coach_context, coach = new_page(media_browser, viewport)
    sign_in(coach, live_server, "coach.rita@example.com")
    coach.goto(live_server + "/practice/reviews")
    coach.goto(submission_url + "/review")
    radios = coach.get_by_role("radio")
    for index in range(radios.count()):
        expect(radios.nth(index)).not_to_be_checked()
    player = coach.locator("#practice-player")
    player.evaluate("p => new Promise(done => { if (p.readyState >= 1) done(); "
                    "else p.addEventListener('loadedmetadata', () => done()); })")
    player.evaluate("p => { p.currentTime = 2; }")
    coach.get_by_role("button", name="Comment at current time").click()
    comments = coach.get_by_label("Comments pinned to a time")
    expect(comments).to_have_value(re.compile(r"^0:02 $"))
    comments.press_sequentially("Lovely open question")
    criteria = coach.locator("fieldset.criterion")
    expect(criteria).to_have_count(4)
    for index in range(4):
        criteria.nth(index).get_by_role("radio", name=re.compile(r"^5")).check()
    coach.get_by_label("Summary for the rep").fill("Book the next step on the call.")
    screenshot(coach, f"practice-review-{label}")
    coach.get_by_role("button", name="Save review").click()
    expect(coach.locator(".flash--success")).to_contain_text("Value pitch sign-off recorded")
    coach_context.close()

    page.goto(submission_url)
    expect(page.get_by_text("Book the next step on the call.")).to_be_visible()
    time_link = page.get_by_role("link", name="0:02")
    expect(time_link.locator("xpath=..")).to_contain_text("Lovely open question")
    time_link.click()
    assert page.locator("#practice-player").evaluate("p => p.currentTime") == 2
    screenshot(page, f"practice-reviewed-{label}")
    page.goto(live_server + "/week")
    expect(milestone_row(page)).to_contain_text("Reached")
    context.close()


PEER = "rep06@example.com"  # in coach.sam's cohort with the demo's first recordings; no
# other journey signs in as rep06


@pytest.mark.parametrize("viewport,label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_a_rep_reviews_a_cohort_mates_recording_and_the_coach_sees_it_apart(
        media_browser, live_server, viewport, label):
    """Each run reviews the first recording left on the peer's list (the demo's cohort has
    two): scores with no level chosen beforehand, a comment pinned to the player's time."""
    context, page = new_page(media_browser, viewport)
    sign_in(page, live_server, PEER)
    page.goto(live_server + "/practice")
    queue = page.locator("#peer-queue")
    expect(queue.get_by_role("heading")).to_have_text("Your cohort's recordings to review")
    link = queue.get_by_role("link").first
    href = link.get_attribute("href")
    author = link.text_content().split(":")[0]
    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(author)
    expect(page.get_by_text("Ask the rep to record it again")).to_have_count(0)
    radios = page.get_by_role("radio")
    for index in range(radios.count()):
        expect(radios.nth(index)).not_to_be_checked()
    player = page.locator("#practice-player")
    player.evaluate("p => new Promise(done => { if (p.readyState >= 1) done(); "
                    "else p.addEventListener('loadedmetadata', () => done()); })")
    player.evaluate("p => { p.currentTime = 3; }")
    page.get_by_role("button", name="Comment at current time").click()
    comments = page.get_by_label("Comments pinned to a time")
    expect(comments).to_have_value(re.compile(r"^0:03 $"))
    comments.press_sequentially("Strong first question")
    criteria = page.locator("fieldset.criterion")
    for index in range(criteria.count()):
        criteria.nth(index).get_by_role("radio", name=re.compile(r"^4")).check()
    summary = f"From your cohort ({label}): a clear customer story."
    page.get_by_label("Summary for your colleague").fill(summary)
    screenshot(page, f"practice-peer-review-{label}")
    page.get_by_role("button", name="Save peer review").click()
    expect(page.locator(".flash--success")).to_contain_text(f"Your review of {author}")
    expect(page.locator(f'#peer-queue a[href="{href}"]')).to_have_count(0)
    page.goto(live_server + href)
    expect(page.get_by_role("heading", name="Your peer review")).to_be_visible()
    context.close()

    coach_context, coach = new_page(media_browser, viewport)
    sign_in(coach, live_server, "coach.sam@example.com")
    coach.goto(live_server + href.removesuffix("/peer-review"))
    peers = coach.locator("#peer-reviews")
    expect(peers.get_by_role("heading", name="Peer reviews")).to_be_visible()
    expect(peers).to_contain_text(summary)
    expect(peers.get_by_role("link", name="0:03")).to_be_visible()
    screenshot(coach, f"practice-peer-reviews-seen-{label}")
    coach_context.close()
