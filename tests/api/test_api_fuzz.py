"""The OpenAPI contract, fuzzed: Schemathesis, from its command line with every check it has,
runs every operation of the served document against the app on a local port, once per kind
of token, and must find nothing. `make fuzz` runs this alone; `make test` and CI with the rest.

Each run has a fixed seed, so it sends the same cases every time; the figures it prints per
token are the ones README.md quotes. tests/api/schemathesis.toml says which answers the
checks expect where the document cannot judge a request alone; no failure is set aside as
known.
"""
import datetime as dt
import json
import secrets
import subprocess
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from cev_learn.accounts.api_tokens import Scope
from cev_learn.accounts.models import Role, User
from cev_learn.api.spec import openapi_document
from cev_learn.certifications.models import Certificate
from cev_learn.content.models import Certification, Exercise, Track
from cev_learn.platform.db import db, utcnow
from cev_learn.practice.models import Review, Submission, SubmissionState
from cev_learn.ramp.facts import refresh_reps
from cev_learn.ramp.models import ActivityRecord
from tests.api.helpers import token_for
from tests.factories import make_cohort
from tests.helpers import make_user
from tests.quizzes.fixtures import quiz_track

pytestmark = pytest.mark.fuzz

SEED = 20260630
MAX_EXAMPLES = 15  # per operation, in each phase that generates cases
TOKENS = [(Role.REP, Scope.READ), (Role.COACH, Scope.READ), (Role.COACH, Scope.WRITE),
          (Role.MANAGER, Scope.READ), (Role.MANAGER, Scope.WRITE), (Role.ADMIN, Scope.READ),
          (Role.ADMIN, Scope.WRITE)]
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
HERE = Path(__file__).parent
CONFIG = HERE / "schemathesis.toml"


@dataclass(frozen=True)
class FuzzSummary:
    """What a run's JSON report says: operations tested, cases sent, failures, errors (a run
    that could not test)."""

    operations: int
    cases: int
    failures: int
    errors: int

    @classmethod
    def from_report(cls, report: dict) -> "FuzzSummary":
        return cls(operations=report["operations"]["tested"],
                   cases=report["test_cases"]["generated"],
                   failures=sum(group["count"] for group in report["failures"]),
                   errors=sum(error["count"] for error in report["errors"]))

    def line(self, label: str) -> str:
        return (f"{label}: {self.operations} operations, {self.cases} cases, "
                f"{self.failures} failures, {self.errors} errors")


@dataclass(frozen=True)
class Organisation:
    """The app to fuzz and the ids of its users, one of each role."""

    app: object
    users: dict[Role, int]

    def secret(self, role: Role, scope: Scope) -> str:
        with self.app.app_context():
            return token_for(db.session.get(User, self.users[role]), scope)


@pytest.fixture
def organisation(make_app, tmp_path) -> Organisation:
    """Enough for operations to reach their success paths: the small test track (modules, a
    quiz, the first-meeting milestone); a cohort in the West with its coach and three reps,
    one of whom held a meeting, holds a certificate and submitted a recording, reviewed by the
    coach and a peer; a manager of the West; an admin. The fuzz draws the people's
    emails and the cohort's name from tests/api/schemathesis.toml."""
    app = make_app(API_RATE_LIMIT="1000000 per minute", SERVER_NAME=None,
                   API_TOKEN_MAX_FAILURES_PER_ADDRESS=1_000_000)  # it sends made-up tokens
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["content", "sync", str(quiz_track(tmp_path))])
        assert result.exit_code == 0, result.output
        coach = make_user(Role.COACH, email="kim@example.com", name="Kim Ortiz")
        reps = [make_user(Role.REP, email=f"{name.lower()}@example.com", name=f"{name} Lima")
                for name in ("Ana", "Ben", "Cy")]  # the emails of schemathesis.toml
        make_cohort(name="West AEs", reps=reps, coaches=[coach], territory="West",
                    start_on=dt.date.today() - dt.timedelta(days=30))
        db.session.add(ActivityRecord(external_id="crm-1", user_id=reps[0].id,
                                      occurred_on=dt.date.today(), type="meeting"))
        refresh_reps([reps[0].id], dt.date.today())
        _certify(reps[0])
        _practise(reps[0], coach, peer=reps[1])
        db.session.commit()
        users = {Role.REP: reps[0].id, Role.COACH: coach.id,
                 Role.MANAGER: make_user(Role.MANAGER, territory="West").id,
                 Role.ADMIN: make_user(Role.ADMIN).id}
    return Organisation(app, users)


