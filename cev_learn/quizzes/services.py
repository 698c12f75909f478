"""Attempts: start, save answers, submit and grade, coach grading. Flush only; callers commit.

A graded result that appears or changes (an attempt submitted, a coach's grade) brings the
rep's achievements up to date as of the day of `now`, in the same transaction; a result that
becomes final, or turns from failed to passed or back, goes to the outbox (`quiz.passed`,
`quiz.failed`). An attempt submitted with answers a coach must grade, and a coach's grading
that makes a result final or turns it from failed to passed or back, are announced (`events.attempt_awaits_grading`,
`events.attempt_graded`): the rep's coaches, or the rep, are notified in the same transaction.

Integrity rests on the database, not on timing: UNIQUE(user, quiz, attempt_no) stops two
concurrent starts from both creating an attempt, and every change to an attempt first locks
its row (SELECT … FOR UPDATE; SQLite serializes writers with BEGIN IMMEDIATE), then checks
its state, so a double submit grades once and the second sees the result.
"""
import datetime as dt
import random

from sqlalchemy import func, insert, select

from cev_learn.accounts.models import User
from cev_learn.content.models import Quiz, QuizVersion
from cev_learn.content.questions import Question
from cev_learn.platform import events, outbox
from cev_learn.platform.db import db
from cev_learn.quizzes.grading import Response, grade, total_score
from cev_learn.quizzes.layout import (InvalidAnswer, draw_layout, is_page_of_answers,
                                      parse_answers, parse_flags)
from cev_learn.quizzes.models import Attempt, AttemptAnswer, AttemptState

__all__ = ["AttemptClosed", "AttemptLimitReached", "InvalidAnswer", "QuizError", "grade_answer",
           "save_answers", "start_attempt", "submit_attempt", "submit_from_page"]


class QuizError(Exception):
    """A rule about attempts was broken; the message is fit to show."""


class AttemptLimitReached(QuizError):
    def __init__(self, limit: int):
        super().__init__(f"You have used all {limit} attempts at this quiz.")


class AttemptClosed(QuizError):
    def __init__(self, why: str = "This attempt is already submitted."):
        super().__init__(why)


def version_questions(version: QuizVersion) -> dict[str, Question]:
    return {q["key"]: Question.from_json({k: v for k, v in q.items() if k != "key"})
            for q in version.questions}


def current_version(quiz: Quiz) -> QuizVersion:
    return db.session.scalar(select(QuizVersion).where(
        QuizVersion.quiz_id == quiz.id, QuizVersion.content_hash == quiz.content_hash))


def closes_at(attempt: Attempt, grace: dt.timedelta) -> dt.datetime | None:
    """The last moment answers count: the deadline plus a short grace period."""
    return attempt.deadline_at + grace if attempt.deadline_at else None


def is_open(attempt: Attempt, now: dt.datetime, grace: dt.timedelta) -> bool:
    end = closes_at(attempt, grace)
    return attempt.state is AttemptState.IN_PROGRESS and (end is None or now <= end)


# The page submits itself when its clock reaches the deadline; a clock a little ahead of the
# server's still counts as the deadline having come.
CLOCK_TOLERANCE = dt.timedelta(seconds=5)


def time_is_up(attempt: Attempt, now: dt.datetime) -> bool:
    """Whether the attempt's deadline has come: it is then submitted without a confirmation."""
    return attempt.deadline_at is not None and now >= attempt.deadline_at - CLOCK_TOLERANCE


def lock_attempt(attempt_id: int) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(Attempt.id == attempt_id).with_for_update())


def start_attempt(rep: User, quiz: Quiz, now: dt.datetime, grace: dt.timedelta,
                  rng: random.Random | None = None) -> Attempt:
    """Resume the rep's open attempt, or start the next one if the limit allows."""
    attempts = list(db.session.scalars(select(Attempt).where(
        Attempt.user_id == rep.id, Attempt.quiz_id == quiz.id).order_by(Attempt.attempt_no)))
    for attempt in attempts:
        if attempt.state is AttemptState.IN_PROGRESS:
            if is_open(attempt, now, grace):
                return attempt
            _finish(lock_attempt(attempt.id) or attempt, quiz, now, grace)
    if quiz.max_attempts is not None and len(attempts) >= quiz.max_attempts:
        raise AttemptLimitReached(quiz.max_attempts)
    version = current_version(quiz)
    questions = version_questions(version)
    layout = draw_layout([(q["key"], questions[q["key"]]) for q in version.questions],
                         quiz.draw, quiz.shuffle, rng or random.SystemRandom())
    deadline = now + dt.timedelta(minutes=quiz.time_limit_minutes) \
        if quiz.time_limit_minutes else None
    attempt = Attempt(user_id=rep.id, quiz_id=quiz.id, version_id=version.id,
                      attempt_no=(attempts[-1].attempt_no if attempts else 0) + 1,
                      state=AttemptState.IN_PROGRESS, started_at=now, deadline_at=deadline,
                      layout=layout)
    db.session.add(attempt)
    db.session.flush()  # IntegrityError here means a concurrent start won: the caller retries
    return attempt


