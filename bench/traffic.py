"""Simulated people for the load benchmarks, each on its own connection: reps who sign in,
read and take quizzes; coaches and managers who read ramp pages; a CRM that posts activity
batches. Every response is recorded by kind; what the server acknowledged is kept in a ledger
to compare with the database afterwards."""
import datetime as dt
import random
import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from quiz_form import CONFIRM, fill_answers, quiz_fields

DEMO_PASSWORD = "onboard-demo-2026"
TRACK = "/tracks/sales-foundations"
TIMEOUT = 120
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
ACTIVITY_TYPES = ("call", "email", "meeting", "demo", "opportunity", "deal_won")


@dataclass
class Phases:
    """Set by the benchmark: `go` once everyone has signed in, `stop` at the end."""

    go: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)


@dataclass
class Ledger:
    """What the server acknowledged, and what went wrong on the client's side."""

    submissions: list[tuple[int, str, str]] = field(default_factory=list)  # attempt, email, quiz
    external_ids: set[str] = field(default_factory=set)
    batches: int = 0
    people_ready: int = 0  # people who have tried their first sign-in
    people_warm: int = 0  # people who have been through every page of theirs once
    repeats: int = 0
    repeat_problems: list[str] = field(default_factory=list)
    transport_errors: list[str] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Recorder:
    """Every response: its kind, status (0 when none came) and duration."""

    def __init__(self):
        self.samples: list[tuple[str, int, float]] = []
        self.lock = threading.Lock()

    def add(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            self.samples.append((kind, status, seconds))

    def statuses(self) -> Counter:
        return Counter(status for _, status, _ in self.samples)

    def by_kind(self) -> dict[str, dict]:
        grouped = defaultdict(list)
        for kind, status, seconds in self.samples:
            grouped[kind].append((status, seconds))
        return {kind: {"requests": len(rows),
                       "statuses": {str(code): n for code, n
                                    in sorted(Counter(s for s, _ in rows).items())},
                       "p50_ms": percentile([s for _, s in rows], 50) * 1000,
                       "p95_ms": percentile([s for _, s in rows], 95) * 1000}
                for kind, rows in sorted(grouped.items())}


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))]


class Browser:
    """One person's cookie jar and connection; each request goes to one of `urls` at random."""

    def __init__(self, urls: list[str], recorder: Recorder, ledger: Ledger, rng: random.Random):
        self.urls, self.recorder, self.ledger, self.rng = urls, recorder, ledger, rng
        self.http = requests.Session()
        self.csrf = ""
        self.warm = False

    def request(self, kind: str, method: str, path: str, **kwargs) -> requests.Response | None:
        url = self.rng.choice(self.urls) + path
        started = time.perf_counter()
        try:
            response = self.http.request(method, url, allow_redirects=False, timeout=TIMEOUT,
                                         **kwargs)
        except requests.RequestException as exc:
            self.recorder.add(kind, 0, time.perf_counter() - started)
            with self.ledger.lock:
                self.ledger.transport_errors.append(f"{kind}: {method} {url}: {exc}")
            return None
        self.recorder.add(kind, response.status_code, time.perf_counter() - started)
        if token := CSRF.search(response.text[:4000]):
            self.csrf = token.group(1)
        return response

    def get(self, kind: str, path: str) -> requests.Response | None:
        return self.request(kind, "GET", path)

    def post(self, kind: str, path: str, data=(), **kwargs) -> requests.Response | None:
        return self.request(kind, "POST", path, data=[("csrf_token", self.csrf), *data], **kwargs)

    def sign_in(self, email: str, password: str = DEMO_PASSWORD) -> bool:
        """Sign in through the form; True when the server let us in."""
        self.get("sign-in page", "/login")
        response = self.post("sign in", "/login", [("email", email), ("password", password)])
        return redirect_path(response) == "/"

    def ready(self, phases: Phases) -> None:
        """Report the opening sign-in done, then wait for everyone else's."""
        with self.ledger.lock:
            self.ledger.people_ready += 1
        phases.go.wait()

    def been_everywhere(self) -> None:
        """Count this person as warm: every kind of page of theirs has been served once."""
        if not self.warm:
            self.warm = True
            with self.ledger.lock:
                self.ledger.people_warm += 1

    def sign_out(self) -> None:
        self.post("sign out", "/logout")


