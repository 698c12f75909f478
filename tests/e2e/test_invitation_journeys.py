"""Getting people in: a manager imports new reps, the invitations arrive at a real SMTP server,
a rep follows theirs and lands on This week; a link works once and not after it expires. A rep
who forgot their password gets a new one by email."""
import re
import sqlite3
from contextlib import closing

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import screenshot
from tests.e2e.test_sign_in_journeys import sign_in

pytestmark = pytest.mark.e2e

NEW_REPS = b"""email,name,role,territory
ola.invite@example.com,Ola Invite,rep,EMEA North
per.invite@example.com,Per Invite,rep,DACH
"""


def link_to(mailbox, address: str, live_server: str) -> str:
    (message,) = [m for rcpts, m in mailbox.received if rcpts == [address]]
    text = message.get_body(("plain",)).get_content()
    return re.search(re.escape(live_server) + r"/(?:welcome|password/reset)/[\w-]+", text).group(0)


def expire_links_of(database, address: str) -> None:
    """What seven days do: the invitation's expiry passes (the server reads it as stored)."""
    with closing(sqlite3.connect(database)) as db, db:
        db.execute("UPDATE sign_in_link SET expires_at = sent_at WHERE user_id = "
                   "(SELECT id FROM user WHERE email = ?)", (address,))


def test_imported_reps_are_invited_and_one_joins_from_the_email(
        browser, page, live_server, live_mailbox, live_instance):
    mailbox, _ = live_mailbox
    manager = browser.new_context().new_page()
    sign_in(manager, live_server, "manager@example.com")
    manager.get_by_role("navigation", name="Main").get_by_role("link", name="Cohorts").click()
    manager.get_by_role("link", name="Import reps from CSV").click()
    manager.get_by_label("CSV file").set_input_files(
        files=[{"name": "new-reps.csv", "mimeType": "text/csv", "buffer": NEW_REPS}])
    expect(manager.get_by_label("Invite the new people to choose their password")) \
        .to_be_checked()
    screenshot(manager, "manager-import-reps")
    manager.get_by_role("button", name="Import").click()
    expect(manager).to_have_url(live_server + "/cohorts")
    expect(manager.locator(".flash--success")).to_contain_text("2 invitations sent")

    sign_in(page, live_server, "admin@example.com")
    page.goto(live_server + "/admin/users")
    page.get_by_label("Search").fill("Invite")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tr", has_text="Ola Invite")).to_contain_text("Invited")
    screenshot(page, "admin-users-invited")

    link = link_to(mailbox, "ola.invite@example.com", live_server)
    rep_context = browser.new_context()
    rep = rep_context.new_page()
    rep.goto(link)
    expect(rep.get_by_role("heading", level=1)).to_have_text("Welcome to cev_learn, Ola Invite")
    rep.get_by_label("New password", exact=True).fill("ola starts on monday morning")
    rep.get_by_label("Repeat the new password").fill("ola starts on monday morning")
    screenshot(rep, "invitation-choose-password")
    rep.get_by_role("button", name="Set my password and start").click()
    expect(rep).to_have_url(live_server + "/week")
    expect(rep.get_by_role("heading", level=1)).to_have_text("This week")
    expect(rep.locator(".flash--success")).to_contain_text("Welcome to cev_learn, Ola Invite")
    rep_context.close()

    again = browser.new_context().new_page()
    again.goto(link)
    expect(again.get_by_role("heading", level=1)).to_have_text("This link no longer works")
    sign_in(again, live_server, "ola.invite@example.com", "ola starts on monday morning")
    expect(again).to_have_url(live_server + "/week")

    expired = link_to(mailbox, "per.invite@example.com", live_server)
    expire_links_of(live_instance / "e2e.sqlite", "per.invite@example.com")
    late = browser.new_context().new_page()
    late.goto(expired)
    expect(late.get_by_role("heading", level=1)).to_have_text("This link no longer works")
    page.goto(live_server + "/admin/users?q=Per+Invite")
    expect(page.locator("tr", has_text="Per Invite")).to_contain_text("Invitation expired")


def test_a_rep_who_forgot_their_password_sets_a_new_one_from_a_phone(
        phone_page, live_server, live_mailbox):
    mailbox, _ = live_mailbox
    page = phone_page
    page.goto(live_server + "/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("rep08@example.com")  # no other journey signs in as rep08
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    screenshot(page, "forgot-password-phone")
    page.goto(link_to(mailbox, "rep08@example.com", live_server))
    page.get_by_label("New password", exact=True).fill("a brand new phrase for rep eight")
    page.get_by_label("Repeat the new password").fill("a brand new phrase for rep eight")
    page.get_by_role("button", name="Set new password").click()
    expect(page).to_have_url(live_server + "/week")
    expect(page.locator(".flash--success")).to_contain_text("Your new password is set")


def test_a_rep_signs_in_through_the_identity_provider_and_a_replayed_answer_is_refused(
        browser, page, live_server):
    page.goto(live_server + "/login")
    screenshot(page, "sign-in-with-sso")
    page.get_by_role("link", name="Sign in with single sign-on").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Test identity provider")
    page.get_by_label("Account").fill("rep07@example.com")  # the provider vouches for the email
    with page.expect_request(re.compile(r".*/login/sso/callback\?.*")) as answer:
        page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(live_server + "/week")
    expect(page.get_by_role("heading", level=1)).to_have_text("This week")

    replay = browser.new_context().new_page()
    replay.goto(answer.value.url)
    expect(replay.get_by_role("alert")).to_contain_text("could not be verified")
    expect(replay.get_by_role("heading", level=1)).to_have_text("Sign in to cev_learn")
    screenshot(replay, "sso-replayed-answer")
