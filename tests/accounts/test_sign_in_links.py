"""Invitations and password resets: one-time links by email, sent through a real SMTP server on
localhost, followed as a person would."""
import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select, update

from cev_learn.accounts import sign_in_links
from cev_learn.accounts.models import LinkPurpose, Role, SignInLink, User
from cev_learn.platform.db import db, utcnow
from tests.helpers import CSRF_META, PASSWORD, csrf_token, login, make_user, post_form, reload

pytestmark = pytest.mark.slow  # a real SMTP server

BASE_URL = "https://learn.example.com"
NEW_PASSWORD = "harbour lights at dawn over the quay"
LINK = re.compile(re.escape(BASE_URL) + r"(/(?:welcome|password/reset)/[A-Za-z0-9_-]+)")


@pytest.fixture
def mailing(make_app, mail_server):
    """(app sending through a local SMTP server, its mailbox)."""
    mailbox, port = mail_server()
    app = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=port, BASE_URL=BASE_URL,
                   SMTP_TIMEOUT_SECONDS=5)
    return app, mailbox


def link_path(message) -> str:
    text = message.get_body(("plain",)).get_content()
    found = LINK.search(text)
    assert found, text
    html = message.get_body(("html",)).get_content()
    assert f'href="{BASE_URL}{found.group(1)}"' in html
    return found.group(1)


def signed_in_admin(app):
    admin = make_user(Role.ADMIN)
    client = app.test_client()
    assert login(client, admin.email).status_code == 302
    return client, admin


def add_invited(client, mailbox, email: str, name: str) -> tuple[User, str]:
    """Add a rep through Users → Add a user with an invitation: (the user, the link's path)."""
    response = post_form(client, "/admin/users/new", {"email": email, "name": name,
                                                      "role": "rep", "invite": "y"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == email))
    return user, link_path(mailbox.to(email))


def choose(client, path: str, password: str = NEW_PASSWORD):
    return client.post(path, data={"csrf_token": csrf_token(client, path), "password": password,
                                   "confirm": password})


def invitations_of(user: User) -> list[SignInLink]:
    db.session.expire_all()
    return list(db.session.scalars(select(SignInLink).where(
        SignInLink.user_id == user.id, SignInLink.purpose == LinkPurpose.INVITATION)
        .order_by(SignInLink.id)))


# --- Invitations ----------------------------------------------------------------------------

def test_an_admin_adds_a_person_who_follows_the_invitation_and_lands_signed_in(mailing):
    app, mailbox = mailing
    client, _ = signed_in_admin(app)
    response = post_form(client, "/admin/users/new", {
        "email": "Nia.New@Example.com", "name": "Nia New", "role": "rep", "invite": "y"})
    assert response.status_code == 302
    message = mailbox.to("nia.new@example.com")
    assert message["Subject"] == "You are invited to cev_learn"
    assert "expires in 7 days" in message.get_body(("plain",)).get_content()
    path = link_path(message)
    nia = db.session.scalar(select(User).where(User.email == "nia.new@example.com"))
    assert nia.password_hash is None

    newcomer = app.test_client()
    page = newcomer.get(path)
    assert page.status_code == 200
    assert "Welcome to cev_learn, Nia New" in page.get_data(as_text=True)
    response = choose(newcomer, path)
    assert response.status_code == 302 and urlsplit(response.location).path == "/"
    assert newcomer.get("/").location.endswith("/week")  # a rep's home: This week
    assert newcomer.get("/week").status_code == 200
    # Joined: the password works, the link does not, a second time.
    assert login(app.test_client(), "nia.new@example.com", NEW_PASSWORD).status_code == 302
    assert app.test_client().get(path).status_code == 410
    assert choose(app.test_client(), path, "another long sentence for a password").status_code \
        == 410
    assert reload(nia).last_login_at is not None


