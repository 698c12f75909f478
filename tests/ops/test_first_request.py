"""A new server process answers its very first requests within the statement budget, and so
does a running one after a content sync: the workers `make run` starts read the tracks before
they take a request, and read a track a sync changed between requests."""
import json
import re
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from bench.servers import Server, cev_learn, instance_env, seed_demo
from cev_learn.demo import DEMO_PASSWORD
from cev_learn.ops.serving import TRACKS_CHECKED_EVERY

pytestmark = pytest.mark.slow  # new gunicorn processes and the command line

MAX_STATEMENTS = 12
PAGES = ("/ramp", "/coach", "/cohorts", "/tracks/sales-foundations")
COURSES = Path(__file__).resolve().parents[2] / "courses"
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def test_a_new_processs_first_requests_cost_at_most_twelve_statements(tmp_path):
    env = instance_env(tmp_path, f"sqlite:///{tmp_path / 'first.sqlite'}",
                       SECRET_KEY="first-request")
    seed_demo(env, 20)
    log = tmp_path / "gunicorn.log"
    with _serving(env, log):
        pass
    requests_logged = [entry for entry in map(_json, log.read_text().splitlines())
                       if entry and "sql_count" in entry]
    assert {e["path"] for e in requests_logged} >= {"/login", "/ramp", "/coach", "/cohorts"}
    costs = {(e["method"], e["path"]): e["sql_count"] for e in requests_logged}
    assert max(costs.values()) <= MAX_STATEMENTS, costs


def test_the_requests_after_a_content_sync_cost_at_most_twelve_statements(tmp_path):
    """The workers read a track a sync changed between requests, not in one."""
    env = instance_env(tmp_path, f"sqlite:///{tmp_path / 'synced.sqlite'}",
                       SECRET_KEY="after-sync")
    seed_demo(env, 20)
    courses = tmp_path / "courses"
    shutil.copytree(COURSES, courses)
    log = tmp_path / "gunicorn.log"
    with _serving(env, log) as open_pages:
        module = sorted((courses / "sales-foundations" / "modules").glob("*.md"))[0]
        module.write_text(module.read_text() + "\nOne more line after the sync.\n")
        assert "up to date" not in cev_learn(env, "content", "sync", str(courses))
        synced = len(log.read_text().splitlines())
        time.sleep(TRACKS_CHECKED_EVERY + 0.5)  # the idle worker checks when woken
        open_pages()
    after = [entry for entry in map(_json, log.read_text().splitlines()[synced:])
             if entry and "sql_count" in entry]
    assert {e["path"] for e in after} == set(PAGES)
    costs = {e["path"]: e["sql_count"] for e in after}
    assert max(costs.values()) <= MAX_STATEMENTS, costs


@contextmanager
def _serving(env: dict, log: Path):
    """One worker of `make run`'s class serving the demo: the manager signs in and opens every
    page once; the block gets a function that opens them all again."""
    with Server(env, 1, log, options=("--worker-class", "cev_learn.ops.serving.SyncWorker")) as server:
        browser = requests.Session()
        base = f"http://127.0.0.1:{server.port}"
        token = CSRF_FIELD.search(browser.get(f"{base}/login").text).group(1)
        signed_in = browser.post(f"{base}/login", allow_redirects=False, data={
            "csrf_token": token, "email": "manager@example.com", "password": DEMO_PASSWORD})
        assert signed_in.status_code == 302

        def open_pages():
            for path in PAGES:
                assert browser.get(f"{base}{path}").status_code == 200, path

        open_pages()
        yield open_pages


def _json(line: str) -> dict | None:
    try:
        return json.loads(line) if line.startswith("{") else None
    except ValueError:
        return None
