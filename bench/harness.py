"""Pieces of the page benchmark: a gunicorn server with its request log, signing in over
HTTP, and wrk runs read back as numbers."""
import http.client
import json
import re
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import servers

WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_report.lua"
# A slow page is measured as slow, not cut off by a worker or client timeout.
SLOWEST_SECONDS = 300
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class BenchError(Exception):
    """Something that makes the measurements wrong: a failed sign-in, a page that is not a 200."""


class RequestLog:
    """The server's stderr: one JSON line per request (cev_learn.platform.observability)."""

    def __init__(self, path: Path):
        self.path = path

    def mark(self) -> int:
        return self.path.stat().st_size

    def entries(self, start: int) -> list[dict]:
        with self.path.open("rb") as log:
            log.seek(start)
            lines = log.read().decode("utf-8", "replace").splitlines()
        entries = []
        for line in lines:
            if line.startswith("{"):
                try:
                    entries.append(json.loads(line))
                except ValueError:  # a line cut by a worker still writing it
                    continue
        return entries

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.path.read_text(errors="replace").splitlines()[-lines:])


class Server(servers.Server):
    """gunicorn serving cev_learn for the page benchmark with the worker class `make run` and
    the deployment guide use (its workers read the tracks before their first request): slow
    pages are waited for, the request log is read back, and stopping drops what wrk left
    queued."""

    def __init__(self, env: dict, workers: int, log_path: Path):
        super().__init__(env, workers, log_path, quick_stop=True,
                         options=("--timeout", str(SLOWEST_SECONDS),
                                  "--worker-class", "cev_learn.ops.serving.SyncWorker"))
        self.log = RequestLog(log_path)

    def wait_until_idle(self, quiet: float = 0.5) -> None:
        """Wait until no worker has used CPU (Linux /proc) for `quiet` seconds. wrk stops with
        requests in flight; the workers still serve them, and they must not slow the next run."""
        deadline = time.monotonic() + SLOWEST_SECONDS
        before = self._worker_cpu_ticks()
        while time.monotonic() < deadline:
            time.sleep(quiet)
            now = self._worker_cpu_ticks()
            if now - before <= 1:  # a tick (10 ms) for the workers' heartbeats
                return
            before = now
        raise BenchError(f"the server was still busy after {SLOWEST_SECONDS} s")

    def _worker_cpu_ticks(self) -> int:
        pid = self.process.pid
        total = 0
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            try:
                stat = Path(f"/proc/{child}/stat").read_text()
            except FileNotFoundError:  # a worker restarting
                continue
            fields = stat.rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime and stime
        return total

    def address(self, path: str) -> str:
        return self.url + path

    def get(self, path: str, headers: dict | None = None) -> "Reply":
        return self.request("GET", path, headers or {})

    def request(self, method: str, path: str, headers: dict, body: str | None = None) -> "Reply":
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=SLOWEST_SECONDS)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return Reply(response.status, response.getheader("Location", ""),
                         response.headers.get_all("Set-Cookie") or [],
                         response.read().decode("utf-8", "replace"))
        finally:
            conn.close()


@dataclass(frozen=True)
class Reply:
    status: int
    location: str
    set_cookies: list[str]
    body: str

    def cookies(self) -> dict[str, str]:
        pairs = (header.split(";", 1)[0].split("=", 1) for header in self.set_cookies)
        return {name.strip(): value for name, value in pairs}


def sign_in(server: Server, email: str, password: str) -> str:
    """Sign in through the login form like a browser; return the Cookie header to send."""
    form_page = server.get("/login")
    token = CSRF_FIELD.search(form_page.body)
    if form_page.status != 200 or token is None:
        raise BenchError(f"GET /login gave {form_page.status} without a CSRF token")
    cookies = form_page.cookies()
    reply = server.request(
        "POST", "/login",
        {"Cookie": cookie_header(cookies), "Content-Type": "application/x-www-form-urlencoded"},
        urlencode({"csrf_token": token.group(1), "email": email, "password": password}))
    if reply.status != 302 or "/login" in reply.location:
        raise BenchError(f"signing in as {email} gave {reply.status} "
                         f"(Location {reply.location or 'none'})")
    return cookie_header({**cookies, **reply.cookies()})


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


@dataclass(frozen=True)
class Load:
    threads: int
    connections: int
    seconds: int


def run_wrk(url: str, headers: dict, load: Load) -> dict:
    """One wrk run at fixed concurrency; the counts and latencies of wrk_report.lua."""
    command = ["wrk", f"-t{load.threads}", f"-c{load.connections}", f"-d{load.seconds}s",
               f"--timeout={SLOWEST_SECONDS}s", f"--script={WRK_SCRIPT}"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, url], check=True, capture_output=True, text=True)
    for line in done.stdout.splitlines():
        if line.startswith("WRK_REPORT "):
            return json.loads(line.removeprefix("WRK_REPORT "))
    raise BenchError(f"wrk printed no report for {url}:\n{done.stdout}{done.stderr}")


def sql_counts(entries: list[dict], path: str) -> tuple[float | None, int | None, int]:
    """Median and max SQL statements of this path's requests, and how many were not a 200."""
    mine = [entry for entry in entries if entry.get("path") == path]
    counts = [entry["sql_count"] for entry in mine]
    not_200 = sum(1 for entry in mine if entry.get("status") != 200)
    if not counts:
        return None, None, not_200
    return statistics.median(counts), max(counts), not_200
