"""Moodle GIFT quizzes: read as Moodle's importer reads them, written so that it reads them back.

Reading follows Moodle's question/format/gift/format.php: every line is trimmed, blank lines
separate questions, comment lines count as blank text inside a question, a `$CATEGORY:` block
names the category of the questions after it, and a format tag ([html], [markdown], [moodle],
[plain]) may open the question text, an answer, a feedback, the general feedback or a matching
left side. Where Moodle accepts something cev_learn will not take (it would show reps an empty
option, a stray brace or a question nobody can get right), the problem says why and what to
write instead.

Escaped characters never act as syntax because each part of a question is read through two
views of equal length: `syntax`, where escaped characters are hidden, for finding markers, and
`value`, where they are decoded, for the text itself.
"""
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from cev_learn.content.problems import Problem
from cev_learn.content.questions import (FORMATS, Choice, MatchPair, NumericAnswer, Question,
                                         QuestionType, ShortAnswer)
from cev_learn.content.quiz_formats.errors import QuizFormatError
from cev_learn.content.quiz_formats.reading import QuizReading

DEFAULT_FORMAT = "moodle"
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
BLANK = "_____"  # where a missing-word question's answer block stood
# The grades Moodle's importer accepts (question_bank::fraction_options_full); it refuses a
# question with any other weight unless told to round it.
MOODLE_GRADES = (1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333,
                 0.3, 0.25, 0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0)
GRADE_TOLERANCE = 0.00001
GRADE_NAMES = ", ".join(f"{Decimal(repr(grade)).scaleb(2).normalize():f}%"
                        for grade in MOODLE_GRADES)
_ESCAPE = re.compile(r"\\([~=#{}:\\n])")
_HIDDEN = "\0"  # an escaped character in the syntax view: matches no marker, is no whitespace
_SPECIAL = re.compile(r"[~=#{}:\\]")
_TAG = re.compile(r"\[([A-Za-z]+)\]")
_WEIGHT = re.compile(r"%(-?\d{1,2}\.?\d*)%")  # Moodle's own pattern, one minus sign at most
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_TAG_COMMENT = re.compile(r"\[tag:([^\]]*)\]")
_COMMENT = " "  # Moodle keeps a comment line inside a question as a line holding one space
_TRIM = " \t\n\r\x0b"  # what PHP's trim() takes off (and NUL, which never reaches here)


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
        return self.rows[min(self.row, len(self.rows) - 1)]

    @property
    def text(self) -> str:
        return self.value.strip(_TRIM)

    @property
    def blank(self) -> bool:
        return not self.syntax.strip(_TRIM)

    def __getitem__(self, part: slice) -> "_Text":
        start, stop, _ = part.indices(len(self.syntax))
        return _Text(self.syntax[start:stop], self.value[start:stop], self.rows,
                     self.row + self.syntax.count("\n", 0, start))

    def __add__(self, other: "_Text | str") -> "_Text":
        """Joined text; a plain string added is literal text (it hides no marker)."""
        syntax, value = (other, other) if isinstance(other, str) else (other.syntax, other.value)
        return _Text(self.syntax + syntax, self.value + value, self.rows, self.row)

    def find(self, marker: str, start: int = 0) -> int:
        return self.syntax.find(marker, start)

    def strip(self) -> "_Text":
        start = len(self.syntax) - len(self.syntax.lstrip(_TRIM))
        return self[start:max(start, len(self.syntax.rstrip(_TRIM)))]

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
    return read_gift(text, path).questions_or_raise()


def read_gift(text: str, path: str = "<gift>") -> QuizReading:
    """The questions read from GIFT text, and the problems of those that could not be read."""
    reader = _Reader(path)
    questions, category = [], None
    for block in _blocks(text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n"),
                         reader):
        lines = [(number, line) for number, line in block if line != _COMMENT]
        if not lines:
            continue  # comments only
        if lines[0][1].startswith("$CATEGORY:"):
            category = reader.category(lines, category)
            continue
        body = _Text.decode("\n".join(line for _, line in block),
                            tuple(number for number, _ in block)).strip()
        if (question := reader.question(body, category)) is not None:
            questions.append(replace(question, tags=_tags(reader, block)))
    return QuizReading(questions, reader.problems)


def _tags(reader: "_Reader", block: list[tuple[int, str]]) -> tuple[str, ...]:
    """The tags that comment lines of a question give it, as Moodle writes them:
    `// [tag:discovery] [tag:pricing]`."""
    found = (match.group(1).strip() for number, line in block if line == _COMMENT
             for match in _TAG_COMMENT.finditer(reader.comments.get(number, "")))
    return tuple(dict.fromkeys(tag for tag in found if tag))


