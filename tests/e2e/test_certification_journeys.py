"""A coach's passing sign-off completes a demo rep's certification (they had passed the quiz):
the rep finds the certificate under Certificates, opens it and its verification link signed
out, which shows its validity and nothing else; a manager sees the counts."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import DESKTOP, PHONE, screenshot
from tests.e2e.test_phone_journeys import on_screen
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


HOLDER = "alumni003@example.com"  # an earlier cohort's rep who holds a certificate; reads only


def fits_the_phone(page) -> bool:
    """Nothing on the page is wider than the phone's screen (a phone browser would widen its
    layout to fit, and shrink the text)."""
    return page.evaluate(f"() => document.documentElement.scrollWidth <= {PHONE['width']}")


def test_on_a_phone_a_rep_opens_their_certificate_and_its_link(phone_page, live_server):
    sign_in(phone_page, live_server, HOLDER)
    phone_page.get_by_text("Menu", exact=True).click()
    phone_page.get_by_role("navigation", name="Main").get_by_role("link",
                                                                   name="Certificates").click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("My certificates")
    phone_page.get_by_role("link", name="Certified value pitch").click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Certified value pitch")
    expect(phone_page.locator("main .badge")).to_have_text(re.compile("^(Valid|Expired)$"))
    assert fits_the_phone(phone_page)
    screenshot(phone_page, "certificate-phone")
    link = phone_page.locator("a.verify-link").get_attribute("href")
    phone_page.context.clear_cookies()  # whoever the rep shows it to, on their own phone

    phone_page.goto(link)
    expect(phone_page.get_by_text("Menu", exact=True)).to_have_count(0)  # signed out
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Certified value pitch")
    expect(phone_page.locator("main")).not_to_contain_text(HOLDER)
    assert fits_the_phone(phone_page)
    screenshot(phone_page, "certificate-verification-phone")


def test_on_a_phone_a_manager_reads_the_certification_counts(phone_page, live_server):
    sign_in(phone_page, live_server, "manager@example.com")
    phone_page.goto(live_server + "/ramp")
    phone_page.get_by_role("link", name=re.compile("^Certifications:")).click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Certifications")
    # Each row a block of labelled lines: the counts in view, not scrolled off to the side.
    first_territory = phone_page.locator("table").first.locator("tbody tr").first
    for label in ("Certified", "Expiring within 30 days", "Expired"):
        cell = first_territory.locator(f"td[data-label='{label}']")
        expect(cell).to_be_visible()
        assert on_screen(cell), label
    assert fits_the_phone(phone_page)
    expect(phone_page.get_by_role("link", name=re.compile("Download CSV"))).to_be_visible()
    screenshot(phone_page, "certifications-manager-phone")
