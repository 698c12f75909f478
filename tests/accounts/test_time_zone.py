"""Each person's time zone: kept from the browser at first sign-in, seen and changed on their
own page (or by an admin), and every time in the app and its emails written in it."""
import datetime as dt
import re

import pytest
from sqlalchemy import select, update

from cev_learn.accounts.models import Role, User
from cev_learn.platform.db import db
from tests.helpers import csrf_token, login, make_user, post_form, reload

PAGE = "/account/time-zone"
UNKNOWN = "“Mars/Olympus_Mons” is not a time zone cev_learn knows"
SIGNED_IN_AT = dt.datetime(2026, 12, 7, 15, 45, tzinfo=dt.UTC)


def set_zone(user: User, zone: str | None) -> None:
    db.session.execute(update(User).where(User.id == user.id).values(time_zone=zone))
    db.session.commit()


# --- Sign-in keeps the browser's zone -------------------------------------------------------

def test_the_first_sign_in_keeps_the_browsers_zone(client):
    rep = make_user(Role.REP)
    assert login(client, rep.email, browser_time_zone="America/New_York").status_code == 302
    assert reload(rep).time_zone == "America/New_York"


def test_a_later_sign_in_from_another_browser_keeps_the_zone_chosen(client):
    rep = make_user(Role.REP)
    set_zone(rep, "Europe/Berlin")
    fresh = client.application.test_client()
    assert login(fresh, rep.email, browser_time_zone="Asia/Tokyo").status_code == 302
    assert reload(rep).time_zone == "Europe/Berlin"


@pytest.mark.parametrize("sent", ["", "Mars/Olympus_Mons", "x" * 300])
def test_without_a_known_browser_zone_nothing_is_stored_and_times_say_utc(client, sent):
    admin = make_user(Role.ADMIN)
    assert login(client, admin.email, browser_time_zone=sent).status_code == 302
    assert reload(admin).time_zone is None
    page = client.get(PAGE).get_data(as_text=True)
    assert "times are shown in <strong>UTC</strong>" in page
    listing = client.get("/admin/users").get_data(as_text=True)
    assert re.search(r"\d\d:\d\d UTC</td>", listing)  # their own last sign-in, in UTC


