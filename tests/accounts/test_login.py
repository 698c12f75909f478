"""Signing in and out: generic failures, throttling, safe redirects, CSRF."""
import datetime as dt

import pytest
from sqlalchemy import select, update

from cev_learn.accounts.models import LoginFailure, Role, User
from cev_learn.platform.db import db
from tests.helpers import csrf_token, login, make_user, reload
from tests.unit.test_redirects import OPEN_REDIRECT_PAYLOADS


def test_each_role_lands_on_its_home_page(client):
    homes = {Role.REP: "/week", Role.COACH: "/coach", Role.MANAGER: "/ramp",
             Role.ADMIN: "/admin/users"}
    for role, home in homes.items():
        user = make_user(role)
        fresh = client.application.test_client()
        response = login(fresh, user.email)
        assert response.status_code == 302 and response.headers["Location"] == "/"
        assert fresh.get("/").headers["Location"] == home
        assert fresh.get(home).status_code == 200


def test_sign_in_records_last_login(client):
    user = make_user(Role.REP)
    login(client, user.email)
    assert reload(user).last_login_at is not None


def test_email_is_matched_without_case_or_spaces(client):
    make_user(Role.REP, email="casey@example.com")
    assert login(client, "  Casey@Example.COM ").status_code == 302
    assert client.get("/week").status_code == 200


@pytest.mark.parametrize("email,password", [
    ("nobody@example.com", "correct horse battery staple"),
    ("known@example.com", "wrong password entirely"),
])
def test_failures_give_one_generic_message(client, email, password):
    make_user(Role.REP, email="known@example.com")
    response = login(client, email, password)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Email or password is incorrect." in page
    assert "not found" not in page.lower()
    assert client.get("/week").status_code == 302


def test_deactivated_user_cannot_sign_in(client):
    user = make_user(Role.REP, active=False)
    response = login(client, user.email)
    assert response.status_code == 400
    assert "Email or password is incorrect." in response.get_data(as_text=True)


def test_empty_fields_are_named(client):
    response = client.post("/login", data={"csrf_token": csrf_token(client), "email": "",
                                           "password": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="email-error"' in page and 'id="password-error"' in page


def test_login_form_without_csrf_token_is_rejected(client):
    user = make_user(Role.REP)
    response = client.post("/login", data={"email": user.email, "password": "x" * 20})
    assert response.status_code == 400
    assert "did not come from cev_learn" in response.get_data(as_text=True)
    assert db.session.scalars(select(LoginFailure)).all() == []


def test_post_with_a_forged_token_changes_nothing(client):
    admin = make_user(Role.ADMIN)
    rep = make_user(Role.REP)
    login(client, admin.email)
    response = client.post(f"/admin/users/{rep.id}/deactivate",
                           data={"csrf_token": "forged", "confirm": "y"})
    assert response.status_code == 400
    assert reload(rep).active is True


def _fail(client, email, times):
    token = csrf_token(client)
    return [client.post("/login", data={"email": email, "password": "wrong password!",
                                        "csrf_token": token}).status_code for _ in range(times)]


def test_repeated_failures_on_an_account_are_throttled(make_app):
    app = make_app(LOGIN_MAX_FAILURES_PER_ACCOUNT=3)
    user = make_user(Role.REP)
    client = app.test_client()
    assert _fail(client, user.email, 3) == [400, 400, 400]
    response = login(client, user.email)  # right password, but throttled
    assert response.status_code == 429
    assert ("Too many failed sign-in attempts. Wait 15 minutes, then try again."
            in response.get_data(as_text=True))
    # Unknown emails get the very same answer.
    assert _fail(client, "ghost@example.com", 3) == [400, 400, 400]
    ghost = login(client, "ghost@example.com")
    assert ghost.status_code == 429
    assert "Too many failed sign-in attempts" in ghost.get_data(as_text=True)


def test_a_short_throttling_window_is_told_in_seconds(make_app):
    app = make_app(LOGIN_MAX_FAILURES_PER_ACCOUNT=1, LOGIN_THROTTLE_WINDOW_SECONDS=10)
    user = make_user(Role.REP)
    client = app.test_client()
    _fail(client, user.email, 1)
    assert "Wait 10 seconds, then try again." in login(client, user.email).get_data(as_text=True)


def test_real_user_gets_back_in_after_the_cool_down(make_app):
    app = make_app(LOGIN_MAX_FAILURES_PER_ACCOUNT=3)
    user = make_user(Role.REP)
    client = app.test_client()
    _fail(client, user.email, 3)
    assert login(client, user.email).status_code == 429
    an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    db.session.execute(update(LoginFailure).values(failed_at=an_hour_ago))
    db.session.commit()
    assert login(client, user.email).status_code == 302


def test_repeated_failures_from_one_address_are_throttled(make_app):
    app = make_app(LOGIN_MAX_FAILURES_PER_ADDRESS=4, LOGIN_MAX_FAILURES_PER_ACCOUNT=100)
    users = [make_user(Role.REP) for _ in range(5)]
    client = app.test_client()
    for user in users[:4]:
        _fail(client, user.email, 1)
    assert login(client, users[4].email).status_code == 429
    other_address = app.test_client()
    response = other_address.post(
        "/login", data={"email": users[4].email, "password": "correct horse battery staple",
                        "csrf_token": csrf_token(other_address)},
        environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert response.status_code == 302


def test_success_clears_the_account_counter(make_app):
    app = make_app(LOGIN_MAX_FAILURES_PER_ACCOUNT=3)
    user = make_user(Role.REP)
    client = app.test_client()
    _fail(client, user.email, 2)
    assert login(client, user.email).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    _fail(client, user.email, 2)
    assert login(client, user.email).status_code == 302


@pytest.mark.parametrize("payload", OPEN_REDIRECT_PAYLOADS)
def test_next_never_leaves_the_site(client, payload):
    user = make_user(Role.REP)
    response = client.post("/login", query_string={"next": payload},
                           data={"email": user.email, "password": "correct horse battery staple",
                                 "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("payload", OPEN_REDIRECT_PAYLOADS)
def test_signed_in_visit_to_login_ignores_foreign_next(client, payload):
    user = make_user(Role.REP)
    login(client, user.email)
    response = client.get("/login", query_string={"next": payload})
    assert response.headers["Location"] == "/"


def test_next_brings_the_user_back_to_the_page_they_wanted(client):
    user = make_user(Role.ADMIN)
    first = client.get("/admin/users?role=rep")
    assert first.status_code == 302
    target = first.headers["Location"]
    assert target.startswith("/login?next=")
    response = client.post(target, data={"email": user.email,
                                         "password": "correct horse battery staple",
                                         "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/admin/users?role=rep"


def test_wrong_role_gets_403_page_without_traceback(client):
    user = make_user(Role.REP)
    login(client, user.email)
    response = client.get("/admin/users")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Not allowed" in page and "Traceback" not in page


def test_oversized_password_is_refused_without_hashing(client):
    user = make_user(Role.REP)
    response = login(client, user.email, "x" * 5000)
    assert response.status_code == 400
    assert "Field cannot be longer than 256 characters." in response.get_data(as_text=True)
    assert db.session.scalar(select(User.last_login_at).where(User.id == user.id)) is None
