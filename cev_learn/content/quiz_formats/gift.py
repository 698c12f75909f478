"""Moodle GIFT quizzes: every documented construct in, the same questions back out.

Reading follows Moodle's question/format/gift/format.php: questions are separated by blank
lines and typed in Moodle's order. Escaped characters never act as syntax because each part of
a question is read through two views of equal length: `syntax`, where escaped characters are
hidden, for finding markers, and `value`, where they are decoded, for the text itself.
"""
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from cev_learn.content.problems import Problem
from cev_learn.content.questions import (Choice, MatchPair, NumericAnswer, Question,
                                         QuestionType, ShortAnswer)
from cev_learn.content.quiz_formats.errors import QuizFormatError

FORMATS = ("html", "markdown", "moodle", "plain")
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_ESCAPE = re.compile(r"\\([~=#{}:\\n])")
_HIDDEN = "\0"  # an escaped character in the syntax view: matches no marker, is no whitespace
_SPECIAL = re.compile(r"[~=#{}:\\]")
_TAG = re.compile(r"\[([A-Za-z]+)\]")
_PERCENT = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


class _Invalid(Exception):
    """A problem that stops reading the current question."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


@dataclass(frozen=True)
class _Text:
    """Part of a question's text, with the source line of every row it spans."""
    syntax: str
    value: str
    rows: tuple[int, ...]
    row: int = 0

    @classmethod
    def decode(cls, raw: str, rows: tuple[int, ...]) -> "_Text":
        value = _ESCAPE.sub(lambda m: "\n" if m[1] == "n" else m[1], raw)
        return cls(_ESCAPE.sub(_HIDDEN, raw), value, rows)

    @property
    def line(self) -> int:
        return self.rows[self.row]

    @property
    def text(self) -> str:
        return self.value.strip()

    @property
    def blank(self) -> bool:
        return not self.syntax.strip()

    def __getitem__(self, part: slice) -> "_Text":
        start, stop, _ = part.indices(len(self.syntax))
        return _Text(self.syntax[start:stop], self.value[start:stop], self.rows,
                     self.row + self.syntax.count("\n", 0, start))

    def find(self, marker: str, start: int = 0) -> int:
        return self.syntax.find(marker, start)

    def strip(self) -> "_Text":
        start = len(self.syntax) - len(self.syntax.lstrip())
        return self[start:max(start, len(self.syntax.rstrip()))]

    def split(self, marker: str, limit: int = -1) -> list["_Text"]:
        parts, start = [], 0
        while limit and (end := self.find(marker, start)) >= 0:
            parts.append(self[start:end])
            start, limit = end + len(marker), limit - 1
        return [*parts, self[start:]]

    def entries(self, markers: str) -> list[tuple[str, "_Text"]]:
        """Cut before every marker character: (marker, text after it), leading text first."""
        cuts = [i for i, char in enumerate(self.syntax) if char in markers]
        starts, ends = [0, *(i + 1 for i in cuts)], [*cuts, len(self.syntax)]
        marks = ["", *(self.syntax[i] for i in cuts)]
        return [(mark, self[start:end]) for mark, start, end in zip(marks, starts, ends)]


