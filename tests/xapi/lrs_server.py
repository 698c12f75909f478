"""A real Learning Record Store for the push tests: Ralph (ralph-malph, its LRS server on the
file-system backend), started on a free port with HTTP Basic authentication, stopped and
started again on the same port and files, and asked what it holds.

Ralph's own `ralph runserver` runs uvicorn with a reloader, and its CLI extra pins an older
click than Flask's: the tests run what runserver runs (uvicorn serving Ralph's app, set up by
RALPH_* environment variables; see ralph_app.py for its backend appending) without them, and
write the credentials file `ralph auth` would (a bcrypt hash per user)."""
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import bcrypt
import pytest
import requests

from tests.helpers import ROOT
from tests.mail import free_port

KEY, SECRET = "cev-learn", "lrs-test-secret"


class Ralph:
    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/xAPI"
        self.process: subprocess.Popen | None = None
        (directory / "statements").mkdir(parents=True, exist_ok=True)
        hashed = bcrypt.hashpw(SECRET.encode(), bcrypt.gensalt(rounds=4)).decode()
        (directory / "auth.json").write_text(json.dumps([{
            "username": KEY, "hash": hashed, "scopes": ["all"],
            "agent": {"objectType": "Agent", "name": "cev_learn",
                      "mbox": "mailto:lrs@example.com"}}]))

    def start(self) -> "Ralph":
        if importlib.util.find_spec("ralph") is None:
            pytest.fail("the test LRS is not installed: run `make install` (ralph-malph)")
        env = {**os.environ, "PYTHONPATH": str(ROOT), "RALPH_RUNSERVER_BACKEND": "fs",
               "RALPH_AUTH_FILE": str(self.directory / "auth.json"),
               "RALPH_APP_DIR": str(self.directory),
               "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH":
                   str(self.directory / "statements")}
        log = (self.directory / "ralph.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "tests.xapi.ralph_app:app", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning"],
            cwd=self.directory, env=env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=1).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the test LRS did not start: "
                           + (self.directory / "ralph.log").read_text(errors="replace"))

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=15)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def statements(self) -> list[dict]:
        """Every statement the LRS holds, read back through its Statement Resource
        (following `more`)."""
        found, url = [], f"{self.url}/statements?limit=100"
        while url:
            response = requests.get(url, auth=(KEY, SECRET), timeout=10,
                                    headers={"X-Experience-API-Version": "1.0.3"})
            assert response.status_code == 200, response.text
            found += response.json()["statements"]
            more = response.json().get("more")
            url = f"http://127.0.0.1:{self.port}{more}" if more else None
        return found

    def statement(self, statement_id: str) -> dict:
        response = requests.get(f"{self.url}/statements", params={"statementId": statement_id},
                                auth=(KEY, SECRET), timeout=10)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def ralph(tmp_path):
    """A real LRS on a free port, for this test alone (its own files)."""
    server = Ralph(tmp_path / "lrs").start()
    yield server
    server.stop()
