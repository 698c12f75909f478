"""Reads for quiz pages."""
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from cev_learn.accounts.models import User
from cev_learn.content.models import Quiz, QuizVersion, Track
from cev_learn.content import queries as content_queries
from cev_learn.content.progress import next_unfinished
from cev_learn.content.questions import Question, QuestionType
from cev_learn.content.track_data import track_data
from cev_learn.platform.db import db
from cev_learn.quizzes.analysis import ItemScores, ItemStats, choice_counts, item_stats
from cev_learn.quizzes.models import Attempt, AttemptAnswer, AttemptState
from cev_learn.quizzes.services import version_questions

PAGE_SIZE = 50


def get_active_quiz(track: Track, slug: str) -> Quiz | None:
    return db.session.scalar(select(Quiz).where(
        Quiz.track_id == track.id, Quiz.slug == slug, Quiz.retired_at.is_(None)))


def rep_attempts(rep: User, quiz: Quiz) -> list[Attempt]:
    return list(db.session.scalars(select(Attempt).where(
        Attempt.user_id == rep.id, Attempt.quiz_id == quiz.id).order_by(Attempt.attempt_no)))


def attempt_with_context(attempt_id: int) -> Attempt | None:
    return db.session.scalar(select(Attempt).options(
        joinedload(Attempt.quiz).joinedload(Quiz.track), joinedload(Attempt.version),
        joinedload(Attempt.user)).where(Attempt.id == attempt_id))


def answers_by_key(attempt: Attempt) -> dict[str, AttemptAnswer]:
    return {a.question_key: a for a in db.session.scalars(
        select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id))}


def attempted_quizzes(rep: User) -> list[tuple[Quiz, int, float | None, int]]:
    """Each quiz the rep attempted, with how many attempts they used (one in progress too),
    the best score of a submitted one and whether one passed (1 or 0): one statement."""
    submitted = Attempt.state != AttemptState.IN_PROGRESS
    return list(db.session.execute(
        select(Quiz, func.count(Attempt.id), func.max(case((submitted, Attempt.score))),
               func.max(case((Attempt.passed.is_(True), 1), else_=0)))
        .join(Attempt, Attempt.quiz_id == Quiz.id)
        .where(Attempt.user_id == rep.id).group_by(Quiz.id)))


def submitted_attempts(rep: User) -> list[Attempt]:
    """The rep's submitted attempts and their quizzes, oldest first."""
    return list(db.session.scalars(
        select(Attempt).options(joinedload(Attempt.quiz))
        .where(Attempt.user_id == rep.id, Attempt.state != AttemptState.IN_PROGRESS)
        .order_by(Attempt.submitted_at, Attempt.id)))


def best_results(rep: User, quiz_ids: list[int]) -> dict[int, tuple[float | None, bool]]:
    """Per quiz: the rep's best score and whether any attempt passed."""
    rows = db.session.execute(
        select(Attempt.quiz_id, func.max(Attempt.score),
               func.max(case((Attempt.passed.is_(True), 1), else_=0)))
        .where(Attempt.user_id == rep.id, Attempt.quiz_id.in_(quiz_ids),
               Attempt.state != AttemptState.IN_PROGRESS)
        .group_by(Attempt.quiz_id))
    return {quiz_id: (score, bool(passed)) for quiz_id, score, passed in rows}


def passed_quizzes(rep: User, tracks: list[Track]) -> set[int]:
    """The active quizzes of some tracks a rep has passed (none to look at: no statement)."""
    quiz_ids = [q.id for data in track_data(tracks).values() for q in data.quizzes.values()]
    return {quiz_id for quiz_id, (_, passed) in best_results(rep, quiz_ids).items()
            if passed} if quiz_ids else set()


def next_unfinished_work(rep: User, track: Track, current: tuple[str, int]) -> tuple | None:
    """Where a rep goes on from a module or quiz (`current`: kind and id): the next entry of
    the track's scheduled work (`TrackData.work`) they have not done — a module completed, a
    quiz passed — going round to the start; None when all of it is done (two statements)."""
    work = track_data([track])[track.id].work
    done = {("module", module_id) for module_id in content_queries.completed_module_ids(
        rep, [item_id for kind, _, _, item_id, _ in work if kind == "module"])}
    done |= {("quiz", quiz_id) for quiz_id, (_, passed) in track_results(rep, track).items()
             if passed}
    return next_unfinished(work, done, current)


def track_results(rep: User, track: Track) -> dict[int, tuple[float | None, bool]]:
    """`best_results` of a rep on every active quiz of a track (none: no statement)."""
    quiz_ids = [q.id for q in track_data([track])[track.id].quizzes.values()]
    return best_results(rep, quiz_ids) if quiz_ids else {}