def parse_gift(text: str, path: str = "<gift>") -> list[Question]:
    """Read GIFT text, or raise QuizFormatError listing every problem in it."""
    reader = _Reader(path)
    questions, category = [], None
    for block in _blocks(text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")):
        while block and block[0][1].lstrip().startswith("$CATEGORY:"):
            category = block[0][1].lstrip().removeprefix("$CATEGORY:").strip() or None
            block = block[1:]
        if block and (question := reader.question(block, category)) is not None:
            questions.append(question)
    if reader.problems:
        raise QuizFormatError(reader.problems)
    return questions


def _blocks(text: str):
    """Each question's lines as (line number, line): blank lines separate, comments vanish."""
    block = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            if block:
                yield block
            block = []
        elif not line.strip().startswith("//"):
            block.append((number, line))
    if block:
        yield block


class _Reader:
    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def question(self, block: list[tuple[int, str]], category: str | None) -> Question | None:
        found = len(self.problems)
        try:
            question = self._read(block, category)
        except _Invalid as exc:
            self.problem(exc.line, exc.message)
            return None
        return question if len(self.problems) == found else None

    def _read(self, block: list[tuple[int, str]], category: str | None) -> Question:
        rows = tuple(number for number, _ in block)
        body = _Text.decode("\n".join(line for _, line in block), rows).strip()
        line = body.line
        title, body = _title(body)
        fmt, body = _format_tag(body)
        head, inner, tail = _answer_block(body)
        fields = {}
        if inner is None:
            kind, prompt = QuestionType.DESCRIPTION, head.text
        else:
            prompt = f"{head.text} _____ {tail.text}".strip() if tail.text else head.text
            fields["general_feedback"], inner = _general_feedback(inner)
            kind = _question_type(inner.syntax)
            fields.update(self._answers(kind, inner, line))
        if not prompt:
            raise _Invalid(line, "the question has no text")
        return Question(type=kind, prompt=prompt, title=title, format=fmt, category=category,
                        line=line, **fields)

    def _answers(self, kind: QuestionType, inner: _Text, line: int) -> dict:
        if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            return {"choices": self._choices(kind, inner, line)}
        if kind is QuestionType.SHORT:
            return {"answers": self._short(inner, line)}
        if kind is QuestionType.NUMERIC:
            return {"numeric": self._numeric(inner[1:], line)}
        if kind is QuestionType.MATCHING:
            return {"pairs": self._pairs(inner, line)}
        if kind is QuestionType.TRUE_FALSE:
            return _true_false(inner)
        return {}

    def _choices(self, kind: QuestionType, inner: _Text, line: int) -> tuple[Choice, ...]:
        found, choices = len(self.problems), []
        for marker, entry in inner.entries("~="):
            if not marker and entry.blank:
                continue
            weight = 1.0 if marker == "=" else 0.0
            if _weighted(entry):
                if marker == "=":
                    self.problem(entry.line, "an = answer is always full credit; "
                                 "write ~%50%… for partial credit")
                weight, entry = self._weight(entry)
            choices.append(Choice(*self._text_and_feedback(entry, weight)))
        if len(self.problems) > found:
            return ()
        if len(choices) < 2:
            self.problem(line, "a choice question needs at least two answers, "
                         f"found {len(choices)}")
        elif kind is QuestionType.SINGLE and (full := sum(c.weight == 1 for c in choices)) != 1:
            self.problem(line, "single choice needs exactly one full-credit answer (=), "
                         f"found {full}")
        elif kind is QuestionType.MULTIPLE and not any(c.weight > 0 for c in choices):
            self.problem(line, "multiple choice needs an answer with a positive weight such as "
                         "~%50%; mark a single right answer with =")
        return tuple(choices)

    def _short(self, inner: _Text, line: int) -> tuple[ShortAnswer, ...]:
        found, answers = len(self.problems), []
        for marker, entry in inner.entries("="):
            if not marker and entry.blank:
                continue
            weight, entry = self._weight(entry) if _weighted(entry) else (1.0, entry)
            answers.append(ShortAnswer(*self._text_and_feedback(entry, weight)))
        if len(self.problems) == found and not any(a.weight > 0 for a in answers):
            self.problem(line, "no answer earns credit; give one a positive weight")
        return tuple(answers)

    def _numeric(self, inner: _Text, line: int) -> tuple[NumericAnswer, ...]:
        found, answers = len(self.problems), []
        if (other := inner.find("~")) >= 0:
            self.problem(inner[other:].line, "~ (feedback for any other number) is not "
                         "supported in numeric questions; use general feedback (####…)")
            inner = inner[:other]
        for marker, entry in inner.entries("="):
            if not marker and entry.blank:
                continue
            weight, entry = self._weight(entry) if _weighted(entry) else (1.0, entry)
            text, feedback = _split_feedback(entry)
            value, tolerance = self._value_and_tolerance(text.strip())
            answers.append(NumericAnswer(value, tolerance, weight, feedback))
        if len(self.problems) > found:
            return ()
        if not answers:
            self.problem(line, "the numeric question has no answer; write e.g. {#3:0.5}")
        elif not any(a.weight > 0 for a in answers):
            self.problem(line, "no answer earns credit; give one a positive weight")
        return tuple(answers)

    def _value_and_tolerance(self, text: _Text) -> tuple[float, float]:
        if (dots := text.find("..")) > 0:
            found = len(self.problems)
            low, high = self._number(text[:dots]), self._number(text[dots + 2:])
            if low > high and len(self.problems) == found:
                self.problem(text.line, f"the range {text.text} runs from high to low")
            value = (low + high) / 2
            return value, high - value
        if (colon := text.find(":")) > 0:
            value, tolerance = self._number(text[:colon]), self._number(text[colon + 1:])
            if tolerance < 0:
                self.problem(text.line, f"the tolerance in {text.text} is negative")
            return value, tolerance
        return self._number(text), 0.0

    def _number(self, text: _Text) -> float:
        if _NUMBER.fullmatch(text.syntax.strip()) and math.isfinite(number := float(text.text)):
            return number
        self.problem(text.line, f"bad number {text.text!r} in a numeric answer")
        return 0.0

    def _pairs(self, inner: _Text, line: int) -> tuple[MatchPair, ...]:
        found, pairs = len(self.problems), []
        for marker, entry in inner.entries("="):
            if not marker and entry.blank:
                continue
            if (arrow := entry.find("->")) < 0:
                self.problem(entry.line, f"matching entry {entry.text!r} has no ->; "
                             "write =left -> right")
            elif not (right := entry[arrow + 2:].text):
                self.problem(entry.line, "a matching pair needs a right side after ->")
            else:
                pairs.append(MatchPair(entry[:arrow].text, right))
        if len(self.problems) == found and (count := sum(bool(p.left) for p in pairs)) < 2:
            self.problem(line, "matching needs at least two pairs with a left side "
                         f"(=left -> right), found {count}")
        return tuple(pairs)

    def _weight(self, entry: _Text) -> tuple[float, _Text]:
        entry = entry.strip()
        if (closing := entry.find("%", 1)) < 0:
            self.problem(entry.line, "the weight has no closing %; write e.g. %50%")
            return 0.0, entry[1:]
        percent = entry[1:closing]
        if not _PERCENT.fullmatch(percent.syntax):
            self.problem(entry.line, f"bad weight %{percent.value}%: write a percentage "
                         "such as %50% or %-33.33333%")
        elif not -100 <= Decimal(percent.syntax) <= 100:
            self.problem(entry.line, f"weight %{percent.value}% is outside -100..100")
        else:
            return float(Decimal(percent.syntax).scaleb(-2)), entry[closing + 1:]
        return 0.0, entry[closing + 1:]

    def _text_and_feedback(self, entry: _Text, weight: float) -> tuple[str, float, str | None]:
        text, feedback = _split_feedback(entry)
        if not text.text:
            self.problem(entry.line, "empty answer")
        return text.text, weight, feedback


def _split_feedback(entry: _Text) -> tuple[_Text, str | None]:
    text, *feedback = entry.split("#", 1)
    return text, (feedback[0].text or None) if feedback else None


def _weighted(entry: _Text) -> bool:
    return entry.syntax.lstrip().startswith("%")


def _title(body: _Text) -> tuple[str | None, _Text]:
    if not body.syntax.startswith("::"):
        return None, body
    if (end := body.find("::", 2)) < 0:
        raise _Invalid(body.line, "the title has no closing ::")
    return body[2:end].text or None, body[end + 2:].strip()


def _format_tag(body: _Text) -> tuple[str, _Text]:
    if not (match := _TAG.match(body.syntax)):
        return "moodle", body
    if match[1] not in FORMATS:
        raise _Invalid(body.line, f"unknown format tag [{match[1]}]; "
                       "use [html], [markdown], [moodle] or [plain]")
    return match[1], body[match.end():]


def _answer_block(body: _Text) -> tuple[_Text, _Text | None, _Text | None]:
    """Split a question around its {…}: text before, inside (None if absent), text after."""
    opening, closing = body.find("{"), body.find("}")
    if closing >= 0 and not 0 <= opening < closing:
        raise _Invalid(body[closing:].line, "stray } without an opening {")
    if opening < 0:
        return body, None, None
    if closing < 0:
        raise _Invalid(body[opening:].line, "unclosed {: no } before the next blank line")
    inner, tail = body[opening + 1:closing], body[closing + 1:]
    if (nested := inner.find("{")) >= 0:
        raise _Invalid(inner[nested:].line, "{ inside an answer block; write \\{ for a brace")
    if (again := tail.find("{")) >= 0:
        raise _Invalid(tail[again:].line, "text after the answer block contains another {; "
                       "one {…} per question (write \\{ for a brace)")
    if (stray := tail.find("}")) >= 0:
        raise _Invalid(tail[stray:].line, "stray } without an opening {")
    return body[:opening], inner, tail


def _general_feedback(inner: _Text) -> tuple[str | None, _Text]:
    if (separator := inner.syntax.rfind("####")) < 0:
        return None, inner.strip()
    return inner[separator + 4:].text or None, inner[:separator].strip()


def _question_type(answers: str) -> QuestionType:
    """Moodle's order: empty, #, ~ (with or without =), = and ->, T/F, anything else."""
    if not answers:
        return QuestionType.ESSAY
    if answers.startswith("#"):
        return QuestionType.NUMERIC
    if "~" in answers:
        return QuestionType.SINGLE if "=" in answers else QuestionType.MULTIPLE
    if "=" in answers and "->" in answers:
        return QuestionType.MATCHING
    if answers.split("#", 1)[0].strip() in TRUE_FALSE:
        return QuestionType.TRUE_FALSE
    return QuestionType.SHORT


def _true_false(inner: _Text) -> dict:
    """{TRUE#shown if wrong#shown if right}: map Moodle's wrong/right to true/false feedback."""
    answer, *feedback = inner.split("#", 2)
    wrong, right = [part.text or None for part in feedback] + [None] * (2 - len(feedback))
    correct = TRUE_FALSE[answer.text]
    return {"answer": correct, "true_feedback": right if correct else wrong,
            "false_feedback": wrong if correct else right}


def export_gift(questions: Iterable[Question]) -> str:
    """Write GIFT that parse_gift reads back to equal questions; ValueError if GIFT cannot."""
    chunks, category = [], None
    for number, question in enumerate(questions, 1):
        written = _checked(question, number)
        if question.category != category:
            chunks.append(f"$CATEGORY: {question.category or ''}".rstrip())
            category = question.category
        chunks.append(written)
    return "\n\n".join(chunks) + "\n" if chunks else ""


def _checked(question: Question, number: int) -> str:
    """The question as GIFT, read back to prove it survives (some texts cannot be escaped)."""
    if question.points != 1:
        raise ValueError(f"question {number}: GIFT has no points, so {question.points} is lost")
    written = _write(question)
    header = f"$CATEGORY: {question.category}\n\n" if question.category is not None else ""
    try:
        same = parse_gift(header + written) == [question]
    except QuizFormatError:
        same = False
    if not same:
        raise ValueError(f"question {number} ({question.type.value}) cannot be written as GIFT "
                         "that reads back the same (e.g. -> in a matching left side or a short "
                         "answer, an = answer starting with %, an empty text)")
    return written


def _write(question: Question) -> str:
    head = f"::{_escape(question.title)}::" if question.title is not None else ""
    head += f"[{question.format}]{_escape(question.prompt)}"
    if question.type is QuestionType.DESCRIPTION:
        return head
    general = "" if question.general_feedback is None \
        else "####" + _escape(question.general_feedback)
    if question.type is QuestionType.ESSAY:
        return head + "{" + general + "}"
    if question.type is QuestionType.TRUE_FALSE:
        return head + "{" + _true_false_answer(question) + general + "}"
    lines = [*_answer_lines(question), *([general] if general else [])]
    opening = "{#" if question.type is QuestionType.NUMERIC else "{"
    return head + opening + "\n" + "".join(f"\t{line}\n" for line in lines) + "}"


def _answer_lines(question: Question) -> list[str]:
    kind = question.type
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        single = kind is QuestionType.SINGLE
        return [("=" if single and c.weight == 1 else _marked("~", c.weight, c.text))
                + _escape(c.text) + _feedback(c.feedback) for c in question.choices]
    if kind is QuestionType.SHORT:
        return [_marked("=", a.weight, a.text) + _escape(a.text) + _feedback(a.feedback)
                for a in question.answers]
    if kind is QuestionType.NUMERIC:
        return [f"{_marked('=', n.weight)}{float(n.value)!r}:{float(n.tolerance)!r}"
                f"{_feedback(n.feedback)}" for n in question.numeric]
    return [f"={_escape(p.left)} -> {_escape(p.right)}" for p in question.pairs]


def _marked(marker: str, weight: float, text: str = "") -> str:
    """The marker, with the weight unless it is the marker's default and cannot be misread."""
    if weight == (0 if marker == "~" else 1) and not text.startswith("%"):
        return marker
    return f"{marker}%{_percent(weight)}%"


def _true_false_answer(question: Question) -> str:
    if question.answer:
        wrong, right = question.false_feedback, question.true_feedback
    else:
        wrong, right = question.true_feedback, question.false_feedback
    text = "TRUE" if question.answer else "FALSE"
    if wrong is not None or right is not None:
        text += "#" + _escape(wrong or "")
    return text + ("" if right is None else "#" + _escape(right))


def _feedback(feedback: str | None) -> str:
    return "" if feedback is None else "#" + _escape(feedback)


def _percent(weight: float) -> str:
    """A fraction as an exact percentage: the shortest decimal that reads back to the float."""
    return format(Decimal(repr(float(weight))).scaleb(2).normalize(), "f")


def _escape(text: str) -> str:
    return _SPECIAL.sub(lambda m: "\\" + m[0], text).replace("\n", "\\n")
