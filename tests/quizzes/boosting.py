"""What the booster tests share: a rep who completed a module the quiz `check` covers, and
forms that answer a booster right or wrong as the page lays it out."""
import datetime as dt

from sqlalchemy import select

from cev_learn.content.models import Module
from cev_learn.content.questions import QuestionType
from cev_learn.content.services import complete_module
from cev_learn.platform.db import db
from cev_learn.quizzes.boosters import asked
from cev_learn.quizzes.layout import field_name, option_token
from cev_learn.quizzes.models import Booster


def module(slug: str) -> Module:
    return db.session.scalar(select(Module).where(Module.slug == slug))


def completed(rep, slug: str = "intro", days_ago: int = 3) -> list[Booster]:
    """The rep completes the module `days_ago` days ago (committed): their boosters."""
    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
    complete_module(rep, module(slug), now)
    db.session.commit()
    return boosters_of(rep)


def boosters_of(rep) -> list[Booster]:
    db.session.expire_all()
    return list(db.session.scalars(select(Booster).where(Booster.user_id == rep.id)
                                   .order_by(Booster.id)))


def answer_form(booster: Booster, right: bool) -> dict:
    """The fields of the booster page answering its question right (or wrong)."""
    shown = asked(booster)
    question, entry, key = shown.question, shown.entry, booster.question_key
    kind = question.type
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        picks = [p for p, i in enumerate(entry["order"])
                 if (question.choices[i].weight > 0) == right]
        return {field_name(key): [option_token(key, p) for p in picks]
                if kind is QuestionType.MULTIPLE and right else option_token(key, picks[0])}
    if kind is QuestionType.TRUE_FALSE:
        return {field_name(key): "true" if question.answer == right else "false"}
    if kind is QuestionType.SHORT:
        best = max(question.answers, key=lambda a: a.weight).text
        return {field_name(key): best if right else "no idea"}
    if kind is QuestionType.NUMERIC:
        return {field_name(key): f"{question.numeric[0].value:g}" if right else "99999"}
    fields = {}
    rights = entry["rights"]
    lefts = [i for i, pair in enumerate(question.pairs) if pair.left]
    for left in lefts:
        wanted = left if right else lefts[(lefts.index(left) + 1) % len(lefts)]
        fields[field_name(key, left)] = option_token(key, rights.index(wanted), "r")
    return fields
