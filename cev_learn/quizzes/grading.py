"""Grading: a question and a rep's response in, a score fraction and feedback out. Pure."""
import math
import re
from dataclasses import dataclass, field

from cev_learn.content.questions import Question, QuestionType

NUMERIC_EPSILON = 1e-9


@dataclass(frozen=True)
class Response:
    """A rep's answer to one question, in the question's own terms (original indexes)."""

    choice: int | None = None                   # single
    choices: frozenset[int] = frozenset()       # multiple
    boolean: bool | None = None                 # true/false
    text: str | None = None                     # short, essay
    number: float | None = None                 # numeric
    matches: dict[int, int] = field(default_factory=dict)  # matching: left pair -> right pair

    def is_blank(self) -> bool:
        return (self.choice is None and not self.choices and self.boolean is None
                and not (self.text or "").strip() and self.number is None and not self.matches)

    def to_json(self) -> dict:
        data = {"choice": self.choice, "choices": sorted(self.choices), "boolean": self.boolean,
                "text": self.text, "number": self.number,
                "matches": {str(k): v for k, v in sorted(self.matches.items())}}
        return {k: v for k, v in data.items() if v not in (None, [], {})}

    @classmethod
    def from_json(cls, data: dict) -> "Response":
        return cls(choice=data.get("choice"), choices=frozenset(data.get("choices", [])),
                   boolean=data.get("boolean"), text=data.get("text"), number=data.get("number"),
                   matches={int(k): v for k, v in data.get("matches", {}).items()})


@dataclass(frozen=True)
class Feedback:
    text: str
    format: str | None = None  # None: the question's format


@dataclass(frozen=True)
class Grade:
    fraction: float | None  # None: waits for a coach (essays)
    feedback: tuple[Feedback, ...] = ()


def grade(question: Question, response: Response) -> Grade:
    """Score one response as a fraction of the question's points, floored at 0."""
    grader = _GRADERS[question.type]
    return grader(question, response)


def _clamp(value: float) -> float:
    return min(max(value, 0.0), 1.0)


def _single(question: Question, response: Response) -> Grade:
    if response.choice is None:
        return Grade(0.0)
    chosen = question.choices[response.choice]
    return Grade(_clamp(chosen.weight), _present(chosen.feedback, chosen.feedback_format))


def _multiple(question: Question, response: Response) -> Grade:
    picked = [question.choices[i] for i in sorted(response.choices)]
    total = sum(c.weight for c in picked)
    return Grade(_clamp(total), tuple(Feedback(c.feedback, c.feedback_format)
                                      for c in picked if c.feedback))


def _true_false(question: Question, response: Response) -> Grade:
    if response.boolean is None:
        return Grade(0.0)
    if response.boolean:
        feedback = _present(question.true_feedback, question.true_feedback_format)
    else:
        feedback = _present(question.false_feedback, question.false_feedback_format)
    return Grade(1.0 if response.boolean == question.answer else 0.0, feedback)


def normalise_text(text: str) -> str:
    return " ".join(text.split()).casefold()


def short_answer_matches(pattern: str, given: str) -> bool:
    """Case-insensitive, trimmed comparison where * stands for any run of characters."""
    parts = [re.escape(part) for part in normalise_text(pattern).split("*")]
    return re.fullmatch(".*".join(parts), normalise_text(given), flags=re.DOTALL) is not None


def _short(question: Question, response: Response) -> Grade:
    given = response.text or ""
    if not given.strip():
        return Grade(0.0)
    matching = [a for a in question.answers if short_answer_matches(a.text, given)]
    if not matching:
        return Grade(0.0)
    best = max(matching, key=lambda a: a.weight)
    return Grade(_clamp(best.weight), _present(best.feedback, best.feedback_format))


def _numeric(question: Question, response: Response) -> Grade:
    value = response.number
    if value is None or not math.isfinite(value):
        return Grade(0.0)
    matching = [n for n in question.numeric
                if abs(value - n.value) <= n.tolerance + NUMERIC_EPSILON * max(1.0, abs(n.value))]
    if not matching:
        return Grade(0.0, _present(question.other_feedback, question.other_feedback_format))
    best = max(matching, key=lambda n: n.weight)
    return Grade(_clamp(best.weight), _present(best.feedback, best.feedback_format))


def _matching(question: Question, response: Response) -> Grade:
    lefts = [i for i, pair in enumerate(question.pairs) if pair.left]
    if not lefts:
        return Grade(0.0)
    right_of = {i: question.pairs[i].right for i in range(len(question.pairs))}
    correct = sum(1 for i in lefts if i in response.matches
                  and right_of.get(response.matches[i]) == question.pairs[i].right)
    return Grade(correct / len(lefts))


def _essay(_question: Question, response: Response) -> Grade:
    """A written answer waits for a coach; a blank one scores nothing at once."""
    return Grade(0.0) if not (response.text or "").strip() else Grade(None)


def _description(_question: Question, _response: Response) -> Grade:
    return Grade(None)


def _present(text: str | None, fmt: str | None) -> tuple[Feedback, ...]:
    return (Feedback(text, fmt),) if text else ()


_GRADERS = {
    QuestionType.SINGLE: _single,
    QuestionType.MULTIPLE: _multiple,
    QuestionType.TRUE_FALSE: _true_false,
    QuestionType.SHORT: _short,
    QuestionType.NUMERIC: _numeric,
    QuestionType.MATCHING: _matching,
    QuestionType.ESSAY: _essay,
    QuestionType.DESCRIPTION: _description,
}


@dataclass(frozen=True)
class Score:
    earned: float
    possible: float
    pending: int  # questions waiting for a coach

    @property
    def fraction(self) -> float:
        return self.earned / self.possible if self.possible else 0.0


def total_score(items: list[tuple[float, float | None]]) -> Score:
    """Sum (points, fraction) pairs of graded questions; fraction None means pending."""
    earned = sum(points * fraction for points, fraction in items if fraction is not None)
    possible = sum(points for points, _ in items)
    pending = sum(1 for _, fraction in items if fraction is None)
    return Score(earned, possible, pending)
