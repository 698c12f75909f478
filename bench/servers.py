"""Throwaway cev_learn instances for the load benchmarks: a seeded demo database, gunicorn
serving it on a free local port, the memory of its workers, and what its log says."""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests

CEV_LEARN = str(Path(sys.executable).with_name("cev-learn"))
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
APP = "cev_learn:create_app()"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def instance_env(instance: Path, database_url: str, **settings) -> dict[str, str]:
    """The environment of `cev-learn` and gunicorn for one instance; settings as CEV_LEARN_*."""
    env = {**os.environ, "CEV_LEARN_INSTANCE_PATH": str(instance),
           "CEV_LEARN_DATABASE_URL": database_url}
    env.update({f"CEV_LEARN_{name}": str(value) for name, value in settings.items()})
    return env


def cev_learn(env: dict[str, str], *args: str) -> str:
    """Run a cev-learn command and return what it printed; stop the benchmark if it fails."""
    done = subprocess.run([CEV_LEARN, *args], env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"cev-learn {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def seed_demo(env: dict[str, str], reps: int) -> None:
    """An empty database migrated, the bundled course synced and the demo organisation added."""
    cev_learn(env, "db", "upgrade")
    cev_learn(env, "content", "sync")
    cev_learn(env, "demo", "seed", "--reps", str(reps))


def create_token(env: dict[str, str], email: str, name: str) -> str:
    """A read-and-write API token acting as `email`; returns its secret."""
    return cev_learn(env, "tokens", "create", "--user", email, "--name", name,
                     "--write").strip().splitlines()[-1]


def _gunicorn_has_control_socket() -> bool:
    from gunicorn.config import Config

    return "control_socket" in Config().settings


class Server:
    """gunicorn serving cev_learn, its output (with the JSON request log) added to `log_path`.

    `options` go to gunicorn as they are; `quick_stop` ends it with SIGINT, dropping requests
    still queued, instead of letting the workers finish them."""

    def __init__(self, env: dict[str, str], workers: int, log_path: Path, *,
                 options: tuple[str, ...] = (), quick_stop: bool = False):
        self.env, self.workers, self.log_path = env, workers, log_path
        self.options, self.quick_stop = options, quick_stop
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        args = [GUNICORN, "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
                "--access-logfile", "/dev/null", *self.options]
        if _gunicorn_has_control_socket():  # one socket per machine unless turned off
            args.append("--no-control-socket")
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen([*args, APP], env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT)
        self._wait_until_ready()
        return self

    def _wait_until_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("gunicorn stopped at start:\n"
                                 + self.log_path.read_text(errors="replace"))
            try:
                ready = requests.get(self.url + "/healthz", timeout=2).status_code == 200
            except requests.RequestException:
                ready = False
            if ready and len(self.worker_pids()) == self.workers:
                return
            time.sleep(0.2)
        raise SystemExit(f"gunicorn on {self.url} was not ready in {seconds:.0f} s")

    def __exit__(self, *exc) -> None:
        self.process.send_signal(signal.SIGINT if self.quick_stop else signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def worker_pids(self) -> list[int]:
        """The worker processes: the gunicorn master's children."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # ended while we looked
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def worker_rss_kib(self, seconds: float = 1.0) -> dict[int, int]:
        """Resident memory (VmRSS) of each worker in KiB: the least seen over `seconds`, so a
        request's passing peak (scrypt alone takes 128 MiB while it hashes) is not counted."""
        least: dict[int, int] = {}
        deadline = time.monotonic() + seconds
        while True:
            for pid in self.worker_pids():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue  # ended while we looked
                if found := re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE):
                    least[pid] = min(least.get(pid, 1 << 62), int(found.group(1)))
            if time.monotonic() >= deadline:
                return least
            time.sleep(0.05)


@dataclass
class LogReport:
    """What a gunicorn log says: request statuses, errors and worker trouble."""

    statuses: Counter = field(default_factory=Counter)
    server_errors: list[dict] = field(default_factory=list)  # request log lines with a 5xx
    database_locked: int = 0
    worker_trouble: list[str] = field(default_factory=list)  # timeouts, crashes, restarts
    tracebacks: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"requests": sum(self.statuses.values()),
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "server_errors": self.server_errors[:20], "database_locked": self.database_locked,
                "worker_trouble": self.worker_trouble[:20], "tracebacks": self.tracebacks[:5]}


WORKER_TROUBLE = re.compile(r"WORKER TIMEOUT|Worker exiting|was sent SIGKILL|"
                            r"Worker \(pid:\d+\) exited|Booting worker", re.IGNORECASE)


def read_log(path: Path, workers: int) -> LogReport:
    """Read a gunicorn log; beyond the first `workers` boots, a booting worker is a restart."""
    report, boots = LogReport(), 0
    lines = path.read_text(errors="replace").splitlines()
    for number, line in enumerate(lines):
        if "database is locked" in line:
            report.database_locked += 1
        if line.startswith("{"):
            try:
                entry = json.loads(line)
            except ValueError:
                entry = {}
            if "status" in entry:
                report.statuses[entry["status"]] += 1
                if entry["status"] >= 500:
                    report.server_errors.append(entry)
        elif line.startswith("Traceback"):
            report.tracebacks.append(_traceback_at(lines, number))
        elif WORKER_TROUBLE.search(line):
            boots += "Booting worker" in line
            if "Booting worker" not in line or boots > workers:
                report.worker_trouble.append(line)
    return report


def _traceback_at(lines: list[str], start: int) -> str:
    """A traceback with the line before it (Flask's 'Exception on /path [POST]')."""
    end = start + 1
    while end < len(lines) and (lines[end].startswith((" ", "Traceback", "The above", "During"))
                                or not lines[end].strip()):
        end += 1
    return "\n".join(lines[max(start - 1, 0):end + 1])
