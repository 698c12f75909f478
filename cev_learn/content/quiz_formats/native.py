"""Native quiz files (<slug>.quiz.yaml): questions as YAML, checked strictly, with line numbers.

    questions:
      - type: single
        prompt: The buyer asks for a discount in the first call. What next?
        choices:
          - {text: Ask what is behind the request, correct: true}
          - {text: Offer 10%, feedback: Too early to negotiate.}
"""
import math
from collections.abc import Callable

import yaml

from cev_learn.content.problems import Problem
from cev_learn.content.questions import (FORMATS, Choice, MatchPair, NumericAnswer, Question,
                                         QuestionType, ShortAnswer)
from cev_learn.content.quiz_formats.reading import QuizReading
from cev_learn.content.yaml_source import YamlDocument, yaml_error_line, yaml_error_message

COMMON_KEYS = ("type", "prompt", "title", "points", "format", "general_feedback", "category",
               "tags")
TYPE_KEYS = {
    QuestionType.SINGLE: ("choices",),
    QuestionType.MULTIPLE: ("choices",),
    QuestionType.TRUE_FALSE: ("answer", "true_feedback", "false_feedback"),
    QuestionType.SHORT: ("answers",),
    QuestionType.NUMERIC: ("numeric",),
    QuestionType.MATCHING: ("pairs",),
    QuestionType.ESSAY: (),
    QuestionType.DESCRIPTION: (),
}
ANSWER_KEYS = {key for keys in TYPE_KEYS.values() for key in keys}
WEIGHT = "weight must be a number from -1 to 1 (1 is full credit)"


def parse_native(text: str, path: str = "<quiz.yaml>") -> list[Question]:
    """Read a native quiz file, or raise QuizFormatError listing every problem in it."""
    return read_native(text, path).questions_or_raise()


