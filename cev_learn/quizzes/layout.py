"""How an attempt presents a quiz, and how a submitted form maps back to answers. Pure.

Options are sent to the browser as opaque tokens naming the question and the option's
*presented* position ("<key>.<position>"), never its position in the source file, so the page
reveals nothing about which option is right.
"""
import math
import random
from collections.abc import Mapping

from cev_learn.content.questions import Question, QuestionType
from cev_learn.quizzes.grading import Response

MAX_TEXT_ANSWER = 10_000


class InvalidAnswer(ValueError):
    """A submitted form does not fit the attempt; the message names the question."""


def draw_layout(keys_and_questions: list[tuple[str, Question]], draw: int | None,
                shuffle: bool, rng: random.Random) -> list[dict]:
    """Pick the questions of one attempt and the order of their options."""
    items = list(keys_and_questions)
    if draw is not None and draw < len(items):
        picked = sorted(rng.sample(range(len(items)), draw))
        items = [items[i] for i in picked]
    if shuffle:
        rng.shuffle(items)
    layout = []
    for key, question in items:
        entry = {"key": key}
        if question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            order = list(range(len(question.choices)))
            if shuffle:
                rng.shuffle(order)
            entry["order"] = order
        elif question.type is QuestionType.MATCHING:
            rights = list(range(len(question.pairs)))
            rng.shuffle(rights)  # always: in file order every left would face its right
            entry["rights"] = rights
        layout.append(entry)
    return layout


def option_token(key: str, position: int, prefix: str = "") -> str:
    return f"{key}.{prefix}{position}"


def field_name(key: str, left: int | None = None) -> str:
    return f"q-{key}" if left is None else f"q-{key}-{left}"


def parse_answers(layout: list[dict], questions: Mapping[str, Question],
                  form: Mapping[str, list[str]]) -> dict[str, Response]:
    """Turn submitted fields into responses; fields other than q-* are ignored."""
    keys = {entry["key"] for entry in layout}
    for name in form:
        if name.startswith("q-") and name[2:].split("-", 1)[0] not in keys:
            raise InvalidAnswer(f"the field {name!r} is not a question of this attempt")
    responses = {}
    for number, entry in enumerate(layout, start=1):
        key = entry["key"]
        question = questions[key]
        responses[key] = _parse_one(number, key, question, entry, form)
    return responses


FLAG_FIELD = "flag"


def parse_flags(layout: list[dict], form: Mapping[str, list[str]]) -> list[str]:
    """The keys of the questions flagged on the page, in the attempt's order."""
    flagged = set(_values(form, FLAG_FIELD))
    keys = [entry["key"] for entry in layout]
    unknown = flagged - set(keys)
    if unknown:
        raise InvalidAnswer(f"the flag {sorted(unknown)[0]!r} is not a question of this attempt")
    return [key for key in keys if key in flagged]


def is_page_of_answers(form: Mapping[str, list[str]]) -> bool:
    """Whether a submitted form carries the take page's answers (not only a confirmation)."""
    return PAGE_FIELD in form or any(name.startswith("q-") for name in form)


PAGE_FIELD = "page"


def _values(form, name) -> list[str]:
    values = form.get(name, [])
    return [values] if isinstance(values, str) else list(values)


def _position(number: int, key: str, token: str, size: int, prefix: str = "") -> int:
    owner, _, position = token.partition(".")
    if owner != key:
        raise InvalidAnswer(f"question {number}: that option belongs to another question")
    if not position.startswith(prefix) or not position[len(prefix):].isdigit():
        raise InvalidAnswer(f"question {number}: unknown option")
    index = int(position[len(prefix):])
    if index >= size:
        raise InvalidAnswer(f"question {number}: unknown option")
    return index


def _parse_one(number: int, key: str, question: Question, entry: dict, form) -> Response:
    values = _values(form, field_name(key))
    kind = question.type
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        order = entry["order"]
        picked = [order[_position(number, key, v, len(order))] for v in values if v]
        if kind is QuestionType.SINGLE:
            if len(picked) > 1:
                raise InvalidAnswer(f"question {number}: pick one option")
            return Response(choice=picked[0] if picked else None)
        return Response(choices=frozenset(picked))
    if kind is QuestionType.TRUE_FALSE:
        value = values[0] if values else ""
        if value not in ("", "true", "false"):
            raise InvalidAnswer(f"question {number}: answer true or false")
        return Response(boolean=None if value == "" else value == "true")
    if kind in (QuestionType.SHORT, QuestionType.ESSAY):
        text = values[0] if values else ""
        if len(text) > MAX_TEXT_ANSWER:
            raise InvalidAnswer(f"question {number}: the answer is longer than "
                                f"{MAX_TEXT_ANSWER:,} characters")
        return Response(text=text or None)
    if kind is QuestionType.NUMERIC:
        return Response(number=_number(number, values[0] if values else ""))
    if kind is QuestionType.MATCHING:
        rights = entry["rights"]
        matches = {}
        for left, pair in enumerate(question.pairs):
            if not pair.left:
                continue
            chosen = _values(form, field_name(key, left))
            if chosen and chosen[0]:
                matches[left] = rights[_position(number, key, chosen[0], len(rights), "r")]
        return Response(matches=matches)
    return Response()


def _number(number: int, text: str) -> float | None:
    text = text.strip().replace(" ", "")
    if not text:
        return None
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        raise InvalidAnswer(f"question {number}: {text[:40]!r} is not a number") from None
    if not math.isfinite(value):
        raise InvalidAnswer(f"question {number}: enter a finite number")
    return value
