"""What reading a quiz file gives: the questions read, and the problems of those that were not."""
from dataclasses import dataclass, field

from cev_learn.content.problems import Problem
from cev_learn.content.questions import Question
from cev_learn.content.quiz_formats.errors import QuizFormatError


@dataclass
class QuizReading:
    questions: list[Question] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def questions_or_raise(self, skip_invalid: bool = False) -> list[Question]:
        """The questions, or QuizFormatError listing every problem: any problem refuses them
        all, unless skip_invalid keeps the good ones (there must be some)."""
        if self.problems and not (skip_invalid and self.questions):
            raise QuizFormatError(self.problems)
        return self.questions
