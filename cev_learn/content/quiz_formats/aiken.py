"""Aiken quizzes, read as Moodle's question/format/aiken/format.php reads them and written so
that it reads them back: a question on one line, options `A) text` or `A. text` (the space may
be left out), then `ANSWER: X`.

Every question becomes a single-choice question whose texts are plain text (Moodle escapes
them, so `<b>` shows as written); the named option earns full credit. Lines shorter than two
characters are skipped, as Moodle skips them. A question Moodle would drop or import without a
right answer is reported on its own, so the good questions around it can still be kept.
"""
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from cev_learn.content.problems import Problem
from cev_learn.content.questions import Choice, Question, QuestionType
from cev_learn.content.quiz_formats.reading import QuizReading

FORMAT = "plain"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_OPTION = re.compile(r"([A-Z])[.)][ \t]?")
_ANSWER = "ANSWER:"
_TRIM = " \t\n\r\x0b"  # what PHP's trim() takes off
_MARKUP = {
    "html": re.compile(r"<|&#?\w+;"),
    "moodle": re.compile(r"<|&#?\w+;"),
    "markdown": re.compile(r"[\\`*_\[\]<>&]|^(?:\d+[.)]|[-+#>])(?:\s|$)"),
}


@dataclass
class _Draft:
    line: int
    prompt: str
    options: list[tuple[str, str]] = field(default_factory=list)
    broken: bool = False


def parse_aiken(text: str, path: str = "<aiken>") -> list[Question]:
    """Read Aiken text, or raise QuizFormatError listing every problem in it."""
    return read_aiken(text, path).questions_or_raise()


def read_aiken(text: str, path: str = "<aiken>") -> QuizReading:
    """The questions read from Aiken text, and the problems of those that could not be read."""
    reader = _Reader(path)
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    for number, line in enumerate(text.split("\n"), 1):
        reader.read_line(number, line.strip(_TRIM))
    reader.finish()
    return QuizReading(reader.questions, reader.problems)


class _Reader:
    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []
        self.questions: list[Question] = []
        self.draft: _Draft | None = None

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def read_line(self, number: int, line: str) -> None:
        if len(line.encode()) < 2:
            return  # Moodle skips such lines
        if line.startswith(_ANSWER):
            self.answer(number, line.removeprefix(_ANSWER).strip(_TRIM))
        elif option := _OPTION.match(line):
            self.option(number, option[1], line[2:].strip(_TRIM))
        else:
            self.start(number, line)

    def start(self, number: int, line: str) -> None:
        """A line that is neither an option nor ANSWER: starts a question, as in Moodle."""
        if line.upper().startswith(_ANSWER):
            self.problem(number, f"{line.split(':', 1)[0]}: is not an answer line: Moodle reads "
                         "only ANSWER: in capitals, and would take this line as a new question")
        if (draft := self.draft) is not None:
            if draft.options:
                self.problem(draft.line, "the question has no ANSWER: line (Moodle would drop "
                             f"it when the next question starts on line {number})")
            else:
                self.problem(draft.line, "the question text goes on to the next line, but an "
                             "Aiken question is one line: Moodle would drop this question and "
                             f"start another on line {number}; join the lines")
        self.draft = _Draft(number, line)

    def option(self, number: int, letter: str, text: str) -> None:
        draft = self.draft
        if draft is None:
            self.problem(number, f"option {letter}) comes before any question text (Moodle "
                         "reads every line starting with a capital letter and ) or . as an "
                         "option)")
            return
        expected = _next_letter(draft.options[-1][0]) if draft.options else "A"
        if letter != expected:
            self.problem(number, f"option {letter}) is out of order; expected {expected}) "
                         "(Moodle ignores the letters and counts the options, so ANSWER: would "
                         "name another one)")
            draft.broken = True
        if not text:
            self.problem(number, f"option {letter}) has no text")
            draft.broken = True
        draft.options.append((letter, text))

    def answer(self, number: int, given: str) -> None:
        draft, self.draft = self.draft, None
        if draft is None:
            self.problem(number, "ANSWER: line without a question before it")
            return
        letters = [letter for letter, _ in draft.options]
        if len(letters) < 2:
            self.problem(draft.line, "a question needs at least two options, found "
                         f"{len(letters)} (an option is a capital letter, then ) or ., then "
                         "its text: A) Yes)")
        elif not re.fullmatch(r"[A-Z]", given):
            self.problem(number, f"ANSWER: {given!r} is not one option letter (Moodle reads "
                         "only its first character, and only a capital); write e.g. ANSWER: B")
        elif given not in letters:
            self.problem(number, f"ANSWER: {given} names no option (Moodle would import the "
                         f"question with no right answer); the options are {letters[0]} to "
                         f"{letters[-1]}")
        elif not draft.broken:
            self.questions.append(Question(
                type=QuestionType.SINGLE, prompt=draft.prompt, format=FORMAT, line=draft.line,
                choices=tuple(Choice(text, 1.0 if letter == given else 0.0)
                              for letter, text in draft.options)))

    def finish(self) -> None:
        """A question still open has no ANSWER: line."""
        if self.draft is not None:
            self.problem(self.draft.line, "the question has no ANSWER: line")
            self.draft = None


