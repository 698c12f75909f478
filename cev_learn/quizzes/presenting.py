"""What the take and result pages show of an attempt.

Built in one place so that, before submission (reveal=False), nothing about correctness —
weights, right answers, feedback, explanations — is even handed to a template.
"""
import dataclasses
from dataclasses import dataclass, field

from markupsafe import Markup

from cev_learn.content.questions import Question, QuestionType
from cev_learn.quizzes.grading import Response, grade
from cev_learn.quizzes.layout import field_name, option_token
from cev_learn.quizzes.models import Attempt, AttemptAnswer
from cev_learn.quizzes.rendering import render_text
from cev_learn.quizzes.services import version_questions


@dataclass(frozen=True)
class OptionView:
    token: str
    html: Markup
    selected: bool
    correct: bool | None = None      # only when revealed
    feedback: Markup | None = None   # only when revealed


@dataclass(frozen=True)
class MatchRowView:
    field: str
    left_html: Markup
    options: list[OptionView]
    correct_html: Markup | None = None  # only when revealed

    @property
    def chosen(self) -> OptionView | None:
        return next((o for o in self.options if o.selected), None)

    @property
    def right(self) -> bool | None:
        """Whether the rep's match is the right one; None before the answers are revealed."""
        if self.correct_html is None:
            return None
        return self.chosen is not None and self.chosen.html == self.correct_html


@dataclass(frozen=True)
class QuestionView:
    number: int
    key: str
    type: QuestionType
    points: float
    prompt_html: Markup
    field: str
    options: list[OptionView] = field(default_factory=list)
    matches: list[MatchRowView] = field(default_factory=list)
    text: str = ""
    boolean: bool | None = None
    fraction: float | None = None
    graded_by_coach: bool = False
    comment: str | None = None
    feedback: list[Markup] = field(default_factory=list)   # only when revealed
    accepted: list[str] = field(default_factory=list)      # only when revealed
    explanation: Markup | None = None                       # only when revealed
    answered: bool = False
    flagged: bool = False

    @property
    def answerable(self) -> bool:
        return self.type.graded

    @property
    def wrong(self) -> bool:
        """Scored below full marks (only known once revealed and graded)."""
        return self.answerable and self.fraction is not None and self.fraction < 0.999


@dataclass(frozen=True)
class AttemptView:
    questions: list[QuestionView]
    revealed: bool

    @property
    def answerable(self) -> list[QuestionView]:
        return [q for q in self.questions if q.answerable]

    @property
    def answered(self) -> list[QuestionView]:
        return [q for q in self.answerable if q.answered]

    @property
    def unanswered(self) -> list[QuestionView]:
        return [q for q in self.answerable if not q.answered]

    @property
    def flagged(self) -> list[QuestionView]:
        return [q for q in self.answerable if q.flagged]

    @property
    def wrong(self) -> list[QuestionView]:
        return [q for q in self.questions if q.wrong]

    @property
    def waiting(self) -> list[QuestionView]:
        """Revealed questions whose score waits for the coach (essays)."""
        return [q for q in self.answerable if self.revealed and q.fraction is None]


def attempt_view(attempt: Attempt, answers: dict[str, AttemptAnswer], reveal: bool) -> AttemptView:
    questions = version_questions(attempt.version)
    flagged = set(attempt.flagged or ())
    views = []
    for number, entry in enumerate(attempt.layout, start=1):
        question, answer = questions[entry["key"]], answers.get(entry["key"])
        response = Response.from_json(answer.response) if answer else Response()
        views.append(_question_view(number, entry, question, response, answer, reveal,
                                    entry["key"] in flagged))
    return AttemptView(views, reveal)


def single_question_view(entry: dict, question: Question, response: Response,
                         fraction: float | None = None, reveal: bool = False) -> QuestionView:
    """One question on its own (a booster): to answer, or revealed with its score."""
    view = _question_view(1, entry, question, response, None, reveal)
    return dataclasses.replace(view, fraction=fraction) if reveal else view


def _question_view(number, entry, question: Question, response: Response,
                   answer: AttemptAnswer | None, reveal: bool, flagged: bool = False) -> QuestionView:
    key, fmt = entry["key"], question.format_of
    base = {"number": number, "key": key, "type": question.type, "points": question.points,
            "answered": not response.is_blank(), "flagged": flagged,
            "prompt_html": render_text(question.prompt, question.format),
            "field": field_name(key), "text": response.text or "", "boolean": response.boolean}
    if answer is not None and answer.graded_at is not None:
        base.update(graded_by_coach=True, comment=answer.comment)
    if reveal:
        base.update(fraction=answer.fraction if answer else None,
                    explanation=render_text(question.general_feedback,
                                            fmt(question.general_feedback_format)) or None,
                    feedback=_feedback(question, response),
                    accepted=_accepted(question))
    if question.type is QuestionType.NUMERIC and response.number is not None:
        base["text"] = f"{response.number:g}"
    if question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        picked = {response.choice} if response.choice is not None else set(response.choices)
        base["options"] = [
            _option_view(question, key, position, i, i in picked, reveal)
            for position, i in enumerate(entry["order"])]
    elif question.type is QuestionType.MATCHING:
        rights = entry["rights"]
        base["matches"] = [
            MatchRowView(field_name(key, left),
                         render_text(pair.left, fmt(pair.left_format), True), [
                OptionView(option_token(key, position, "r"),
                           render_text(question.pairs[r].right, question.format, True),
                           response.matches.get(left) == r)
                for position, r in enumerate(rights)],
                correct_html=render_text(pair.right, question.format, True) if reveal else None)
            for left, pair in enumerate(question.pairs) if pair.left]
    return QuestionView(**base)


def _option_view(question: Question, key: str, position: int, index: int, picked: bool,
                 reveal: bool) -> OptionView:
    choice = question.choices[index]
    feedback = None
    if reveal and picked:
        feedback = render_text(choice.feedback, question.format_of(choice.feedback_format),
                               True) or None
    return OptionView(option_token(key, position),
                      render_text(choice.text, question.format_of(choice.format), True), picked,
                      correct=(choice.weight > 0) if reveal else None, feedback=feedback)


def _feedback(question: Question, response: Response) -> list[Markup]:
    if question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.ESSAY,
                         QuestionType.DESCRIPTION):
        return []  # choice feedback sits next to each option
    return [render_text(note.text, question.format_of(note.format), True)
            for note in grade(question, response).feedback]


def _accepted(question: Question) -> list[str]:
    if question.type is QuestionType.SHORT:
        return [a.text for a in question.answers if a.weight >= 1]
    if question.type is QuestionType.NUMERIC:
        return [f"{n.value:g} ± {n.tolerance:g}" if n.tolerance else f"{n.value:g}"
                for n in question.numeric if n.weight >= 1]
    if question.type is QuestionType.TRUE_FALSE:
        return ["True" if question.answer else "False"]
    return []