def test_only_a_digest_of_the_link_is_stored(mailing):
    app, mailbox = mailing
    rep = make_user(Role.REP)
    rep.password_hash = None
    db.session.commit()
    (queued,) = sign_in_links.invite([rep], by=None, now=utcnow())
    db.session.commit()
    assert queued.digest is None  # queued: no secret exists yet
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["users", "invite", "--all-waiting"])
    assert result.exit_code == 0, result.output
    secret = link_path(mailbox.to(rep.email)).rsplit("/", 1)[1]
    (stored,) = invitations_of(rep)
    assert stored.digest == sign_in_links.digest(secret) != secret
    assert db.session.scalar(select(func.count()).select_from(SignInLink).where(
        SignInLink.digest == secret)) == 0


def test_an_invitation_expires_after_seven_days(mailing):
    app, mailbox = mailing
    client, _ = signed_in_admin(app)
    lou, path = add_invited(client, mailbox, "late@example.com", "Lou Late")
    (link,) = invitations_of(lou)
    assert link.expires_at - link.sent_at == dt.timedelta(days=7)
    db.session.execute(update(SignInLink).where(SignInLink.id == link.id).values(
        expires_at=utcnow() - dt.timedelta(seconds=1)))
    db.session.commit()
    assert app.test_client().get(path).status_code == 410
    assert choose(app.test_client(), path).status_code == 410
    page = client.get(f"/admin/users/{link.user_id}").get_data(as_text=True)
    assert "Invitation expired" in page and "Send a new invitation" in page


def test_a_new_invitation_replaces_the_last_one_and_revoking_ends_it(mailing):
    app, mailbox = mailing
    client, _ = signed_in_admin(app)
    rae, first = add_invited(client, mailbox, "re@example.com", "Rae Resend")
    page = client.get(f"/admin/users/{rae.id}").get_data(as_text=True)
    assert "Invited" in page and "Send a new invitation" in page
    assert post_form(client, f"/admin/users/{rae.id}/invite").status_code == 302
    second = link_path([m for _, m in mailbox.received][-1])
    assert first != second
    assert app.test_client().get(first).status_code == 410
    assert app.test_client().get(second).status_code == 200
    assert post_form(client, f"/admin/users/{rae.id}/invitation/revoke").status_code == 302
    assert app.test_client().get(second).status_code == 410
    assert "Never joined" in client.get(f"/admin/users/{rae.id}").get_data(as_text=True)


def test_the_users_list_shows_how_each_person_signs_in(mailing):
    app, _ = mailing
    client, _ = signed_in_admin(app)
    make_user(Role.REP, name="Pat Password")
    never = make_user(Role.REP, name="Nell Never")
    never.password_hash = None
    db.session.commit()
    post_form(client, "/admin/users/new", {"email": "ivy@example.com", "name": "Ivy Invited",
                                           "role": "rep", "invite": "y"})
    page = client.get("/admin/users").get_data(as_text=True)
    rows = {name: re.search(name + r".*?</tr>", page, re.S).group(0)
            for name in ("Pat Password", "Nell Never", "Ivy Invited")}
    assert ">Password<" in rows["Pat Password"]
    assert ">Never joined<" in rows["Nell Never"]
    assert ">Invited<" in rows["Ivy Invited"]
    waiting = client.get("/admin/users?status=not_joined").get_data(as_text=True)
    assert "Nell Never" in waiting and "Ivy Invited" in waiting
    assert "Pat Password" not in waiting