def _certify(rep: User) -> None:
    today = dt.date.today()
    certification = Certification(track_id=db.session.scalar(select(Track.id)), slug="ready",
                                  title="Ready", requires=[["quiz", "check"]],
                                  valid_for_days=365, remind_days_before=30)
    db.session.add(Certificate(user_id=rep.id, certification=certification, earned_on=today,
                               expires_on=today + dt.timedelta(days=365),
                               code=secrets.token_urlsafe(32)))


def _practise(rep: User, coach: User, peer: User) -> None:
    """A recording of the peer exercise (its row only: the API never serves the file), the
    coach's review asking for another take and a peer's review."""
    now = utcnow()
    exercise = db.session.scalar(select(Exercise).where(Exercise.slug == "peer-pitch"))
    submission = Submission(exercise_id=exercise.id, user_id=rep.id, storage_key="k" * 32,
                            kind="webm", size_bytes=2048, duration_seconds=None,
                            state=SubmissionState.RESUBMIT, submitted_at=now,
                            review_due_on=now.date(), reviewed_at=now)
    db.session.add(submission)
    db.session.flush()
    for reviewer, peer_review in ((coach, False), (peer, True)):
        db.session.add(Review(submission_id=submission.id, reviewer_id=reviewer.id,
                              scores=[3, 4, 4], score=0.67, passed=False, summary="Again.",
                              comments=[{"at": 12, "text": "Ask why now."}], peer=peer_review,
                              resubmit=not peer_review, created_at=now))


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass  # a line per request would bury the run's report


@contextmanager
def served(app):
    """The app on a free port the system chooses (two suites side by side never race for
    one), one request at a time, in this process: the statement budget of every request
    (tests/conftest.py) holds here too."""
    server = make_server("127.0.0.1", 0, app, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def fuzz(base_url: str, secret: str, folder: Path) -> tuple[FuzzSummary, str]:
    """One Schemathesis run with every check against the served document: its summary (from
    its JSON report) and what it printed."""
    report = folder / "report.json"
    command = [str(SCHEMATHESIS), "--config-file", str(CONFIG), "run",
               f"{base_url}/api/v1/openapi.json", "--checks", "all", "--seed", str(SEED),
               "--max-examples", str(MAX_EXAMPLES), "--workers", "1", "--no-color",
               "--header", f"Authorization: Bearer {secret}",
               "--report", "json", "--report-json-path", str(report)]
    run = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=600,
                         check=False)
    return FuzzSummary.from_report(json.loads(report.read_text())), run.stdout + run.stderr


@pytest.mark.parametrize(("role", "scope"), TOKENS,
                         ids=[f"{role.value}-{scope.value}" for role, scope in TOKENS])
def test_the_fuzzer_finds_nothing(organisation, tmp_path, role, scope):
    secret = organisation.secret(role, scope)
    with served(organisation.app) as base_url:
        summary, output = fuzz(base_url, secret, tmp_path)
    print(summary.line(f"{role.value} token ({scope.label.lower()})"))
    assert (summary.failures, summary.errors) == (0, 0), output
    assert summary.operations == len(_operations(organisation.app)), output


def _operations(app) -> list[str]:
    with app.test_request_context():
        paths = openapi_document(app)["paths"]
    return [f"{method} {path}" for path, operations in paths.items() for method in operations]
