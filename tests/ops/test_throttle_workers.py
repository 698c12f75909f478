"""Throttling under real gunicorn with several workers: failed sign-ins and guessed API tokens
are counted in the database, so a client is refused by whichever worker answers it, and gets
back in once the window has passed.

Two gunicorn instances of two workers each serve one database, and requests alternate between
them, so every batch is answered by workers of both (the kernel may hand all of one
instance's connections to the same worker). Which workers answered a batch is read from
/proc: a worker writes its request log line for every request it answers and writes nothing
while it waits, so the workers whose written byte count grew during the batch answered it.
"""
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import requests

from bench.servers import Server, instance_env
from cev_learn.accounts.models import Role
from tests.api.helpers import token_for
from tests.helpers import CSRF_META, FAST_HASH, PASSWORD, make_user

pytestmark = pytest.mark.slow  # real gunicorn servers with several workers

WORKERS = 2  # per instance
INSTANCES = 2
WINDOW = 3  # seconds, of both throttles: a short cool-down
MAX_FAILURES = 4  # per account for sign-ins, per address for API tokens
REFUSED = 6  # requests expected to be refused, alternating between the instances


@pytest.fixture(scope="module")
def servers(database_url, tmp_path_factory):
    """INSTANCES gunicorn instances of WORKERS workers on the test database (migrated)."""
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
    with ExitStack() as stack:
        yield [stack.enter_context(Server(env, WORKERS, instance / f"gunicorn-{n}.log"))
               for n in range(INSTANCES)]


def url(servers: list[Server], n: int) -> str:
    """The n-th request's server: they take turns."""
    return servers[n % len(servers)].url


def written(servers: list[Server]) -> dict[int, int]:
    """Bytes each worker has written so far, read once no worker is still writing."""
    def now() -> dict[int, int]:
        counts = {}
        for pid in (pid for server in servers for pid in server.worker_pids()):
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
def answering(servers: list[Server]):
    """The set of workers that answered the requests sent in the block (filled at its end)."""
    before, answered = written(servers), set()
    yield answered
    answered.update(pid for pid, count in written(servers).items()
                    if count > before.get(pid, 0))


class Browser:
    """One person's cookie jar, on one server; every request on a connection of its own."""

    def __init__(self, url: str):
        self.url, self.http = url, requests.Session()

    def open_sign_in(self) -> str:
        page = self.http.get(self.url + "/login", timeout=10)
        return CSRF_META.search(page.text).group(1)

    def sign_in(self, csrf: str, email: str, password: str) -> requests.Response:
        return self.http.post(self.url + "/login", timeout=10, allow_redirects=False,
                              data={"email": email, "password": password, "csrf_token": csrf})


def cool_down(since: float) -> None:
    time.sleep(max(0.0, since + WINDOW + 0.1 - time.monotonic()))


def test_failed_sign_ins_lock_the_account_on_every_worker_until_the_cool_down(servers,
                                                                             data_context):
    email = make_user(Role.ADMIN).email
    attackers = [Browser(url(servers, n)) for n in range(MAX_FAILURES)]
    owners = [Browser(url(servers, n)) for n in range(REFUSED)]  # the owner, from many tabs
    forms = [browser.open_sign_in() for browser in attackers]
    owner_forms = [browser.open_sign_in() for browser in owners]
    with answering(servers) as counted:
        failed = [b.sign_in(form, email, "not the password") for b, form in zip(attackers, forms)]
    last_failure = time.monotonic()
    with answering(servers) as refused_by:
        refused = [b.sign_in(form, email, PASSWORD) for b, form in zip(owners, owner_forms)]
    assert [r.status_code for r in failed] == [400] * MAX_FAILURES
    assert [r.status_code for r in refused] == [429] * REFUSED
    assert all("Too many failed sign-in attempts" in r.text for r in refused)
    assert len(counted) > 1 and len(refused_by) > 1, (counted, refused_by)
    cool_down(since=last_failure)
    for owner in owners[:INSTANCES]:  # back in, on every instance
        assert owner.sign_in(owner.open_sign_in(), email, PASSWORD).status_code == 302
        home = owner.http.get(owner.url + "/", timeout=10)
        assert home.status_code == 200 and "/login" not in home.url


def test_guessed_api_tokens_lock_out_the_address_on_every_worker_until_retry_after(
        servers, data_context):
    secret = token_for(make_user(Role.ADMIN))

    def get(n: int, token: str) -> requests.Response:
        return requests.get(url(servers, n) + "/api/v1/users", timeout=10,
                            headers={"Authorization": f"Bearer {token}"})

    assert get(0, secret).status_code == 200
    with answering(servers) as counted:
        guessed = [get(n, f"cev_guess{n}_{'x' * 43}").status_code for n in range(MAX_FAILURES)]
    with answering(servers) as refused_by:
        refused = [get(n, token) for n, token in
                   enumerate(["cev_another_guess", "cev_another_guess", secret, secret]
                             * (REFUSED // 4 + 1))][:REFUSED]
    assert guessed == [401] * MAX_FAILURES
    assert [r.status_code for r in refused] == [429] * REFUSED
    assert all(r.headers["Content-Type"] == "application/problem+json" for r in refused)
    assert len(counted) > 1 and len(refused_by) > 1, (counted, refused_by)
    retry_after = max(int(r.headers["Retry-After"]) for r in refused)
    assert 1 <= retry_after <= WINDOW + 1
    time.sleep(retry_after)
    assert [get(n, secret).status_code for n in range(INSTANCES)] == [200] * INSTANCES