def read_native(text: str, path: str = "<quiz.yaml>") -> QuizReading:
    """The questions read from a native quiz file, and the problems of those that were not."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    try:
        doc = YamlDocument(text)
    except yaml.YAMLError as exc:
        return QuizReading([], [Problem(path, yaml_error_line(exc), yaml_error_message(exc))])
    reader = _Reader(doc, path)
    questions = reader.read()
    return QuizReading(questions, reader.problems)


def _as_number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return float(value)
    except OverflowError:
        return None


def _is_weight(value: float) -> bool:
    return -1 <= value <= 1


class _Reader:
    def __init__(self, doc: YamlDocument, path: str):
        self.doc, self.path = doc, path
        self.problems: list[Problem] = []

    def problem(self, where: tuple, message: str, key: bool = False) -> None:
        line = self.doc.key_line(*where) if key else self.doc.line(*where)
        self.problems.append(Problem(self.path, line, message))

    def read(self) -> list[Question]:
        data = self.doc.data
        if not isinstance(data, dict) or "questions" not in data:
            self.problem((), "a quiz file is a mapping with a questions: list")
            return []
        for key in data:
            if key != "questions":
                self.problem((key,), f"unknown key {key!r}; a quiz file has only questions:",
                             key=True)
        if not isinstance(items := data["questions"], list):
            self.problem(("questions",), "questions must be a list")
            return []
        return [question for index, item in enumerate(items)
                if (question := self.question(("questions", index), item)) is not None]

    def question(self, at: tuple, item) -> Question | None:
        if not isinstance(item, dict):
            self.problem(at, "each question must be a mapping with type: and prompt:")
            return None
        found = len(self.problems)
        kind = self._type(item, at)
        self._check_keys(item, at, kind)
        fields = {
            "prompt": self._text(item, at, "prompt", required=True),
            "title": self._text(item, at, "title"),
            "general_feedback": self._text(item, at, "general_feedback"),
            "category": self._text(item, at, "category"),
            "points": self._number(item, at, "points", 1.0, lambda v: v > 0,
                                   "points must be a number greater than 0"),
            "format": self._format(item, at),
            "tags": self._tags(item, at),
        }
        if kind is not None:
            fields.update(self._answers(kind, item, at))
        if len(self.problems) > found:
            return None
        return Question(type=kind, line=self.doc.line(*at), **fields)

    def _type(self, item: dict, at: tuple) -> QuestionType | None:
        if "type" not in item:
            self.problem(at, "missing type")
            return None
        try:
            return QuestionType(item["type"])
        except (ValueError, TypeError):
            self.problem(at + ("type",),
                         f"type must be one of {', '.join(t.value for t in QuestionType)}")
            return None

    def _check_keys(self, item: dict, at: tuple, kind: QuestionType | None) -> None:
        allowed = set(COMMON_KEYS) | (set(TYPE_KEYS[kind]) if kind else ANSWER_KEYS)
        for key in item:
            if key in allowed:
                continue
            if key in ANSWER_KEYS:
                self.problem(at + (key,), f"{key} does not apply to {kind.value} questions",
                             key=True)
            else:
                self.problem(at + (key,), f"unknown key {key!r}", key=True)

    def _format(self, item: dict, at: tuple) -> str:
        value = item.get("format", "markdown")
        if value not in FORMATS:
            self.problem(at + ("format",), f"format must be one of {', '.join(FORMATS)}")
        return value

    def _answers(self, kind: QuestionType, item: dict, at: tuple) -> dict:
        if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            return {"choices": self._choices(kind, item, at)}
        if kind is QuestionType.SHORT:
            return {"answers": self._short(item, at)}
        if kind is QuestionType.NUMERIC:
            return {"numeric": self._numeric(item, at)}
        if kind is QuestionType.MATCHING:
            return {"pairs": self._pairs(item, at)}
        if kind is QuestionType.TRUE_FALSE:
            return self._true_false(item, at)
        return {}

    def _choices(self, kind: QuestionType, item: dict, at: tuple) -> tuple[Choice, ...]:
        found, choices = len(self.problems), []
        for where, entry in self._entries(item, at, "choices", 2,
                                          ("text", "weight", "correct", "feedback")):
            choices.append(Choice(self._text(entry, where, "text", required=True),
                                  self._choice_weight(entry, where),
                                  self._text(entry, where, "feedback")))
        if len(self.problems) > found:
            return ()
        if kind is QuestionType.SINGLE and (full := sum(c.weight == 1 for c in choices)) != 1:
            self.problem(at + ("choices",), "a single question needs exactly one full-credit "
                         f"choice (correct: true or weight: 1), found {full}")
        if kind is QuestionType.MULTIPLE and not any(c.weight > 0 for c in choices):
            self.problem(at + ("choices",), "a multiple question needs a choice with a "
                         "positive weight")
        return tuple(choices)

    def _choice_weight(self, entry: dict, where: tuple) -> float:
        if "correct" not in entry:
            return self._number(entry, where, "weight", 0.0, _is_weight, WEIGHT)
        if "weight" in entry:
            self.problem(where + ("correct",), "give weight or correct, not both", key=True)
        if not isinstance(entry["correct"], bool):
            self.problem(where + ("correct",), "correct must be true or false")
            return 0.0
        return 1.0 if entry["correct"] else 0.0

    def _short(self, item: dict, at: tuple) -> tuple[ShortAnswer, ...]:
        found, answers = len(self.problems), []
        for where, entry in self._entries(item, at, "answers", 1, ("text", "weight", "feedback")):
            answers.append(ShortAnswer(self._text(entry, where, "text", required=True),
                                       self._number(entry, where, "weight", 1.0, _is_weight,
                                                    WEIGHT),
                                       self._text(entry, where, "feedback")))
        if len(self.problems) == found and not any(a.weight > 0 for a in answers):
            self.problem(at + ("answers",), "no answer earns credit; give one a positive weight")
        return tuple(answers)

    def _numeric(self, item: dict, at: tuple) -> tuple[NumericAnswer, ...]:
        found, answers = len(self.problems), []
        keys = ("value", "tolerance", "min", "max", "weight", "feedback")
        for where, entry in self._entries(item, at, "numeric", 1, keys):
            value, tolerance = self._value_and_tolerance(entry, where)
            answers.append(NumericAnswer(value, tolerance,
                                         self._number(entry, where, "weight", 1.0, _is_weight,
                                                      WEIGHT),
                                         self._text(entry, where, "feedback")))
        if len(self.problems) == found and not any(a.weight > 0 for a in answers):
            self.problem(at + ("numeric",), "no answer earns credit; give one a positive weight")
        return tuple(answers)

    def _value_and_tolerance(self, entry: dict, where: tuple) -> tuple[float, float]:
        if "min" not in entry and "max" not in entry:
            return (self._number(entry, where, "value", None, math.isfinite,
                                 "value must be a number"),
                    self._number(entry, where, "tolerance", 0.0, lambda v: v >= 0,
                                 "tolerance must be a number, 0 or more"))
        if "value" in entry or "tolerance" in entry:
            self.problem(where, "give value (and tolerance) or min and max, not both")
            return 0.0, 0.0
        found = len(self.problems)
        low = self._number(entry, where, "min", None, math.isfinite, "min must be a number")
        high = self._number(entry, where, "max", None, math.isfinite, "max must be a number")
        if low > high and len(self.problems) == found:
            self.problem(where + ("min",), "min is greater than max")
        value = (low + high) / 2
        return value, high - value

    def _pairs(self, item: dict, at: tuple) -> tuple[MatchPair, ...]:
        found, pairs = len(self.problems), []
        for where, entry in self._entries(item, at, "pairs", 2, ("left", "right")):
            pairs.append(MatchPair(self._text(entry, where, "left") or "",
                                   self._text(entry, where, "right", required=True)))
        if len(self.problems) == found and (count := sum(bool(p.left) for p in pairs)) < 2:
            self.problem(at + ("pairs",), "matching needs at least two pairs with a left side, "
                         f"found {count}")
        return tuple(pairs)

    def _true_false(self, item: dict, at: tuple) -> dict:
        if "answer" not in item:
            self.problem(at, "missing answer (true or false)")
        elif not isinstance(item["answer"], bool):
            self.problem(at + ("answer",), "answer must be true or false")
        return {"answer": item.get("answer"),
                "true_feedback": self._text(item, at, "true_feedback"),
                "false_feedback": self._text(item, at, "false_feedback")}

    def _entries(self, item: dict, at: tuple, key: str, minimum: int,
                 allowed: tuple[str, ...]) -> list[tuple[tuple, dict]]:
        """The mappings listed under key, each with its path; unknown keys reported."""
        if key not in item:
            self.problem(at, f"missing {key}")
            return []
        if not isinstance(entries := item[key], list) or len(entries) < minimum:
            self.problem(at + (key,), f"{key} must be a list of at least {minimum}")
            return []
        result = []
        for index, entry in enumerate(entries):
            where = at + (key, index)
            if not isinstance(entry, dict):
                self.problem(where, f"each entry of {key} must be a mapping "
                             f"({', '.join(allowed)})")
                continue
            for name in entry:
                if name not in allowed:
                    self.problem(where + (name,), f"unknown key {name!r}; use "
                                 f"{', '.join(allowed)}", key=True)
            result.append((where, entry))
        return result

    def _tags(self, item: dict, at: tuple) -> tuple[str, ...]:
        tags = item.get("tags", [])
        if (not isinstance(tags, list)
                or not all(isinstance(tag, str) and tag.strip() for tag in tags)):
            self.problem(at + ("tags",), "tags must be a list of words, e.g. [discovery, pricing]")
            return ()
        return tuple(dict.fromkeys(tag.strip() for tag in tags))

    def _text(self, item: dict, at: tuple, key: str, required: bool = False) -> str | None:
        value = item.get(key)
        if value is None:
            if required:
                self.problem(at, f"missing {key}")
            return None
        if not isinstance(value, str):
            self.problem(at + (key,), f"{key} must be a string (quote numbers and yes/no)")
            return None
        if required and not value.strip():
            self.problem(at + (key,), f"{key} must not be empty")
        return value.strip() or None

    def _number(self, item: dict, at: tuple, key: str, default: float | None,
                check: Callable[[float], bool], message: str) -> float:
        if key not in item and default is None:
            self.problem(at, f"missing {key}")
            return 0.0
        number = _as_number(item.get(key, default))
        if number is None or not math.isfinite(number) or not check(number):
            self.problem(at + (key,), message)
            return 0.0
        return number
