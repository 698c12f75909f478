"""export_gift writes GIFT that parse_gift reads back to equal questions."""
import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cev_learn.content.questions import (Choice, MatchPair, NumericAnswer, Question,
                                         QuestionType, ShortAnswer)
from cev_learn.content.quiz_formats.gift import MOODLE_GRADES, export_gift, parse_gift

SPECIAL = "~=#{}:\\\n"
syntax = st.sampled_from([*SPECIAL, *"->%[]*_/$TF ab"])
characters = syntax | st.characters(exclude_categories=("Cs",), exclude_characters="\r")
texts = ((st.text(syntax, min_size=1, max_size=12) | st.text(characters, min_size=1, max_size=12))
         .map(str.strip).filter(lambda text: text and "_____" not in text))
plain_texts = texts.filter(lambda text: "->" not in text)  # GIFT cannot escape - or >
# Moodle strips a format tag from a short answer's text, so such a text cannot start with one
untagged_texts = plain_texts.filter(lambda text: not text.startswith("["))
categories = st.text(characters.filter(lambda char: char != "\n"), min_size=1,
                     max_size=12).map(str.strip).filter(bool)
positive_weights = st.sampled_from([grade for grade in MOODLE_GRADES if grade > 0])
weights = st.sampled_from([0.0, *MOODLE_GRADES, *(-grade for grade in MOODLE_GRADES)])
own_formats = st.none() | st.sampled_from(["markdown", "html", "plain", "moodle"])
finite = st.floats(allow_nan=False, allow_infinity=False)
common = st.fixed_dictionaries({
    "prompt": texts, "title": st.none() | texts,
    "format": st.sampled_from(["markdown", "html", "plain", "moodle"]),
    "category": st.none() | categories})


def with_one(draw, others, one) -> tuple:
    """The others with one more item put at a drawn position."""
    items = draw(others)
    position = draw(st.integers(0, len(items)))
    return tuple(items[:position] + [draw(one)] + items[position:])


def feedback(of=texts):
    return st.none() | of


def own(question: Question) -> Question:
    """The question as GIFT reads it: a text's own format is None where it is the question's,
    and a format is kept only where there is a text."""
    def kept(text, text_format):
        return None if not text or text_format == question.format else text_format

    def formats_of(item):
        changes = {name: kept(getattr(item, name.removesuffix("_format")
                                      if name != "format" else "text"), getattr(item, name))
                   for name in ("format", "feedback_format", "left_format",
                                "general_feedback_format", "true_feedback_format",
                                "false_feedback_format", "other_feedback_format")
                   if hasattr(item, name) and not (name == "format" and item is question)}
        return dataclasses.replace(item, **changes)
    question = formats_of(question)
    return dataclasses.replace(question, choices=tuple(map(formats_of, question.choices)),
                               answers=tuple(map(formats_of, question.answers)),
                               numeric=tuple(map(formats_of, question.numeric)),
                               pairs=tuple(map(formats_of, question.pairs)))


@st.composite
def single(draw):
    right = st.builds(Choice, texts.filter(lambda text: not text.startswith("%")), st.just(1.0),
                      feedback(), own_formats, own_formats)
    wrong = st.lists(st.builds(Choice, texts, weights.filter(lambda w: w != 1), feedback(),
                               own_formats, own_formats), min_size=1, max_size=4)
    return own(Question(QuestionType.SINGLE, choices=with_one(draw, wrong, right),
                        general_feedback=draw(feedback()),
                        general_feedback_format=draw(own_formats), **draw(common)))


@st.composite
def multiple(draw):
    choices = with_one(draw, st.lists(st.builds(Choice, texts, weights, feedback(), own_formats,
                                                own_formats), min_size=1, max_size=4),
                       st.builds(Choice, texts, positive_weights, feedback(), own_formats))
    return own(Question(QuestionType.MULTIPLE, choices=choices, general_feedback=draw(feedback()),
                        **draw(common)))


@st.composite
def short(draw):
    answers = with_one(draw, st.lists(st.builds(ShortAnswer, untagged_texts, weights,
                                                feedback(plain_texts), own_formats), max_size=3),
                       st.builds(ShortAnswer, untagged_texts, positive_weights,
                                 feedback(plain_texts)))
    return own(Question(QuestionType.SHORT, answers=answers, general_feedback=draw(feedback()),
                        **draw(common)))