@dataclass(frozen=True)
class QuizRow:
    quiz: Quiz
    attempts: int
    reps: int
    passed_reps: int
    waiting: int


def quiz_rows(visible=True) -> list[QuizRow]:
    """Every active quiz with its attempt counts, in two statements."""
    quizzes = list(db.session.scalars(select(Quiz).options(joinedload(Quiz.track))
                                      .where(Quiz.retired_at.is_(None)).order_by(Quiz.title)))
    counts = {row[0]: row[1:] for row in db.session.execute(
        select(Attempt.quiz_id, func.count(),
               func.count(func.distinct(Attempt.user_id)),
               func.count(func.distinct(case((Attempt.passed.is_(True), Attempt.user_id)))),
               func.sum(case((Attempt.state == AttemptState.NEEDS_GRADING, 1), else_=0)))
        .where(Attempt.state != AttemptState.IN_PROGRESS, visible).group_by(Attempt.quiz_id))}
    return [QuizRow(q, *(counts.get(q.id) or (0, 0, 0, 0))) for q in quizzes]


def results_page(quiz: Quiz, page: int, waiting_only: bool, visible=True):
    stmt = (select(Attempt).options(joinedload(Attempt.user))
            .where(Attempt.quiz_id == quiz.id, Attempt.state != AttemptState.IN_PROGRESS, visible)
            .order_by(Attempt.submitted_at.desc(), Attempt.id.desc()))
    if waiting_only:
        stmt = stmt.where(Attempt.state == AttemptState.NEEDS_GRADING)
    return db.paginate(stmt, page=max(page, 1), per_page=PAGE_SIZE, error_out=False)


def results_for_export(quiz: Quiz, visible=True) -> list[tuple]:
    return list(db.session.execute(
        select(User.name, User.email, User.territory, Attempt.attempt_no, Attempt.started_at,
               Attempt.submitted_at, Attempt.score, Attempt.passed, Attempt.state)
        .join(User, User.id == Attempt.user_id)
        .where(Attempt.quiz_id == quiz.id, Attempt.state != AttemptState.IN_PROGRESS, visible)
        .order_by(User.name, Attempt.attempt_no)))


@dataclass(frozen=True)
class ItemReport:
    number: int
    question: Question
    stats: ItemStats
    counts: list[int]  # per choice, for choice questions


def item_analysis(quiz: Quiz, visible=True) -> tuple[int, list[ItemReport]]:
    """Item statistics over each rep's first fully graded attempt at the quiz."""
    first = (select(Attempt.user_id, func.min(Attempt.attempt_no).label("no"))
             .where(Attempt.quiz_id == quiz.id, Attempt.state == AttemptState.GRADED, visible)
             .group_by(Attempt.user_id).subquery())
    rows = db.session.execute(
        select(Attempt.id, Attempt.version_id, AttemptAnswer.question_key,
               AttemptAnswer.fraction, AttemptAnswer.response)
        .join(first, (first.c.user_id == Attempt.user_id) & (first.c.no == Attempt.attempt_no))
        .join(AttemptAnswer, AttemptAnswer.attempt_id == Attempt.id)
        .where(Attempt.quiz_id == quiz.id))
    versions = {v.id: version_questions(v) for v in db.session.scalars(
        select(QuizVersion).where(QuizVersion.quiz_id == quiz.id).order_by(QuizVersion.id))}
    questions = {}
    for version in versions.values():
        questions.update(version)  # the newest wording of a key wins
    per_attempt: dict[int, dict] = {}
    picks: dict[str, list[list[int]]] = {}
    for attempt_id, version_id, key, fraction, response in rows:
        question = versions[version_id].get(key)
        items = per_attempt.setdefault(attempt_id, {})
        if question is None or fraction is None:
            continue
        items[key] = (fraction, question.points)
        if question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            chosen = response.get("choices") or ([response["choice"]]
                                                 if response.get("choice") is not None else [])
            picks.setdefault(key, []).append(chosen)
    scores = [ItemScores(items) for items in per_attempt.values()]
    current = versions.get(_current_version_id(quiz), {})
    order = list(current) + [k for k in questions if k not in current]
    reports = []
    for number, key in enumerate(order, start=1):
        question = questions[key]
        if not question.type.graded:
            continue
        counts = choice_counts(picks.get(key, []), len(question.choices)) if question.choices else []
        reports.append(ItemReport(number, question, item_stats(key, scores), counts))
    return len(scores), reports


def _current_version_id(quiz: Quiz) -> int | None:
    return db.session.scalar(select(QuizVersion.id).where(
        QuizVersion.quiz_id == quiz.id, QuizVersion.content_hash == quiz.content_hash))
