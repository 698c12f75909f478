"""Attacks on sessions, remember cookies and API tokens: a copied credential stops working
when its owner's access changes, sessions time out on the server whatever the browser keeps,
and cookies planted or forged by someone else never sign anyone in.

The test client keeps cookies past their Expires date, as an attacker's script would, so every
expiry checked here is enforced by the server. tests/accounts/test_sessions.py has the basics
(logout, password change on another device, cookie flags at sign-in); these extend them.
"""
import datetime as dt
import time
from email.utils import parsedate_to_datetime

import itsdangerous.timed
import pytest
from flask import Flask
from sqlalchemy import func, select

from cev_learn.accounts import sessions
from cev_learn.accounts.api_tokens import ApiToken, Scope
from cev_learn.accounts.models import Role
from cev_learn.platform.db import db
from cev_learn.ramp.models import Quota
from tests.api.helpers import token_for
from tests.helpers import CSRF_META, PASSWORD, csrf_token, login, make_user, post_form

SESSION, REMEMBER = "cev_learn_session", "cev_learn_remember"
HOUR, DAY = 3600, 24 * 3600


class Clock:
    """time.time() moved forward by `offset` seconds, for the code that signs and checks
    sessions (itsdangerous) and the code that enforces their lifetimes."""

    def __init__(self):
        self.offset = 0

    def time(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(itsdangerous.timed, "time", fake)
    monkeypatch.setattr(sessions, "time", fake)
    return fake


def signed_in(client, path: str = "/week") -> bool:
    response = client.get(path)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login"), response.headers["Location"]
        return False
    assert response.status_code == 200, f"{path} gave {response.status_code}"
    return True


def holding(app, **cookies):
    """A new client (another machine) holding copies of these cookies only."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value, domain="localhost")
    return client


def stolen(client) -> dict[str, str]:
    """The client's session and remember cookies, as a thief would copy them."""
    return {name: client.get_cookie(name).value for name in (SESSION, REMEMBER)}


def test_admin_password_reset_ends_a_copied_session_and_remember_cookie(app):
    admin, rep = make_user(Role.ADMIN), make_user(Role.REP)
    victim = app.test_client()
    login(victim, rep.email, remember="y")
    cookies = stolen(victim)
    by_session = holding(app, **{SESSION: cookies[SESSION]})
    by_remember = holding(app, **{REMEMBER: cookies[REMEMBER]})
    assert signed_in(by_session) and signed_in(by_remember)

    admin_client = app.test_client()
    login(admin_client, admin.email)
    new = "a reset passphrase here"
    response = post_form(admin_client, f"/admin/users/{rep.id}/password",
                         {"password": new, "confirm": new}, token_from=f"/admin/users/{rep.id}")
    assert response.status_code == 302

    for client in (victim, by_session, by_remember, holding(app, **cookies)):
        assert not signed_in(client)
    assert login(app.test_client(), rep.email).status_code == 400
    assert login(app.test_client(), rep.email, new).status_code == 302


def test_own_password_change_ends_a_remember_cookie_copied_earlier(app):
    rep = make_user(Role.REP)
    victim = app.test_client()
    login(victim, rep.email, remember="y")
    copied = holding(app, **{REMEMBER: victim.get_cookie(REMEMBER).value})
    assert signed_in(copied)
    response = post_form(victim, "/account/password", {
        "current_password": PASSWORD, "password": "my own new passphrase",
        "confirm": "my own new passphrase"}, token_from="/account/password")
    assert response.status_code == 302
    assert signed_in(victim)  # the device that changed it stays signed in
    assert not signed_in(copied)
    assert not signed_in(holding(app, **{REMEMBER: copied.get_cookie(REMEMBER).value}))


def test_deactivation_ends_copied_cookies_and_reactivation_does_not_revive_them(app):
    admin, rep = make_user(Role.ADMIN), make_user(Role.REP)
    victim = app.test_client()
    login(victim, rep.email, remember="y")
    cookies = stolen(victim)
    admin_client = app.test_client()
    login(admin_client, admin.email)
    assert post_form(admin_client, f"/admin/users/{rep.id}/deactivate",
                     {"confirm": "y"}).status_code == 302
    assert not signed_in(holding(app, **cookies))
    assert not signed_in(holding(app, **{REMEMBER: cookies[REMEMBER]}))
    assert login(app.test_client(), rep.email).status_code == 400

    assert post_form(admin_client, f"/admin/users/{rep.id}/activate").status_code == 302
    assert login(app.test_client(), rep.email).status_code == 302  # active again
    assert not signed_in(holding(app, **cookies))
    assert not signed_in(holding(app, **{REMEMBER: cookies[REMEMBER]}))


def test_planted_forged_or_tampered_cookies_never_sign_in(app):
    admin, rep = make_user(Role.ADMIN), make_user(Role.REP)
    # Fixation: the attacker gets a session cookie before sign-in and plants it in the
    # victim's browser; once the victim signs in, the attacker's copy is still nobody's.
    attacker = app.test_client()
    csrf_token(attacker)
    planted = attacker.get_cookie(SESSION).value
    victim = holding(app, **{SESSION: planted})
    assert login(victim, admin.email).status_code == 302
    assert victim.get_cookie(SESSION).value != planted
    assert signed_in(victim, "/admin/users")
    assert not signed_in(attacker, "/admin/users")
    assert not signed_in(holding(app, **{SESSION: planted}), "/admin/users")

    # A session cookie made with a guessed key, claiming to be the admin.
    forger = Flask("forger")
    forger.secret_key = "guessed-secret-key"
    forged = forger.session_interface.get_signing_serializer(forger).dumps(
        {"_user_id": admin.session_id(), "_fresh": True, "auth_at": int(time.time())})
    assert not signed_in(holding(app, **{SESSION: forged}), "/admin/users")

    # A genuine remember cookie of the rep, edited to name the admin.
    rep_client = app.test_client()
    login(rep_client, rep.email, remember="y")
    payload, digest = rep_client.get_cookie(REMEMBER).value.split("|")
    assert payload.startswith(f"{rep.id}:")
    edited = f"{admin.id}:" + payload.split(":", 1)[1]
    assert not signed_in(holding(app, **{REMEMBER: f"{edited}|{digest}"}), "/admin/users")
    assert signed_in(holding(app, **{REMEMBER: f"{payload}|{digest}"}))


def test_an_idle_session_expires_on_the_server_and_activity_keeps_it_alive(app, clock):
    idle = app.permanent_session_lifetime.total_seconds()
    assert idle == 2 * HOUR
    rep = make_user(Role.REP)
    client = app.test_client()
    login(client, rep.email)
    for step in range(1, 4):  # a request every 1 h 50 min: 5 h 30 min in all
        clock.offset = step * (idle - 10 * 60)
        assert signed_in(client), f"signed out after request {step}"
    copy = holding(app, **{SESSION: client.get_cookie(SESSION).value})
    clock.offset += idle + 60
    assert not signed_in(client)
    assert not signed_in(copy)


def test_an_active_session_still_ends_at_the_absolute_lifetime(app, clock):
    absolute = app.config["SESSION_ABSOLUTE_LIFETIME"]
    assert absolute == 12 * HOUR
    rep = make_user(Role.REP)
    client = app.test_client()
    login(client, rep.email)
    copy = None
    while clock.offset + HOUR < absolute:  # busy all day, a request every hour
        clock.offset += HOUR
        assert signed_in(client), f"signed out after {clock.offset / HOUR:g} h"
        copy = client.get_cookie(SESSION).value
    clock.offset = absolute + 60
    assert not signed_in(holding(app, **{SESSION: copy}))
    assert not signed_in(client)
    assert login(client, rep.email).status_code == 302  # signing in again starts afresh
    assert signed_in(client)


def test_a_copied_remember_cookie_stops_working_when_its_lifetime_is_over(app, clock):
    duration = app.config["REMEMBER_COOKIE_DURATION"]
    assert duration == 14 * DAY
    rep = make_user(Role.REP)
    victim = app.test_client()
    login(victim, rep.email, remember="y")
    remember = victim.get_cookie(REMEMBER).value
    clock.offset = duration - DAY
    assert signed_in(holding(app, **{REMEMBER: remember}))
    clock.offset = duration + HOUR
    assert not signed_in(holding(app, **{REMEMBER: remember}))


def _set_cookies(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def _expires_in(header: str) -> float:
    expires = next(part.split("=", 1)[1] for part in header.split("; ")
                   if part.lower().startswith("expires="))
    return (parsedate_to_datetime(expires) - dt.datetime.now(dt.UTC)).total_seconds()


def test_cookie_attributes_hold_on_every_response(make_app):
    app = make_app(HTTPS=True)
    # __Host-: the browser keeps them only Secure, on Path=/ and for this host alone.
    session, remember = (f"__Host-{SESSION}", f"__Host-{REMEMBER}")
    assert (app.config["SESSION_COOKIE_NAME"], app.config["REMEMBER_COOKIE_NAME"]) == (
        session, remember)
    rep = make_user(Role.REP)
    client = app.test_client()
    https = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/login"}}
    page = client.get("/login", base_url="https://localhost").get_data(as_text=True)
    signed = client.post("/login", data={"email": rep.email, "password": PASSWORD,
                                         "remember": "y",
                                         "csrf_token": CSRF_META.search(page).group(1)}, **https)
    refreshed = client.get("/week", **https)  # the session cookie is sent again on each request
    assert refreshed.status_code == 200
    cookies = {**_set_cookies(signed), **{f"refreshed {k}": v
                                          for k, v in _set_cookies(refreshed).items()}}
    assert set(cookies) == {session, remember, f"refreshed {session}"}
    for name, header in cookies.items():
        attributes = {part.split("=")[0].lower(): part for part in header.split("; ")[1:]}
        assert {"httponly", "secure", "path", "samesite", "expires"} <= set(attributes), name
        assert attributes["path"] == "Path=/" and attributes["samesite"] == "SameSite=Lax"
        assert "domain" not in attributes, f"{name} must be for this host only"
    for name in (session, f"refreshed {session}"):
        assert abs(_expires_in(cookies[name]) - 2 * HOUR) < 120
    assert abs(_expires_in(cookies[remember]) - 14 * DAY) < 120


def _api(client, secret, method="GET", path="/api/v1/cohorts", json=None):
    return client.open(path, method=method, json=json,
                       headers={"Authorization": f"Bearer {secret}"}).status_code


def test_api_tokens_stop_after_revocation_and_after_deactivation(app):
    admin, rep = make_user(Role.ADMIN), make_user(Role.REP)
    manager = make_user(Role.MANAGER)
    revoked_secret, kept_secret = token_for(manager, Scope.WRITE), token_for(manager, Scope.WRITE)
    client = app.test_client()
    quota = {"quotas": [{"rep_email": rep.email, "month": "2026-03", "amount": 1000.0}]}
    assert _api(client, revoked_secret) == 200
    assert _api(client, kept_secret, "POST", "/api/v1/quotas", quota) == 200

    revoked_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == manager.id)
                                   .order_by(ApiToken.id).limit(1))
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["tokens", "revoke", str(revoked_id)])
    assert result.exit_code == 0, result.output
    assert _api(client, revoked_secret) == 401
    assert _api(client, kept_secret) == 200  # revoking one token leaves the others

    admin_client = app.test_client()
    login(admin_client, admin.email)
    assert post_form(admin_client, f"/admin/users/{manager.id}/deactivate",
                     {"confirm": "y"}).status_code == 302
    quota["quotas"][0]["amount"] = 5.0
    assert _api(client, kept_secret) == 401
    assert _api(client, kept_secret, "POST", "/api/v1/quotas", quota) == 401
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Quota)) == 1
    assert db.session.scalar(select(Quota.amount)) == 1000.0

    # Reactivating the account does not bring its tokens back: they may have left with it.
    assert post_form(admin_client, f"/admin/users/{manager.id}/activate").status_code == 302
    assert _api(client, kept_secret) == 401