def test_a_refused_invitation_stays_queued_with_the_reason_and_goes_out_on_the_next_run(
        make_app, mail_server):
    mailbox, port = mail_server(reject=["bounce@example.com"])
    app = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=port, BASE_URL=BASE_URL)
    client, _ = signed_in_admin(app)
    post_form(client, "/admin/users/new", {"email": "bounce@example.com", "name": "Bo Bounce",
                                           "role": "rep", "invite": "y"})
    bo = db.session.scalar(select(User).where(User.email == "bounce@example.com"))
    (link,) = invitations_of(bo)
    assert link.sent_at is None and link.digest is None
    assert "550" in link.delivery_error
    assert "Invitation not delivered" in client.get(f"/admin/users/{bo.id}").get_data(as_text=True)
    mailbox.reject.clear()
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["users", "invite", "--all-waiting"])
        assert result.exit_code == 0, result.output
        assert "1 invitation sent" in result.output
        again = app.test_cli_runner().invoke(args=["users", "invite", "--all-waiting"])
    assert "0 invitations sent" in again.output
    assert mailbox.recipients == ["bounce@example.com"]  # once, never twice
    (link,) = invitations_of(bo)
    assert link.sent_at is not None and link.delivery_error is None


def test_an_import_invites_the_new_people_in_one_batch_and_a_second_run_sends_nothing(
        mailing, tmp_path):
    app, mailbox = mailing
    make_user(Role.REP, email="old@example.com")
    csv = tmp_path / "users.csv"
    csv.write_text("email,name,role\nold@example.com,Old Hand,rep\n"
                   "ana@example.com,Ana New,rep\nben@example.com,Ben New,coach\n")
    with app.app_context():
        first = app.test_cli_runner().invoke(args=["import", "users", str(csv), "--invite"])
        assert first.exit_code == 0, first.output
        assert "invitations: 2 invitations sent" in first.output
        second = app.test_cli_runner().invoke(args=["import", "users", str(csv), "--invite"])
        assert second.exit_code == 0, second.output
        resend = app.test_cli_runner().invoke(args=["users", "invite", "ana@example.com"])
    assert "invitations: 0 invitations sent" in resend.output
    assert mailbox.recipients == ["ana@example.com", "ben@example.com"]


def test_the_import_page_sends_invitations_when_asked(mailing):
    app, mailbox = mailing
    client, _ = signed_in_admin(app)
    from io import BytesIO
    data = {"csrf_token": csrf_token(client, "/admin/import/users"), "invite": "y",
            "file": (BytesIO(b"email,name,role\ncy@example.com,Cy New,rep\n"), "users.csv")}
    response = client.post("/admin/import/users", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    assert mailbox.recipients == ["cy@example.com"]
    assert "1 invitation sent" in client.get("/admin/users").get_data(as_text=True)


def test_a_deactivated_person_cannot_use_their_invitation(mailing):
    app, mailbox = mailing
    client, _ = signed_in_admin(app)
    gil, path = add_invited(client, mailbox, "gone@example.com", "Gil Gone")
    post_form(client, f"/admin/users/{gil.id}/deactivate", {"confirm": "y"})
    assert app.test_client().get(path).status_code == 410


def test_a_new_person_needs_a_password_or_an_invitation(mailing):
    app, mailbox = mailing
    client, _ = signed_in_admin(app)
    response = post_form(client, "/admin/users/new", {
        "email": "none@example.com", "name": "No Way", "role": "rep"})
    assert response.status_code == 400
    assert "Set a password, or invite them to choose their own." in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "none@example.com")) is None
    assert mailbox.received == []


# --- Password reset -------------------------------------------------------------------------

def forgot(client, email: str):
    return client.post("/password/forgot", data={
        "csrf_token": csrf_token(client, "/password/forgot"), "email": email})


def test_forgot_password_gives_the_same_answer_whether_or_not_the_account_exists(mailing):
    app, mailbox = mailing
    make_user(Role.REP, email="known@example.com")
    known = forgot(app.test_client(), "known@example.com")
    unknown = forgot(app.test_client(), "nobody@example.com")
    assert known.status_code == unknown.status_code == 200

    def page(response):  # each client has its own CSRF token
        return CSRF_META.sub("", response.get_data(as_text=True))

    assert page(known).replace("known@", "nobody@") == page(unknown)
    assert "If <strong>nobody@example.com</strong> has a cev_learn account" in page(unknown)
    assert mailbox.recipients == ["known@example.com"]


