"""What reading a quiz file gives: the questions read, and the problems of those that were not."""
from dataclasses import dataclass, field

from cev_learn.content.problems import Problem
from cev_learn.content.questions import Question
from cev_learn.content.quiz_formats.errors import QuizFormatError


@dataclass
class QuizReading:
    questions: list[Question] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def questions_or_raise(self) -> list[Question]:
        """All or nothing: the questions, or QuizFormatError listing every problem."""
        if self.problems:
            raise QuizFormatError(self.problems)
        return self.questions