@st.composite
def numeric(draw):
    def answer(weight):
        return st.builds(NumericAnswer, finite, st.floats(min_value=0, allow_infinity=False),
                         weight, feedback(), own_formats)
    answers = with_one(draw, st.lists(answer(weights), max_size=3), answer(positive_weights))
    return own(Question(QuestionType.NUMERIC, numeric=answers, general_feedback=draw(feedback()),
                        other_feedback=draw(feedback()), other_feedback_format=draw(own_formats),
                        **draw(common)))


@st.composite
def matching(draw):
    pairs = draw(st.lists(st.builds(MatchPair, plain_texts, texts, own_formats), min_size=2,
                          max_size=4))
    distractors = draw(st.lists(st.builds(MatchPair, st.just(""), texts), max_size=2))
    return own(Question(QuestionType.MATCHING,
                        pairs=tuple(draw(st.permutations(pairs + distractors))),
                        general_feedback=draw(feedback()), **draw(common)))


@st.composite
def true_false(draw):
    return own(Question(QuestionType.TRUE_FALSE, answer=draw(st.booleans()),
                        true_feedback=draw(feedback()), false_feedback=draw(feedback()),
                        true_feedback_format=draw(own_formats),
                        false_feedback_format=draw(own_formats),
                        general_feedback=draw(feedback()), **draw(common)))


@st.composite
def essay(draw):
    return own(Question(QuestionType.ESSAY, general_feedback=draw(feedback()),
                        general_feedback_format=draw(own_formats), **draw(common)))


@st.composite
def description(draw):
    return Question(QuestionType.DESCRIPTION, **draw(common))


questions = st.one_of(single(), multiple(), short(), numeric(), matching(), true_false(),
                      essay(), description())


@settings(max_examples=200, deadline=None)
@given(st.lists(questions, min_size=1, max_size=5))
def test_export_then_parse_gives_equal_questions(originals):
    assert parse_gift(export_gift(originals)) == originals


@pytest.mark.parametrize("strategy", [single(), multiple(), short(), numeric(), matching(),
                                      true_false(), essay(), description()],
                         ids=[t.value for t in QuestionType])
def test_every_type_round_trips(strategy):
    @settings(max_examples=50, deadline=None)
    @given(strategy)
    def check(question):
        assert parse_gift(export_gift([question])) == [question]
    check()


def test_export_output_is_readable_gift():
    written = export_gift(questions := [
        Question(QuestionType.SINGLE, "Who owns {next steps}?", title="Ownership",
                 category="sales/discovery", general_feedback="Always agree them.",
                 choices=(Choice("The rep", 1.0, "Yes: #1 rule."), Choice("The buyer", 0.0),
                          Choice("Nobody", -0.5))),
        Question(QuestionType.MULTIPLE, "Pick two", format="markdown", category="sales/discovery",
                 choices=(Choice("a", 0.5), Choice("b", 0.5), Choice("c", 0.0))),
        Question(QuestionType.TRUE_FALSE, "Demo first?", answer=False, category="sales/demo",
                 true_feedback="No: discovery first.", false_feedback=None),
        Question(QuestionType.NUMERIC, "Days in a sprint?",
                 numeric=(NumericAnswer(14.0, 0.0, 1.0), NumericAnswer(10.0, 1.0, 0.5, "Close")),
                 other_feedback="Count the working days."),
        Question(QuestionType.MATCHING, "Match", pairs=(MatchPair("a:b", "c"), MatchPair("d", "e"),
                                                        MatchPair("", "f"))),
        Question(QuestionType.SHORT, "Say it", answers=(ShortAnswer("hi*", 1.0),
                                                        ShortAnswer("%x", 1.0),
                                                        ShortAnswer("yo", 0.3333333))),
        Question(QuestionType.ESSAY, "Line one\nline two"),
        Question(QuestionType.DESCRIPTION, "C:\\temp ~ = #"),
    ])
    assert written == (
        "$CATEGORY: sales/discovery\n\n"
        "::Ownership::Who owns \\{next steps\\}?{\n"
        "\t=The rep#Yes\\: \\#1 rule.\n\t~The buyer\n\t~%-50%Nobody\n"
        "\t####Always agree them.\n}\n\n"
        "[markdown]Pick two{\n\t~%50%a\n\t~%50%b\n\t~c\n}\n\n"
        "$CATEGORY: sales/demo\n\n"
        "Demo first?{FALSE#No\\: discovery first.}\n\n"
        "$CATEGORY:\n\n"
        "Days in a sprint?{#\n\t=14:0\n\t=%50%10:1#Close\n\t~#Count the working days.\n}\n\n"
        "Match{\n\t=a\\:b -> c\n\t=d -> e\n\t= -> f\n}\n\n"
        "Say it{\n\t=hi*\n\t=%100%%x\n\t=%33.33333%yo\n}\n\n"
        "Line one\\nline two{}\n\n"
        "C\\:\\\\temp \\~ \\= \\#\n")
    assert parse_gift(written) == questions