def _next_letter(letter: str) -> str | None:
    return LETTERS[LETTERS.index(letter) + 1] if letter != LETTERS[-1] else None


def export_aiken(questions: Iterable[Question]) -> str:
    """Write Aiken that read_aiken and Moodle read back to the same questions (less their
    titles and categories, which Aiken cannot hold); ValueError if Aiken cannot say one."""
    blocks = []
    for number, question in enumerate(questions, 1):
        if (why := why_not_aiken(question)) is not None:
            raise ValueError(f"question {number} ({question.type.value}) cannot be written as "
                             f"Aiken: {why}")
        blocks.append(write_aiken(question))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def write_aiken(question: Question) -> str:
    lines = [question.prompt, *(f"{LETTERS[i]}) {c.text}" for i, c in enumerate(question.choices))]
    right = next(i for i, c in enumerate(question.choices) if c.weight == 1)
    return "\n".join([*lines, f"{_ANSWER} {LETTERS[right]}"])


def why_not_aiken(question: Question) -> str | None:
    """Why Aiken cannot hold the question, or None if it reads back the same."""
    if question.type is not QuestionType.SINGLE:
        return "Aiken holds single-choice questions only"
    if (why := _lost_parts(question) or _unwritable_text(question)) is not None:
        return why
    read = read_aiken(write_aiken(question)).questions
    if read != [_as_aiken_reads(question)]:
        return "it does not read back the same"
    return None


def _lost_parts(question: Question) -> str | None:
    if question.points != 1:
        return f"Aiken has no points, so {question.points} is lost"
    if len(question.choices) > len(LETTERS):
        return f"Aiken has at most {len(LETTERS)} options"
    if any(c.weight not in (0, 1) for c in question.choices):
        return "Aiken has no partial or negative credit"
    if sum(c.weight == 1 for c in question.choices) != 1:
        return "Aiken has exactly one right answer"
    if question.general_feedback or any(c.feedback for c in question.choices):
        return "Aiken has no feedback"
    return None


def _unwritable_text(question: Question) -> str | None:
    texts = [(question.prompt, question.format),
             *((c.text, question.format_of(c.format)) for c in question.choices)]
    for text, fmt in texts:
        if "\n" in text:
            return f"{text!r} spans lines; an Aiken text is one line"
        if not _reads_as_plain(text, fmt):
            return f"{text!r} uses {fmt} formatting; Aiken holds plain text only"
    prompt = question.prompt
    if _OPTION.match(prompt) or prompt.startswith(_ANSWER) or len(prompt.encode()) < 2:
        return f"the question text {prompt!r} would read as an option, an answer or nothing"
    return None


def _reads_as_plain(text: str, fmt: str) -> bool:
    """Whether the text shows the same in its format as it does as plain text."""
    pattern = _MARKUP.get(fmt)
    return pattern is None or pattern.search(text) is None


def _as_aiken_reads(question: Question) -> Question:
    return replace(question, title=None, category=None, format=FORMAT,
                   choices=tuple(replace(c, format=None) for c in question.choices))
