"""A copied session or remember cookie stops working after logout, password change or
deactivation; sessions expire; the session changes at sign-in."""
import time

from cev_learn.accounts.models import Role
from tests.helpers import CSRF_META, PASSWORD, csrf_token, login, make_user, post_form


def _copy_cookies(source, target):
    for cookie in source._cookies.values():
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)


def test_copied_session_is_rejected_after_logout(app):
    user = make_user(Role.REP)
    victim = app.test_client()
    login(victim, user.email)
    thief = app.test_client()
    _copy_cookies(victim, thief)
    assert thief.get("/week").status_code == 200
    assert post_form(victim, "/logout").status_code == 302
    replay = thief.get("/week")
    assert replay.status_code == 302 and replay.headers["Location"].startswith("/login")


def test_copied_remember_cookie_is_rejected_after_logout(app):
    user = make_user(Role.REP)
    victim = app.test_client()
    login(victim, user.email, remember="y")
    remember = victim.get_cookie("cev_learn_remember")
    assert remember is not None
    thief = app.test_client()
    thief.set_cookie("cev_learn_remember", remember.value, domain=remember.domain)
    assert thief.get("/week").status_code == 200  # the cookie alone signs in
    post_form(victim, "/logout")
    stranger = app.test_client()
    stranger.set_cookie("cev_learn_remember", remember.value, domain=remember.domain)
    assert stranger.get("/week").status_code == 302


def test_password_change_ends_other_sessions_but_keeps_this_one(app):
    user = make_user(Role.COACH)
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user.email)
    login(phone, user.email)
    response = post_form(laptop, "/account/password", {
        "current_password": PASSWORD, "password": "a brand new passphrase",
        "confirm": "a brand new passphrase"}, token_from="/account/password")
    assert response.status_code == 302
    assert laptop.get("/coach").status_code == 200
    assert phone.get("/coach").status_code == 302
    assert login(app.test_client(), user.email, "a brand new passphrase").status_code == 302


def test_password_change_needs_the_current_password(app):
    user = make_user(Role.COACH)
    client = app.test_client()
    login(client, user.email)
    response = post_form(client, "/account/password", {
        "current_password": "not my password", "password": "a brand new passphrase",
        "confirm": "a brand new passphrase"}, token_from="/account/password")
    assert response.status_code == 400
    assert "This is not your current password." in response.get_data(as_text=True)
    assert login(app.test_client(), user.email).status_code == 302


def test_deactivation_ends_every_session(app):
    admin, rep = make_user(Role.ADMIN), make_user(Role.REP)
    admin_client, rep_client = app.test_client(), app.test_client()
    login(admin_client, admin.email)
    login(rep_client, rep.email, remember="y")
    assert rep_client.get("/week").status_code == 200
    response = post_form(admin_client, f"/admin/users/{rep.id}/deactivate", {"confirm": "y"})
    assert response.status_code == 302
    assert rep_client.get("/week").status_code == 302


def test_session_cookie_changes_at_sign_in(app):
    user = make_user(Role.REP)
    client = app.test_client()
    csrf_token(client)
    before = client.get_cookie("cev_learn_session").value
    login(client, user.email)
    after = client.get_cookie("cev_learn_session").value
    assert before != after
    # Nothing planted before sign-in (here: the CSRF token) survives into the session.
    with client.session_transaction() as session:
        assert "csrf_token" not in session


def test_session_ends_after_the_absolute_lifetime(make_app):
    app = make_app(SESSION_ABSOLUTE_LIFETIME=3600)
    user = make_user(Role.REP)
    client = app.test_client()
    login(client, user.email)
    assert client.get("/week").status_code == 200
    with client.session_transaction() as session:
        session["auth_at"] = int(time.time()) - 3601
    assert client.get("/week").status_code == 302


def test_cookies_are_http_only_and_same_site(make_app):
    app = make_app(HTTPS=True)
    user = make_user(Role.REP)
    client = app.test_client()
    page = client.get("/login", base_url="https://localhost").get_data(as_text=True)
    token = CSRF_META.search(page).group(1)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "csrf_token": token, "remember": "y"},
                           base_url="https://localhost",
                           headers={"Referer": "https://localhost/login"})
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies
    for cookie in cookies:
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    assert "Strict-Transport-Security" in response.headers
