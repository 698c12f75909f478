"""Native .quiz.yaml reading: every question type, defaults, and strict checks with lines."""
import textwrap

import pytest

from cev_learn.content.questions import (Choice, MatchPair, NumericAnswer, Question,
                                         QuestionType, ShortAnswer)
from cev_learn.content.quiz_formats.errors import QuizFormatError
from cev_learn.content.quiz_formats.native import parse_native

EVERY_TYPE = """\
questions:
  - type: single
    title: Discount request
    prompt: The buyer asks for a discount in the first call. What next?
    points: 2
    format: plain
    category: sales/negotiation
    general_feedback: Trade, never give.
    choices:
      - {text: Ask what is behind the request, correct: true, feedback: Yes.}
      - {text: Offer 10%, feedback: Too early.}
      - {text: Refuse, correct: false}
  - type: multiple
    prompt: Which are qualification criteria?
    choices:
      - {text: Budget, weight: 0.5}
      - {text: Authority, weight: 0.5}
      - {text: Favourite colour, weight: -1}
  - type: true_false
    prompt: Discovery comes before the demo.
    answer: true
    true_feedback: Right.
    false_feedback: Discovery first.
  - type: short
    prompt: Name the framework.
    answers:
      - {text: MEDDICC}
      - {text: "MEDD*", weight: 0.5, feedback: Close.}
  - type: numeric
    prompt: How many days in a sprint?
    numeric:
      - {value: 14}
      - {value: 10, tolerance: 1.5, weight: 0.25, feedback: Close.}
      - {min: 1, max: 5, weight: 0.1}
  - type: matching
    prompt: Match stage and goal.
    pairs:
      - {left: Discovery, right: Understand pain}
      - {left: Demo, right: Show value}
      - {right: Close the quarter}
      - {left: "", right: Win a prize}
  - type: essay
    prompt: |
      Describe your last call.
      What would you change?
  - type: description
    prompt: The next questions are about pricing.
"""


def test_every_question_type():
    questions = parse_native(EVERY_TYPE)
    assert questions == [
        Question(QuestionType.SINGLE,
                 "The buyer asks for a discount in the first call. What next?",
                 title="Discount request", points=2.0, format="plain",
                 category="sales/negotiation", general_feedback="Trade, never give.",
                 choices=(Choice("Ask what is behind the request", 1.0, "Yes."),
                          Choice("Offer 10%", 0.0, "Too early."), Choice("Refuse", 0.0))),
        Question(QuestionType.MULTIPLE, "Which are qualification criteria?", format="markdown",
                 choices=(Choice("Budget", 0.5), Choice("Authority", 0.5),
                          Choice("Favourite colour", -1.0))),
        Question(QuestionType.TRUE_FALSE, "Discovery comes before the demo.", format="markdown",
                 answer=True, true_feedback="Right.", false_feedback="Discovery first."),
        Question(QuestionType.SHORT, "Name the framework.", format="markdown",
                 answers=(ShortAnswer("MEDDICC", 1.0), ShortAnswer("MEDD*", 0.5, "Close."))),
        Question(QuestionType.NUMERIC, "How many days in a sprint?", format="markdown",
                 numeric=(NumericAnswer(14.0, 0.0, 1.0), NumericAnswer(10.0, 1.5, 0.25, "Close."),
                          NumericAnswer(3.0, 2.0, 0.1))),
        Question(QuestionType.MATCHING, "Match stage and goal.", format="markdown",
                 pairs=(MatchPair("Discovery", "Understand pain"), MatchPair("Demo", "Show value"),
                        MatchPair("", "Close the quarter"), MatchPair("", "Win a prize"))),
        Question(QuestionType.ESSAY, "Describe your last call.\nWhat would you change?",
                 format="markdown"),
        Question(QuestionType.DESCRIPTION, "The next questions are about pricing.",
                 format="markdown"),
    ]
    assert [q.line for q in questions] == [2, 13, 19, 24, 29, 35, 42, 46]


def test_defaults_points_one_and_format_markdown():
    [question] = parse_native("questions:\n- {type: essay, prompt: 'Why?'}\n")
    assert question.points == 1.0 and isinstance(question.points, float)
    assert question.format == "markdown"
    assert question.to_json()["points"] == 1.0


def test_windows_line_endings_and_byte_order_mark():
    text = "\ufeffquestions:\r\n  - type: essay\r\n    prompt: Why?\r\n"
    assert parse_native(text) == [Question(QuestionType.ESSAY, "Why?", format="markdown")]


