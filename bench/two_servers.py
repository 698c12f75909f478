"""The production shape on one machine: two gunicorn instances on different ports, each with an
instance directory of its own, sharing one secret key, one PostgreSQL database and one Redis
for rate limits. Checks that HTTP sessions, sign-in throttling and the API rate limit hold
across both servers, and that mixed traffic spread over both fails nowhere.

Run with `make two-servers` (scripts/with-postgres and scripts/with-redis provide
CEV_LEARN_TEST_DATABASE_URL and CEV_LEARN_TEST_REDIS_URL). TWO_SERVERS_SECONDS sets the length
of the mixed traffic. Prints a pass/fail table, writes bench/results/two-servers.json and
exits 1 if a check fails.
"""
import json
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

import stored
from servers import Server, create_token, instance_env, read_log, seed_demo
from traffic import (DEMO_PASSWORD, Browser, Ledger, Phases, Recorder, crm_person,
                     redirect_path, rep_person, staff_person, start_crowd, stop_crowd)

SECONDS = int(os.environ.get("TWO_SERVERS_SECONDS", "30"))
WORKERS = 2
REPS = 40
API_LIMIT = 20
THROTTLE_WINDOW = 10
FAILURES_PER_ACCOUNT = 5  # LOGIN_MAX_FAILURES_PER_ACCOUNT's default
NEW_PASSWORD = "a new password chosen on the first device"
STAFF = ("coach.sam@example.com", "coach.rita@example.com", "manager@example.com")
RESULTS = Path(__file__).resolve().parent / "results"


class Bench:
    """The two servers, and people whose requests are all recorded."""

    def __init__(self, a: Server, b: Server):
        self.a, self.b = a, b
        self.recorder, self.ledger = Recorder(), Ledger()
        self.rng = random.Random(7)

    def person(self, server: Server) -> Browser:
        return Browser([server.url], self.recorder, self.ledger,
                       random.Random(self.rng.random()))

    def name(self, server: Server) -> str:
        return "A" if server is self.a else "B"


def at(browser: Browser, server: Server) -> Browser:
    """The same person (cookies and all), now talking to `server`."""
    browser.urls = [server.url]
    return browser


def shown(response) -> str:
    if response is None:
        return "no response"
    target = redirect_path(response)
    return f"{response.status_code} → {target}" if target else str(response.status_code)


def session_on_a_works_on_b(bench: Bench) -> tuple[bool, str]:
    rep = bench.person(bench.a)
    signed_in = rep.sign_in("rep40@example.com")
    week = at(rep, bench.b).get("rep week page", "/week")
    return (signed_in and week is not None and week.status_code == 200,
            f"signed in on A: {signed_in}; /week on B with A's cookie: {shown(week)}")


def sign_out_on_a_ends_session_on_b(bench: Bench) -> tuple[bool, str]:
    device = bench.person(bench.a)
    device.sign_in("rep39@example.com")
    copy = bench.person(bench.b)  # the same cookie, as another tab or a stolen copy holds it
    copy.http.cookies.update(device.http.cookies)
    before = copy.get("rep week page", "/week")
    device.get("rep week page", "/week")  # the page with the sign-out button
    signed_out = device.post("sign out", "/logout")
    after = copy.get("rep week page", "/week")
    return (before is not None and before.status_code == 200
            and redirect_path(signed_out) == "/login" and redirect_path(after) == "/login",
            f"copied cookie on B before: {shown(before)}; sign-out on A: {shown(signed_out)}; "
            f"copied cookie on B after: {shown(after)}")


def password_change_on_a_ends_session_on_b(bench: Bench) -> tuple[bool, str]:
    email = "rep38@example.com"
    first, second = bench.person(bench.a), bench.person(bench.b)
    first.sign_in(email)
    second.sign_in(email)
    before = second.get("rep week page", "/week")
    first.get("password page", "/account/password")
    changed = first.post("password change", "/account/password",
                         [("current_password", DEMO_PASSWORD), ("password", NEW_PASSWORD),
                          ("confirm", NEW_PASSWORD)])
    after = second.get("rep week page", "/week")
    changer_on_b = at(first, bench.b).get("rep week page", "/week")
    new_password = bench.person(bench.b).sign_in(email, NEW_PASSWORD)
    return (before is not None and before.status_code == 200
            and redirect_path(changed) == "/" and redirect_path(after) == "/login"
            and changer_on_b is not None and changer_on_b.status_code == 200 and new_password,
            f"other device on B before: {shown(before)}; change on A: {shown(changed)}; other "
            f"device on B after: {shown(after)}; changing device on B: {shown(changer_on_b)}; "
            f"new password on B signs in: {new_password}")


