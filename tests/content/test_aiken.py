"""Aiken reading and writing: single-choice questions with lettered options and an ANSWER: line,
read as Moodle reads them (tests/content/test_moodle_formats.py holds the cases taken from
Moodle's own tests)."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cev_learn.content.questions import Choice, Question, QuestionType
from cev_learn.content.quiz_formats.aiken import export_aiken, parse_aiken, read_aiken
from cev_learn.content.quiz_formats.errors import QuizFormatError

SINGLE = QuestionType.SINGLE


def plain(prompt: str, *choices: Choice) -> Question:
    return Question(SINGLE, prompt, format="plain", choices=choices)


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
                            "B)Book a follow-up\n"
                            "\n"
                            "ANSWER: A\n")
    assert questions == [
        plain("What comes first?", Choice("Demo", 0.0), Choice("Discovery", 1.0),
              Choice("Proposal", 0.0)),
        plain("Who signs?", Choice("The champion", 0.0), Choice("The economic buyer", 1.0)),
        plain("Best next step?", Choice("Send pricing", 1.0), Choice("Book a follow-up", 0.0)),
    ]
    assert [q.line for q in questions] == [1, 6, 12]


def test_texts_are_plain_text_kept_literally():
    [question] = parse_aiken("  Is {=this} <b>~GIFT</b> & more?  \nA)   yes: #1  \nB) no\n"
                             "ANSWER:   A  ")
    assert question.prompt == "Is {=this} <b>~GIFT</b> & more?"
    assert question.choices == (Choice("yes: #1", 1.0), Choice("no", 0.0))
    assert question.format == "plain" and question.points == 1.0


def test_lines_shorter_than_two_characters_are_skipped():
    assert parse_aiken("Q?\n.\nA) a\nx\nB) b\nANSWER: B\n") == [
        plain("Q?", Choice("a", 0.0), Choice("b", 1.0))]


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


NOT_ONE_LETTER = ("is not one option letter (Moodle reads only its first character, and only a "
                  "capital); write e.g. ANSWER: B")
OUT_OF_ORDER = ("(Moodle ignores the letters and counts the options, so ANSWER: would name "
                "another one)")


@pytest.mark.parametrize("text, errors", [
    ("Q?\nA) a\nB) b\n", ["quiz.txt:1: the question has no ANSWER: line"]),
    ("Q?\nA) a\nB) b\nQ2?\nA) c\nB) d\nANSWER: A",
     ["quiz.txt:1: the question has no ANSWER: line (Moodle would drop it when the next question "
      "starts on line 4)"]),
    ("The buyer says:\nWhat next?\nA) a\nB) b\nANSWER: A",
     ["quiz.txt:1: the question text goes on to the next line, but an Aiken question is one "
      "line: Moodle would drop this question and start another on line 2; join the lines"]),
    ("Q?\nA) a\nB) b\nANSWER: C",
     ["quiz.txt:4: ANSWER: C names no option (Moodle would import the question with no right "
      "answer); the options are A to B"]),
    ("Q?\nA) a\nB) b\nANSWER: b", [f"quiz.txt:4: ANSWER: 'b' {NOT_ONE_LETTER}"]),
    ("Q?\nA) a\nB) b\nANSWER:", [f"quiz.txt:4: ANSWER: '' {NOT_ONE_LETTER}"]),
    ("Q?\nA) a\nB) b\nANSWER: A, B", [f"quiz.txt:4: ANSWER: 'A, B' {NOT_ONE_LETTER}"]),
    ("Q?\nA) a\nB) b\nAnswer: A",
     ["quiz.txt:1: the question has no ANSWER: line (Moodle would drop it when the next "
      "question starts on line 4)",
      "quiz.txt:4: Answer: is not an answer line: Moodle reads only ANSWER: in capitals, and "
      "would take this line as a new question",
      "quiz.txt:4: the question has no ANSWER: line"]),
    ("Q?\nA) only\nANSWER: A", ["quiz.txt:1: a question needs at least two options, found 1 "
                                "(an option is a capital letter, then ) or ., then its text: "
                                "A) Yes)"]),
    ("Q?\nANSWER: A", ["quiz.txt:1: a question needs at least two options, found 0 (an option "
                       "is a capital letter, then ) or ., then its text: A) Yes)"]),
    ("Q?\nB) a\nC) b\nANSWER: B", [f"quiz.txt:2: option B) is out of order; expected A) "
                                   f"{OUT_OF_ORDER}"]),
    ("Q?\nA) a\nC) b\nD) c\nANSWER: A", [f"quiz.txt:3: option C) is out of order; expected B) "
                                         f"{OUT_OF_ORDER}"]),
    ("Q?\nA) a\nB) b\nB) c\nANSWER: A", [f"quiz.txt:4: option B) is out of order; expected C) "
                                         f"{OUT_OF_ORDER}"]),
    ("Q?\nA) a\nB)\nANSWER: A", ["quiz.txt:3: option B) has no text"]),
    ("A) a\nB) b\nANSWER: A",
     ["quiz.txt:1: option A) comes before any question text (Moodle reads every line starting "
      "with a capital letter and ) or . as an option)",
      "quiz.txt:2: option B) comes before any question text (Moodle reads every line starting "
      "with a capital letter and ) or . as an option)",
      "quiz.txt:3: ANSWER: line without a question before it"]),
    ("Q?\nA) a\nB) b\nANSWER: A\nANSWER: B",
     ["quiz.txt:5: ANSWER: line without a question before it"]),
])
def test_malformed_questions(text, errors):
    with pytest.raises(QuizFormatError) as caught:
        parse_aiken(text, "quiz.txt")
    assert [str(p) for p in caught.value.problems] == errors


BROKEN = ("Good?\nA) a\nB) b\nANSWER: A\n\n"
          "Bad answer?\nA) a\nB) b\nANSWER: Z\n\n"
          "No answer?\nA) a\nB) b\n\n"
          "Out of order?\nA) a\nC) b\nANSWER: A\n\n"
          "Also good?\nA) c\nB) d\nANSWER: B\n")


def test_every_problem_is_reported_and_nothing_is_returned():
    with pytest.raises(QuizFormatError) as caught:
        parse_aiken(BROKEN, "quiz.txt")
    assert [str(p) for p in caught.value.problems] == [
        "quiz.txt:9: ANSWER: Z names no option (Moodle would import the question with no right "
        "answer); the options are A to B",
        "quiz.txt:11: the question has no ANSWER: line (Moodle would drop it when the next "
        "question starts on line 15)",
        f"quiz.txt:17: option C) is out of order; expected B) {OUT_OF_ORDER}",
    ]


def test_read_aiken_keeps_the_good_questions_beside_the_problems():
    reading = read_aiken(BROKEN, "quiz.txt")
    assert [(q.prompt, q.line) for q in reading.questions] == [("Good?", 1), ("Also good?", 20)]
    assert [p.line for p in reading.problems] == [9, 11, 17]
    assert reading.questions_or_raise(skip_invalid=True) == reading.questions
    with pytest.raises(QuizFormatError):
        reading.questions_or_raise()


def test_export_writes_what_moodle_reads_back():
    questions = [Question(SINGLE, "Which is the oddest number?", title="Odd", category="maths",
                          choices=(Choice("One", 1.0), Choice("Two", 0.0), Choice("Three", 0.0),
                                   Choice("Four", 0.0))),
                 plain("Tags <b>stay</b> & show", Choice("x < y", 0.0), Choice("[z]", 1.0))]
    written = export_aiken(questions)
    assert written == ("Which is the oddest number?\nA) One\nB) Two\nC) Three\nD) Four\n"
                       "ANSWER: A\n\n"
                       "Tags <b>stay</b> & show\nA) x < y\nB) [z]\nANSWER: B\n")
    assert parse_aiken(written) == [
        plain("Which is the oddest number?", Choice("One", 1.0), Choice("Two", 0.0),
              Choice("Three", 0.0), Choice("Four", 0.0)),
        questions[1]]


@pytest.mark.parametrize("question, why", [
    (Question(QuestionType.TRUE_FALSE, "Q?", answer=True),
     "Aiken holds single-choice questions only"),
    (plain("Q?", Choice("a", 1.0, "Yes."), Choice("b", 0.0)), "Aiken has no feedback"),
    (Question(SINGLE, "Q?", general_feedback="Why", choices=(Choice("a", 1.0), Choice("b", 0.0))),
     "Aiken has no feedback"),
    (plain("Q?", Choice("a", 1.0), Choice("b", 0.5)), "Aiken has no partial or negative credit"),
    (plain("Q?", Choice("a", 0.0), Choice("b", 0.0)), "Aiken has exactly one right answer"),
    (plain("Q?", Choice("a", 1.0), Choice("b", 1.0)), "Aiken has exactly one right answer"),
    (Question(SINGLE, "Q?", points=2, choices=(Choice("a", 1.0), Choice("b", 0.0))),
     "Aiken has no points, so 2 is lost"),
    (plain("Q?", *[Choice(f"c{i}", float(i == 0)) for i in range(27)]),
     "Aiken has at most 26 options"),
    (plain("Two\nlines", Choice("a", 1.0), Choice("b", 0.0)),
     "'Two\\nlines' spans lines; an Aiken text is one line"),
    (Question(SINGLE, "Say <b>hi</b>", format="html", choices=(Choice("a", 1.0), Choice("b", 0.0))),
     "'Say <b>hi</b>' uses html formatting; Aiken holds plain text only"),
    (Question(SINGLE, "Q?", choices=(Choice("**a**", 1.0, format="markdown"), Choice("b", 0.0))),
     "'**a**' uses markdown formatting; Aiken holds plain text only"),
    (plain("A) trick", Choice("a", 1.0), Choice("b", 0.0)),
     "the question text 'A) trick' would read as an option, an answer or nothing"),
    (plain("ANSWER: A", Choice("a", 1.0), Choice("b", 0.0)),
     "the question text 'ANSWER: A' would read as an option, an answer or nothing"),
])
def test_questions_aiken_cannot_hold_are_refused(question, why):
    with pytest.raises(ValueError) as caught:
        export_aiken([plain("Fine?", Choice("a", 1.0), Choice("b", 0.0)), question])
    assert str(caught.value) == (f"question 2 ({question.type.value}) cannot be written as "
                                 f"Aiken: {why}")


one_line = st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=2,
                   max_size=15).map(str.strip).filter(lambda text: len(text.encode()) >= 2)


@st.composite
def aiken_questions(draw):
    prompt = draw(one_line.filter(lambda t: not t.startswith("ANSWER:")
                                  and not (t[0].isupper() and t[1:2] in (")", "."))))
    texts = draw(st.lists(one_line, min_size=2, max_size=6))
    right = draw(st.integers(0, len(texts) - 1))
    return plain(prompt, *(Choice(text, float(i == right)) for i, text in enumerate(texts)))


@settings(max_examples=200, deadline=None)
@given(st.lists(aiken_questions(), min_size=1, max_size=4))
def test_export_then_read_gives_equal_questions(questions):
    assert parse_aiken(export_aiken(questions)) == questions