def test_a_reset_link_sets_a_new_password_and_signs_out_every_other_session(mailing):
    app, mailbox = mailing
    rep = make_user(Role.REP, email="ria@example.com")
    elsewhere = app.test_client()
    assert login(elsewhere, rep.email).status_code == 302
    assert elsewhere.get("/week").status_code == 200
    forgot(app.test_client(), "RIA@example.com ")
    message = mailbox.to("ria@example.com")
    assert message["Subject"] == "Choose a new cev_learn password"
    assert "expires in 1 hour" in message.get_body(("plain",)).get_content()
    path = link_path(message)
    browser = app.test_client()
    assert choose(browser, path).status_code == 302
    assert browser.get("/week").status_code == 200
    assert elsewhere.get("/week").status_code == 302  # signed out
    assert login(app.test_client(), rep.email, PASSWORD).status_code == 400  # old: refused
    assert login(app.test_client(), rep.email, NEW_PASSWORD).status_code == 302
    assert app.test_client().get(path).status_code == 410  # once


def test_a_reset_link_expires_after_an_hour(mailing):
    app, mailbox = mailing
    make_user(Role.REP, email="hour@example.com")
    forgot(app.test_client(), "hour@example.com")
    path = link_path(mailbox.to("hour@example.com"))
    link = db.session.scalar(select(SignInLink).where(
        SignInLink.purpose == LinkPurpose.PASSWORD_RESET))
    assert link.expires_at - link.sent_at == dt.timedelta(hours=1)
    db.session.execute(update(SignInLink).values(expires_at=utcnow() - dt.timedelta(seconds=1)))
    db.session.commit()
    assert choose(app.test_client(), path).status_code == 410


def test_an_invitation_link_does_not_open_the_reset_page_nor_the_reverse(mailing):
    app, mailbox = mailing
    make_user(Role.REP, email="both@example.com")
    forgot(app.test_client(), "both@example.com")
    secret = link_path(mailbox.to("both@example.com")).rsplit("/", 1)[1]
    assert app.test_client().get(f"/welcome/{secret}").status_code == 410


def test_a_weak_password_is_refused_and_the_link_still_works(mailing):
    app, mailbox = mailing
    make_user(Role.REP, email="weak@example.com", name="Wes Weak")
    forgot(app.test_client(), "weak@example.com")
    path = link_path(mailbox.to("weak@example.com"))
    response = choose(app.test_client(), path, "password123")
    assert response.status_code == 400
    assert choose(app.test_client(), path).status_code == 302


def test_reset_requests_are_limited_per_address_and_per_client(make_app, mail_server):
    mailbox, port = mail_server()
    app = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=port, BASE_URL=BASE_URL,
                   PASSWORD_RESET_LIMIT="2 per hour", PASSWORD_RESET_LIMIT_PER_ADDRESS="3 per hour")
    make_user(Role.REP, email="spam@example.com")
    answers = [forgot(app.test_client(), "spam@example.com").status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    assert mailbox.recipients == ["spam@example.com", "spam@example.com"]
    # The same client, other addresses: the per-client limit (3) is reached on the next one.
    assert forgot(app.test_client(), "other@example.com").status_code == 429
    page = forgot(app.test_client(), "third@example.com")
    assert page.status_code == 429
    assert "Too many password reset requests" in page.get_data(as_text=True)


def test_the_sign_in_page_leads_to_forgot_password(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in page
    assert "Forgot your password?" in client.get("/password/forgot").get_data(as_text=True)


def test_link_pages_stay_within_the_statement_limit(mailing, page_statements):
    app, mailbox = mailing
    make_user(Role.REP, email="count@example.com")
    forgot(app.test_client(), "count@example.com")
    path = link_path(mailbox.to("count@example.com"))
    client = app.test_client()
    assert page_statements(client, path) <= 12