def deactivation_on_a_ends_session_on_b(bench: Bench, database_url: str) -> tuple[bool, str]:
    email = "rep37@example.com"
    rep, admin = bench.person(bench.b), bench.person(bench.a)
    rep.sign_in(email)
    before = rep.get("rep week page", "/week")
    admin.sign_in("admin@example.com")
    user_path = f"/admin/users/{stored.user_id(database_url, email)}"
    admin.get("admin user page", user_path)
    done = admin.post("deactivate user", user_path + "/deactivate", [("confirm", "y")])
    after = rep.get("rep week page", "/week")
    again = bench.person(bench.b).sign_in(email)
    return (before is not None and before.status_code == 200 and redirect_path(done)
            and redirect_path(after) == "/login" and not again,
            f"rep on B before: {shown(before)}; deactivated on A: {shown(done)}; rep on B "
            f"after: {shown(after)}; signs in again on B: {again}")


def attempt_sign_in(bench: Bench, server: Server, email: str, password: str):
    person = bench.person(server)
    person.get("sign-in page", "/login")
    return person.post("sign in", "/login", [("email", email), ("password", password)])


def sign_in_throttling_counts_across(bench: Bench) -> tuple[bool, str]:
    email, servers = "rep36@example.com", (bench.a, bench.b)
    failures = [attempt_sign_in(bench, servers[n % 2], email, "not the password")
                for n in range(FAILURES_PER_ACCOUNT)]
    last_failure = time.monotonic()
    refused = [attempt_sign_in(bench, server, email, DEMO_PASSWORD) for server in servers]
    time.sleep(max(0.0, last_failure + THROTTLE_WINDOW + 1 - time.monotonic()))
    later = attempt_sign_in(bench, bench.b, email, DEMO_PASSWORD)
    passed = (all(r is not None and r.status_code == 400 for r in failures)
              and all(r is not None and r.status_code == 429
                      and "Too many failed sign-in attempts" in r.text for r in refused)
              and redirect_path(later) == "/")
    return passed, (f"{FAILURES_PER_ACCOUNT} wrong passwords alternating A/B: "
                    f"{', '.join(shown(r) for r in failures)}; then the right one on A: "
                    f"{shown(refused[0])}, on B: {shown(refused[1])}; on B after the "
                    f"{THROTTLE_WINDOW} s window: {shown(later)}")


def api_rate_limit_counts_across(bench: Bench, token: str, other_token: str) -> tuple[bool, str]:
    client, servers = bench.person(bench.a), (bench.a, bench.b)
    statuses, bearer = [], {"Authorization": f"Bearer {token}"}
    for n in range(API_LIMIT + 2):
        response = at(client, servers[n % 2]).request("api rate limit", "GET",
                                                      "/api/v1/cohorts", headers=bearer)
        statuses.append(response.status_code if response is not None else 0)
    other = at(client, bench.b).request("api rate limit", "GET", "/api/v1/cohorts",
                                       headers={"Authorization": f"Bearer {other_token}"})
    allowed = statuses[:API_LIMIT].count(200)
    return (allowed == API_LIMIT and statuses[API_LIMIT:] == [429, 429]
            and other is not None and other.status_code == 200,
            f"{allowed} of the first {API_LIMIT} (alternating A/B) got 200; request "
            f"{API_LIMIT + 1} on A: {statuses[API_LIMIT]}, {API_LIMIT + 2} on B: "
            f"{statuses[API_LIMIT + 1]}; another token on B: {shown(other)}")


def mixed_traffic(bench: Bench, tokens: list[str], database_url: str) -> dict:
    """Reps, coaches, managers and CRMs, each request to A or B at random."""
    ledger, phases, urls = Ledger(), Phases(), [bench.a.url, bench.b.url]
    after_attempt = stored.last_attempt_id(database_url)
    emails = [f"rep{n:02d}@example.com" for n in range(1, 31)]

    def person(n: int) -> Browser:
        return Browser(urls, bench.recorder, ledger, random.Random(n))

    pause = 60 / (API_LIMIT - 3)  # each CRM token stays under the rate limit
    crowd = ([(rep_person, (person(n), emails[n::6], phases)) for n in range(6)]
             + [(staff_person, (person(10 + n), email, phases)) for n, email in enumerate(STAFF)]
             + [(crm_person, (person(20 + n), token, emails, f"mix-{n}", phases, pause))
                for n, token in enumerate(tokens)])
    threads, rush = start_crowd(crowd, ledger, phases)
    time.sleep(SECONDS)
    stop_crowd(threads, phases)
    return {"ledger": ledger, "sign_in_seconds": rush,
            "stored": stored.compare(database_url, ledger.submissions, after_attempt,
                                     ledger.external_ids, "mix-")}


