"""Throttling under real gunicorn with several workers: failed sign-ins and guessed API tokens
are counted in the database, so a client is refused by whichever worker answers it, and gets
back in once the window has passed.

Each batch of requests goes out at once, each on a connection of its own (the sync workers
close it after every response), so the kernel hands them to several workers. Which workers answered
a batch is read from /proc: a worker writes its request log line for every request it answers
and writes nothing while it waits, so the workers whose written byte count grew during the
batch are the ones that answered it.
"""
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from bench.servers import Server, instance_env
from cev_learn.accounts.models import Role
from tests.api.conftest import token_for
from tests.conftest import CSRF_META, FAST_HASH, PASSWORD, make_user

WORKERS = 3
WINDOW = 3  # seconds, of both throttles: a short cool-down
MAX_FAILURES = 9  # per account for sign-ins, per address for API tokens
REFUSED = 18  # requests expected to be refused, so that more than one worker answers some


@pytest.fixture(scope="module")
def server(database_url, tmp_path_factory):
    """gunicorn with WORKERS workers on the test database (already migrated)."""
    instance = tmp_path_factory.mktemp("gunicorn")
    env = instance_env(instance, database_url, SECRET_KEY="shared-by-every-worker",
                       PASSWORD_HASH_METHOD=FAST_HASH, REQUEST_LOG="true",
                       LOGIN_THROTTLE_WINDOW_SECONDS=WINDOW,
                       LOGIN_MAX_FAILURES_PER_ACCOUNT=MAX_FAILURES,
                       API_TOKEN_THROTTLE_WINDOW_SECONDS=WINDOW,
                       API_TOKEN_MAX_FAILURES_PER_ADDRESS=MAX_FAILURES,
                       # Retry-After tells the later of the throttle's wait and the reset of
                       # the rate limit's window: a window shorter than the throttle's.
                       API_RATE_LIMIT="1000 per 1 second")
    env["GUNICORN_CMD_ARGS"] = "--graceful-timeout 1"  # no request is left to finish at the end
    with Server(env, WORKERS, instance / "gunicorn.log") as running:
        yield running


def written(server: Server) -> dict[int, int]:
    """Bytes each worker has written so far, read once no worker is still writing."""
    def now() -> dict[int, int]:
        counts = {}
        for pid in server.worker_pids():
            io = Path(f"/proc/{pid}/io").read_text()
            counts[pid] = int(next(line for line in io.splitlines()
                                   if line.startswith("wchar:")).split()[1])
        return counts

    previous = now()
    while True:
        time.sleep(0.05)
        if (current := now()) == previous:
            return current
        previous = current


@contextmanager
def answering(server: Server):
    """The set of workers that answered the requests sent in the block (filled at its end)."""
    before, answered = written(server), set()
    yield answered
    answered.update(pid for pid, count in written(server).items() if count > before.get(pid, 0))


class Browser:
    """One person's cookie jar; every request on a connection of its own."""

    def __init__(self, server: Server):
        self.url, self.http = server.url, requests.Session()

    def open_sign_in(self) -> str:
        page = self.http.get(self.url + "/login", timeout=10)
        return CSRF_META.search(page.text).group(1)

    def sign_in(self, csrf: str, email: str, password: str) -> requests.Response:
        return self.http.post(self.url + "/login", timeout=10, allow_redirects=False,
                              data={"email": email, "password": password, "csrf_token": csrf})


def at_once(calls) -> list:
    """Run the calls at the same time, more of them than there are workers; their results."""
    with ThreadPoolExecutor(max_workers=2 * WORKERS) as pool:
        return list(pool.map(lambda call: call(), calls))


def cool_down(since: float) -> None:
    time.sleep(max(0.0, since + WINDOW + 0.1 - time.monotonic()))


def test_failed_sign_ins_lock_the_account_on_every_worker_until_the_cool_down(server,
                                                                             data_context):
    email = make_user(Role.ADMIN).email  # read here: the threads below have no app context
    attackers = [Browser(server) for _ in range(MAX_FAILURES)]
    owners = [Browser(server) for _ in range(REFUSED)]  # the owner, from many tabs
    forms = [browser.open_sign_in() for browser in attackers]
    owner_forms = [browser.open_sign_in() for browser in owners]
    with answering(server) as counted:
        failed = at_once([lambda b=b, form=form: b.sign_in(form, email, "not the password")
                          for b, form in zip(attackers, forms)])
    last_failure = time.monotonic()
    with answering(server) as refused_by:
        refused = at_once([lambda b=b, form=form: b.sign_in(form, email, PASSWORD)
                           for b, form in zip(owners, owner_forms)])
    owner = owners[0]
    assert [r.status_code for r in failed] == [400] * MAX_FAILURES
    assert [r.status_code for r in refused] == [429] * REFUSED
    assert all("Too many failed sign-in attempts" in r.text for r in refused)
    assert len(counted) > 1 and len(refused_by) > 1, (counted, refused_by)
    cool_down(since=last_failure)
    signed_in = owner.sign_in(owner.open_sign_in(), email, PASSWORD)
    assert signed_in.status_code == 302
    home = owner.http.get(server.url + "/", timeout=10)
    assert home.status_code == 200 and "/login" not in home.url  # a session on every worker


def test_guessed_api_tokens_lock_out_the_address_on_every_worker_until_retry_after(
        server, data_context):
    secret = token_for(make_user(Role.ADMIN))

    def get(token: str) -> requests.Response:
        return requests.get(server.url + "/api/v1/users", timeout=10,
                            headers={"Authorization": f"Bearer {token}"})

    assert get(secret).status_code == 200
    with answering(server) as counted:
        guessed = [r.status_code for r in at_once(
            [lambda i=i: get(f"cev_guess{i}_{'x' * 43}") for i in range(MAX_FAILURES)])]
    with answering(server) as refused_by:
        refused = at_once([lambda token=token: get(token)
                           for token in ["cev_another_guess", secret] * (REFUSED // 2)])
    assert guessed == [401] * MAX_FAILURES
    assert [r.status_code for r in refused] == [429] * REFUSED
    assert all(r.headers["Content-Type"] == "application/problem+json" for r in refused)
    assert len(counted) > 1 and len(refused_by) > 1, (counted, refused_by)
    retry_after = int(refused[-1].headers["Retry-After"])
    assert 1 <= retry_after <= WINDOW + 1
    time.sleep(retry_after)
    assert get(secret).status_code == 200
