"""GIFT reading: each documented construct gives exactly the expected Question."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cev_learn.content.questions import (Choice, MatchPair, NumericAnswer, Question,
                                         QuestionType, ShortAnswer)
from cev_learn.content.quiz_formats.errors import QuizFormatError
from cev_learn.content.quiz_formats.gift import parse_gift

SINGLE, MULTIPLE = QuestionType.SINGLE, QuestionType.MULTIPLE
GRADES = ("100%, 90%, 83.33333%, 80%, 75%, 70%, 66.66667%, 60%, 50%, 40%, 33.33333%, 30%, 25%, "
          "20%, 16.66667%, 14.28571%, 12.5%, 11.11111%, 10%, 5%, 0% (or minus one of them)")
TWO_RIGHT = ("found 2 full-credit answers: Moodle gives full credit for any of them, but "
             "cev_learn's single choice has one right answer; keep one =, or make it multiple "
             "choice with weights such as ~%50%")
NO_SCORE = ("no answer has a positive weight, so no one could score (Moodle imports it anyway); "
            "mark the right answer with = or give weights such as ~%50%")
EMPTY = "empty answer (Moodle would show an empty option); write its text or remove it"


def one(text: str) -> Question:
    [question] = parse_gift(text)
    return question


def test_title_and_single_choice():
    question = one("::Opening:: How do you open a call?{=With an agenda ~With a joke}")
    assert question == Question(SINGLE, "How do you open a call?", title="Opening",
                                choices=(Choice("With an agenda", 1.0), Choice("With a joke", 0.0)))
    assert question.format == "moodle" and question.points == 1.0 and question.line == 1


def test_comment_lines_are_ignored_everywhere():
    questions = parse_gift("// A quiz about discovery\n"
                           "// ---\n"
                           "::Q1::First?\n"
                           "// a comment inside a question\n"
                           "{=yes ~no}\n"
                           "\n"
                           "// only a comment here\n"
                           "\n"
                           "  // indented comment\n"
                           "Second?{T}\n")
    assert questions == [
        Question(SINGLE, "First?", title="Q1", choices=(Choice("yes", 1.0), Choice("no", 0.0))),
        Question(QuestionType.TRUE_FALSE, "Second?", answer=True)]
    assert [q.line for q in questions] == [3, 10]


def test_category_applies_to_the_questions_after_it():
    questions = parse_gift("A?{T}\n\n"
                           "$CATEGORY: sales/discovery\n\n"
                           "B?{T}\n\nC?{F}\n\n"
                           "// a comment before the category\n"
                           "$CATEGORY: $course$/objections\n"
                           "// and one after it\n\n"
                           "D?{T}\n\n"
                           "$CATEGORY:\n\n"
                           "E?{T}\n")
    assert [(q.prompt, q.category) for q in questions] == [
        ("A?", None), ("B?", "sales/discovery"), ("C?", "sales/discovery"),
        ("D?", "$course$/objections"), ("E?", None)]
    assert [q.line for q in questions] == [1, 5, 7, 13, 17]


def test_a_question_in_the_category_block_is_refused():
    with pytest.raises(QuizFormatError) as caught:
        parse_gift("$CATEGORY: sales\n// c\nD?{T}\n", "quiz.gift")
    assert [str(p) for p in caught.value.problems] == [
        "quiz.gift:3: Moodle reads a $CATEGORY: block to its end, so this line would be part of "
        "the category's name; put a blank line after $CATEGORY:"]


@pytest.mark.parametrize("tag", ["markdown", "html", "plain", "moodle"])
def test_format_tags(tag):
    question = one(f"::T:: [{tag}]Say **hello**{{}}")
    assert question == Question(QuestionType.ESSAY, "Say **hello**", title="T", format=tag)


def test_format_defaults_to_moodle():
    assert one("Say hello{}").format == "moodle"


def test_format_tag_of_a_missing_word_question():
    assert one("[html]Grant is {=entombed ~buried} in Grant's tomb.") == Question(
        SINGLE, "Grant is _____ in Grant's tomb.", format="html",
        choices=(Choice("entombed", 1.0), Choice("buried", 0.0)))


def test_weights_negative_and_decimal():
    question = one("Which help?{~%50%a ~%33.33333%b ~%-50%c ~%-100%d ~e ~%0%f}")
    assert question == Question(MULTIPLE, "Which help?", choices=(
        Choice("a", 0.5), Choice("b", 0.3333333), Choice("c", -0.5), Choice("d", -1.0),
        Choice("e", 0.0), Choice("f", 0.0)))


def test_single_choice_wrong_answers_may_carry_weights():
    assert one("Q{=right ~%25%close ~%-100%harmful}").choices == (
        Choice("right", 1.0), Choice("close", 0.25), Choice("harmful", -1.0))


def test_answer_feedback():
    question = one("Q?{=yes#Right, ask first. ~no#Too early.\n~maybe}")
    assert question.choices == (Choice("yes", 1.0, "Right, ask first."),
                                Choice("no", 0.0, "Too early."), Choice("maybe", 0.0))


def test_general_feedback():
    question = one("Q?{\n=yes#fb\n~no\n####Always ask about budget.\n}")
    assert question == Question(SINGLE, "Q?", general_feedback="Always ask about budget.",
                                choices=(Choice("yes", 1.0, "fb"), Choice("no", 0.0)))


@pytest.mark.parametrize("spelling, answer", [("T", True), ("TRUE", True),
                                              ("F", False), ("FALSE", False)])
def test_true_false_spellings_without_feedback(spelling, answer):
    assert one(f"Discovery comes before demo.{{{spelling}}}") == Question(
        QuestionType.TRUE_FALSE, "Discovery comes before demo.", answer=answer)


@pytest.mark.parametrize("spelling", ["T", "TRUE"])
def test_true_answer_feedback_first_is_for_the_wrong_answer(spelling):
    question = one(f"Q.{{{spelling}#shown if wrong#shown if right}}")
    assert (question.answer, question.true_feedback, question.false_feedback) == (
        True, "shown if right", "shown if wrong")


@pytest.mark.parametrize("spelling", ["F", "FALSE"])
def test_false_answer_feedback_first_is_for_the_wrong_answer(spelling):
    question = one(f"Q.{{{spelling}#shown if wrong#shown if right}}")
    assert (question.answer, question.true_feedback, question.false_feedback) == (
        False, "shown if wrong", "shown if right")


def test_true_false_with_only_the_wrong_feedback_and_general_feedback():
    assert one("Q.{TRUE#No, it is true.####Read module 3.}") == Question(
        QuestionType.TRUE_FALSE, "Q.", answer=True, false_feedback="No, it is true.",
        general_feedback="Read module 3.")


def test_short_answers_with_partial_credit_and_wildcards_kept():
    question = one("Capital of Canada?{=Ottawa =%50%Ott* #Close. =%-25%Toronto}")
    assert question == Question(QuestionType.SHORT, "Capital of Canada?", answers=(
        ShortAnswer("Ottawa", 1.0), ShortAnswer("Ott*", 0.5, "Close."),
        ShortAnswer("Toronto", -0.25)))


def test_numeric_value_and_tolerance():
    assert one("Pi?{#3.14:0.005}") == Question(
        QuestionType.NUMERIC, "Pi?", numeric=(NumericAnswer(3.14, 0.005, 1.0),))


def test_numeric_plain_value_has_zero_tolerance_and_may_be_negative():
    assert one("Q{#-2.5}").numeric == (NumericAnswer(-2.5, 0.0, 1.0),)


def test_numeric_range():
    assert one("Between 1 and 5?{#1..5}").numeric == (NumericAnswer(3.0, 2.0, 1.0),)


def test_numeric_several_answers_with_weights_and_feedback():
    question = one("When was Grant born?{#\n=1822:0 #Exactly.\n=%50%1822:2 #Close.\n"
                   "####He was born in 1822.}")
    assert question == Question(
        QuestionType.NUMERIC, "When was Grant born?", general_feedback="He was born in 1822.",
        numeric=(NumericAnswer(1822.0, 0.0, 1.0, "Exactly."),
                 NumericAnswer(1822.0, 2.0, 0.5, "Close.")))


def test_matching_with_a_distractor():
    question = one("Match the stage to its goal.{\n=Discovery -> Understand pain\n"
                   "=Demo->Show value\n= -> Close the quarter\n}")
    assert question == Question(QuestionType.MATCHING, "Match the stage to its goal.", pairs=(
        MatchPair("Discovery", "Understand pain"), MatchPair("Demo", "Show value"),
        MatchPair("", "Close the quarter")))


def test_essay():
    assert one("::Reflect:: Describe your last discovery call.{}") == Question(
        QuestionType.ESSAY, "Describe your last discovery call.", title="Reflect")


def test_essay_with_general_feedback():
    assert one("Describe it.{####Mention pain, impact and budget.}") == Question(
        QuestionType.ESSAY, "Describe it.", general_feedback="Mention pain, impact and budget.")


def test_description():
    assert one("::Intro:: The next questions are about pricing.") == Question(
        QuestionType.DESCRIPTION, "The next questions are about pricing.", title="Intro")


def test_missing_word_form():
    assert one("Grant is {~buried =entombed ~living} in Grant's tomb.") == Question(
        SINGLE, "Grant is _____ in Grant's tomb.",
        choices=(Choice("buried", 0.0), Choice("entombed", 1.0), Choice("living", 0.0)))


def test_missing_word_blank_replaces_the_block_exactly():
    assert one("{=Ottawa}   is the capital.").prompt == "_____   is the capital."
    assert one("The capital is {=Ottawa}.").prompt == "The capital is _____."
    assert one("The capital is{=Ottawa}, I think.").prompt == "The capital is_____, I think."


@pytest.mark.parametrize("escaped, literal", [
    ("\\~", "~"), ("\\=", "="), ("\\#", "#"), ("\\{", "{"), ("\\}", "}"), ("\\:", ":"),
    ("\\\\", "\\"), ("\\n", "\n")])
def test_every_escape_in_prompt_title_answer_and_feedback(escaped, literal):
    question = one(f"::a{escaped}b:: x{escaped}y{{=c{escaped}d#e{escaped}f ~g}}")
    assert question == Question(SINGLE, f"x{literal}y", title=f"a{literal}b",
                                choices=(Choice(f"c{literal}d", 1.0, f"e{literal}f"),
                                         Choice("g", 0.0)))


def test_escaped_characters_never_act_as_syntax():
    assert one("a\\{b\\}c") == Question(QuestionType.DESCRIPTION, "a{b}c")
    assert one("Q{=a\\~b}") == Question(QuestionType.SHORT, "Q", answers=(ShortAnswer("a~b", 1.0),))
    assert one("Q{~%50%a\\=b ~%50%c}").type is MULTIPLE
    assert one("Q{=a\\#b ~c}").choices == (Choice("a#b", 1.0), Choice("c", 0.0))
    assert one("Q{=a \\#\\#\\#\\# b ~c}").choices == (Choice("a #### b", 1.0),
                                                      Choice("c", 0.0))
    assert one("Q{\\=a -> b}").answers == (ShortAnswer("=a -> b", 1.0),)


def test_backslash_before_other_characters_is_kept():
    assert one("C:\\temp and \\d+ and \\\\n").prompt == "C:\\temp and \\d+ and \\n"


def test_blank_lines_separate_questions():
    questions = parse_gift("A?{T}\n\n\n   \n\t\nB?{F}\n\nC?{T}")
    assert [(q.prompt, q.answer, q.line) for q in questions] == [
        ("A?", True, 1), ("B?", False, 6), ("C?", True, 8)]


def test_multi_line_question_text_keeps_line_breaks_but_not_indentation():
    question = one("::Scenario::\nThe buyer says: \"too expensive\".\n  What next?\t\n"
                   "{=Ask why ~Discount}")
    assert question.prompt == "The buyer says: \"too expensive\".\nWhat next?"
    assert question.title == "Scenario" and question.line == 1


def test_windows_line_endings():
    questions = parse_gift("::A::First?\r\n{=yes ~no}\r\n\r\n// c\r\nSecond?\r\nline two{T}\r\n")
    assert [(q.title, q.prompt, q.line) for q in questions] == [
        ("A", "First?", 1), (None, "Second?\nline two", 5)]


def test_byte_order_mark():
    assert one("\ufeff::A::First?{T}") == Question(QuestionType.TRUE_FALSE, "First?", title="A",
                                                   answer=True)


@pytest.mark.parametrize("block, kind", [
    ("{=a ~b}", SINGLE),
    ("{~%50%a ~%50%b ~%-100%c}", MULTIPLE),
    ("{=a -> b =c -> d}", QuestionType.MATCHING),
    ("{T}", QuestionType.TRUE_FALSE),
    ("{T#wrong}", QuestionType.TRUE_FALSE),
    ("{=T}", QuestionType.SHORT),              # = makes it an answer text, not a T/F key
    ("{true}", QuestionType.SHORT),            # T/F spellings are upper case
    ("{Paris}", QuestionType.SHORT),           # Moodle accepts an unmarked short answer
    ("{#5}", QuestionType.NUMERIC),
    ("{#=5:1 =%50%5:2}", QuestionType.NUMERIC),
    ("{=a -> b ~c}", SINGLE),                  # ~ wins over ->
    ("{}", QuestionType.ESSAY),
    ("{ \n }", QuestionType.ESSAY),
    ("{####only general feedback}", QuestionType.ESSAY),
])
def test_type_detection_follows_moodle_order(block, kind):
    assert one(f"Q {block}").type is kind


def test_moodle_order_edge_cases_give_exact_answers():
    assert one("Q{=T}").answers == (ShortAnswer("T", 1.0),)
    assert one("Q{Paris =%50%Lutetia}").answers == (ShortAnswer("Paris", 1.0),
                                                    ShortAnswer("Lutetia", 0.5))
    assert one("Q{Grant ~Jefferson =no one}").choices == (
        Choice("Grant", 0.0), Choice("Jefferson", 0.0), Choice("no one", 1.0))
    assert one("Q{=a -> b ~c}").choices == (Choice("a -> b", 1.0), Choice("c", 0.0))


def test_question_lines_point_at_the_first_non_comment_line():
    questions = parse_gift("\n\n// c\n// c\n\nQ1{T}\n\n\n// c\n::t::\nQ2\n{F}\n")
    assert [q.line for q in questions] == [6, 10]


def test_empty_text_gives_no_questions():
    assert parse_gift("") == []
    assert parse_gift("// nothing\n\n$CATEGORY: x\n") == []


@pytest.mark.parametrize("text, error", [
    ("Q{=a ~b", "quiz.gift:1: unclosed {: no } before the next blank line"),
    ("Q\n\n{=a ~b}", "quiz.gift:3: the question has no text (Moodle would import it empty)"),
    ("Q =a ~b}", "quiz.gift:1: stray } without an opening {"),
    ("Q\n} {=a ~b}", "quiz.gift:2: stray } without an opening {"),
    ("Q{=a ~b}}", "quiz.gift:1: stray } without an opening {"),
    ("Q{=a {~b}", "quiz.gift:1: { inside an answer block (Moodle would read it as answer "
                  "text); write \\{ for a brace"),
    ("Q{=a ~b} and {=c ~d}", "quiz.gift:1: text after the answer block contains another {; "
                             "one {…} per question (write \\{ for a brace)"),
    ("[latex]Q{}", "quiz.gift:1: [latex] is not a format tag (Moodle would show it as text); "
                   "use [html], [markdown], [moodle] or [plain], or to start the text with it "
                   "write [moodle][latex]"),
    ("::t::\n[HTML]Q{}", "quiz.gift:2: [HTML] is not a format tag (Moodle would show it as "
                         "text); use [html], [markdown], [moodle] or [plain], or to start the "
                         "text with it write [moodle][HTML]"),
    ("::title Q{}", "quiz.gift:1: the title has no closing :: (Moodle would drop the opening :: "
                    "and read the title as question text); write ::Title:: or \\: for a colon"),
    ("Q{=a =b ~c}", f"quiz.gift:1: {TWO_RIGHT}"),
    ("Q{=a ~%100%b}", f"quiz.gift:1: {TWO_RIGHT}"),
    ("Q{~a ~b}", f"quiz.gift:1: {NO_SCORE}"),
    ("Q{~%-50%a ~%0%b}", f"quiz.gift:1: {NO_SCORE}"),
    ("Q{~only}", "quiz.gift:1: a choice question needs at least two answers, found 1"),
    ("Q{\n=a\n~%fifty%b}", "quiz.gift:3: bad weight in '%fifty%b' (Moodle would show it as the "
                           "answer's text): write a percentage such as %50% or %-33.33333%"),
    ("Q{=a ~%50 b}", "quiz.gift:1: bad weight in '%50 b' (Moodle would show it as the answer's "
                     "text): write a percentage such as %50% or %-33.33333%"),
    ("Q{=a ~%.5%b}", "quiz.gift:1: bad weight in '%.5%b' (Moodle would show it as the answer's "
                     "text): write a percentage such as %50% or %-33.33333%"),
    ("Q{=a ~%150%b}", f"quiz.gift:1: weight %150% is not a grade Moodle accepts: use {GRADES}"),
    ("Q{=a ~%-100.5%b}", "quiz.gift:1: bad weight in '%-100.5%b' (Moodle would show it as the "
                         "answer's text): write a percentage such as %50% or %-33.33333%"),
    ("Q{=a ~%35%b}", f"quiz.gift:1: weight %35% is not a grade Moodle accepts: use {GRADES}"),
    ("Q{=%50%a ~b}", "quiz.gift:1: an = answer is always full credit (Moodle would show '%50%a' "
                     "as its text); write ~%50%a for partial credit"),
    ("Q{=a ~}", f"quiz.gift:1: {EMPTY}"),
    ("Q{=a ~#feedback only}", f"quiz.gift:1: {EMPTY}"),
    ("Q{=%0%a =%-50%b}", "quiz.gift:1: no answer earns credit; give one a positive weight"),
    ("Q{=ok =}", f"quiz.gift:1: {EMPTY}"),
    ("Q{#abc}", "quiz.gift:1: bad number 'abc' in a numeric answer"),
    ("Q{#3:x}", "quiz.gift:1: bad number 'x' in a numeric answer"),
    ("Q{#3\\:5}", "quiz.gift:1: bad number '3:5' in a numeric answer"),
    ("Q{#1..z}", "quiz.gift:1: bad number 'z' in a numeric answer"),
    ("Q{#5..1}", "quiz.gift:1: the range 5..1 runs from high to low"),
    ("Q{#3:-1}", "quiz.gift:1: the tolerance in 3:-1 is negative"),
    ("Q{#inf}", "quiz.gift:1: bad number 'inf' in a numeric answer"),
    ("Q{#1e999}", "quiz.gift:1: bad number '1e999' in a numeric answer"),
    ("Q{#}", "quiz.gift:1: the numeric question has no answer; write e.g. {#3:0.5}"),
    ("Q{#=%0%3}", "quiz.gift:1: no answer earns credit; give one a positive weight"),
    ("Q\n0\nmore{T}", "quiz.gift:2: a line holding only 0 is a blank line to Moodle, which "
                     "ends the question here; write the 0 on a line with other text"),
    ("Q{=a -> b}", "quiz.gift:1: matching needs at least two pairs with a left side "
                   "(=left -> right), found 1"),
    ("Q{=a -> b = -> c = -> d}", "quiz.gift:1: matching needs at least two pairs with a left "
                                 "side (=left -> right), found 1"),
    ("Q{\n=a -> b\n=c\n=d -> e}", "quiz.gift:3: matching entry 'c' has no ->; "
                                  "write =left -> right"),
    ("Q{=a -> b =c -> }", "quiz.gift:1: a matching pair needs a right side after ->"),
    ("::t::", "quiz.gift:1: the question has no text (Moodle would import it empty)"),
    ("::t::{}", "quiz.gift:1: the question has no text (Moodle would import it empty)"),
])
def test_malformed_questions(text, error):
    with pytest.raises(QuizFormatError) as caught:
        parse_gift(text, "quiz.gift")
    assert [str(p) for p in caught.value.problems] == [error]


def test_a_blank_line_inside_an_answer_block_splits_the_question():
    with pytest.raises(QuizFormatError) as caught:
        parse_gift("Q\nmore{=a\n\n~b}", "quiz.gift")
    assert [str(p) for p in caught.value.problems] == [
        "quiz.gift:2: unclosed {: no } before the next blank line",
        "quiz.gift:4: stray } without an opening {"]


def test_every_problem_is_reported_and_nothing_is_returned():
    text = ("Good?{T}\n\n"
            "Q{=a ~%x%b ~%200%c ~}\n\n"
            "Fine{=a ~b}\n\n"
            "Broken {\n\n"
            "// comment\n"
            "Q{#abc:def}\n")
    with pytest.raises(QuizFormatError) as caught:
        parse_gift(text, "quiz.gift")
    assert [str(p) for p in caught.value.problems] == [
        "quiz.gift:3: bad weight in '%x%b' (Moodle would show it as the answer's text): write a "
        "percentage such as %50% or %-33.33333%",
        f"quiz.gift:3: {EMPTY}",
        f"quiz.gift:3: weight %200% is not a grade Moodle accepts: use {GRADES}",
        "quiz.gift:7: unclosed {: no } before the next blank line",
        "quiz.gift:10: bad number 'abc' in a numeric answer",
        "quiz.gift:10: bad number 'def' in a numeric answer",
    ]
    assert str(caught.value).splitlines()[0].startswith("quiz.gift:3: bad weight in '%x%b'")


pieces = st.sampled_from([*"~=#{}:\\\n%->.TF )[]/", "TRUE", "####", "::", "{#", "//", "\n\n",
                          "..", "[html]", "[xyz]", "%50%", "$CATEGORY: c\n", "\r\n", "a", "1"])


@settings(max_examples=300, deadline=None)
@given(st.lists(pieces, max_size=30).map("".join))
def test_any_text_parses_or_reports_problems_within_the_file(text):
    last_line = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    try:
        questions = parse_gift(text, "fuzz.gift")
    except QuizFormatError as exc:
        assert exc.problems
        assert all(1 <= p.line <= last_line for p in exc.problems)
    else:
        assert all(q.prompt and 1 <= q.line <= last_line for q in questions)
