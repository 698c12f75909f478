"""Reads about boosters: the rep's due ones, retention for coaches and item authors, and
booster correctness per question (docs/metrics.md, "Boosters")."""
import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Integer, case, cast, func, select
from sqlalchemy.orm import joinedload

from cev_learn.content.models import Module, Track
from cev_learn.platform.db import column_rows, db
from cev_learn.quizzes.boosters import Asked, current_versions, asked
from cev_learn.quizzes.leitner import LAST_BOX, RIGHT
from cev_learn.quizzes.models import Attempt, AttemptAnswer, AttemptState, Booster, BoosterAnswer
from cev_learn.quizzes.services import version_questions


def _end_of(day: dt.date) -> dt.datetime:
    """The first moment after `day` (UTC): records before it happened by that day."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), dt.timezone.utc)


def due_boosters(rep_id: int, today: dt.date) -> list[Asked]:
    """The rep's boosters due by `today` whose question their quiz still has, oldest due
    first: two statements."""
    boosters = list(db.session.scalars(
        select(Booster).options(joinedload(Booster.module))
        .where(Booster.user_id == rep_id, Booster.retired_at.is_(None), Booster.due_on <= today)
        .order_by(Booster.due_on, Booster.id)))
    if not boosters:
        return []
    versions = current_versions({b.quiz_id for b in boosters})
    return [a for a in (asked(b, versions) for b in boosters) if a is not None]


@dataclass(frozen=True)
class DueSummary:
    """How many boosters are due for a rep, and from which modules (by title)."""

    count: int
    modules: list[str]


def due_summary(rep_id: int, today: dt.date) -> DueSummary:
    """The rep's boosters due by `today`, counted per module: one statement. (It counts a
    booster whose question has since left its quiz, which the booster page no longer asks.)"""
    rows = column_rows(
        select(Module.title, func.count()).join(Booster, Booster.module_id == Module.id)
        .where(Booster.user_id == rep_id, Booster.retired_at.is_(None), Booster.due_on <= today)
        .group_by(Module.title).order_by(func.min(Booster.due_on), Module.title))
    return DueSummary(sum(n for _, n in rows), [title for title, _ in rows])


def rep_booster(rep_id: int, booster_id: int) -> Booster | None:
    """The rep's booster with its module; None for anyone else's, as for one that is not."""
    return db.session.scalar(select(Booster).options(joinedload(Booster.module)).where(
        Booster.id == booster_id, Booster.user_id == rep_id))


def booster_answer(booster: Booster, seq: int) -> BoosterAnswer | None:
    return db.session.scalar(select(BoosterAnswer).where(
        BoosterAnswer.booster_id == booster.id, BoosterAnswer.seq == seq))


@dataclass(frozen=True)
class QuestionMastery:
    """How a rep has answered one question's boosters by a day: for readiness and mastery."""

    rep_id: int
    quiz_id: int
    question_key: str
    answered: int
    right: int
    highest_box_right: int  # 0: never right

    @property
    def share_right(self) -> float:
        return self.right / self.answered if self.answered else 0.0


def booster_correctness(rep_ids: list[int], as_of: dt.date) -> list[QuestionMastery]:
    """Booster answers per rep and question up to `as_of`: how many, how many right, the
    highest box answered right (one GROUP BY statement)."""
    right = cast(BoosterAnswer.correct, Integer)
    rows = column_rows(
        select(Booster.user_id, Booster.quiz_id, Booster.question_key, func.count(),
               func.sum(right), func.max(case((BoosterAnswer.correct, BoosterAnswer.box), else_=0)))
        .join(BoosterAnswer, BoosterAnswer.booster_id == Booster.id)
        .where(Booster.user_id.in_(rep_ids), BoosterAnswer.answered_at < _end_of(as_of))
        .group_by(Booster.user_id, Booster.quiz_id, Booster.question_key)
        .order_by(Booster.user_id, Booster.quiz_id, Booster.question_key))
    return [QuestionMastery(*row) for row in rows]


@dataclass
class Tally:
    """n answers, of which `right` fully right."""

    n: int = 0
    right: int = 0

    def add(self, n: int, right: int) -> None:
        self.n, self.right = self.n + n, self.right + (right or 0)

    @property
    def share(self) -> float | None:
        return self.right / self.n if self.n else None


