"""`cev-learn worker` as the process it runs as: killed with SIGKILL in the middle of
deliveries it loses nothing (at least once, the same webhook-id when sent again); stopped with
SIGTERM it finishes and exits cleanly; `--once` drains and says what it did."""
import signal
import subprocess
import time
from collections import defaultdict
from pathlib import Path

import pytest

from bench.receiver import Receiver
from bench.servers import CEV_LEARN, instance_env
from cev_learn.accounts.models import Role
from tests.helpers import make_user
from tests.webhooks.helpers import emit_events, register

pytestmark = pytest.mark.slow  # worker processes


def worker_env(database_url: str, instance: Path) -> dict[str, str]:
    return instance_env(instance, database_url, WEBHOOK_RETRY_SECONDS="[0, 0, 0, 0, 0, 0, 0]",
                        WEBHOOK_TIMEOUT_SECONDS=2, WEBHOOK_LEASE_SECONDS=4,
                        WEBHOOK_POLL_SECONDS=0.1)


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen([CEV_LEARN, "worker"], env=env, stdout=out,
                                stderr=subprocess.STDOUT)


def wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_worker_killed_mid_delivery_loses_nothing(data_context, database_url, tmp_path):
    rep_ids = [make_user(Role.REP).id for _ in range(3)]
    log = tmp_path / "worker.log"
    env = worker_env(database_url, tmp_path)
    with Receiver(hold=True) as receiver:
        register(receiver.url)
        sent = emit_events(rep_ids, 6)
        first = start_worker(env, log)
        try:
            assert receiver.arrived.wait(60), log.read_text()
            time.sleep(0.2)  # every chain of the worker now waits on its first answer
        finally:
            first.kill()  # SIGKILL: nothing recorded for what it was sending
            first.wait(30)
        interrupted = {r.message_id for r in receiver.requests}
        receiver.release()
        second = start_worker(env, log)
        try:
            wait_for(lambda: {r.message_id for r in receiver.accepted} >= set(sent))
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(30) == 0, log.read_text()
    assert interrupted and interrupted <= set(sent)
    by_id = defaultdict(list)
    for request in receiver.requests:
        by_id[request.message_id].append(request.body)
    assert set(by_id) == set(sent)  # every event arrived; none lost
    for message_id in interrupted:  # the interrupted ones again, the same message and id
        assert len(by_id[message_id]) >= 2 and len(set(by_id[message_id])) == 1
    first_seen = []
    for request in receiver.requests:
        if request.message_id not in first_seen:
            first_seen.append(request.message_id)
    for rep_number in range(3):  # each rep's events in the order they happened
        own = sent[rep_number::3]
        assert [i for i in first_seen if i in own] == own
    assert "Traceback" not in log.read_text()


def test_worker_once_drains_and_says_what_it_did(data_context, database_url, tmp_path):
    rep_ids = [make_user(Role.REP).id for _ in range(2)]
    with Receiver(fail_first=1) as receiver:
        register(receiver.url)
        emit_events(rep_ids, 2)
        done = subprocess.run([CEV_LEARN, "worker", "--once"], capture_output=True, text=True,
                              env=worker_env(database_url, tmp_path), timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ("Webhooks: delivered 4, events dispatched 4, failed, will "
                                   "retry 1.")
    assert len(receiver.accepted) == 4