def save_answers(attempt_id: int, form, now: dt.datetime, grace: dt.timedelta) -> Attempt:
    """Store answers of an open attempt; the whole form is checked before anything is saved."""
    attempt = lock_attempt(attempt_id)
    if attempt.state is not AttemptState.IN_PROGRESS:
        raise AttemptClosed()
    if not is_open(attempt, now, grace):
        raise AttemptClosed("Time is up: answers can no longer be changed.")
    responses = parse_answers(attempt.layout, version_questions(attempt.version), form)
    flagged = parse_flags(attempt.layout, form)
    _insert(_store(responses, now, attempt, _answers(attempt)))
    if (attempt.flagged or []) != flagged:
        attempt.flagged = flagged or None
    return attempt


def submit_from_page(attempt: Attempt, form, confirmed: bool, now: dt.datetime,
                     grace: dt.timedelta) -> bool:
    """Grade an attempt the rep confirmed (or whose deadline came); otherwise only save the
    page's answers, so that a submit without the confirmation never uses up an attempt.
    Returns whether the attempt is submitted. A form without answers (the summary's
    confirmation) grades what was saved."""
    answers = form if is_page_of_answers(form) else None
    if confirmed or time_is_up(attempt, now):
        submit_attempt(attempt.id, answers, now, grace)
        return True
    if answers is None:
        return attempt.state is not AttemptState.IN_PROGRESS
    try:
        save_answers(attempt.id, answers, now, grace)
    except AttemptClosed:
        return True  # submitted meanwhile: its result stands
    return False


def submit_attempt(attempt_id: int, form, now: dt.datetime, grace: dt.timedelta) -> Attempt:
    """Save the final answers (if still on time) and grade, once; a repeat changes nothing.

    `form` is the submitted page (the source of truth for every answer on it); None grades
    what was saved before, as when the time ran out.
    """
    attempt = lock_attempt(attempt_id)
    if attempt.state is not AttemptState.IN_PROGRESS:
        return attempt
    answers, new = _answers(attempt), []
    if form is not None and is_open(attempt, now, grace):
        responses = parse_answers(attempt.layout, version_questions(attempt.version), form)
        new = _store(responses, now, attempt, answers)
    _finish(attempt, attempt.quiz, now, grace, answers, new)
    return attempt


def store_responses(attempt: Attempt, responses: dict[str, Response], now: dt.datetime) -> None:
    """Save responses already in the question's own terms (used by imports and demo data)."""
    _insert(_store(responses, now, attempt, _answers(attempt)))


def _answers(attempt: Attempt) -> dict[str, AttemptAnswer]:
    """The attempt's saved answers by question key."""
    return {a.question_key: a for a in db.session.scalars(
        select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id))}


def _store(responses: dict[str, Response], now: dt.datetime, attempt: Attempt,
           answers: dict[str, AttemptAnswer]) -> list[AttemptAnswer]:
    """Put the responses into `answers`: a changed one is saved by the session, a new one is
    returned to be saved (`_insert`), all at once."""
    new = []
    for key, response in responses.items():
        row = answers.get(key)
        if row is None:
            answers[key] = row = AttemptAnswer(attempt_id=attempt.id, question_key=key,
                                               response=response.to_json(), saved_at=now)
            new.append(row)
        elif row.response != response.to_json():
            row.response, row.saved_at = response.to_json(), now
    return new


def _insert(rows: list[AttemptAnswer]) -> None:
    """Save new answers in one statement (the session would send one per row on SQLite, to
    read back ids nothing needs); the session's changes are flushed with them."""
    if rows:
        db.session.execute(insert(AttemptAnswer), [
            {column: getattr(row, column) for column in ANSWER_COLUMNS} for row in rows])
    db.session.flush()


ANSWER_COLUMNS = ("attempt_id", "question_key", "response", "saved_at", "fraction")