def _blocks(text: str, reader: "_Reader"):
    """Each question's trimmed lines as (line number, line), as Moodle cuts them: blank lines
    separate, and a comment line stays as a line holding one space."""
    block = []
    for number, line in enumerate(text.split("\n"), 1):
        line = line.strip(_TRIM)
        if line == "0":  # PHP's empty("0"): Moodle cuts the question here, and so do we
            reader.problem(number, "a line holding only 0 is a blank line to Moodle, which ends "
                           "the question here; write the 0 on a line with other text")
        if not line or line == "0":
            if block:
                yield block
            block = []
        else:
            if line.startswith("//"):
                reader.comments[number] = line
            block.append((number, _COMMENT if line.startswith("//") else line))
    if block:
        yield block


class _Reader:
    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []
        self.comments: dict[int, str] = {}  # line number -> comment line

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def category(self, lines: list[tuple[int, str]], current: str | None) -> str | None:
        """A $CATEGORY: block's category, its text as written (Moodle decodes no escapes in it)."""
        if len(lines) > 1:
            self.problem(lines[1][0], "Moodle reads a $CATEGORY: block to its end, so this line "
                         "would be part of the category's name; put a blank line after "
                         "$CATEGORY:")
            return current
        return lines[0][1].removeprefix("$CATEGORY:").strip(_TRIM) or None

    def question(self, body: _Text, category: str | None) -> Question | None:
        found = len(self.problems)
        try:
            question = self._read(body, category)
        except _Invalid as exc:
            self.problem(exc.line, exc.message)
            return None
        return question if len(self.problems) == found else None

    def _read(self, body: _Text, category: str | None) -> Question:
        line = body.line
        title, body = _title(body)
        head, inner, tail = _answer_block(body)
        if inner is None:
            prompt, fmt = _formatted(head, DEFAULT_FORMAT)
            kind, fields = QuestionType.DESCRIPTION, {}
        else:
            prompt, fmt = _formatted(head + BLANK + tail if tail.syntax else head, DEFAULT_FORMAT)
            general, inner = _general_feedback(inner)
            kind = _question_type(inner.syntax)
            fields = {**_feedback_fields("general_feedback", general, fmt),
                      **self._answers(kind, inner, fmt, line)}
        if not prompt:
            raise _Invalid(line, "the question has no text (Moodle would import it empty)")
        return Question(type=kind, prompt=prompt, title=title, format=fmt, category=category,
                        line=line, **fields)

    def _answers(self, kind: QuestionType, inner: _Text, fmt: str, line: int) -> dict:
        if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            return {"choices": self._choices(kind, inner, fmt, line)}
        if kind is QuestionType.SHORT:
            return {"answers": self._short(inner, fmt, line)}
        if kind is QuestionType.NUMERIC:
            return self._numeric(inner[1:], fmt, line)
        if kind is QuestionType.MATCHING:
            return {"pairs": self._pairs(inner, fmt, line)}
        if kind is QuestionType.TRUE_FALSE:
            return _true_false(inner, fmt)
        return {}

    def _choices(self, kind: QuestionType, inner: _Text, fmt: str,
                 line: int) -> tuple[Choice, ...]:
        found, choices = len(self.problems), []
        for marker, entry in _answer_entries(inner, "~="):
            weight = 1.0 if marker == "=" else 0.0
            if _weighted(entry):
                if marker == "=":
                    self.problem(entry.line, f"an = answer is always full credit (Moodle would "
                                 f"show {entry.text!r} as its text); write ~{entry.text} for "
                                 "partial credit")
                weight, entry = self._weight(entry)
            text, text_format, feedback, feedback_format = self._text_and_feedback(entry, fmt)
            choices.append(Choice(text, weight, feedback, text_format, feedback_format))
        if len(self.problems) > found:
            return ()
        if len(choices) < 2:
            self.problem(line, "a choice question needs at least two answers, "
                         f"found {len(choices)}")
        elif kind is QuestionType.SINGLE and (full := sum(c.weight == 1 for c in choices)) != 1:
            self.problem(line, f"found {full} full-credit answers: Moodle gives full credit for "
                         "any of them, but cev_learn's single choice has one right answer; keep "
                         "one =, or make it multiple choice with weights such as ~%50%")
        elif kind is QuestionType.MULTIPLE and not any(c.weight > 0 for c in choices):
            self.problem(line, "no answer has a positive weight, so no one could score (Moodle "
                         "imports it anyway); mark the right answer with = or give weights "
                         "such as ~%50%")
        return tuple(choices)

    def _short(self, inner: _Text, fmt: str, line: int) -> tuple[ShortAnswer, ...]:
        found, answers = len(self.problems), []
        for _marker, entry in _answer_entries(inner, "="):
            weight, entry = self._weight(entry) if _weighted(entry) else (1.0, entry)
            text, _text_format, feedback, feedback_format = self._text_and_feedback(entry, fmt)
            answers.append(ShortAnswer(text, weight, feedback, feedback_format))
        if len(self.problems) == found and not any(a.weight > 0 for a in answers):
            self.problem(line, "no answer earns credit; give one a positive weight")
        return tuple(answers)

    def _numeric(self, inner: _Text, fmt: str, line: int) -> dict:
        found, answers, fields = len(self.problems), [], {}
        if (other := inner.find("~")) >= 0:
            _text, feedback = _split_feedback(inner[other + 1:])
            fields = _feedback_fields("other_feedback", feedback, fmt)
            inner = inner[:other]
        for _marker, entry in _answer_entries(inner, "="):
            weight, entry = self._weight(entry) if _weighted(entry) else (1.0, entry)
            text, feedback = _split_feedback(entry)
            value, tolerance = self._value_and_tolerance(_untagged(text))
            answers.append(NumericAnswer(value, tolerance, weight,
                                         *_feedback_and_format(feedback, fmt)))
        if len(self.problems) > found:
            return {}
        if not answers:
            self.problem(line, "the numeric question has no answer; write e.g. {#3:0.5}")
        elif not any(a.weight > 0 for a in answers):
            self.problem(line, "no answer earns credit; give one a positive weight")
        return {"numeric": tuple(answers), **fields}

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
        written = text.syntax.strip(_TRIM)
        if _NUMBER.fullmatch(written) and math.isfinite(number := float(text.text)):
            return number
        self.problem(text.line, f"bad number {text.text!r} in a numeric answer")
        return 0.0

    def _pairs(self, inner: _Text, fmt: str, line: int) -> tuple[MatchPair, ...]:
        found, pairs = len(self.problems), []
        for _marker, entry in _answer_entries(inner, "="):
            if (arrow := entry.find("->")) < 0:
                self.problem(entry.line, f"matching entry {entry.text!r} has no ->; "
                             "write =left -> right")
            elif not (right := entry[arrow + 2:].text):
                self.problem(entry.line, "a matching pair needs a right side after ->")
            else:
                left, left_format = _formatted(entry[:arrow], fmt)
                pairs.append(MatchPair(left, right, _own(left_format, fmt) if left else None))
        if len(self.problems) == found and (count := sum(bool(p.left) for p in pairs)) < 2:
            self.problem(line, "matching needs at least two pairs with a left side "
                         f"(=left -> right), found {count}")
        return tuple(pairs)

    def _weight(self, entry: _Text) -> tuple[float, _Text]:
        entry = entry.strip()
        if not (match := _WEIGHT.match(entry.syntax)):
            closing = entry.find("%", 1)
            rest = entry[closing + 1:] if closing > 0 else entry[1:]
            self.problem(entry.line, f"bad weight in {entry.text!r} (Moodle would show it as "
                         "the answer's text): write a percentage such as %50% or %-33.33333%")
            return 0.0, rest
        weight, rest = float(Decimal(match[1]).scaleb(-2)), entry[match.end():]
        if (grade := moodle_grade(weight)) is None:
            self.problem(entry.line, f"weight %{match[1]}% is not a grade Moodle accepts: "
                         f"use {GRADE_NAMES} (or minus one of them)")
            return 0.0, rest
        return grade, rest

    def _text_and_feedback(self, entry: _Text, fmt: str
                           ) -> tuple[str, str | None, str | None, str | None]:
        text, feedback = _split_feedback(entry)
        value, text_format = _formatted(text, fmt)
        if not value:
            self.problem(entry.line, "empty answer (Moodle would show an empty option); "
                         "write its text or remove it")
        return (value, _own(text_format, fmt), *_feedback_and_format(feedback, fmt))


