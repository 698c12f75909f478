"""Booster answers feed the readiness score: a booster asks a tagged question again later, so
its answer is the rep's latest result on that question."""
import datetime as dt
import textwrap

from sqlalchemy import select

from cev_learn.accounts.models import Role
from cev_learn.analytics import readiness_data
from cev_learn.cohorts.models import Membership
from cev_learn.content.models import Module, Quiz
from cev_learn.content.track_data import track_data
from cev_learn.platform.db import db
from cev_learn.quizzes.models import Booster, BoosterAnswer
from tests.content.test_competencies import EXTRA, QUIZ
from tests.content.trees import TRACK_YAML, good_track
from tests.factories import make_cohort
from tests.helpers import make_user, sync_content

COMPETENCIES = textwrap.dedent("""\
    competencies:
      - slug: discovery
        title: Discovery
        measures:
          - {quiz_tag: cost}
    """)
TODAY = dt.date.today()


def _booster(rep, key: str) -> Booster:
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == "basics"))
    module = db.session.scalar(select(Module).where(Module.slug == "intro"))
    booster = Booster(user_id=rep.id, module_id=module.id, quiz_id=quiz.id, question_key=key,
                      box=1, due_on=TODAY, answer_count=0,
                      created_at=dt.datetime.now(dt.timezone.utc))
    db.session.add(booster)
    db.session.commit()
    return booster


def _answer(booster: Booster, *, fraction: float, days_ago: int) -> None:
    moment = dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(12),
                                 dt.timezone.utc)
    db.session.add(BoosterAnswer(booster_id=booster.id, seq=booster.answer_count,
                                 user_id=booster.user_id, box=booster.box, answered_at=moment,
                                 response={}, fraction=fraction, correct=fraction == 1.0))
    booster.answer_count += 1
    db.session.commit()


def _score(rep, as_of: dt.date) -> float | None:
    membership = db.session.scalar(select(Membership).where(Membership.user_id == rep.id))
    shared = track_data([membership.cohort.track])
    return readiness_data.scores([membership], shared, as_of)[rep.id].score


def test_a_booster_answer_is_the_latest_result_on_its_question(app, tmp_path):
    good_track(tmp_path, **{"track.yaml": TRACK_YAML + EXTRA + COMPETENCIES,
                            "quizzes/basics.gift": QUIZ})
    sync_content(app, tmp_path)
    rep = make_user(Role.REP)
    make_cohort(reps=[rep], start_on=TODAY - dt.timedelta(days=30))
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == "basics"))
    (cost_key,), = [m["question_keys"] for c in quiz.track.competencies for m in c["measures"]]
    assert _score(rep, TODAY) == 0          # no answer to the tagged question yet
    booster = _booster(rep, cost_key)
    _answer(booster, fraction=1.0, days_ago=3)
    assert _score(rep, TODAY) == 100        # remembered in a booster
    assert _score(rep, TODAY - dt.timedelta(days=5)) == 0   # not yet answered on that day
    _answer(booster, fraction=0.0, days_ago=1)
    assert _score(rep, TODAY) == 0          # forgotten since: the latest answer counts
