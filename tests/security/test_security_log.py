"""The security record: every sign-in, refusal and account change is one JSON log line with
when, who, from which request and what, and never a password or a token."""
import json
import logging

import pytest

from cev_learn.accounts.models import Role
from tests.api.helpers import token_for
from tests.helpers import PASSWORD, csrf_token, login, make_user, post_form


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.entries = []

    def emit(self, record):
        self.entries.append(json.loads(record.getMessage()))


@pytest.fixture
def log(make_app):
    app = make_app(REQUEST_LOG=True, LOGIN_MAX_FAILURES_PER_ACCOUNT=2)
    lines = _Lines()
    logger = logging.getLogger("cev_learn.request")
    logger.addHandler(lines)
    yield app, lines.entries
    logger.removeHandler(lines)


def _events(entries):
    return [(e["event"], e["status"]) for e in entries if "event" in e]


def test_sign_ins_are_recorded_with_the_account_and_never_the_password(log):
    app, entries = log
    rep = make_user(Role.REP, email="rep.one@example.com")
    client = app.test_client()
    for _ in range(3):
        login(client, "Rep.One@example.com ", "not the password at all")
    login(app.test_client(), make_user(Role.COACH, email="coach@example.com").email)
    assert _events(entries) == [("sign_in_failed", 400), ("sign_in_failed", 400),
                                ("sign_in_throttled", 429), ("sign_in", 302)]
    accounts = [e["account"] for e in entries if "event" in e]
    assert accounts == [rep.email] * 3 + ["coach@example.com"]
    text = json.dumps(entries)
    assert "not the password at all" not in text and PASSWORD not in text
    assert all(e["ts"] and e["request_id"] for e in entries)


def test_refusals_are_recorded_with_who_was_refused(log):
    app, entries = log
    rep = make_user(Role.REP)
    client = app.test_client()
    login(client, rep.email)
    entries.clear()
    assert client.get("/admin/users").status_code == 403
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    api = app.test_client()
    secret = token_for(make_user(Role.ADMIN))
    assert api.get("/api/v1/cohorts", headers={"Authorization": "Bearer cev_guess"}
                   ).status_code == 401
    refused = [e for e in entries if "event" in e]
    assert [(e["event"], e["status"], e["user_id"]) for e in refused] == [
        ("access_denied", 403, rep.id), ("csrf_refused", 400, rep.id),
        ("unauthenticated", 401, None)]
    assert secret not in json.dumps(entries) and "cev_guess" not in json.dumps(entries)


def test_account_changes_name_the_account_changed(log):
    app, entries = log
    admin, rep = make_user(Role.ADMIN), make_user(Role.REP)
    client = app.test_client()
    login(client, admin.email)
    entries.clear()
    post_form(client, f"/admin/users/{rep.id}/password",
              {"password": "reset by the admin", "confirm": "reset by the admin"})
    post_form(client, f"/admin/users/{rep.id}/deactivate", {"confirm": "y"})
    post_form(client, f"/admin/users/{rep.id}/activate")
    own = {"current_password": PASSWORD, "password": "a brand new passphrase",
           "confirm": "a brand new passphrase"}
    client.post("/account/password", data={**own, "csrf_token": csrf_token(client,
                                                                            "/account/password")})
    post_form(client, "/logout")
    recorded = [(e["event"], e.get("target_user_id"), e["user_id"]) for e in entries
                if "event" in e]
    assert recorded == [("password_reset", rep.id, admin.id),
                        ("user_deactivated", rep.id, admin.id),
                        ("user_activated", rep.id, admin.id),
                        ("password_changed", None, admin.id), ("sign_out", None, None)]
    assert entries[-1]["account"] == admin.email  # signed out by then: named instead
    assert "reset by the admin" not in json.dumps(entries)