def moodle_grade(weight: float) -> float | None:
    """The grade of Moodle's list that weight stands for, or None if it is none of them."""
    for grade in MOODLE_GRADES:
        for signed in (grade, -grade):
            if abs(weight - signed) < GRADE_TOLERANCE:
                return signed
    return None


def _formatted(text: _Text, default: str) -> tuple[str, str]:
    """Moodle's reading of a text that may open with a format tag: (text, its format)."""
    text = text.strip()
    if not (match := _TAG.match(text.syntax)):
        return text.text, default
    if match[1] not in FORMATS:
        raise _Invalid(text.line, f"[{match[1]}] is not a format tag (Moodle would show it as "
                       "text); use [html], [markdown], [moodle] or [plain], or to start the "
                       f"text with it write [{default}][{match[1]}]")
    return text[match.end():].text, match[1]


def _untagged(text: _Text) -> _Text:
    """The text without the format tag Moodle strips from answers it keeps as plain values."""
    text = text.strip()
    if (match := _TAG.match(text.syntax)) and match[1] in FORMATS:
        return text[match.end():]
    return text


def _own(text_format: str, question_format: str) -> str | None:
    """A text's own format, or None where it is the question's."""
    return None if text_format == question_format else text_format


def _feedback_and_format(feedback: _Text | None, fmt: str) -> tuple[str | None, str | None]:
    if feedback is None:
        return None, None
    text, text_format = _formatted(feedback, fmt)
    return (text, _own(text_format, fmt)) if text else (None, None)


