"""Aiken reading: single-choice questions with lettered options and an ANSWER: line."""
import pytest

from cev_learn.content.questions import Choice, Question, QuestionType
from cev_learn.content.quiz_formats.aiken import parse_aiken
from cev_learn.content.quiz_formats.errors import QuizFormatError


def test_parenthesis_and_dot_options_with_and_without_blank_lines():
    questions = parse_aiken("What comes first?\n"
                            "A) Demo\n"
                            "B) Discovery\n"
                            "C) Proposal\n"
                            "ANSWER: B\n"
                            "Who signs?\n"
                            "A. The champion\n"
                            "B. The economic buyer\n"
                            "ANSWER: B\n"
                            "\n\n"
                            "Best next step?\n"
                            "\n"
                            "A) Send pricing\n"
                            "B) Book a follow-up\n"
                            "\n"
                            "ANSWER: A\n")
    assert questions == [
        Question(QuestionType.SINGLE, "What comes first?", choices=(
            Choice("Demo", 0.0), Choice("Discovery", 1.0), Choice("Proposal", 0.0))),
        Question(QuestionType.SINGLE, "Who signs?", choices=(
            Choice("The champion", 0.0), Choice("The economic buyer", 1.0))),
        Question(QuestionType.SINGLE, "Best next step?", choices=(
            Choice("Send pricing", 1.0), Choice("Book a follow-up", 0.0))),
    ]
    assert [q.line for q in questions] == [1, 6, 12]


def test_texts_are_stripped_and_kept_literally():
    [question] = parse_aiken("  Is {=this} ~GIFT?  \nA)   yes: #1  \nB) no\nANSWER:   A  ")
    assert question.prompt == "Is {=this} ~GIFT?"
    assert question.choices == (Choice("yes: #1", 1.0), Choice("no", 0.0))
    assert question.format == "moodle" and question.points == 1.0


def test_a_question_text_may_span_lines():
    [question] = parse_aiken("The buyer says:\n\"Send me a proposal.\"\nWhat next?\n"
                             "A) Send it\nB) Ask what it must cover\nANSWER: B\n")
    assert question.prompt == "The buyer says:\n\"Send me a proposal.\"\nWhat next?"


def test_windows_line_endings_and_byte_order_mark():
    questions = parse_aiken("\ufeffQ1?\r\nA) a\r\nB) b\r\nANSWER: A\r\n\r\nQ2?\r\nA) c\r\n"
                            "B) d\r\nANSWER: B\r\n")
    assert [(q.prompt, q.choices, q.line) for q in questions] == [
        ("Q1?", (Choice("a", 1.0), Choice("b", 0.0)), 1),
        ("Q2?", (Choice("c", 0.0), Choice("d", 1.0)), 6)]


def test_many_options():
    [question] = parse_aiken("Q?\n" + "".join(f"{letter}) option {letter}\n" for letter in "ABCDEF")
                             + "ANSWER: F")
    assert [c.weight for c in question.choices] == [0.0] * 5 + [1.0]


def test_empty_text_gives_no_questions():
    assert parse_aiken("\n\n") == []


@pytest.mark.parametrize("text, errors", [
    ("Q?\nA) a\nB) b\n", ["quiz.txt:1: the question has no ANSWER: line"]),
    ("Q?\nA) a\nB) b\nQ2?\nA) c\nB) d\nANSWER: A",
     ["quiz.txt:1: the question has no ANSWER: line"]),
    ("Q?\nA) a\nB) b\nANSWER: C",
     ["quiz.txt:4: ANSWER: C names no option; the options are A to B"]),
    ("Q?\nA) a\nB) b\nANSWER: b",
     ["quiz.txt:4: ANSWER: 'b' is not one option letter; write e.g. ANSWER: B"]),
    ("Q?\nA) a\nB) b\nANSWER:", ["quiz.txt:4: ANSWER: '' is not one option letter; "
                                 "write e.g. ANSWER: B"]),
    ("Q?\nA) a\nB) b\nANSWER: A, B",
     ["quiz.txt:4: ANSWER: 'A, B' is not one option letter; write e.g. ANSWER: B"]),
    ("Q?\nA) only\nANSWER: A", ["quiz.txt:1: a question needs at least two options, found 1"]),
    ("Q?\nANSWER: A", ["quiz.txt:1: a question needs at least two options, found 0"]),
    ("Q?\nB) a\nC) b\nANSWER: B", ["quiz.txt:2: option B) is out of order; expected A)"]),
    ("Q?\nA) a\nC) b\nD) c\nANSWER: A", ["quiz.txt:3: option C) is out of order; expected B)"]),
    ("Q?\nA) a\nB) b\nB) c\nANSWER: A", ["quiz.txt:4: option B) is out of order; expected C)"]),
    ("Q?\nA) a\nB)\nANSWER: A", ["quiz.txt:3: option B) has no text"]),
    ("A) a\nB) b\nANSWER: A", ["quiz.txt:1: option A) comes before any question text",
                               "quiz.txt:2: option B) comes before any question text",
                               "quiz.txt:3: ANSWER: line without a question before it"]),
    ("Q?\nA) a\nB) b\nANSWER: A\nANSWER: B",
     ["quiz.txt:5: ANSWER: line without a question before it"]),
])
def test_malformed_questions(text, errors):
    with pytest.raises(QuizFormatError) as caught:
        parse_aiken(text, "quiz.txt")
    assert [str(p) for p in caught.value.problems] == errors


def test_every_problem_is_reported_and_nothing_is_returned():
    text = ("Good?\nA) a\nB) b\nANSWER: A\n\n"
            "Bad answer?\nA) a\nB) b\nANSWER: Z\n\n"
            "No answer?\nA) a\nB) b\n\n"
            "Out of order?\nA) a\nC) b\nANSWER: A\n")
    with pytest.raises(QuizFormatError) as caught:
        parse_aiken(text, "quiz.txt")
    assert [str(p) for p in caught.value.problems] == [
        "quiz.txt:9: ANSWER: Z names no option; the options are A to B",
        "quiz.txt:11: the question has no ANSWER: line",
        "quiz.txt:17: option C) is out of order; expected B)",
    ]