def test_format_tags_are_written_where_a_text_differs_from_its_question():
    question = Question(
        QuestionType.SINGLE, "<b>Pick</b>", format="html", general_feedback="*See* module 3",
        general_feedback_format="markdown",
        choices=(Choice("yellow", 1.0, "right; good!", feedback_format="moodle"),
                 Choice("red", 0.0, "wrong, it's yellow"),
                 Choice("[x] blue", 0.0, format="plain")))
    assert export_gift([question]) == (
        "[html]<b>Pick</b>{\n\t=yellow#[moodle]right; good!\n\t~red#wrong, it's yellow\n"
        "\t~[plain][x] blue\n\t####[markdown]*See* module 3\n}\n")
    assert parse_gift(export_gift([question])) == [question]


def test_numbers_are_written_as_moodle_writes_them():
    question = Question(QuestionType.NUMERIC, "Q", numeric=(
        NumericAnswer(1822.0, 0.0, 1.0), NumericAnswer(3.14, 0.005, 0.5),
        NumericAnswer(-2.5, 1e-05, 0.3333333), NumericAnswer(1e20, 0.0, 0.0)))
    assert export_gift([question]) == (
        "Q{#\n\t=1822:0\n\t=%50%3.14:0.005\n\t=%33.33333%-2.5:1e-05\n\t=%0%1e+20:0\n}\n")
    assert parse_gift(export_gift([question])) == [question]


def test_a_first_line_that_would_read_as_a_comment_or_a_blank_gets_a_tag():
    questions = [Question(QuestionType.DESCRIPTION, "// not a comment"),
                 Question(QuestionType.DESCRIPTION, "0")]
    assert export_gift(questions) == "[moodle]// not a comment\n\n[moodle]0\n"
    assert parse_gift(export_gift(questions)) == questions


def test_true_false_with_only_right_feedback_keeps_an_empty_wrong_slot():
    question = Question(QuestionType.TRUE_FALSE, "Q", answer=True, true_feedback="Right.")
    assert export_gift([question]) == "Q{TRUE##Right.}\n"
    assert parse_gift(export_gift([question])) == [question]


def test_export_of_nothing_is_empty():
    assert export_gift([]) == ""


@pytest.mark.parametrize("question, message", [
    (Question(QuestionType.ESSAY, "Q", points=2.0), "GIFT has no points, so 2.0 is lost"),
    (Question(QuestionType.MATCHING, "Q", pairs=(MatchPair("a->b", "c"), MatchPair("d", "e"))),
     "it would read back differently"),
    (Question(QuestionType.SHORT, "Q", answers=(ShortAnswer("a->b", 1.0),)),
     "it would not read back: matching needs at least two pairs"),
    (Question(QuestionType.SINGLE, "Q", choices=(Choice("%5% off", 1.0), Choice("b", 0.0))),
     "it would not read back: an = answer is always full credit"),
    (Question(QuestionType.DESCRIPTION, "Q", general_feedback="lost"),
     "it would read back differently"),
    (Question(QuestionType.ESSAY, " padded "), "it would read back differently"),
    (Question(QuestionType.MULTIPLE, "Q", choices=(Choice("a", 0.35), Choice("b", 0.65))),
     "it would not read back: weight %35% is not a grade Moodle accepts"),
])
def test_questions_gift_cannot_express_are_refused(question, message):
    with pytest.raises(ValueError) as caught:
        export_gift([Question(QuestionType.ESSAY, "Fine"), question])
    assert str(caught.value).startswith(
        f"question 2 ({question.type.value}) cannot be written as GIFT: {message}")
