"""Guesses sent all at once to several gunicorn workers and servers: sign-in and API-token
guesses are checked no more often than their limits allow.

Two gunicorn instances of two workers each serve one database and requests alternate between
them, all sent at once from many threads; `answering` (see test_throttle_workers) shows that
several workers answered.
"""
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest
import requests
from sqlalchemy import func, select

from bench.servers import Server, instance_env
from cev_learn.accounts import throttle
from cev_learn.accounts.models import LoginFailure, Role
from cev_learn.db import db
from tests.conftest import FAST_HASH, make_user
from tests.ops.test_throttle_workers import Browser, answering

WORKERS = 2  # per instance
INSTANCES = 2
MAX_FAILURES = 5  # per account for sign-ins, per address for API tokens
AT_ONCE = 20  # guesses sent together


def start_servers(stack: ExitStack, database_url: str, instance, **settings) -> list[Server]:
    env = instance_env(instance, database_url, SECRET_KEY="shared-by-every-worker",
                       PASSWORD_HASH_METHOD=FAST_HASH, REQUEST_LOG="true",
                       LOGIN_MAX_FAILURES_PER_ACCOUNT=MAX_FAILURES,
                       LOGIN_MAX_FAILURES_PER_ADDRESS=AT_ONCE * 10,
                       API_TOKEN_MAX_FAILURES_PER_ADDRESS=MAX_FAILURES, **settings)
    env["GUNICORN_CMD_ARGS"] = "--graceful-timeout 1"
    return [stack.enter_context(Server(env, WORKERS, instance / f"gunicorn-{n}.log"))
            for n in range(INSTANCES)]


@pytest.fixture(scope="module")
def servers(database_url, tmp_path_factory):
    """INSTANCES gunicorn instances of WORKERS workers on the test database (migrated)."""
    with ExitStack() as stack:
        yield start_servers(stack, database_url, tmp_path_factory.mktemp("default"))


def all_at_once(servers: list[Server], send, n: int) -> list[requests.Response]:
    """send(url, i) for i in range(n), all released together, alternating between servers."""
    ready = threading.Barrier(n)

    def one(i: int) -> requests.Response:
        ready.wait()
        return send(servers[i % len(servers)].url, i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def statuses(responses: list[requests.Response]) -> Counter:
    return Counter(r.status_code for r in responses)


def test_sign_ins_sent_at_once_check_no_more_passwords_than_the_limit(servers, data_context):
    email = make_user(Role.REP).email
    browsers = [Browser(servers[n % INSTANCES].url) for n in range(AT_ONCE)]
    forms = [browser.open_sign_in() for browser in browsers]

    def guess(_url: str, i: int) -> requests.Response:
        return browsers[i].sign_in(forms[i], email, f"guess number {i}")

    with answering(servers) as answered:
        responses = all_at_once(servers, guess, AT_ONCE)
    assert statuses(responses) == {400: MAX_FAILURES, 429: AT_ONCE - MAX_FAILURES}
    assert len(answered) > 1, answered
    assert failures(throttle.account_key(email)) == MAX_FAILURES


def test_api_token_guesses_sent_at_once_are_checked_no_more_than_the_limit(servers,
                                                                           data_context):
    def guess(url: str, i: int) -> requests.Response:
        return requests.get(url + "/api/v1/users", timeout=30,
                            headers={"Authorization": f"Bearer cev_guess{i}_{'x' * 43}"})

    with answering(servers) as answered:
        responses = all_at_once(servers, guess, AT_ONCE)
    assert statuses(responses) == {401: MAX_FAILURES, 429: AT_ONCE - MAX_FAILURES}
    assert len(answered) > 1, answered
    assert failures(throttle.token_address_key("127.0.0.1")) == MAX_FAILURES


def failures(key: str) -> int:
    return db.session.scalar(select(func.count()).select_from(LoginFailure)
                             .where(LoginFailure.key == key))
