"""Boosters: questions of a module's quiz pool that come back to the rep who completed it, at
the Leitner intervals of `quizzes.leitner`. Flush only; callers commit.

A module's pool is the questions of the track's quizzes that `cover` it (track.yaml), those a
rep can answer at once (not essays or descriptions), as the quiz is now. Completing the module
(`content.services.complete_module`, announced by `events.module_completed`) schedules up to
`QUESTIONS_PER_MODULE` of them that the rep has no booster for yet, in box 1. Answering one
grades it with the quizzes' own grading and moves it between boxes. Its row is locked first,
and the form names the answer count it was shown at: a second submit of the same form finds
the booster already answered and counts nothing.
"""
import datetime as dt
import random
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from cev_learn.content.models import Module, Quiz, QuizVersion
from cev_learn.content.questions import Question, QuestionType
from cev_learn.platform import caching, events
from cev_learn.platform.db import db
from cev_learn.quizzes.grading import grade
from cev_learn.quizzes.layout import InvalidAnswer, draw_layout, parse_answers
from cev_learn.quizzes.leitner import after_answer, first_due, is_right, pick_questions
from cev_learn.quizzes.models import Booster, BoosterAnswer
from cev_learn.quizzes.services import version_questions

ASKABLE = frozenset(QuestionType) - {QuestionType.ESSAY, QuestionType.DESCRIPTION}


class BoosterError(Exception):
    """A booster cannot be answered now; the message is fit to show."""


class AlreadyAnswered(BoosterError):
    """The form was answered before (a double submit): `answer` is the answer that counted."""

    def __init__(self, answer: BoosterAnswer):
        super().__init__("You had already answered this booster; your first answer counts.")
        self.answer = answer


@dataclass(frozen=True)
class Asked:
    """A booster as it is asked now: its question and how the page lays it out."""

    booster: Booster
    question: Question
    entry: dict


def current_versions(quiz_ids) -> dict[int, QuizVersion]:
    """The current version of each of these quizzes (one statement)."""
    rows = db.session.scalars(select(QuizVersion).join(Quiz, (Quiz.id == QuizVersion.quiz_id) & (
        Quiz.content_hash == QuizVersion.content_hash)).where(Quiz.id.in_(list(quiz_ids))))
    return {version.quiz_id: version for version in rows}


def module_pool(module: Module) -> dict[tuple[int, str], Question]:
    """The askable questions of the quizzes covering the module: {(quiz id, key): question}."""
    quizzes = [quiz for quiz in db.session.scalars(select(Quiz).where(
        Quiz.track_id == module.track_id, Quiz.retired_at.is_(None))) if module.slug in quiz.covers]
    pool = {}
    if not quizzes:  # no quiz covers the module: nothing to read
        return pool
    for quiz_id, version in current_versions(q.id for q in quizzes).items():
        for key, question in version_questions(version).items():
            if question.type in ASKABLE:
                pool[(quiz_id, key)] = question
    return pool


def schedule_boosters(rep_id: int, module: Module, now: dt.datetime) -> list[Booster]:
    """Give the rep boosters for up to QUESTIONS_PER_MODULE questions of the module's pool
    they have none for yet, first due two days after `now`."""
    pool = module_pool(module)
    if not pool:
        return []
    taken = set(db.session.execute(select(Booster.quiz_id, Booster.question_key).where(
        Booster.user_id == rep_id, Booster.quiz_id.in_({quiz_id for quiz_id, _ in pool}))).all())
    free = {f"{quiz_id}:{key}": (quiz_id, key) for quiz_id, key in pool if (quiz_id, key) not in taken}
    boosters = [Booster(user_id=rep_id, module_id=module.id, quiz_id=free[pick][0],
                        question_key=free[pick][1], box=1, due_on=first_due(now.date()),
                        answer_count=0, created_at=now)
                for pick in pick_questions(free, rep_id)]
    db.session.add_all(boosters)
    db.session.flush()
    caching.changed([caching.rep_scope(rep_id)])
    return boosters


def _on_module_completed(_sender, *, rep_id: int, module: Module, now: dt.datetime) -> None:
    schedule_boosters(rep_id, module, now)


def listen() -> None:
    """Schedule boosters when a rep completes a module, in the completion's transaction."""
    events.module_completed.connect(_on_module_completed)


def layout_for(booster_id: int, seq: int, key: str, question: Question) -> dict:
    """How a booster's question is laid out at answer count `seq`: the same on the page, when
    its answer is read and when it is shown back, never the options' order in the file."""
    rng = random.Random(f"booster:{booster_id}:{seq}")
    return draw_layout([(key, question)], None, True, rng)[0]


def asked(booster: Booster, versions: Mapping[int, QuizVersion] | None = None) -> Asked | None:
    """The booster with its question as the quiz has it now; None if the quiz no longer has it."""
    versions = current_versions([booster.quiz_id]) if versions is None else versions
    version = versions.get(booster.quiz_id)
    question = version_questions(version).get(booster.question_key) if version else None
    if question is None:
        return None
    return Asked(booster, question,
                 layout_for(booster.id, booster.answer_count, booster.question_key, question))


def lock_booster(rep_id: int, booster_id: int) -> Booster | None:
    """The rep's booster, its row locked; None for anyone else's, as for one that is not."""
    return db.session.scalar(select(Booster).where(
        Booster.id == booster_id, Booster.user_id == rep_id).with_for_update())


def answer_booster(rep_id: int, booster_id: int, seq: int, form: Mapping[str, list[str]],
                   now: dt.datetime) -> BoosterAnswer | None:
    """Grade the rep's answer to their booster as shown at answer count `seq`, record it and
    move the booster to its next box (or retire it). None: the rep has no such booster.
    Raises AlreadyAnswered (a double submit), BoosterError (not due, or its question left
    the quiz), InvalidAnswer (a blank or malformed answer); then nothing changed."""
    booster = lock_booster(rep_id, booster_id)
    if booster is None:
        return None
    if seq != booster.answer_count:
        earlier = db.session.scalar(select(BoosterAnswer).where(
            BoosterAnswer.booster_id == booster.id, BoosterAnswer.seq == seq))
        if earlier is None:
            raise BoosterError("This booster changed since the page was shown; try it again.")
        raise AlreadyAnswered(earlier)
    if booster.retired_at is not None or booster.due_on > now.date():
        raise BoosterError("This booster is not due yet.")
    question = asked(booster)
    if question is None:
        raise BoosterError("This question is no longer in its quiz; it will not come back.")
    response = parse_answers([question.entry], {booster.question_key: question.question},
                             form)[booster.question_key]
    if response.is_blank():
        raise InvalidAnswer("answer the question before checking it")
    fraction = grade(question.question, response).fraction or 0.0
    answer = BoosterAnswer(booster_id=booster.id, seq=seq, user_id=rep_id, box=booster.box,
                           answered_at=now, response=response.to_json(), fraction=fraction,
                           correct=is_right(fraction))
    db.session.add(answer)
    step = after_answer(booster.box, answer.correct, now.date())
    booster.box, booster.answer_count = step.box, booster.answer_count + 1
    if step.retired:
        booster.retired_at = now
    else:
        booster.due_on = step.due_on
    db.session.flush()
    caching.changed([caching.rep_scope(rep_id)])
    return answer