def test_the_sign_in_form_carries_the_browsers_zone_when_scripts_run(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="browser_time_zone"' in page and "data-browser-time-zone" in page
    assert "/static/js/time_zone.js" in page


# --- The person's own page ------------------------------------------------------------------

@pytest.mark.parametrize("role", list(Role))
def test_every_role_reaches_the_time_zone_page_from_the_top_bar(signed_in, role):
    client = signed_in(role)
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert f'href="{PAGE}"' in home
    page = client.get(PAGE)
    assert page.status_code == 200
    assert '<label class="field__label" for="time_zone">Time zone</label>' in \
        page.get_data(as_text=True)


def test_a_person_changes_their_zone_and_sees_times_in_it(signed_in):
    admin = make_user(Role.ADMIN)
    client = signed_in(admin)
    db.session.execute(update(User).where(User.id == admin.id)
                       .values(last_login_at=SIGNED_IN_AT))
    db.session.commit()
    response = post_form(client, PAGE, {"time_zone": "Europe/Berlin"}, token_from=PAGE)
    assert response.status_code == 302 and response.location == PAGE
    assert reload(admin).time_zone == "Europe/Berlin"
    page = client.get(PAGE).get_data(as_text=True)
    assert "Time zone set to Europe/Berlin." in page
    assert '<option selected value="Europe/Berlin">' in page
    assert "07 Dec 2026 16:45 CET" in client.get("/admin/users").get_data(as_text=True)


def test_an_unknown_zone_is_refused_by_name_and_nothing_changes(signed_in):
    rep = make_user(Role.REP)
    set_zone(rep, "Europe/London")
    client = signed_in(rep)
    response = post_form(client, PAGE, {"time_zone": "Mars/Olympus_Mons"}, token_from=PAGE)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert UNKNOWN in page and 'aria-invalid="true"' in page
    empty = post_form(client, PAGE, {"time_zone": ""}, token_from=PAGE)
    assert empty.status_code == 400
    assert "Choose a time zone, like Europe/Berlin." in empty.get_data(as_text=True)
    assert reload(rep).time_zone == "Europe/London"


def test_a_change_without_the_forms_token_is_refused(signed_in):
    rep = make_user(Role.REP)
    client = signed_in(rep)
    forged = client.post(PAGE, data={"time_zone": "Asia/Tokyo", "csrf_token": "forged"})
    missing = client.post(PAGE, data={"time_zone": "Asia/Tokyo"})
    assert forged.status_code == 400 and missing.status_code == 400
    assert reload(rep).time_zone is None


def test_signed_out_people_are_sent_to_sign_in(client):
    assert client.get(PAGE).headers["Location"].startswith("/login")
    assert client.post(PAGE, data={"time_zone": "Asia/Tokyo"}).status_code in (302, 400)


# --- Admins ---------------------------------------------------------------------------------

def test_an_admin_sets_a_persons_zone_and_an_unknown_one_is_refused(signed_in):
    admin = make_user(Role.ADMIN)
    rep = make_user(Role.REP, name="Tess Zone")
    client = signed_in(admin)
    url = f"/admin/users/{rep.id}"
    fields = {"email": rep.email, "name": rep.name, "role": "rep"}
    bad = post_form(client, url, {**fields, "time_zone": "Mars/Olympus_Mons"}, token_from=url)
    assert bad.status_code == 400 and UNKNOWN in bad.get_data(as_text=True)
    assert reload(rep).time_zone is None
    assert post_form(client, url, {**fields, "time_zone": "Asia/Tokyo"},
                     token_from=url).status_code == 302
    assert reload(rep).time_zone == "Asia/Tokyo"
    # Left blank, it stays the person's.
    assert post_form(client, url, {**fields, "time_zone": ""}, token_from=url).status_code == 302
    assert reload(rep).time_zone == "Asia/Tokyo"
    created = post_form(client, "/admin/users/new", {
        "email": "zoned@example.com", "name": "Zoned Rep", "role": "rep",
        "time_zone": "America/Chicago", "password": "long enough password",
        "confirm": "long enough password"}, token_from="/admin/users/new")
    assert created.status_code == 302
    assert db.session.scalar(select(User.time_zone).where(
        User.email == "zoned@example.com")) == "America/Chicago"


# --- Emails ---------------------------------------------------------------------------------

@pytest.mark.slow  # a real SMTP server
def test_an_invitation_says_when_it_expires_in_the_recipients_zone(make_app, mail_server):
    mailbox, port = mail_server()
    app = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TIMEOUT_SECONDS=5)
    admin = make_user(Role.ADMIN)
    client = app.test_client()
    login(client, admin.email)
    for email, zone in (("nyc@example.com", "America/New_York"), ("utc@example.com", "")):
        assert post_form(client, "/admin/users/new", {
            "email": email, "name": "New Person", "role": "rep", "invite": "y",
            "time_zone": zone}, token_from="/admin/users/new").status_code == 302
    eastern = mailbox.to("nyc@example.com").get_body(("plain",)).get_content()
    assert re.search(r"expires in 7 days, on \d\d \w{3} \d{4} \d\d:\d\d E[SD]T\.", eastern)
    unknown = mailbox.to("utc@example.com").get_body(("plain",)).get_content()
    assert re.search(r"expires in 7 days, on \d\d \w{3} \d{4} \d\d:\d\d UTC\.", unknown)


@pytest.mark.slow
def test_a_person_who_accepts_an_invitation_keeps_their_browsers_zone(make_app, mail_server):
    mailbox, port = mail_server()
    app = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TIMEOUT_SECONDS=5,
                   BASE_URL="https://learn.example.com")
    admin = make_user(Role.ADMIN)
    client = app.test_client()
    login(client, admin.email)
    post_form(client, "/admin/users/new", {"email": "joiner@example.com", "name": "Jo Iner",
                                           "role": "rep", "invite": "y"},
              token_from="/admin/users/new")
    text = mailbox.to("joiner@example.com").get_body(("plain",)).get_content()
    path = re.search(r"https://learn\.example\.com(/welcome/[A-Za-z0-9_-]+)", text).group(1)
    newcomer = app.test_client()
    password = "harbour lights at dawn over the quay"
    response = newcomer.post(path, data={"csrf_token": csrf_token(newcomer, path),
                                         "password": password, "confirm": password,
                                         "browser_time_zone": "Australia/Sydney"})
    assert response.status_code == 302
    assert db.session.scalar(select(User.time_zone).where(
        User.email == "joiner@example.com")) == "Australia/Sydney"
