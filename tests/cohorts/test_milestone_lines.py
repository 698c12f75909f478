"""A rep's milestone lines (their week, their page, the coach's list, the API) say what the
milestone engine says: the day reached is the stored achievement, the progress the engine's."""
from sqlalchemy import delete, select

from cev_learn.content.models import Milestone
from cev_learn.platform.db import db
from cev_learn.ramp.models import Achievement
from cev_learn.ramp.standing import rep_summary
from tests.ramp.measure_track import (D, at, cohort, member, reached,  # noqa: F401
                                      take_basics, track)


def lines(rep, today=D(2026, 3, 20)):
    return {line.milestone.slug: line for line in rep_summary(rep, today).milestones}


def test_a_quiz_milestone_is_reached_on_the_first_attempt_at_min_score_even_below_the_pass_mark(
        cohort):
    """basics-half asks for 50% on a quiz whose pass mark is 90%: the first attempt scoring
    50% reaches it, though it does not pass the quiz; the line and the store agree on it."""
    ana = member(cohort)
    take_basics(ana, right=2, when=at(5))  # 50%: min_score, not passed
    take_basics(ana, right=4, when=at(6))  # 100%: passed
    stored = db.session.scalar(select(Achievement.achieved_on).join(Milestone).where(
        Achievement.user_id == ana.id, Milestone.slug == "basics-half"))
    assert stored == D(2026, 3, 5)
    line = lines(ana)["basics-half"]
    assert (line.achieved_on, line.progress) == (stored, 1.0)
    quiz_item = next(i for i in rep_summary(ana, D(2026, 3, 20)).items if i.kind == "quiz"
                     and i.title == "Basics")
    assert quiz_item.done_on == D(2026, 3, 6)  # the quiz itself is done when passed
    # The line never dates a milestone by a rule of its own: without the stored row, it is
    # not reached (though the engine's progress is full), never the day of the first pass.
    db.session.execute(delete(Achievement).where(Achievement.user_id == ana.id))
    db.session.commit()
    line = lines(ana)["basics-half"]
    assert (line.achieved_on, line.progress) == (None, 1.0)


def test_progress_towards_a_milestone_not_reached_comes_from_the_engine(cohort):
    ana = member(cohort)
    take_basics(ana, right=1, when=at(5))  # 25%: below min_score
    assert reached(ana) == {}
    today = lines(ana)
    assert (today["basics-half"].achieved_on, today["basics-half"].progress) == (None, 0.0)
    assert today["all-read"].progress == 0.0
    # CRM milestones have no standing until the rep has CRM data.
    assert (today["first-meeting"].progress, today["first-meeting"].standing) == (None, None)
    assert today["quota-month"].standing is None
