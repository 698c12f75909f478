"""Aiken quizzes: a question, options `A) text` or `A. text`, then `ANSWER: X`.

Every question becomes a single-choice question: the named option earns full credit.
"""
import re
from dataclasses import dataclass, field

from cev_learn.content.problems import Problem
from cev_learn.content.questions import Choice, Question, QuestionType
from cev_learn.content.quiz_formats.errors import QuizFormatError

_OPTION = re.compile(r"([A-Z])[.)](?:\s+(.*))?")
_ANSWER = re.compile(r"ANSWER:(.*)")


@dataclass
class _Draft:
    line: int
    prompt: list[str]
    options: list[tuple[str, str]] = field(default_factory=list)
    broken: bool = False


def parse_aiken(text: str, path: str = "<aiken>") -> list[Question]:
    """Read Aiken text, or raise QuizFormatError listing every problem in it."""
    reader = _Reader(path)
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    for number, line in enumerate(text.split("\n"), 1):
        reader.read_line(number, line.strip())
    reader.finish()
    if reader.problems:
        raise QuizFormatError(reader.problems)
    return reader.questions


class _Reader:
    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []
        self.questions: list[Question] = []
        self.draft: _Draft | None = None

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def read_line(self, number: int, line: str) -> None:
        if not line:
            return
        if answer := _ANSWER.fullmatch(line):
            self.answer(number, answer[1].strip())
        elif option := _OPTION.fullmatch(line):
            self.option(number, option[1], (option[2] or "").strip())
        elif self.draft is None:
            self.draft = _Draft(number, [line])
        elif not self.draft.options:
            self.draft.prompt.append(line)  # the question text goes on
        else:
            self.finish()
            self.draft = _Draft(number, [line])

    def option(self, number: int, letter: str, text: str) -> None:
        draft = self.draft
        if draft is None:
            self.problem(number, f"option {letter}) comes before any question text")
            return
        expected = chr(ord(draft.options[-1][0]) + 1) if draft.options else "A"
        if letter != expected:
            self.problem(number, f"option {letter}) is out of order; expected {expected})")
            draft.broken = True
        if not text:
            self.problem(number, f"option {letter}) has no text")
            draft.broken = True
        draft.options.append((letter, text))

    def answer(self, number: int, letter: str) -> None:
        draft, self.draft = self.draft, None
        if draft is None:
            self.problem(number, "ANSWER: line without a question before it")
            return
        letters = [option_letter for option_letter, _ in draft.options]
        if len(letters) < 2:
            self.problem(draft.line,
                         f"a question needs at least two options, found {len(letters)}")
        elif not re.fullmatch(r"[A-Z]", letter):
            self.problem(number, f"ANSWER: {letter!r} is not one option letter; "
                         "write e.g. ANSWER: B")
        elif letter not in letters:
            self.problem(number, f"ANSWER: {letter} names no option; "
                         f"the options are {letters[0]} to {letters[-1]}")
        elif not draft.broken:
            self.questions.append(Question(
                type=QuestionType.SINGLE, prompt="\n".join(draft.prompt), line=draft.line,
                choices=tuple(Choice(text, 1.0 if option == letter else 0.0)
                              for option, text in draft.options)))

    def finish(self) -> None:
        """A question still open has no ANSWER: line."""
        if self.draft is not None:
            self.problem(self.draft.line, "the question has no ANSWER: line")
            self.draft = None
