"""Who has not done it yet: the reps a viewer may see, in a cohort on a quiz's or module's
track, who have not passed the quiz or completed the module; split into those who have not
started and those who started (attempted, or opened) without finishing.

Each function is one statement however many reps there are: one grouped row per rep.
"""
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from cev_learn.accounts.models import Role, User
from cev_learn.cohorts.access import visible_rep_filter
from cev_learn.cohorts.models import Cohort, Membership
from cev_learn.content.models import Module, ModuleProgress, Quiz
from cev_learn.platform.db import db
from cev_learn.quizzes.models import Attempt, AttemptState

SHOWN = 50  # names listed per group; the counts cover everyone

# Aliased: visible_rep_filter's subqueries name User, Membership and Cohort themselves.
_Rep = aliased(User, name="outstanding_rep")
_Member = aliased(Membership, name="outstanding_member")
_Cohort = aliased(Cohort, name="outstanding_cohort")


@dataclass(frozen=True)
class RepLine:
    id: int
    name: str
    email: str
    tries: int = 0             # quizzes: attempts started
    best: float | None = None  # quizzes: best graded score
    waiting: bool = False      # quizzes: an attempt waits for grading


@dataclass(frozen=True)
class Outstanding:
    """The reps who have not started, and those who started but have not finished (each list
    the first SHOWN by name; the totals count them all)."""

    not_started: list[RepLine]
    not_started_total: int
    started: list[RepLine]
    started_total: int

    @property
    def total(self) -> int:
        return self.not_started_total + self.started_total


def _track_members(track_id: int, viewer: User, today: dt.date) -> Select:
    """The reps now in a cohort on the track, still with the company, whom the viewer sees."""
    return (select(_Rep.id, _Rep.name, _Rep.email).select_from(_Member)
            .join(_Cohort, _Cohort.id == _Member.cohort_id)
            .join(_Rep, _Rep.id == _Member.user_id)
            .where(_Member.moved_out_at.is_(None), _Cohort.track_id == track_id,
                   or_(_Member.end_on.is_(None), _Member.end_on >= today),
                   _Rep.role == Role.REP, _Rep.active.is_(True),
                   visible_rep_filter(viewer, _Member.user_id))
            .group_by(_Rep.id, _Rep.name, _Rep.email).order_by(_Rep.name, _Rep.id))


def _split(lines: list[RepLine], started) -> Outstanding:
    begun = [line for line in lines if started(line)]
    waiting = [line for line in lines if not started(line)]
    return Outstanding(waiting[:SHOWN], len(waiting), begun[:SHOWN], len(begun))


def quiz_outstanding(quiz: Quiz, viewer: User, today: dt.date) -> Outstanding:
    """The reps who have not passed the quiz: never started it, or attempted without passing."""
    passed = func.max(case((Attempt.passed.is_(True), 1), else_=0))
    stmt = (_track_members(quiz.track_id, viewer, today)
            .add_columns(func.count(Attempt.id), func.max(Attempt.score),
                         func.max(case((Attempt.state == AttemptState.NEEDS_GRADING, 1),
                                       else_=0)))
            .outerjoin(Attempt, and_(Attempt.user_id == _Rep.id, Attempt.quiz_id == quiz.id))
            .having(passed == 0))
    lines = [RepLine(rid, name, email, tries, best, bool(waiting))
             for rid, name, email, tries, best, waiting in db.session.execute(stmt)]
    return _split(lines, lambda line: line.tries > 0)


def module_outstanding(module: Module, viewer: User, today: dt.date) -> Outstanding:
    """The reps who have not completed the module: never opened it, or opened it only."""
    stmt = (_track_members(module.track_id, viewer, today)
            .add_columns(func.count(ModuleProgress.opened_at))
            .outerjoin(ModuleProgress, and_(ModuleProgress.user_id == _Rep.id,
                                            ModuleProgress.module_id == module.id))
            .having(func.count(ModuleProgress.completed_at) == 0))
    lines = [RepLine(rid, name, email, opened)
             for rid, name, email, opened in db.session.execute(stmt)]
    return _split(lines, lambda line: line.tries > 0)


def quiz_outstanding_counts(viewer: User, today: dt.date) -> dict[int, tuple[int, int]]:
    """For every active quiz, how many of the reps the viewer sees on its track have not
    started it and how many attempted it without passing: (not started, not passed)."""
    per_rep = (select(Quiz.id.label("quiz_id"), _Member.user_id,
                      func.count(Attempt.id).label("tries"),
                      func.max(case((Attempt.passed.is_(True), 1), else_=0)).label("passed"))
               .select_from(Quiz)
               .join(_Cohort, _Cohort.track_id == Quiz.track_id)
               .join(_Member, _Member.cohort_id == _Cohort.id)
               .join(_Rep, _Rep.id == _Member.user_id)
               .outerjoin(Attempt, and_(Attempt.user_id == _Member.user_id,
                                        Attempt.quiz_id == Quiz.id))
               .where(Quiz.retired_at.is_(None), _Member.moved_out_at.is_(None),
                      or_(_Member.end_on.is_(None), _Member.end_on >= today),
                      _Rep.role == Role.REP, _Rep.active.is_(True),
                      visible_rep_filter(viewer, _Member.user_id))
               .group_by(Quiz.id, _Member.user_id).subquery())
    rows = db.session.execute(
        select(per_rep.c.quiz_id,
               func.sum(case((per_rep.c.tries == 0, 1), else_=0)),
               func.sum(case((and_(per_rep.c.tries > 0, per_rep.c.passed == 0), 1), else_=0)))
        .group_by(per_rep.c.quiz_id))
    return {quiz_id: (int(fresh or 0), int(failing or 0)) for quiz_id, fresh, failing in rows}
