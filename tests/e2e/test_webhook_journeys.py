"""An admin registers a webhook endpoint in the browser, a rep's work reaches it through the
worker, signed, and "Send again" sends it once more; the pages at desktop and phone widths."""
import signal
import subprocess
import time

import pytest
from playwright.sync_api import expect
from standardwebhooks import Webhook

from bench.receiver import Receiver
from tests.e2e.helpers import BIN, screenshot, tick_the_whole_checklist
from tests.e2e.test_sign_in_journeys import sign_in

pytestmark = pytest.mark.e2e

MODULES = ("working-with-your-coach", "territory-and-account-planning",
           "weekly-activity-cadence", "pipeline-and-crm-hygiene", "pricing-and-negotiation")


@pytest.fixture(scope="module")
def live_worker(live_server, live_env, live_instance):
    """`cev-learn worker` beside the served app, as `make run` starts it."""
    with (live_instance / "worker.log").open("ab") as log:
        worker = subprocess.Popen([str(BIN / "cev-learn"), "worker"], stdout=log,
                                  stderr=subprocess.STDOUT,
                                  env={**live_env, "CEV_LEARN_WEBHOOK_POLL_SECONDS": "0.2"})
    yield worker
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(30) == 0


def wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def delivery_recorded(page, message_id: str) -> bool:
    """The worker records a delivery after the receiver has answered, so a page loaded
    as the message arrives may still say Pending: load it again until it says Delivered."""
    page.reload()
    return page.locator("tr", has_text=message_id).get_by_text("Delivered").count() == 1


def test_admin_registers_an_endpoint_sees_a_delivery_and_sends_it_again(
        browser, page, phone_page, live_server, live_worker):
    with Receiver() as receiver:
        sign_in(page, live_server, "admin@example.com")
        page.get_by_role("link", name="Webhooks").click()  # on Users, beside API tokens
        expect(page.get_by_role("heading", level=1)).to_have_text("Webhooks")
        expect(page.get_by_role("link", name="https://crm.example.com/hooks/cev-learn")) \
            .to_be_visible()  # the demo's example endpoint
        # A receiver on this machine: private addresses must be allowed first.
        page.get_by_label("Endpoint URL").fill(receiver.url)
        page.get_by_role("button", name="Register endpoint").click()
        expect(page.locator("#url-error")).to_contain_text("127.0.0.1 is a loopback address")
        page.get_by_label("Allow endpoints on private and loopback addresses").check()
        page.get_by_role("button", name="Save settings").click()
        expect(page.locator(".flash--success")).to_contain_text("are now allowed")
        page.get_by_label("Endpoint URL").fill(receiver.url)
        page.get_by_label("Description").fill("Our CRM's onboarding flow")
        page.get_by_label("rep.at_risk").uncheck()
        page.get_by_role("button", name="Register endpoint").click()
        expect(page.locator(".flash--success")).to_contain_text("registered")
        secret = page.locator("#endpoint-secret").inner_text()
        assert secret.startswith("whsec_")
        screenshot(page, "webhooks-endpoint-registered-desktop")

        rep_context = browser.new_context()  # a rep no other journey completes modules as
        rep_page = rep_context.new_page()
        sign_in(rep_page, live_server, "rep10@example.com")
        for slug in MODULES:  # the first one they have not read yet
            rep_page.goto(f"{live_server}/tracks/sales-foundations/modules/{slug}")
            if rep_page.get_by_role("button", name="Mark as complete").count():
                break
        tick_the_whole_checklist(rep_page)  # the starter track's checklists count
        rep_page.get_by_role("button", name="Mark as complete").click()
        expect(rep_page.locator(".flash--success")).to_contain_text("marked as complete")
        rep_context.close()

        wait_for(lambda: receiver.accepted)
        [first] = receiver.accepted
        payload = Webhook(secret).verify(first.body, first.headers)
        assert payload["type"] == "module.completed"
        assert payload["data"]["rep"]["email"] == "rep10@example.com"

        page.get_by_role("navigation", name="Breadcrumb").get_by_role("link",
                                                                      name="Webhooks").click()
        page.get_by_role("link", name=receiver.url).click()
        endpoint_url = page.url
        wait_for(lambda: delivery_recorded(page, first.message_id))
        row = page.locator("tr", has_text=first.message_id)
        expect(row.get_by_text("Delivered")).to_be_visible()
        screenshot(page, "webhooks-delivery-log-desktop")
        row.get_by_role("button", name="Send again").click()
        expect(page.locator(".flash--success")).to_contain_text("queued again")
        wait_for(lambda: len(receiver.accepted) == 2)
        again = receiver.accepted[1]
        assert again.message_id == first.message_id and again.body == first.body
        Webhook(secret).verify(again.body, again.headers)
        wait_for(lambda: delivery_recorded(page, first.message_id))
        row = page.locator("tr", has_text=first.message_id)
        expect(row).to_contain_text("sent again")
        expect(row.get_by_text("Delivered")).to_be_visible()
        message = row.locator("xpath=following-sibling::tr[1]")  # the message, under the row
        message.get_by_text("Message as sent").click()
        expect(message.locator("pre.payload").first).to_contain_text(
            '"type": "module.completed"')
        screenshot(page, "webhooks-sent-again-desktop")

    sign_in(phone_page, live_server, "admin@example.com")
    phone_page.goto(live_server + "/admin/webhooks")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Webhooks")
    screenshot(phone_page, "webhooks-phone")
    phone_page.goto(endpoint_url)
    expect(phone_page.get_by_role("heading", name="Delivery log")).to_be_visible()
    expect(phone_page.get_by_role("button", name="Send again").first).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "webhooks-endpoint-phone")
