"""The documented limits hold under real gunicorn with several workers and servers: the API
rate limit and the CSP report limit count in one shared place (the database by default, or
Redis), and sign-in and API-token guesses sent all at once are checked no more often than
their limits allow.

Two gunicorn instances of two workers each serve one database and requests alternate between
them, all sent at once from many threads; `answering` (see test_throttle_workers) shows that
several workers answered.
"""
import json
import os
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest
import requests
from sqlalchemy import func, select

from bench.servers import Server, instance_env
from cev_learn.accounts import throttle
from cev_learn.accounts.models import LoginFailure, Role
from cev_learn.platform.db import db
from cev_learn.platform.security import CSP_REPORT_PATH, CSP_REPORTS_PER_ADDRESS
from tests.api.helpers import token_for
from tests.helpers import FAST_HASH, make_user
from tests.ops.test_throttle_workers import Browser, answering

pytestmark = pytest.mark.slow  # real gunicorn servers with several workers

WORKERS = 2  # per instance
INSTANCES = 2
API_LIMIT = 20  # per minute, per token
CSP_LIMIT = int(CSP_REPORTS_PER_ADDRESS.split()[0])
MAX_FAILURES = 5  # per account for sign-ins, per address for API tokens
AT_ONCE = 20  # guesses sent together
EXTRA = 10  # requests past a rate limit


def start_servers(stack: ExitStack, database_url: str, instance, **settings) -> list[Server]:
    env = instance_env(instance, database_url, SECRET_KEY="shared-by-every-worker",
                       PASSWORD_HASH_METHOD=FAST_HASH, REQUEST_LOG="true",
                       API_RATE_LIMIT=f"{API_LIMIT} per minute",
                       LOGIN_MAX_FAILURES_PER_ACCOUNT=MAX_FAILURES,
                       LOGIN_MAX_FAILURES_PER_ADDRESS=AT_ONCE * 10,
                       API_TOKEN_MAX_FAILURES_PER_ADDRESS=MAX_FAILURES,
                       # Counts of earlier runs (Redis keeps them) are never these.
                       RATELIMIT_KEY_PREFIX=uuid.uuid4().hex, **settings)
    env["GUNICORN_CMD_ARGS"] = "--graceful-timeout 1"
    return [stack.enter_context(Server(env, WORKERS, instance / f"gunicorn-{n}.log"))
            for n in range(INSTANCES)]


@pytest.fixture(scope="module")
def servers(database_url, tmp_path_factory):
    """The instances with the rate-limit storage cev_learn uses when none is configured."""
    with ExitStack() as stack:
        yield start_servers(stack, database_url, tmp_path_factory.mktemp("default"))


@pytest.fixture(scope="module")
def redis_servers(database_url, tmp_path_factory):
    """The instances with their rate limits in Redis (scripts/with-redis gives one)."""
    redis_url = os.environ.get("CEV_LEARN_TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("no Redis: run under scripts/with-redis")
    with ExitStack() as stack:
        yield start_servers(stack, database_url, tmp_path_factory.mktemp("redis"),
                            RATELIMIT_STORAGE_URI=redis_url)


@pytest.fixture(params=["servers", "redis_servers"])
def limited(request):
    return request.getfixturevalue(request.param)


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


def test_the_api_rate_limit_holds_across_workers_and_servers(limited, data_context):
    secret = token_for(make_user(Role.ADMIN))

    def get(url: str, _i: int) -> requests.Response:
        return requests.get(url + "/api/v1/users", timeout=30,
                            headers={"Authorization": f"Bearer {secret}"})

    with answering(limited) as answered:
        responses = all_at_once(limited, get, API_LIMIT + EXTRA)
    assert statuses(responses) == {200: API_LIMIT, 429: EXTRA}
    assert len(answered) > 1, answered
    refused = [r for r in responses if r.status_code == 429]
    assert all(1 <= int(r.headers["Retry-After"]) <= 61 for r in refused)
    assert all(r.headers["Content-Type"] == "application/problem+json" for r in refused)


def test_the_csp_report_limit_holds_across_workers_and_servers(limited, data_context):
    report = json.dumps({"csp-report": {"blocked-uri": "inline",
                                        "violated-directive": "script-src-elem"}})

    def post(url: str, _i: int) -> requests.Response:
        return requests.post(url + CSP_REPORT_PATH, data=report, timeout=30,
                             headers={"Content-Type": "application/csp-report"})

    with answering(limited) as answered:
        responses = all_at_once(limited, post, CSP_LIMIT + EXTRA)
    assert statuses(responses) == {204: CSP_LIMIT, 429: EXTRA}
    assert len(answered) > 1, answered


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