def redirect_path(response: requests.Response | None) -> str:
    """Where a 3xx response points, as a path ('' for anything else)."""
    if response is None or not 300 <= response.status_code < 400:
        return ""
    return urlsplit(response.headers.get("Location", "")).path


def links(response: requests.Response | None, pattern: str) -> list[str]:
    if response is None or response.status_code != 200:
        return []
    return sorted(set(re.findall(f'href="({pattern})"', response.text)))


def rep_person(browser: Browser, emails: list[str], phases: Phases) -> None:
    """Sign in as each rep in turn; read the week and modules and take quizzes for a while (a
    rep stays signed in, as people do: a sign-in costs most of a second of scrypt), sign out."""
    rng, stop = browser.rng, phases.stop
    while not stop.is_set():
        for email in emails:
            if stop.is_set():
                return
            signed_in = browser.sign_in(email)
            if not phases.go.is_set():
                browser.ready(phases)
            if not signed_in:
                continue
            modules = links(browser.get("rep track page", TRACK), TRACK + r"/modules/[\w-]+")
            quizzes = links(browser.get("rep week page", "/week"), TRACK + r"/quizzes/[\w-]+")
            quizzes = quizzes or [TRACK + "/quizzes/icp-and-process"]
            for _ in range(rng.randint(8, 16)):
                if stop.is_set():
                    break
                for module in rng.sample(modules, min(len(modules), rng.randint(1, 2))):
                    browser.get("rep module page", module)
                if rng.random() < 0.7 or not browser.warm:
                    take_quiz(browser, email, rng.choice(quizzes))
                browser.get("rep week page", "/week")
                browser.been_everywhere()
            if not stop.is_set():
                browser.sign_out()


def take_quiz(browser: Browser, email: str, quiz_path: str) -> None:
    """Start or resume an attempt, autosave a few times, submit; keep what was acknowledged."""
    page = browser.get("quiz page", quiz_path)
    if page is None or page.status_code != 200:
        return
    resume = re.search(r'href="(/attempts/\d+)"[^>]*>Resume', page.text)
    if resume:
        attempt_path = resume.group(1)
    elif quiz_path + "/start" in page.text:
        attempt_path = redirect_path(browser.post("quiz start", quiz_path + "/start"))
        if not attempt_path.startswith("/attempts/"):
            return  # the attempt limit is reached
    else:
        return
    take = browser.get("quiz attempt page", attempt_path)
    if take is None or take.status_code != 200 or 'id="quiz-form"' not in take.text:
        return
    answers = fill_answers(quiz_fields(take.text), browser.rng)
    for _ in range(browser.rng.randint(1, 3)):
        partial = [a for a in answers if browser.rng.random() < 0.6]
        browser.post("quiz autosave", attempt_path + "/save", partial,
                     headers={"Accept": "application/json"})
    summary = redirect_path(browser.post("quiz review", attempt_path + "/submit", answers))
    if summary != attempt_path + "/summary":
        return
    browser.get("quiz summary page", summary)
    if redirect_path(browser.post("quiz submit", attempt_path + "/submit", CONFIRM)) \
            == attempt_path:
        with browser.ledger.lock:
            browser.ledger.submissions.append((int(attempt_path.rsplit("/", 1)[1]), email,
                                               quiz_path.rsplit("/", 1)[1]))
    browser.get("quiz result page", attempt_path)