def _finish(attempt: Attempt, quiz: Quiz, now: dt.datetime,
            grace: dt.timedelta = dt.timedelta(0),
            answers: dict[str, AttemptAnswer] | None = None,
            new: list[AttemptAnswer] | None = None) -> None:
    """Grade an attempt with the answers saved in time; answers saved late count as blank.
    `answers` are the attempt's (read when not given), `new` those not saved yet."""
    questions = version_questions(attempt.version)
    answers = _answers(attempt) if answers is None else answers
    new = [] if new is None else new
    end = closes_at(attempt, grace)
    for entry in attempt.layout:
        key, question = entry["key"], questions[entry["key"]]
        if not question.type.graded:
            continue
        row = answers.get(key)
        if row is None:
            answers[key] = row = AttemptAnswer(attempt_id=attempt.id, question_key=key,
                                               response={}, saved_at=now)
            new.append(row)
        on_time = end is None or row.saved_at <= end
        response = Response.from_json(row.response) if on_time else Response()
        row.fraction = grade(question, response).fraction
    _insert(new)
    attempt.submitted_at = min(now, end) if end else now
    _score(attempt, quiz, questions, answers, now)
    if attempt.state is AttemptState.NEEDS_GRADING:
        events.attempt_awaits_grading.send(attempt=attempt, now=now)


def _score(attempt: Attempt, quiz: Quiz, questions: dict[str, Question], answers: dict,
           now: dt.datetime) -> None:
    """Score an attempt; graded_at moves when its result becomes final or changes."""
    items = [(questions[e["key"]].points, answers[e["key"]].fraction)
             for e in attempt.layout if questions[e["key"]].type.graded]
    score = total_score(items)
    before = (attempt.state, attempt.score, attempt.passed)
    attempt.score = score.fraction
    if score.pending:
        attempt.state, attempt.passed, attempt.graded_at = AttemptState.NEEDS_GRADING, None, None
    else:
        attempt.state = AttemptState.GRADED
        attempt.passed = score.fraction >= quiz.pass_mark - 1e-9
        if (attempt.state, attempt.score, attempt.passed) != before:
            attempt.graded_at = now
    db.session.flush()
    graded = AttemptState.GRADED in (before[0], attempt.state)  # what milestones count
    if graded and (attempt.state, attempt.score, attempt.passed) != before:
        if attempt.state is AttemptState.GRADED and (
                before[0] is not AttemptState.GRADED or before[2] != attempt.passed):
            _announce_result(attempt, quiz, now)
        events.records_changed([attempt.user_id], now.date(), {events.QUIZZES})


def _announce_result(attempt: Attempt, quiz: Quiz, now: dt.datetime) -> None:
    outbox.emit("quiz.passed" if attempt.passed else "quiz.failed", attempt.user_id, {
        "quiz": {"slug": quiz.slug, "title": quiz.title, "pass_mark": quiz.pass_mark},
        "track": {"slug": quiz.track.slug, "title": quiz.track.title},
        "attempt": {"id": attempt.id, "number": attempt.attempt_no,
                    "score": round(attempt.score, 4),
                    "submitted_at": attempt.submitted_at.isoformat(),
                    "graded_at": attempt.graded_at.isoformat()}}, now)


def grade_answer(attempt_id: int, key: str, fraction: float, comment: str | None,
                 coach: User, now: dt.datetime) -> Attempt:
    """A coach scores one answer (essays, or overriding a score); the attempt is re-scored."""
    attempt = lock_attempt(attempt_id)
    if attempt.state is AttemptState.IN_PROGRESS:
        raise AttemptClosed("The rep has not submitted this attempt yet.")
    answers = _answers(attempt)
    answer = answers.get(key)
    if answer is None:
        raise InvalidAnswer("that question is not part of this attempt")
    answer.fraction, answer.comment = fraction, comment
    answer.graded_by_id, answer.graded_at = coach.id, now
    before = (attempt.state, attempt.passed)
    _score(attempt, attempt.quiz, version_questions(attempt.version), answers, now)
    if attempt.state is AttemptState.GRADED and (attempt.state, attempt.passed) != before:
        # final now, or passed/failed turned round: the rep hears (not of every score changed)
        events.attempt_graded.send(attempt=attempt, coach=coach, now=now)
    return attempt


def attempts_used(rep: User, quiz: Quiz) -> int:
    return db.session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.user_id == rep.id, Attempt.quiz_id == quiz.id))
