"""Guessing the current password on the password form: each wrong one is a failed sign-in
of the account (and the address), counted where sign-in failures are, and past the limit the
form answers 429 with Retry-After, even with the right password, until the window passes."""
import datetime as dt
import json
import logging

import pytest
from sqlalchemy import select

from cev_learn.accounts.models import LoginFailure, Role
from cev_learn.accounts.passwords import verify_password
from cev_learn.platform.db import db
from tests.helpers import FAST_HASH, PASSWORD, login, make_user, post_form, reload

LIMIT = 3
WINDOW = dt.timedelta(minutes=15)
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def app(make_app):
    return make_app(LOGIN_MAX_FAILURES_PER_ACCOUNT=LIMIT, REQUEST_LOG=True,
                    LOGIN_THROTTLE_WINDOW_SECONDS=int(WINDOW.total_seconds()))


@pytest.fixture
def user():
    return make_user(Role.REP)


@pytest.fixture
def client(app, user):
    """The user's signed-in browser."""
    browser = app.test_client()
    assert login(browser, user.email).status_code == 302
    return browser


def change(client, current: str):
    return post_form(client, "/account/password", {
        "current_password": current, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        token_from="/account/password")


def guesses(client, n: int) -> list[int]:
    return [change(client, f"guess number {i}").status_code for i in range(n)]


def failure_keys() -> list[str]:
    db.session.rollback()
    return sorted(db.session.scalars(select(LoginFailure.key)))


def shift_failures_back(by: dt.timedelta) -> None:
    """Let time pass for the throttle: every failure happened `by` earlier."""
    for failure in db.session.scalars(select(LoginFailure)):
        failure.failed_at -= by
    db.session.commit()


def test_past_the_limit_even_the_right_password_gets_429_until_the_window_passes(
        client, user):
    assert guesses(client, LIMIT) == [400] * LIMIT
    refused = change(client, PASSWORD)
    assert refused.status_code == 429
    assert "Too many wrong current passwords. Wait 15 minutes, then try again." in \
        refused.get_data(as_text=True)
    retry_after = int(refused.headers["Retry-After"])
    assert WINDOW.total_seconds() - 5 <= retry_after <= WINDOW.total_seconds()
    assert verify_password(reload(user).password_hash, PASSWORD, FAST_HASH)  # unchanged
    assert client.get("/week").status_code == 200  # still signed in: see the view
    shift_failures_back(dt.timedelta(seconds=retry_after - 2))
    assert change(client, PASSWORD).status_code == 429
    shift_failures_back(dt.timedelta(seconds=2))  # who waited Retry-After gets through
    assert change(client, PASSWORD).status_code == 302
    assert verify_password(reload(user).password_hash, NEW_PASSWORD, FAST_HASH)


def test_wrong_current_passwords_are_failed_sign_ins_of_the_account_and_the_address(
        app, client, user):
    assert guesses(client, 2) == [400, 400]
    assert failure_keys() == [f"account:{user.email}"] * 2 + ["address:127.0.0.1"] * 2
    # The form and the sign-in page draw on one allowance: no more guesses through either.
    assert login(app.test_client(), user.email, "one more guess").status_code == 400
    assert guesses(client, 1) == [429]
    assert login(app.test_client(), user.email).status_code == 429


def test_the_right_current_password_forgives_the_accounts_failures(client, user):
    assert guesses(client, LIMIT - 1) == [400] * (LIMIT - 1)
    assert change(client, PASSWORD).status_code == 302
    assert failure_keys() == ["address:127.0.0.1"] * (LIMIT - 1)


def test_guesses_and_the_refusal_are_in_the_security_log(client, user):
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(json.loads(record.getMessage()))
    logger = logging.getLogger("cev_learn.request")
    logger.addHandler(handler)
    try:
        guesses(client, LIMIT + 1)
    finally:
        logger.removeHandler(handler)
    events = [(e["event"], e["status"], e["account"], e["user_id"]) for e in lines
              if "event" in e]
    assert events == [("password_change_failed", 400, user.email, user.id)] * LIMIT + [
        ("password_change_throttled", 429, user.email, user.id)]
    assert "guess number" not in json.dumps(lines)
