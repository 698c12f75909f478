"""Questions as plain data: what every quiz format parses into and grading reads.

Pure: no Flask, no database. Stored on attempts and quiz versions as JSON (to_json/from_json).

Every text is written in the question's `format` unless its own `…format` field says otherwise
(GIFT's format tags may mark an answer, a feedback or a matching left side on its own); None
means "the question's format", and such fields are left out of the JSON when None, so the
identity of questions that never set them does not change.
"""
import enum
import hashlib
import json
from dataclasses import dataclass, field


class QuestionType(enum.Enum):
    SINGLE = "single"            # one right choice (GIFT: one = answer)
    MULTIPLE = "multiple"        # weighted choices, several may be picked (GIFT: ~%50% …)
    TRUE_FALSE = "true_false"
    SHORT = "short"              # typed answer(s), case-insensitive, * wildcard
    NUMERIC = "numeric"          # value ± tolerance, or a range
    MATCHING = "matching"        # pairs; right sides without a left are distractors
    ESSAY = "essay"              # graded by a coach
    DESCRIPTION = "description"  # text only, not graded

    @property
    def graded(self) -> bool:
        return self is not QuestionType.DESCRIPTION


FORMATS = ("html", "markdown", "moodle", "plain")


@dataclass(frozen=True)
class Choice:
    text: str
    weight: float  # fraction of the question's points: 1.0 full, may be negative
    feedback: str | None = None
    format: str | None = None           # of text; None: the question's format
    feedback_format: str | None = None


@dataclass(frozen=True)
class ShortAnswer:
    text: str  # may contain * wildcards
    weight: float
    feedback: str | None = None
    feedback_format: str | None = None


@dataclass(frozen=True)
class NumericAnswer:
    value: float
    tolerance: float
    weight: float
    feedback: str | None = None
    feedback_format: str | None = None


@dataclass(frozen=True)
class MatchPair:
    left: str   # empty for a distractor (a right side that matches nothing)
    right: str  # always in the question's format (GIFT reads no tag there)
    left_format: str | None = None


@dataclass(frozen=True)
class Question:
    type: QuestionType
    prompt: str
    title: str | None = None
    format: str = "moodle"  # markdown | html | plain | moodle (GIFT's [format] tag)
    points: float = 1.0
    choices: tuple[Choice, ...] = ()
    answers: tuple[ShortAnswer, ...] = ()
    numeric: tuple[NumericAnswer, ...] = ()
    pairs: tuple[MatchPair, ...] = ()
    answer: bool | None = None  # true/false questions
    true_feedback: str | None = None   # shown when the rep answers "true"
    false_feedback: str | None = None  # shown when the rep answers "false"
    general_feedback: str | None = None
    category: str | None = None
    other_feedback: str | None = None  # numeric: shown for any number no answer matches
    general_feedback_format: str | None = None
    true_feedback_format: str | None = None
    false_feedback_format: str | None = None
    other_feedback_format: str | None = None
    line: int = field(default=0, compare=False)  # where it starts in its source file
    # What competencies (track.yaml) the question measures. Not part of its identity or its
    # stored JSON: tagging a question keeps its key, so answers given before still count.
    tags: tuple[str, ...] = field(default=(), compare=False)

    def format_of(self, own: str | None) -> str:
        """The format a text is written in: its own, else the question's."""
        return own or self.format

    def to_json(self) -> dict:
        """The JSON shape of `cev-learn quiz check --json` (docs/formats.md), plus a few extras."""
        return {
            "title": self.title,
            "type": self.type.value,
            "prompt": self.prompt,
            "format": self.format,
            "points": self.points,
            "choices": [_set({"text": c.text, "weight": c.weight, "feedback": c.feedback},
                             format=c.format, feedback_format=c.feedback_format)
                        for c in self.choices],
            "answers": [_set({"text": a.text, "weight": a.weight, "feedback": a.feedback},
                             feedback_format=a.feedback_format) for a in self.answers],
            "numeric": [_set({"value": n.value, "tolerance": n.tolerance, "weight": n.weight,
                              "feedback": n.feedback}, feedback_format=n.feedback_format)
                        for n in self.numeric],
            "pairs": [_set({"left": p.left, "right": p.right}, left_format=p.left_format)
                      for p in self.pairs],
            "answer": self.answer,
            "true_feedback": self.true_feedback,
            "false_feedback": self.false_feedback,
            "general_feedback": self.general_feedback,
            "category": self.category,
            **_set({}, other_feedback=self.other_feedback,
                   general_feedback_format=self.general_feedback_format,
                   true_feedback_format=self.true_feedback_format,
                   false_feedback_format=self.false_feedback_format,
                   other_feedback_format=self.other_feedback_format),
        }

    @classmethod
    def from_json(cls, data: dict) -> "Question":
        return cls(
            type=QuestionType(data["type"]), prompt=data["prompt"], title=data.get("title"),
            format=data.get("format", "moodle"), points=data.get("points", 1.0),
            choices=tuple(Choice(c["text"], c["weight"], c.get("feedback"), c.get("format"),
                                 c.get("feedback_format")) for c in data.get("choices", [])),
            answers=tuple(ShortAnswer(a["text"], a["weight"], a.get("feedback"),
                                      a.get("feedback_format")) for a in data.get("answers", [])),
            numeric=tuple(NumericAnswer(n["value"], n["tolerance"], n["weight"], n.get("feedback"),
                                        n.get("feedback_format"))
                          for n in data.get("numeric", [])),
            pairs=tuple(MatchPair(p["left"], p["right"], p.get("left_format"))
                        for p in data.get("pairs", [])),
            answer=data.get("answer"), true_feedback=data.get("true_feedback"),
            false_feedback=data.get("false_feedback"),
            general_feedback=data.get("general_feedback"), category=data.get("category"),
            other_feedback=data.get("other_feedback"),
            general_feedback_format=data.get("general_feedback_format"),
            true_feedback_format=data.get("true_feedback_format"),
            false_feedback_format=data.get("false_feedback_format"),
            other_feedback_format=data.get("other_feedback_format"))


def _set(data: dict, **optional) -> dict:
    """data with those optional fields that are set (not None)."""
    return {**data, **{key: value for key, value in optional.items() if value is not None}}


def question_key(question: Question) -> str:
    """A stable identity for a question: the same content gives the same key."""
    payload = json.dumps(question.to_json(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
