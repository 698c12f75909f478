"""Guessing API tokens: secrets that are no token's are counted per client address in the
database, and past the limit every token from that address, valid or not, gets 429."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from cev_learn.accounts import throttle
from cev_learn.accounts.api_tokens import ApiToken
from cev_learn.accounts.models import LoginFailure, Role
from cev_learn.api import tokens
from cev_learn.api.auth import current_token
from cev_learn.platform.caching import data_version
from cev_learn.platform.db import db, utcnow
from tests.api.helpers import token_for
from tests.helpers import make_user

URL = "/api/v1/users"
LIMIT = 3
WINDOW = dt.timedelta(minutes=15)
OTHER_ADDRESS = {"REMOTE_ADDR": "192.0.2.7"}


@pytest.fixture
def app(make_app):
    """An app allowing LIMIT unknown secrets per address within WINDOW."""
    return make_app(API_TOKEN_MAX_FAILURES_PER_ADDRESS=LIMIT,
                    API_TOKEN_THROTTLE_WINDOW_SECONDS=int(WINDOW.total_seconds()))


@pytest.fixture
def secret(app):
    return token_for(make_user(Role.ADMIN))


@pytest.fixture
def send(app):
    """send(secret, headers=None, **client_options): GET a token route with that secret."""
    def get(token: str, headers=None, **options):
        return app.test_client().get(URL, headers={"Authorization": f"Bearer {token}",
                                                   **(headers or {})}, **options)
    return get


def guesses(send, n: int) -> list[int]:
    return [send(f"cev_guess{i}_{'x' * 43}").status_code for i in range(n)]


def shift_failures_back(seconds: float) -> None:
    """Let time pass for the throttle: every failure happened `seconds` earlier."""
    for failure in db.session.scalars(select(LoginFailure)):
        failure.failed_at -= dt.timedelta(seconds=seconds)
    db.session.commit()


def token_failures() -> int:
    return db.session.scalar(select(func.count()).select_from(LoginFailure)
                             .where(LoginFailure.key.startswith(throttle.API_TOKEN)))


def test_guessing_locks_out_every_token_from_that_address_until_retry_after(send, secret):
    assert send(secret).status_code == 200
    assert guesses(send, LIMIT) == [401] * LIMIT
    guess, valid = send("cev_one_more_guess"), send(secret)
    for response in (guess, valid):
        assert response.status_code == 429
        assert response.mimetype == "application/problem+json"
        assert "too many unknown API tokens" in response.json["detail"]
    assert guess.json == valid.json  # a throttled client learns nothing about its secrets
    assert send(secret, headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 429
    assert send(secret, environ_base=OTHER_ADDRESS).status_code == 200  # per address
    assert token_failures() == LIMIT  # refused guesses are not written: no write flood
    retry_after = int(valid.headers["Retry-After"])
    assert WINDOW.total_seconds() - 5 <= retry_after <= WINDOW.total_seconds()
    assert f"wait {retry_after} seconds" in valid.json["detail"]
    shift_failures_back(retry_after - 2)
    assert send(secret).status_code == 429
    shift_failures_back(2)  # a client that waited Retry-After gets in
    assert send(secret).status_code == 200


def test_a_valid_token_between_guesses_does_not_reset_the_count(send, secret):
    for _ in range(LIMIT):
        assert send(secret).status_code == 200
        assert guesses(send, 1) == [401]
    assert send(secret).status_code == 429


def test_revoked_tokens_are_refused_without_locking_out_their_address(send, secret):
    revoked = token_for(make_user(Role.ADMIN))
    tokens.revoke(db.session.scalar(select(ApiToken).where(
        ApiToken.digest == tokens.digest(revoked))), utcnow())
    db.session.commit()
    assert [send(revoked).status_code for _ in range(LIMIT + 2)] == [401] * (LIMIT + 2)
    assert token_failures() == 0
    assert send(secret).status_code == 200


def test_a_valid_token_costs_no_statement_more_for_the_throttle(app, send, secret, count_queries):
    def statements_to_authenticate() -> int:
        with app.test_request_context(URL, headers={"Authorization": f"Bearer {secret}"}):
            with count_queries() as counter:
                assert current_token().user.role is Role.ADMIN
        return counter["n"]

    assert send(secret).status_code == 200  # last_used_at written: later uses only read
    begin = 1 if db.engine.dialect.name == "sqlite" else 0  # SQLite's BEGIN is a statement
    assert statements_to_authenticate() == begin + 1  # the token with its user and the count
    assert guesses(send, LIMIT - 1) == [401] * (LIMIT - 1)
    assert statements_to_authenticate() == begin + 1  # a few typos behind it: the same


def test_failures_are_bookkeeping_that_leaves_cached_pages_alone(send):
    before = data_version()
    assert guesses(send, 2) == [401, 401]
    assert token_failures() == 2 and data_version() == before


def test_retry_after_counts_to_when_the_address_falls_below_the_limit(app):
    policy = throttle.TokenThrottlePolicy(window=dt.timedelta(seconds=60), max_per_address=2)
    start = utcnow()
    for seconds in (0, 10, 20):
        throttle.record_token_failure("192.0.2.1", policy, start + dt.timedelta(seconds=seconds))
    db.session.commit()
    # Three failures; the limit is two: once the one at +10 s expires (+70 s), one is left.
    assert throttle.token_retry_after("192.0.2.1", policy,
                                      start + dt.timedelta(seconds=30)) == 40
    assert throttle.token_retry_after("192.0.2.9", policy, start) == 1  # nothing counted


def test_sign_in_and_token_failures_expire_each_in_their_own_window(app):
    sign_in = throttle.ThrottlePolicy(window=dt.timedelta(seconds=5), max_per_account=5,
                                      max_per_address=20)
    api = throttle.TokenThrottlePolicy(window=dt.timedelta(minutes=15), max_per_address=20)
    start = utcnow()
    throttle.record_token_failure("192.0.2.1", api, start)
    throttle.record_failure("a@example.com", "192.0.2.1", sign_in, start)
    later = start + dt.timedelta(minutes=1)
    throttle.record_failure("b@example.com", "192.0.2.1", sign_in, later)  # prunes sign-ins
    throttle.record_token_failure("192.0.2.2", api, later)
    db.session.commit()
    # Each kept its own: the sign-in at the start expired, the token failure did not.
    keys = sorted(db.session.scalars(select(LoginFailure.key)))
    assert keys == ["account:b@example.com", "address:192.0.2.1",
                    "api-token:192.0.2.1", "api-token:192.0.2.2"]
