"""A new server process answers its very first requests within the statement budget: the
workers `make run` starts read the tracks before they take a request."""
import json
import re

import requests

from bench.servers import Server, instance_env, seed_demo
from cev_learn.demo import DEMO_PASSWORD

MAX_STATEMENTS = 12
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def test_a_new_processs_first_requests_cost_at_most_twelve_statements(tmp_path):
    env = instance_env(tmp_path, f"sqlite:///{tmp_path / 'first.sqlite'}",
                       SECRET_KEY="first-request")
    seed_demo(env, 20)
    log = tmp_path / "gunicorn.log"
    options = ("--worker-class", "cev_learn.serving.SyncWorker")
    with Server(env, 1, log, options=options) as server:
        browser = requests.Session()
        base = f"http://127.0.0.1:{server.port}"
        token = CSRF_FIELD.search(browser.get(f"{base}/login").text).group(1)
        signed_in = browser.post(f"{base}/login", allow_redirects=False, data={
            "csrf_token": token, "email": "manager@example.com", "password": DEMO_PASSWORD})
        assert signed_in.status_code == 302
        for path in ("/ramp", "/coach", "/cohorts"):
            assert browser.get(f"{base}{path}").status_code == 200, path
    requests_logged = [entry for entry in map(_json, log.read_text().splitlines())
                       if entry and "sql_count" in entry]
    assert {e["path"] for e in requests_logged} >= {"/login", "/ramp", "/coach", "/cohorts"}
    costs = {(e["method"], e["path"]): e["sql_count"] for e in requests_logged}
    assert max(costs.values()) <= MAX_STATEMENTS, costs


def _json(line: str) -> dict | None:
    try:
        return json.loads(line) if line.startswith("{") else None
    except ValueError:
        return None