def staff_person(browser: Browser, email: str, phases: Phases) -> None:
    """A coach or manager: home page, then cohorts and reps found on it."""
    signed_in = browser.sign_in(email)
    browser.ready(phases)
    if not signed_in:
        return
    stop = phases.stop
    home = "/coach" if email.startswith("coach") else "/ramp"
    kind = "coach home" if home == "/coach" else "ramp home"
    while not stop.is_set():
        page = browser.get(kind, home)
        cohorts = links(page, r"/ramp/cohorts/\d+")
        reps = links(page, r"/reps/\d+") + links(page, r"/ramp/reps/\d+")
        for path in browser.rng.sample(cohorts, min(len(cohorts), 2)):
            browser.get("ramp cohort page", path)
        for path in browser.rng.sample(reps, min(len(reps), 2)):
            browser.get("ramp rep page" if path.startswith("/ramp") else "rep page", path)
        if home == "/coach" and (browser.rng.random() < 0.3 or not browser.warm):
            browser.get("ramp home", "/ramp")
        browser.been_everywhere()


def crm_person(browser: Browser, token: str, rep_emails: list[str], prefix: str,
               phases: Phases, pause: float = 0.0) -> None:
    """Post new activity batches with unique external ids, `pause` seconds apart (to stay
    under a rate limit); now and then repeat a stored one."""
    browser.ready(phases)
    headers = {"Authorization": f"Bearer {token}"}
    rng, sent, number, stop = browser.rng, [], 0, phases.stop
    while not stop.wait(pause if sent else 0):
        if sent and rng.random() < 0.2:
            batch = rng.choice(sent)
            response = browser.request("api activities (repeat)", "POST", "/api/v1/activities",
                                       json={"records": batch}, headers=headers)
            if response is not None and response.status_code == 200:
                result = response.json()
                with browser.ledger.lock:
                    browser.ledger.repeats += 1
                    if result["created"] or result["unchanged"] != len(batch):
                        browser.ledger.repeat_problems.append(f"{batch[0]['external_id']}: "
                                                              f"{result}")
            continue
        batch = []
        for _ in range(rng.randint(1, 50)):
            number += 1
            batch.append(activity(f"{prefix}-{number:07d}", rng.choice(rep_emails), rng))
        response = browser.request("api activities", "POST", "/api/v1/activities",
                                   json={"records": batch}, headers=headers)
        if response is not None and 200 <= response.status_code < 300:
            sent.append(batch)
            with browser.ledger.lock:
                browser.ledger.batches += 1
                browser.ledger.external_ids.update(r["external_id"] for r in batch)


def activity(external_id: str, rep_email: str, rng: random.Random) -> dict:
    kind = rng.choice(ACTIVITY_TYPES)
    day = dt.date.today() - dt.timedelta(days=rng.randint(0, 60))
    return {"external_id": external_id, "rep_email": rep_email, "occurred_on": day.isoformat(),
            "type": kind, "quantity": rng.randint(1, 3),
            "amount": round(rng.uniform(20_000, 90_000), 2) if kind == "deal_won" else 0.0}


def start_crowd(people: list[tuple], ledger: Ledger, phases: Phases,
                limit: float = 600.0) -> tuple[list[threading.Thread], float]:
    """Start each person, a (function, arguments) pair, in a thread; wait for everyone's
    opening sign-in (at most `limit` seconds), then let them go. Returns the threads and how
    long the sign-ins took."""
    def run(function, args):
        try:
            function(*args)
        except Exception as exc:  # a bug in the simulation, not an answer of the server
            with ledger.lock:
                ledger.crashes.append(f"{function.__name__}: {type(exc).__name__}: {exc}")
            raise

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=person, daemon=True) for person in people]
    for thread in threads:
        thread.start()
    while (ledger.people_ready + len(ledger.crashes) < len(people)
           and time.monotonic() - started < limit):
        time.sleep(0.1)
    phases.go.set()
    return threads, time.monotonic() - started


def stop_crowd(threads: list[threading.Thread], phases: Phases) -> None:
    """Stop everyone after the request each is making."""
    phases.stop.set()
    for thread in threads:
        thread.join(TIMEOUT)