def mixed_checks(bench: Bench, mix: dict, logs: dict) -> dict[str, tuple[bool, str]]:
    ledger = mix["ledger"]
    served = {name: sum(log.statuses.values()) for name, log in logs.items()}
    total = sum(served.values()) or 1
    found = stored.problems(mix["stored"])
    client_5xx = sum(n for status, n in bench.recorder.statuses().items() if status >= 500)
    logged_5xx = sum(len(log.server_errors) for log in logs.values())
    return {
        "traffic spread over A and B": (min(served.values()) >= total / 3,
                                        ", ".join(f"{n} served {c}" for n, c in served.items())),
        "no 5xx, every request answered": (
            client_5xx == 0 and logged_5xx == 0 and not ledger.transport_errors
            and not bench.ledger.transport_errors,
            f"{client_5xx} seen by clients, {logged_5xx} in the request logs, "
            f"{len(ledger.transport_errors) + len(bench.ledger.transport_errors)} unanswered"),
        "acknowledged = stored, once each": (
            not found and not ledger.repeat_problems and bool(ledger.submissions),
            "; ".join(found) or f"{len(ledger.submissions)} quiz submissions and "
            f"{len(ledger.external_ids)} activities, {ledger.repeats} repeated batches"),
        "no worker trouble or simulation error": (
            not any(log.worker_trouble for log in logs.values()) and not ledger.crashes,
            f"{sum(len(log.worker_trouble) for log in logs.values())} log lines, "
            f"{len(ledger.crashes)} simulation errors"),
    }


def run(database_url: str, redis_url: str, tmp: Path) -> dict:
    settings = {"SECRET_KEY": "two-servers-" + secrets.token_hex(16),
                "RATELIMIT_STORAGE_URI": redis_url, "API_RATE_LIMIT": f"{API_LIMIT} per minute",
                # Cached pages shared through Redis too (its database 1), as in production.
                "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url.rsplit("/", 1)[0] + "/1",
                "LOGIN_THROTTLE_WINDOW_SECONDS": THROTTLE_WINDOW}
    env_a = instance_env(tmp / "a", database_url, **settings)
    env_b = instance_env(tmp / "b", database_url, **settings)
    seed_demo(env_a, REPS)
    token, other, *crm = (create_token(env_a, "manager@example.com", name)
                          for name in ("limit", "other", "crm 1", "crm 2"))
    with Server(env_a, WORKERS, tmp / "a.log") as a, Server(env_b, WORKERS, tmp / "b.log") as b:
        bench = Bench(a, b)
        checks = {
            "HTTP session from A works on B": session_on_a_works_on_b(bench),
            "sign-out on A ends it on B": sign_out_on_a_ends_session_on_b(bench),
            "password change on A ends other sign-ins on B":
                password_change_on_a_ends_session_on_b(bench),
            "deactivation on A ends the rep's sign-in on B":
                deactivation_on_a_ends_session_on_b(bench, database_url),
            "sign-in throttling counts across A and B": sign_in_throttling_counts_across(bench),
            "API rate limit counts across A and B": api_rate_limit_counts_across(bench, token,
                                                                                 other),
        }
        mix = mixed_traffic(bench, crm, database_url)
        logs = {"A": read_log(a.log_path, WORKERS), "B": read_log(b.log_path, WORKERS)}
    checks.update(mixed_checks(bench, mix, logs))
    return {"checks": checks, "mix": mix, "logs": logs, "recorder": bench.recorder}


def report(outcome: dict) -> dict:
    checks, mix = outcome["checks"], outcome["mix"]
    print(f"\ntwo servers, {WORKERS} gunicorn workers each, one PostgreSQL, one Redis; mixed "
          f"traffic: everyone's sign-in {mix['sign_in_seconds']:.0f} s, then {SECONDS} s")
    for check, (passed, detail) in checks.items():
        print(f"{'PASS' if passed else 'FAIL'}  {check}: {detail}")
    by_kind = outcome["recorder"].by_kind()
    print(f"{'kind':<26}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}  statuses")
    for kind, row in by_kind.items():
        codes = " ".join(f"{code}×{n}" for code, n in row["statuses"].items())
        print(f"{kind:<26}{row['requests']:>9}{row['p50_ms']:>9.0f}{row['p95_ms']:>9.0f}  {codes}")
    for log in outcome["logs"].values():
        for line in [json.dumps(e) for e in log.server_errors[:5]] + log.tracebacks[:3]:
            print("  " + line)
    return {"workers_per_server": WORKERS, "mixed_traffic_seconds": SECONDS,
            "checks": {c: {"passed": p, "detail": d} for c, (p, d) in checks.items()},
            "by_kind": by_kind, "stored": mix["stored"],
            "request_logs": {name: log.as_json() for name, log in outcome["logs"].items()},
            "passed": all(p for p, _ in checks.values())}


def main() -> None:
    database_url = os.environ.get("CEV_LEARN_TEST_DATABASE_URL", "")
    redis_url = os.environ.get("CEV_LEARN_TEST_REDIS_URL", "")
    if not database_url.startswith("postgresql") or not redis_url:
        sys.exit("two_servers.py needs PostgreSQL and Redis: run `make two-servers`, or "
                 "scripts/with-postgres scripts/with-redis python bench/two_servers.py")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        outcome = run(database_url, redis_url, tmp)
        summary = report(outcome)
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "two-servers.json").write_text(json.dumps(summary, indent=2) + "\n")
        for name in ("a", "b"):
            shutil.copy(tmp / f"{name}.log", RESULTS / f"two-servers-{name}.log")
    sys.exit(0 if summary["passed"] else 1)


if __name__ == "__main__":
    main()
