"""A real Learning Record Store for the push tests: Ralph (ralph-malph, its LRS server on the
file-system backend), started on a free port with HTTP Basic authentication (credentials
written by `ralph auth`), stopped and started again on the same port and files, and asked
what it holds.

Ralph runs from an environment of its own, tests/xapi/.venv (`make test` makes it from
requirements.txt): its server pins packages the app's environment must not hold. Its
`ralph runserver` runs uvicorn with a reloader; the tests run uvicorn themselves, serving
Ralph's app set up by RALPH_* environment variables (see ralph_app.py for its backend)."""
import os
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.mail import free_port

HERE = Path(__file__).resolve().parent
PYTHON = HERE / ".venv" / "bin" / "python"
KEY, SECRET = "cev-learn", "lrs-test-secret"


class Ralph:
    def __init__(self, directory: Path):
        if not PYTHON.exists():
            pytest.fail("the test LRS is not installed: run `make test` (it makes "
                        "tests/xapi/.venv from tests/xapi/requirements.txt)")
        self.directory = directory
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/xAPI"
        self.process: subprocess.Popen | None = None
        (directory / "statements").mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, "PYTHONPATH": str(HERE), "RALPH_RUNSERVER_BACKEND": "fs",
                    "RALPH_AUTH_FILE": str(directory / "auth.json"),
                    "RALPH_APP_DIR": str(directory),
                    "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH":
                        str(directory / "statements")}
        self._ralph("auth", "--username", KEY, "--password", SECRET, "--scope", "all",
                    "--agent-ifi-mbox", "mailto:lrs@example.com", "--agent-name", "cev_learn",
                    "--write-to-disk")

    def _ralph(self, *args: str) -> None:
        done = subprocess.run([str(PYTHON.with_name("ralph")), *args], env=self.env,
                              cwd=self.directory, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr

    def start(self) -> "Ralph":
        log = (self.directory / "ralph.log").open("ab")
        self.process = subprocess.Popen(
            [str(PYTHON), "-m", "uvicorn", "ralph_app:app", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning"],
            cwd=self.directory, env=self.env, stdout=log, stderr=subprocess.STDOUT)
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