@dataclass
class RetentionRow:
    """Retention of one module's booster questions, or of one question: first-try
    correctness in the quiz against booster correctness by box."""

    title: str
    reps: int = 0
    boosters: int = 0
    retired: int = 0
    first_try: Tally = field(default_factory=Tally)
    by_box: list[Tally] = field(default_factory=lambda: [Tally() for _ in range(LAST_BOX)])

    @property
    def boosted(self) -> Tally:
        total = Tally()
        for tally in self.by_box:
            total.add(tally.n, tally.right)
        return total


@dataclass(frozen=True)
class Retention:
    modules: list[RetentionRow]
    questions: list[tuple[str, list[RetentionRow]]]  # (module title, its questions)


def retention(visible, as_of: dt.date) -> Retention:
    """Retention per module and per question over the boosters of the reps `visible` (a SQL
    condition on Booster.user_id) as of a day: four statements."""
    end = _end_of(as_of)
    scoped = (Booster.created_at < end, visible)
    modules = {}
    for module_id, title, track, reps, boosters, retired in column_rows(
            select(Booster.module_id, Module.title, Track.title,
                   func.count(func.distinct(Booster.user_id)), func.count(),
                   func.sum(case((Booster.retired_at < end, 1), else_=0)))
            .join(Module, Module.id == Booster.module_id).join(Track, Track.id == Module.track_id)
            .where(*scoped).group_by(Booster.module_id, Module.title, Track.title)
            .order_by(Track.title, Module.title)):
        modules[module_id] = RetentionRow(title, reps, boosters, retired or 0)
    questions: dict[tuple[int, int, str], RetentionRow] = {}

    def question(module_id, quiz_id, key) -> RetentionRow:
        return questions.setdefault((module_id, quiz_id, key), RetentionRow(key))

    right = func.sum(cast(BoosterAnswer.correct, Integer))
    for module_id, quiz_id, key, box, n, n_right in column_rows(
            select(Booster.module_id, Booster.quiz_id, Booster.question_key, BoosterAnswer.box,
                   func.count(), right)
            .join(BoosterAnswer, BoosterAnswer.booster_id == Booster.id)
            .where(*scoped, BoosterAnswer.answered_at < end)
            .group_by(Booster.module_id, Booster.quiz_id, Booster.question_key, BoosterAnswer.box)):
        modules[module_id].by_box[box - 1].add(n, n_right)
        question(module_id, quiz_id, key).by_box[box - 1].add(n, n_right)
    for module_id, quiz_id, key, n, n_right in _first_tries(scoped, end):
        modules[module_id].first_try.add(n, n_right)
        question(module_id, quiz_id, key).first_try.add(n, n_right)
    _name_questions(questions)
    grouped = []
    for module_id, row in modules.items():
        mine = sorted((q for (m, _, _), q in questions.items() if m == module_id),
                      key=lambda q: q.title)
        if mine:
            grouped.append((row.title, mine))
    return Retention(list(modules.values()), grouped)


def _first_tries(scoped, end) -> list[tuple]:
    """(module, quiz, question, answers, right) of the booster questions in each rep's first
    fully graded attempt at their quiz, submitted before `end`."""
    first = (select(Attempt.user_id, Attempt.quiz_id, func.min(Attempt.attempt_no).label("no"))
             .where(Attempt.state == AttemptState.GRADED, Attempt.submitted_at < end)
             .group_by(Attempt.user_id, Attempt.quiz_id).subquery())
    return column_rows(
        select(Booster.module_id, Booster.quiz_id, Booster.question_key, func.count(),
               func.sum(case((AttemptAnswer.fraction >= RIGHT, 1), else_=0)))
        .join(first, (first.c.user_id == Booster.user_id) & (first.c.quiz_id == Booster.quiz_id))
        .join(Attempt, (Attempt.user_id == first.c.user_id) & (Attempt.quiz_id == first.c.quiz_id)
              & (Attempt.attempt_no == first.c.no))
        .join(AttemptAnswer, (AttemptAnswer.attempt_id == Attempt.id)
              & (AttemptAnswer.question_key == Booster.question_key))
        .where(*scoped, AttemptAnswer.fraction.is_not(None))
        .group_by(Booster.module_id, Booster.quiz_id, Booster.question_key))


def _name_questions(questions: dict[tuple[int, int, str], RetentionRow]) -> None:
    """Title each question row as its quiz has it now (its key when the quiz changed it)."""
    versions = current_versions({quiz_id for _, quiz_id, _ in questions}) if questions else {}
    texts = {quiz_id: version_questions(v) for quiz_id, v in versions.items()}
    for (_, quiz_id, key), row in questions.items():
        found = texts.get(quiz_id, {}).get(key)
        if found is not None:
            row.title = found.title or found.prompt[:80]