def _feedback_fields(name: str, feedback: _Text | None, fmt: str) -> dict:
    text, text_format = _feedback_and_format(feedback, fmt)
    return {name: text, f"{name}_format": text_format}


def _answer_entries(inner: _Text, markers: str) -> list[tuple[str, _Text]]:
    """The entries after each marker, and the text before the first marker if it holds any."""
    return [(marker, entry) for marker, entry in inner.entries(markers)
            if marker or not entry.blank]


def _split_feedback(entry: _Text) -> tuple[_Text, _Text | None]:
    text, *feedback = entry.split("#", 1)
    return text, feedback[0] if feedback else None


def _weighted(entry: _Text) -> bool:
    return entry.syntax.lstrip(_TRIM).startswith("%")


def _title(body: _Text) -> tuple[str | None, _Text]:
    if not body.syntax.startswith("::"):
        return None, body
    if (end := body.find("::", 2)) < 0:
        raise _Invalid(body.line, "the title has no closing :: (Moodle would drop the opening "
                       ":: and read the title as question text); write ::Title:: or \\: for a "
                       "colon")
    return body[2:end].text or None, body[end + 2:].strip()


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
        raise _Invalid(inner[nested:].line, "{ inside an answer block (Moodle would read it as "
                       "answer text); write \\{ for a brace")
    if (again := tail.find("{")) >= 0:
        raise _Invalid(tail[again:].line, "text after the answer block contains another {; "
                       "one {…} per question (write \\{ for a brace)")
    if (stray := tail.find("}")) >= 0:
        raise _Invalid(tail[stray:].line, "stray } without an opening {")
    return body[:opening], inner, tail


def _general_feedback(inner: _Text) -> tuple[_Text | None, _Text]:
    if (separator := inner.syntax.rfind("####")) < 0:
        return None, inner.strip()
    return inner[separator + 4:], inner[:separator].strip()


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
    if answers.split("#", 1)[0].strip(_TRIM) in TRUE_FALSE:
        return QuestionType.TRUE_FALSE
    return QuestionType.SHORT


def _true_false(inner: _Text, fmt: str) -> dict:
    """{TRUE#shown if wrong#shown if right}: map Moodle's wrong/right to true/false feedback."""
    answer, *feedback = inner.split("#", 2)
    wrong, right = [*feedback, None, None][:2]
    correct = TRUE_FALSE[answer.text]
    true_feedback, false_feedback = (right, wrong) if correct else (wrong, right)
    return {"answer": correct, **_feedback_fields("true_feedback", true_feedback, fmt),
            **_feedback_fields("false_feedback", false_feedback, fmt)}


def export_gift(questions: Iterable[Question]) -> str:
    """Write GIFT that parse_gift and Moodle read back to equal questions; ValueError if GIFT
    cannot say one of them."""
    chunks, category = [], None
    for number, question in enumerate(questions, 1):
        if (why := why_not_gift(question)) is not None:
            raise ValueError(f"question {number} ({question.type.value}) cannot be written as "
                             f"GIFT: {why}")
        if question.category != category:
            chunks.append(f"$CATEGORY: {question.category or ''}".rstrip())
            category = question.category
        chunks.append(_tag_comment(question) + _write(question))
    return "\n\n".join(chunks) + "\n" if chunks else ""


def _tag_comment(question: Question) -> str:
    """The comment line that gives the question its tags, as Moodle writes them ("" if none;
    a tag holding `]` or a line break cannot be written, so it is left out)."""
    tags = [t for t in question.tags if "]" not in t and "\n" not in t]
    return "// " + " ".join(f"[tag:{t}]" for t in tags) + "\n" if tags else ""


