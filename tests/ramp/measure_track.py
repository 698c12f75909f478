"""A track with a milestone of every kind (a meeting, a month at quota, two quizzes, every
module, a sign-off) and helpers to build a rep's records on it with the services."""
import datetime as dt

import pytest
from sqlalchemy import select

from cev_learn.accounts.models import Role
from cev_learn.cohorts.services import create_cohort, find_track, place_rep
from cev_learn.content.models import Milestone, Quiz
from cev_learn.content.questions import QuestionType
from cev_learn.platform.db import db
from cev_learn.quizzes import services as quiz_services
from cev_learn.quizzes.grading import Response
from cev_learn.ramp.models import Achievement
from tests.helpers import make_user
from tests.content.trees import TRACK_YAML, good_track

D = dt.date
START = D(2026, 3, 2)
NO_GRACE = dt.timedelta(0)

# The test track (first-meeting, a meeting, due day 21) with two quizzes and a milestone of
# every other kind.
RAMP_YAML = TRACK_YAML.replace(
    "  - {milestone: first-meeting}\n",
    "  - {quiz: basics, due_day: 7}\n  - {quiz: pitch, due_day: 10}\n",
).replace("at_least: 1}}\n", """at_least: MEETINGS}}
  - {slug: quota-month, title: A month at quota, due_day: 90,
     measure: {attainment: 1.0, consecutive_months: 1}}
  - {slug: basics-half, title: Half the basics right, due_day: 10,
     measure: {quiz: basics, min_score: 0.5}}
  - {slug: pitch-written, title: Pitch written, due_day: 14,
     measure: {quiz: pitch, min_score: 0.5}}
  - {slug: all-read, title: Playbook read, due_day: 7, measure: {modules: all}}
  - {slug: pitch-certified, title: Pitch certified, due_day: 28, measure: {signoff: pitch}}
""") + """\
quizzes:
  basics: {title: Basics, file: quizzes/basics.gift, pass_mark: 0.9}
  pitch: {title: Your pitch, file: quizzes/pitch.gift, pass_mark: 0.6}
rubrics:
  pitch: {title: Value pitch, pass_mark: 0.7,
          criteria: [Discovery questions, Value story, Next step]}
"""
BASICS_GIFT = """\
::One::Discovery comes before the demo. {TRUE}

::Two::A demo replaces discovery. {FALSE}

::Three::Every deal has an economic buyer. {TRUE}

::Four::Quotas are yearly only. {FALSE}
"""
PITCH_GIFT = """\
::Order::Discovery comes before the demo. {TRUE}

::Pitch::Write the first sentence of your value pitch. {}
"""


def ramp_track(root, meetings: int = 1):
    return good_track(root, **{"track.yaml": RAMP_YAML.replace("MEETINGS", str(meetings)),
                               "quizzes/basics.gift": BASICS_GIFT,
                               "quizzes/pitch.gift": PITCH_GIFT})


def sync(app, root) -> None:
    """`cev-learn content sync`, run as the app under test (the command does nothing more
    than call the sync service and commit)."""
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["content", "sync", str(root)])
    assert result.exit_code == 0, result.output


@pytest.fixture
def track(app, tmp_path):
    sync(app, ramp_track(tmp_path / "v1"))
    return find_track("test-track")


@pytest.fixture
def cohort(track):
    cohort = create_cohort(name="Spring AEs", track=track, start_on=START, territory=None,
                           coaches=[])
    db.session.commit()
    return cohort


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=dt.UTC)


def member(cohort, email: str | None = None):
    """A new rep placed in the cohort on its start day."""
    rep = make_user(Role.REP, email=email)
    place_rep(rep, cohort, start_on=None, end_on=None, now=at(2))
    db.session.commit()
    return rep


def reached(rep) -> dict[str, tuple[dt.date, str]]:
    """The rep's stored achievements: milestone slug -> (day, source)."""
    db.session.expire_all()
    return {slug: (day, source) for slug, day, source in db.session.execute(
        select(Milestone.slug, Achievement.achieved_on, Achievement.source)
        .join(Achievement, Achievement.milestone_id == Milestone.id)
        .where(Achievement.user_id == rep.id))}


def auto(day: dt.date) -> tuple[dt.date, str]:
    return day, "auto"


def quiz(slug: str) -> Quiz:
    return db.session.scalar(select(Quiz).where(Quiz.slug == slug))


def true_false_answers(attempt, right: int) -> dict[str, Response]:
    """Right answers to the first `right` true/false questions of the attempt; the rest blank."""
    questions = quiz_services.version_questions(attempt.version)
    keys = [e["key"] for e in attempt.layout
            if questions[e["key"]].type is QuestionType.TRUE_FALSE]
    return {key: Response(boolean=questions[key].answer) for key in keys[:right]}


def take_basics(rep, right: int, when: dt.datetime):
    """Start, answer and submit an attempt at the basics quiz (no essay: graded at once)."""
    attempt = quiz_services.start_attempt(rep, quiz("basics"), when, NO_GRACE)
    quiz_services.store_responses(attempt, true_false_answers(attempt, right), when)
    quiz_services.submit_attempt(attempt.id, None, when, NO_GRACE)
    db.session.commit()
    return attempt
