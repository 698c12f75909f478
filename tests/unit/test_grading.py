"""Grading every question type, as a rep's answer would be scored."""
import pytest

from cev_learn.content.questions import (Choice, MatchPair, NumericAnswer, Question,
                                         QuestionType, ShortAnswer)
from cev_learn.quizzes.grading import (Feedback, Grade, Response, grade, short_answer_matches,
                                      total_score)

SINGLE = Question(QuestionType.SINGLE, "Who signs?", choices=(
    Choice("Dana", 1.0, "Right: the economic buyer."), Choice("Tom", 0.0, "He champions."),
    Choice("Nobody", -0.5)))
MULTIPLE = Question(QuestionType.MULTIPLE, "Exit criteria?", choices=(
    Choice("Pain", 0.5), Choice("Budget", 0.5), Choice("Logo", -1.0)))
TRUE_FALSE = Question(QuestionType.TRUE_FALSE, "Demos come first.", answer=False,
                      true_feedback="No: discovery first.", false_feedback="Correct.")
SHORT = Question(QuestionType.SHORT, "Who?", answers=(
    ShortAnswer("economic buyer", 1.0), ShortAnswer("*buyer", 0.5, "Which buyer?")))
NUMERIC = Question(QuestionType.NUMERIC, "Meetings?", numeric=(
    NumericAnswer(12, 0, 1.0), NumericAnswer(12, 2, 0.5, "Close.")))
MATCHING = Question(QuestionType.MATCHING, "Match", pairs=(
    MatchPair("Dana", "economic buyer"), MatchPair("Tom", "champion"),
    MatchPair("Priya", "technical evaluator"), MatchPair("", "procurement")))


@pytest.mark.parametrize("question,response,fraction", [
    (SINGLE, Response(choice=0), 1.0),
    (SINGLE, Response(choice=1), 0.0),
    (SINGLE, Response(choice=2), 0.0),  # negative weight floors at 0
    (SINGLE, Response(), 0.0),
    (MULTIPLE, Response(choices=frozenset({0, 1})), 1.0),
    (MULTIPLE, Response(choices=frozenset({0})), 0.5),
    (MULTIPLE, Response(choices=frozenset({0, 2})), 0.0),  # 0.5 - 1.0 floors at 0
    (MULTIPLE, Response(choices=frozenset({0, 1, 2})), 0.0),
    (TRUE_FALSE, Response(boolean=False), 1.0),
    (TRUE_FALSE, Response(boolean=True), 0.0),
    (SHORT, Response(text="  Economic   BUYER "), 1.0),
    (SHORT, Response(text="the technical buyer"), 0.5),
    (SHORT, Response(text="champion"), 0.0),
    (SHORT, Response(text="   "), 0.0),
    (NUMERIC, Response(number=12), 1.0),
    (NUMERIC, Response(number=13.5), 0.5),
    (NUMERIC, Response(number=15), 0.0),
    (NUMERIC, Response(number=float("nan")), 0.0),
    (MATCHING, Response(matches={0: 0, 1: 1, 2: 2}), 1.0),
    (MATCHING, Response(matches={0: 0, 1: 3, 2: 2}), pytest.approx(2 / 3)),
    (MATCHING, Response(matches={0: 1, 1: 0}), 0.0),
])
def test_grading(question, response, fraction):
    assert grade(question, response).fraction == fraction


def test_feedback_follows_the_answer_given():
    assert grade(SINGLE, Response(choice=0)).feedback == (Feedback("Right: the economic buyer."),)
    assert grade(TRUE_FALSE, Response(boolean=True)).feedback == (Feedback("No: discovery first."),)
    assert grade(SHORT, Response(text="a buyer")).feedback == (Feedback("Which buyer?"),)
    assert grade(NUMERIC, Response(number=11)).feedback == (Feedback("Close."),)
    assert grade(NUMERIC, Response(number=99)).feedback == ()


def test_feedback_keeps_its_own_format():
    single = Question(QuestionType.SINGLE, "Q", choices=(
        Choice("a", 1.0, "<b>yes</b>", feedback_format="html"), Choice("b", 0.0)))
    assert grade(single, Response(choice=0)).feedback == (Feedback("<b>yes</b>", "html"),)
    true_false = Question(QuestionType.TRUE_FALSE, "Q", answer=True, false_feedback="*no*",
                          false_feedback_format="markdown")
    assert grade(true_false, Response(boolean=False)).feedback == (
        Feedback("*no*", "markdown"),)


def test_numeric_feedback_for_any_other_number():
    question = Question(QuestionType.NUMERIC, "Q", numeric=(NumericAnswer(3, 2, 1.0),),
                        other_feedback="Completely wrong", other_feedback_format="plain")
    assert grade(question, Response(number=5)).feedback == ()
    assert grade(question, Response(number=6)) == Grade(
        0.0, (Feedback("Completely wrong", "plain"),))


def test_essays_and_descriptions_wait_or_do_not_count():
    essay = Question(QuestionType.ESSAY, "Write your pitch.")
    assert grade(essay, Response(text="My pitch")).fraction is None
    assert grade(essay, Response(text="   ")).fraction == 0.0  # nothing to wait for
    assert grade(Question(QuestionType.DESCRIPTION, "Read this."), Response()).fraction is None


@pytest.mark.parametrize("pattern,given,expected", [
    ("MEDDICC", "meddicc", True),
    ("meddic*", "MEDDICC", True),
    ("*pain*", "the real pain point", True),
    ("a.b", "axb", False),  # only * is special
    ("cost", "costs", False),
])
def test_short_answer_wildcards(pattern, given, expected):
    assert short_answer_matches(pattern, given) is expected


def test_total_score_weighs_points_and_counts_pending():
    score = total_score([(2.0, 1.0), (1.0, 0.5), (1.0, None)])
    assert (score.earned, score.possible, score.pending) == (2.5, 4.0, 1)
    assert score.fraction == 0.625


def test_responses_survive_json():
    response = Response(choice=None, choices=frozenset({2, 0}), matches={1: 0, 0: 2}, text="x")
    assert Response.from_json(response.to_json()) == response