def test_an_empty_question_list_gives_no_questions():
    assert parse_native("questions: []\n") == []


def problems(text: str) -> list[str]:
    with pytest.raises(QuizFormatError) as caught:
        parse_native(textwrap.dedent(text), "q.quiz.yaml")
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize("text, errors", [
    ("questions: [\n", ["q.quiz.yaml:2: invalid YAML: while parsing a flow node "
                        "expected the node content, but found '<stream end>'"]),
    ("", ["q.quiz.yaml:1: a quiz file is a mapping with a questions: list"]),
    ("- type: essay\n", ["q.quiz.yaml:1: a quiz file is a mapping with a questions: list"]),
    ("questions: {}\n", ["q.quiz.yaml:1: questions must be a list"]),
    ("title: Quiz\nquestions: []\n",
     ["q.quiz.yaml:1: unknown key 'title'; a quiz file has only questions:"]),
    ("questions:\n- just text\n",
     ["q.quiz.yaml:2: each question must be a mapping with type: and prompt:"]),
    ("questions:\n- prompt: Why?\n", ["q.quiz.yaml:2: missing type"]),
    ("questions:\n- type: poll\n  prompt: Why?\n",
     ["q.quiz.yaml:2: type must be one of single, multiple, true_false, short, numeric, "
      "matching, essay, description"]),
    ("questions:\n- type: essay\n", ["q.quiz.yaml:2: missing prompt"]),
    ("questions:\n- type: essay\n  prompt: '  '\n", ["q.quiz.yaml:3: prompt must not be empty"]),
    ("questions:\n- type: essay\n  prompt: 42\n",
     ["q.quiz.yaml:3: prompt must be a string (quote numbers and yes/no)"]),
    ("questions:\n- type: essay\n  prompt: Why?\n  hint: no\n",
     ["q.quiz.yaml:4: unknown key 'hint'"]),
    ("questions:\n- type: essay\n  prompt: Why?\n  choices: []\n",
     ["q.quiz.yaml:4: choices does not apply to essay questions"]),
    ("questions:\n- type: essay\n  prompt: Why?\n  points: 0\n",
     ["q.quiz.yaml:4: points must be a number greater than 0"]),
    ("questions:\n- type: essay\n  prompt: Why?\n  points: two\n",
     ["q.quiz.yaml:4: points must be a number greater than 0"]),
    ("questions:\n- type: essay\n  prompt: Why?\n  points: true\n",
     ["q.quiz.yaml:4: points must be a number greater than 0"]),
    ("questions:\n- type: essay\n  prompt: Why?\n  format: latex\n",
     ["q.quiz.yaml:4: format must be one of html, markdown, moodle, plain"]),
    ("questions:\n- type: essay\n  prompt: Why?\n  title: [a]\n",
     ["q.quiz.yaml:4: title must be a string (quote numbers and yes/no)"]),
    ("questions:\n- type: single\n  prompt: Q\n", ["q.quiz.yaml:2: missing choices"]),
    ("questions:\n- type: single\n  prompt: Q\n  choices: [{text: a, correct: true}]\n",
     ["q.quiz.yaml:4: choices must be a list of at least 2"]),
    ("questions:\n- type: single\n  prompt: Q\n  choices:\n  - {text: a, weight: 0.5}\n"
     "  - {text: b}\n",
     ["q.quiz.yaml:5: a single question needs exactly one full-credit choice "
      "(correct: true or weight: 1), found 0"]),
    ("questions:\n- type: single\n  prompt: Q\n  choices:\n  - {text: a, correct: true}\n"
     "  - {text: b, weight: 1}\n",
     ["q.quiz.yaml:5: a single question needs exactly one full-credit choice "
      "(correct: true or weight: 1), found 2"]),
    ("questions:\n- type: multiple\n  prompt: Q\n  choices:\n  - {text: a, weight: -0.5}\n"
     "  - {text: b}\n", ["q.quiz.yaml:5: a multiple question needs a choice with a positive "
                         "weight"]),
    ("questions:\n- type: multiple\n  prompt: Q\n  choices:\n  - {text: a, weight: 2}\n"
     "  - {text: b, weight: 1}\n",
     ["q.quiz.yaml:5: weight must be a number from -1 to 1 (1 is full credit)"]),
    ("questions:\n- type: single\n  prompt: Q\n  choices:\n  - {text: a, correct: yes please}\n"
     "  - {text: b, weight: 1}\n", ["q.quiz.yaml:5: correct must be true or false"]),
    ("questions:\n- type: single\n  prompt: Q\n  choices:\n"
     "  - {text: a, correct: true, weight: 1}\n"
     "  - {text: b}\n", ["q.quiz.yaml:5: give weight or correct, not both"]),
    ("questions:\n- type: single\n  prompt: Q\n  choices:\n  - {text: a, correct: true}\n"
     "  - {txt: b}\n", ["q.quiz.yaml:6: missing text",
                        "q.quiz.yaml:6: unknown key 'txt'; use text, weight, correct, feedback"]),
    ("questions:\n- type: single\n  prompt: Q\n  choices:\n  - {text: a, correct: true}\n"
     "  - b\n", ["q.quiz.yaml:6: each entry of choices must be a mapping "
                 "(text, weight, correct, feedback)"]),
    ("questions:\n- type: single\n  prompt: Q\n  choices: a, b\n",
     ["q.quiz.yaml:4: choices must be a list of at least 2"]),
    ("questions:\n- type: true_false\n  prompt: Q\n",
     ["q.quiz.yaml:2: missing answer (true or false)"]),
    ("questions:\n- type: true_false\n  prompt: Q\n  answer: 'true'\n",
     ["q.quiz.yaml:4: answer must be true or false"]),
    ("questions:\n- type: short\n  prompt: Q\n  answers: []\n",
     ["q.quiz.yaml:4: answers must be a list of at least 1"]),
    ("questions:\n- type: short\n  prompt: Q\n  answers:\n  - {text: 42}\n",
     ["q.quiz.yaml:5: text must be a string (quote numbers and yes/no)"]),
    ("questions:\n- type: short\n  prompt: Q\n  answers:\n  - {text: a, weight: 0}\n",
     ["q.quiz.yaml:5: no answer earns credit; give one a positive weight"]),
    ("questions:\n- type: numeric\n  prompt: Q\n  numeric:\n  - {tolerance: 1}\n",
     ["q.quiz.yaml:5: missing value"]),
    ("questions:\n- type: numeric\n  prompt: Q\n  numeric:\n  - {value: ten}\n",
     ["q.quiz.yaml:5: value must be a number"]),
    ("questions:\n- type: numeric\n  prompt: Q\n  numeric:\n  - {value: .inf}\n",
     ["q.quiz.yaml:5: value must be a number"]),
    ("questions:\n- type: numeric\n  prompt: Q\n  numeric:\n  - {value: 3, tolerance: -1}\n",
     ["q.quiz.yaml:5: tolerance must be a number, 0 or more"]),
    ("questions:\n- type: numeric\n  prompt: Q\n  numeric:\n  - {min: 5, max: 1}\n",
     ["q.quiz.yaml:5: min is greater than max"]),
    ("questions:\n- type: numeric\n  prompt: Q\n  numeric:\n  - {min: 1}\n",
     ["q.quiz.yaml:5: missing max"]),
    ("questions:\n- type: numeric\n  prompt: Q\n  numeric:\n  - {value: 3, min: 1, max: 5}\n",
     ["q.quiz.yaml:5: give value (and tolerance) or min and max, not both"]),
    ("questions:\n- type: numeric\n  prompt: Q\n  numeric:\n  - {value: 3, weight: -1}\n",
     ["q.quiz.yaml:5: no answer earns credit; give one a positive weight"]),
    ("questions:\n- type: matching\n  prompt: Q\n  pairs:\n  - {left: a, right: b}\n"
     "  - {right: c}\n", ["q.quiz.yaml:5: matching needs at least two pairs with a left side, "
                          "found 1"]),
    ("questions:\n- type: matching\n  prompt: Q\n  pairs:\n  - {left: a, right: b}\n"
     "  - {left: c}\n", ["q.quiz.yaml:6: missing right"]),
])
def test_malformed_files(text, errors):
    assert problems(text) == errors


def test_every_problem_in_every_question_is_reported():
    assert problems("""\
        questions:
          - type: essay
            prompt: Fine
          - type: single
            prompt: Q
            choices:
              - {text: a, weight: 5}
              - {text: b, feedback: [x]}
          - type: numeric
            numeric:
              - {value: x}
          - type: essay
            prompt: Also fine
        """) == [
        "q.quiz.yaml:7: weight must be a number from -1 to 1 (1 is full credit)",
        "q.quiz.yaml:8: feedback must be a string (quote numbers and yes/no)",
        "q.quiz.yaml:9: missing prompt",
        "q.quiz.yaml:11: value must be a number",
    ]
