"""A coach's passing sign-off completes a demo rep's certification (they had passed the quiz):
the rep finds the certificate under Certificates, opens it and its verification link signed
out, which shows its validity and nothing else; a manager sees the counts."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import DESKTOP, screenshot
from tests.e2e.test_sign_in_journeys import sign_in

pytestmark = pytest.mark.e2e
REP = "rep05@example.com"  # in coach.sam's cohort: passed Demos and objections, not yet signed off


def test_a_rep_earns_a_certificate_and_anyone_can_check_it(browser, live_server):
    context = browser.new_context(viewport=DESKTOP)
    rep = context.new_page()
    sign_in(rep, live_server, REP)
    rep.get_by_role("navigation", name="Main").get_by_role("link", name="Certificates").click()
    expect(rep.get_by_role("heading", level=1)).to_have_text("My certificates")
    expect(rep.get_by_role("heading", name="No certificates yet")).to_be_visible()
    rep_name = " ".join(rep.locator(".usermenu__who").text_content().split()[:-1])

    coach_context = browser.new_context(viewport=DESKTOP)
    coach = coach_context.new_page()
    sign_in(coach, live_server, "coach.sam@example.com")
    coach.get_by_role("link", name=rep_name).click()
    coach.get_by_role("link", name="Sign off: Value pitch").click()
    for group in ("Discovery questions", "Value story", "Objection handling", "Next step"):
        coach.get_by_role("group", name=group).get_by_role("radio", name=re.compile(r"^5")).check()
    coach.get_by_role("button", name="Record sign-off").click()
    expect(coach.locator(".flash--success")).to_be_visible()
    coach_context.close()

    rep.reload()
    rep.get_by_role("link", name="Certified value pitch").click()
    expect(rep.get_by_role("heading", level=1)).to_have_text("Certified value pitch")
    expect(rep.locator("main .badge")).to_have_text("Valid")
    screenshot(rep, "certificate-desktop")
    link = rep.locator("a.verify-link").get_attribute("href")
    context.close()

    anyone = browser.new_context(viewport=DESKTOP).new_page()  # signed out
    anyone.goto(link)
    expect(anyone.get_by_role("heading", level=1)).to_have_text("Certified value pitch")
    expect(anyone.locator("main")).to_contain_text(rep_name)
    expect(anyone.locator("main .badge")).to_have_text("Valid")
    expect(anyone.locator("main")).not_to_contain_text(REP)
    expect(anyone.locator("main")).not_to_contain_text("AEs")  # no cohort
    screenshot(anyone, "certificate-verification-desktop")

    manager = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(manager, live_server, "manager@example.com")
    manager.get_by_role("link", name=re.compile("^Certifications:")).click()
    expect(manager.get_by_role("heading", level=1)).to_have_text("Certifications")
    expect(manager.get_by_role("columnheader", name="Expiring within 30 days").first).to_be_visible()
    expect(manager.get_by_role("link", name=re.compile("Download CSV"))).to_be_visible()
    screenshot(manager, "certifications-manager-desktop")