def why_not_gift(question: Question) -> str | None:
    """Why GIFT cannot hold the question, or None: it is written, then read back to prove it
    survives (some texts cannot be escaped)."""
    if question.points != 1:
        return f"GIFT has no points, so {question.points} is lost"
    header = f"$CATEGORY: {question.category}\n\n" if question.category is not None else ""
    reading = read_gift(header + _write(question))
    if reading.questions == [question]:
        return None
    if reading.problems:
        return f"it would not read back: {reading.problems[0].message}"
    return ("it would read back differently (e.g. -> in a matching left side or a short "
            "answer, an empty text)")


def _write(question: Question) -> str:
    fmt = question.format
    head = f"::{_escape(question.title)}::" if question.title is not None else ""
    head += _tagged(question.prompt, fmt, DEFAULT_FORMAT, first_line=question.title is None)
    if question.type is QuestionType.DESCRIPTION:
        return head
    general = "" if question.general_feedback is None \
        else "####" + _tagged(question.general_feedback, question.general_feedback_format, fmt)
    if question.type is QuestionType.ESSAY:
        return head + "{" + general + "}"
    if question.type is QuestionType.TRUE_FALSE:
        return head + "{" + _true_false_answer(question) + general + "}"
    lines = [*_answer_lines(question), *([general] if general else [])]
    opening = "{#" if question.type is QuestionType.NUMERIC else "{"
    return head + opening + "\n" + "".join(f"\t{line}\n" for line in lines) + "}"


def _answer_lines(question: Question) -> list[str]:
    kind, fmt = question.type, question.format
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        single = kind is QuestionType.SINGLE
        return [("=" if single and c.weight == 1 else _marked("~", c.weight, c.text))
                + _tagged(c.text, c.format, fmt) + _feedback(c.feedback, c.feedback_format, fmt)
                for c in question.choices]
    if kind is QuestionType.SHORT:
        return [_marked("=", a.weight, a.text) + _escape(a.text)
                + _feedback(a.feedback, a.feedback_format, fmt) for a in question.answers]
    if kind is QuestionType.NUMERIC:
        lines = [f"{_marked('=', n.weight)}{moodle_number(n.value)}:"
                 f"{moodle_number(n.tolerance)}{_feedback(n.feedback, n.feedback_format, fmt)}"
                 for n in question.numeric]
        if question.other_feedback is not None:
            lines.append("~" + _feedback(question.other_feedback,
                                         question.other_feedback_format, fmt))
        return lines
    return [f"={_tagged(p.left, p.left_format, fmt) if p.left else ''} -> {_escape(p.right)}"
            for p in question.pairs]


def moodle_number(number: float) -> str:
    """A number as Moodle writes it: 1822, 0.5, 1e-05 (never 1822.0)."""
    number = float(number)
    if number.is_integer() and abs(number) < 1e16:
        return str(int(number))
    return repr(number)


def _marked(marker: str, weight: float, text: str = "") -> str:
    """The marker, with the weight unless it is the marker's default and cannot be misread."""
    if weight == (0 if marker == "~" else 1) and not text.startswith("%"):
        return marker
    return f"{marker}%{_percent(weight)}%"


def _true_false_answer(question: Question) -> str:
    fmt = question.format
    true = _tagged(question.true_feedback, question.true_feedback_format, fmt) \
        if question.true_feedback is not None else None
    false = _tagged(question.false_feedback, question.false_feedback_format, fmt) \
        if question.false_feedback is not None else None
    wrong, right = (false, true) if question.answer else (true, false)
    text = "TRUE" if question.answer else "FALSE"
    if wrong is not None or right is not None:
        text += "#" + (wrong or "")
    return text + ("" if right is None else "#" + right)


def _feedback(feedback: str | None, own: str | None, fmt: str) -> str:
    return "" if feedback is None else "#" + _tagged(feedback, own, fmt)


def _tagged(text: str, own: str | None, fmt: str, first_line: bool = False) -> str:
    """Escaped text with its format tag where it differs from the default it is read with, or
    where the text itself would look like a tag (or a comment, for a question's first line)."""
    text_format = own or fmt
    needs_tag = text_format != fmt or text.startswith("[") or \
        (first_line and (text.startswith("/") or text == "0"))
    return (f"[{text_format}]" if needs_tag else "") + _escape(text)


def _percent(weight: float) -> str:
    """A fraction as an exact percentage: the shortest decimal that reads back to the float."""
    return format(Decimal(repr(float(weight))).scaleb(2).normalize(), "f")


def _escape(text: str) -> str:
    return _SPECIAL.sub(lambda m: "\\" + m[0], text).replace("\n", "\\n")
