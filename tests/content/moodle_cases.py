"""Moodle's readings of GIFT and Aiken, case by case, and how many of them cev_learn shares.

Each case is a small text and what Moodle makes of it, written from Moodle's importers
(question/format/gift/format.php, question/format/aiken/format.php, and the line handling of
question/format.php they share), their unit tests, fixtures and examples.txt; `mirrors` names
the test, fixture or rule it follows. The expected outcome is one of:

- a list of questions: Moodle imports exactly these (in cev_learn's terms);
- Rejected: Moodle reports an error for it too, and cev_learn names the problem and its line;
- Refused: Moodle imports it (`moodle` says as what), cev_learn deliberately refuses it with a
  message that says why and what to write instead;
- Partial: with "Stop on error" off Moodle keeps these questions and reports the others, as
  cev_learn does with skip_invalid.

`python -m tests.content.moodle_cases` prints the counts quoted in the README;
tests/content/test_moodle_formats.py checks every case and that the README says the same.
"""
from dataclasses import dataclass

from cev_learn.content.questions import (Choice, MatchPair, NumericAnswer, Question,
                                         QuestionType, ShortAnswer)
from cev_learn.content.quiz_formats.aiken import read_aiken
from cev_learn.content.quiz_formats.gift import read_gift

SINGLE, MULTIPLE = QuestionType.SINGLE, QuestionType.MULTIPLE
SHORT, NUMERIC = QuestionType.SHORT, QuestionType.NUMERIC
MATCHING, TRUE_FALSE = QuestionType.MATCHING, QuestionType.TRUE_FALSE
ESSAY, DESCRIPTION = QuestionType.ESSAY, QuestionType.DESCRIPTION
GIFT_TEST = "question/format/gift/tests/giftformat_test.php"
GIFT_FIXTURE = "question/format/gift/tests/fixtures/questions.gift.txt"
GIFT_CATEGORY_FIXTURE = "question/format/gift/tests/fixtures/questions_in_category.gift.txt"
EXAMPLES = "question/format/gift/examples.txt"
GIFT_GRAMMAR = "question/format/gift/format.php"
LINES = "question/format.php readquestions (every line trimmed, blank lines separate)"
AIKEN_TEST = "question/format/aiken/tests/aikenformat_test.php test_readquestions"
AIKEN_ERRORS = "question/format/aiken/tests/fixtures/aiken_errors.txt"
AIKEN_FIXTURE = "question/format/aiken/tests/fixtures/questions.aiken.txt"
AIKEN_EXPORT = "question/format/aiken/tests/qformat_aiken_export_test.php"
AIKEN_GRAMMAR = "question/format/aiken/format.php readquestions"


@dataclass(frozen=True)
class Rejected:
    """Moodle reports an error too; cev_learn's problem is at `line` and starts `message`."""
    line: int
    message: str


@dataclass(frozen=True)
class Refused:
    """Moodle imports it as `moodle` says; cev_learn refuses it at `line` with `message`."""
    line: int
    message: str
    moodle: str


@dataclass(frozen=True)
class Partial:
    """Moodle with "Stop on error" off keeps `questions` and reports errors at `lines`."""
    questions: list[Question]
    lines: list[int]


@dataclass(frozen=True)
class Case:
    name: str
    mirrors: str
    text: str
    expected: list[Question] | Rejected | Refused | Partial


def c(text: str, weight: float = 0.0, feedback: str | None = None, fmt: str | None = None,
      feedback_format: str | None = None) -> Choice:
    return Choice(text, weight, feedback, fmt, feedback_format)


def q(kind: QuestionType, prompt: str, **fields) -> Question:
    return Question(kind, prompt, **fields)


def aiken(prompt: str, right: int, *options: str) -> Question:
    return q(SINGLE, prompt, format="plain",
             choices=tuple(c(text, float(i == right)) for i, text in enumerate(options)))


GRANT = "Who's buried in Grant's tomb?"
GRANT_TOMB = "Grant is buried in Grant's tomb."
COLOURS = "What's between orange and green in the spectrum?"
ACTIVITIES = ("An activity supporting asynchronous discussions.",
              "A teacher asks a question and specifies a choice of multiple responses.",
              "A bank of record entries which participants can add to.",
              "A collection of web pages that anyone can add to or edit.")
ANIMALS = (ShortAnswer("Frog", 1.0, "Good!"),
           ShortAnswer("Cat", 0.5, "What is it with Moodlers and cats?"),
           ShortAnswer("*", 0.0, "Completely wrong"))
HOMETOWN_SHORT = (ShortAnswer("Nazareth", 1.0, "Yes! That's right!"),
                  ShortAnswer("Nazereth", 0.75, "Right, but misspelled."),
                  ShortAnswer("Bethlehem", 0.25, "He was born here, but not raised here."))
PI_LOW, PI_HIGH = 3.141, 3.142
BACKSLASH_FEEDBACK = ("Correct! \\ (backslash) is not a control character. BUT,\n"
                      "it is used to escape the control characters. So, to specify\n"
                      "a literal backslash, you must escape it with a backslash\n"
                      "(as shown in this example).")

GIFT_CASES = [
    # --- Moodle's unit tests: question/format/gift/tests/giftformat_test.php ---
    Case("essay", f"{GIFT_TEST} test_import_essay",
         "\n// essay\n::Q8:: How are you? {}",
         [q(ESSAY, "How are you?", title="Q8")]),
    Case("essay as Moodle exports it", f"{GIFT_TEST} test_export_essay",
         "// question: 666  name: Q8\n::Q8::How are you?{}\n\n",
         [q(ESSAY, "How are you?", title="Q8")]),
    Case("matching with a format tag on each left side", f"{GIFT_TEST} test_import_match",
         "\n// question: 2  name: Moodle activities\n"
         "::Moodle activities::[html]Match the <b>activity</b> to the description.{\n"
         f"    =[html]{ACTIVITIES[0]} -> Forum\n    =[moodle]{ACTIVITIES[1]} -> Choice\n"
         f"    =[plain]{ACTIVITIES[2]} -> Database\n    =[markdown]{ACTIVITIES[3]} -> Wiki\n"
         "    = -> Chat\n}",
         [q(MATCHING, "Match the <b>activity</b> to the description.", title="Moodle activities",
            format="html", pairs=(MatchPair(ACTIVITIES[0], "Forum"),
                                  MatchPair(ACTIVITIES[1], "Choice", "moodle"),
                                  MatchPair(ACTIVITIES[2], "Database", "plain"),
                                  MatchPair(ACTIVITIES[3], "Wiki", "markdown"),
                                  MatchPair("", "Chat")))]),
    Case("matching as Moodle exports it", f"{GIFT_TEST} test_export_match",
         "// question: 666  name: Moodle activities\n"
         "::Moodle activities::[html]Match the <b>activity</b> to the description.{\n"
         f"\t=<div class\\=\"frog\">{ACTIVITIES[0]}</div> -> Forum\n"
         f"\t=[moodle]{ACTIVITIES[1]} -> Choice\n\t=[plain]{ACTIVITIES[2]} -> Database\n"
         f"\t=[markdown]{ACTIVITIES[3]} -> Wiki\n\t= -> Chat\n}}\n\n",
         [q(MATCHING, "Match the <b>activity</b> to the description.", title="Moodle activities",
            format="html", pairs=(MatchPair(f'<div class="frog">{ACTIVITIES[0]}</div>', "Forum"),
                                  MatchPair(ACTIVITIES[1], "Choice", "moodle"),
                                  MatchPair(ACTIVITIES[2], "Database", "plain"),
                                  MatchPair(ACTIVITIES[3], "Wiki", "markdown"),
                                  MatchPair("", "Chat")))]),
    Case("multichoice with format tags on an answer and a feedback",
         f"{GIFT_TEST} test_import_multichoice",
         f"\n// multiple choice with specified feedback for right and wrong answers\n"
         f"::Q2:: {COLOURS}\n{{\n    =yellow # right; good!\n"
         "    ~red # [html]wrong, it's yellow\n    ~[plain]blue # wrong, it's yellow\n}",
         [q(SINGLE, COLOURS, title="Q2", choices=(
             c("yellow", 1.0, "right; good!"), c("red", 0.0, "wrong, it's yellow", None, "html"),
             c("blue", 0.0, "wrong, it's yellow", "plain")))]),
    Case("multiple response with format tags", f"{GIFT_TEST} test_import_multichoice_multi",
         f"\n::colours:: {COLOURS}\n{{\n    ~%50%yellow # right; good!\n"
         "    ~%-100%red # [html]wrong\n    ~%50%off-beige # right; good!\n"
         "    ~%-100%[plain]blue # wrong\n}",
         [q(MULTIPLE, COLOURS, title="colours", choices=(
             c("yellow", 0.5, "right; good!"), c("red", -1.0, "wrong", None, "html"),
             c("off-beige", 0.5, "right; good!"), c("blue", -1.0, "wrong", "plain")))]),
    Case("multiple response with a 100% answer",
         f"{GIFT_TEST} test_import_multichoice_multi_tricky",
         f"\n::colours:: {COLOURS}\n{{\n    ~%100%yellow # right; good!\n"
         "    ~%-50%red # wrong\n    ~%-50%blue # wrong\n}",
         [q(MULTIPLE, COLOURS, title="colours", choices=(
             c("yellow", 1.0, "right; good!"), c("red", -0.5, "wrong"),
             c("blue", -0.5, "wrong")))]),
    Case("multichoice as Moodle exports it", f"{GIFT_TEST} test_export_multichoice",
         f"// question: 666  name: Q8\n::Q8::{COLOURS}{{\n\t=yellow#right; good!\n"
         "\t~red#[html]wrong, it's yellow\n\t~[plain]blue#wrong, it's yellow\n}\n\n",
         [q(SINGLE, COLOURS, title="Q8", choices=(
             c("yellow", 1.0, "right; good!"), c("red", 0.0, "wrong, it's yellow", None, "html"),
             c("blue", 0.0, "wrong, it's yellow", "plain")))]),
    Case("multiple response as Moodle exports it",
         f"{GIFT_TEST} test_export_multichoice_multi_tricky",
         f"// question: 666  name: Q8\n::Q8::{COLOURS}{{\n\t~%100%yellow#right; good!\n"
         "\t~%-50%red#wrong, it's yellow\n\t~%-50%blue#wrong, it's yellow\n}\n\n",
         [q(MULTIPLE, COLOURS, title="Q8", choices=(
             c("yellow", 1.0, "right; good!"), c("red", -0.5, "wrong, it's yellow"),
             c("blue", -0.5, "wrong, it's yellow")))]),
    Case("numeric with feedback for any other answer", f"{GIFT_TEST} test_import_numerical",
         "\n// math range question\n::Q5:: What is a number from 1 to 5? {#3:2~#Completely wrong}",
         [q(NUMERIC, "What is a number from 1 to 5?", title="Q5",
            numeric=(NumericAnswer(3.0, 2.0, 1.0),), other_feedback="Completely wrong")]),
    Case("numeric as Moodle exports it (=%100%…, ~#…)", f"{GIFT_TEST} test_export_numerical",
         "// question: 666  name: Q5\n::Q5::What is a number from 1 to 5?{#\n\t=%100%3:2#\n"
         "\t~#Completely wrong\n}\n\n",
         [q(NUMERIC, "What is a number from 1 to 5?", title="Q5",
            numeric=(NumericAnswer(3.0, 2.0, 1.0),), other_feedback="Completely wrong")]),
    Case("short answer with a wildcard at 0%", f"{GIFT_TEST} test_import_shortanswer",
         "\n// question: 666  name: Shortanswer\n::Shortanswer::Which is the best animal?{\n"
         "    =Frog#Good!\n    =%50%Cat#What is it with Moodlers and cats?\n"
         "    =%0%*#Completely wrong\n}",
         [q(SHORT, "Which is the best animal?", title="Shortanswer", answers=ANIMALS)]),
    Case("general feedback with a format tag",
         f"{GIFT_TEST} test_import_shortanswer_with_general_feedback",
         "::Shortanswer::Which is the best animal?{\n    =Frog#Good!\n"
         "    =%50%Cat#What is it with Moodlers and cats?\n    =%0%*#Completely wrong\n"
         "    ####[html]Here is some general feedback!\n}",
         [q(SHORT, "Which is the best animal?", title="Shortanswer", answers=ANIMALS,
            general_feedback="Here is some general feedback!", general_feedback_format="html")]),
    Case("short answer as Moodle exports it", f"{GIFT_TEST} test_export_shortanswer",
         "// question: 666  name: Shortanswer\n::Shortanswer::Which is the best animal?{\n"
         "\t=%100%Frog#Good!\n\t=%50%Cat#What is it with Moodlers and cats?\n"
         "\t=%0%*#Completely wrong\n}\n\n",
         [q(SHORT, "Which is the best animal?", title="Shortanswer", answers=ANIMALS)]),
    Case("general feedback as Moodle exports it",
         f"{GIFT_TEST} test_export_shortanswer_with_general_feedback",
         "::Shortanswer::Which is the best animal?{\n\t=%100%Frog#Good!\n"
         "\t=%50%Cat#What is it with Moodlers and cats?\n\t=%0%*#Completely wrong\n"
         "\t####[html]Here is some general feedback!\n}\n\n",
         [q(SHORT, "Which is the best animal?", title="Shortanswer", answers=ANIMALS,
            general_feedback="Here is some general feedback!", general_feedback_format="html")]),
    Case("true/false: the first feedback is for the wrong answer",
         f"{GIFT_TEST} test_import_truefalse",
         "\n// true/false\n::Q1:: 42 is the Absolute Answer to everything.{\n"
         "FALSE#42 is the Ultimate Answer.#You gave the right answer.}",
         [q(TRUE_FALSE, "42 is the Absolute Answer to everything.", title="Q1", answer=False,
            true_feedback="42 is the Ultimate Answer.",
            false_feedback="You gave the right answer.")]),
    Case("true/false written T", f"{GIFT_TEST} test_import_truefalse_true_answer1",
         "// name 0-11\n::2-08 TSL::TSL is blablabla.{T}",
         [q(TRUE_FALSE, "TSL is blablabla.", title="2-08 TSL", answer=True)]),
    Case("true/false written TRUE", f"{GIFT_TEST} test_import_truefalse_true_answer2",
         "// name 0-11\n::2-08 TSL::TSL is blablabla.{TRUE}",
         [q(TRUE_FALSE, "TSL is blablabla.", title="2-08 TSL", answer=True)]),
    Case("true/false as Moodle exports it, a feedback tagged", f"{GIFT_TEST} test_export_truefalse",
         "// question: 666  name: Q1\n::Q1::42 is the Absolute Answer to everything."
         "{TRUE#[html]42 is the Ultimate Answer.#You gave the right answer.}\n\n",
         [q(TRUE_FALSE, "42 is the Absolute Answer to everything.", title="Q1", answer=True,
            true_feedback="You gave the right answer.",
            false_feedback="42 is the Ultimate Answer.", false_feedback_format="html")]),
    Case("backslashes as Moodle exports them", f"{GIFT_TEST} test_export_backslash",
         "// question: 666  name: backslash\n::backslash::A \\\\ B \\\\\\\\ C{}\n\n",
         [q(ESSAY, "A \\ B \\\\ C", title="backslash")]),
    Case("escaped backslashes", f"{GIFT_TEST} test_import_backslash",
         "\n// essay\n::double backslash:: A \\\\ B \\\\\\\\ C{}",
         [q(ESSAY, "A \\ B \\\\ C", title="double backslash")]),
    Case("html with escaped braces; indentation trimmed as in a file import",
         f"{GIFT_TEST} test_import_pre_content; {LINES}",
         "\n::Q001::[html]<p>What would running the test method print?</p>\n<pre>\n"
         "    public void test() \\{\n        method1();\n        method2();\n"
         "        method3();\n    \\}\n</pre>\n{}",
         [q(ESSAY, "<p>What would running the test method print?</p>\n<pre>\n"
            "public void test() {\nmethod1();\nmethod2();\nmethod3();\n}\n</pre>",
            title="Q001", format="html")]),
    Case("tags and idnumber in comments (question-bank metadata cev_learn does not keep)",
         f"{GIFT_TEST} test_import_question_with_tags",
         "\n// This question is to test importing tags: [tag:tag] [tag:other-tag].\n"
         "// And an idnumber: [id:myid].\n::Question name:: How are you? {}",
         [q(ESSAY, "How are you?", title="Question name")]),
    Case("html question with tagged general feedback as Moodle exports it",
         f"{GIFT_TEST} test_export_question_with_tags_and_idnumber",
         "// question: 1  name: True/false question\n// [id:myid] [tag:tag1] [tag:tag2]\n"
         "::True/false question::[html]The answer is true.{TRUE#This is the wrong answer."
         "#This is the right answer.####You should have selected true.}\n\n",
         [q(TRUE_FALSE, "The answer is true.", title="True/false question", format="html",
            answer=True, true_feedback="This is the right answer.",
            false_feedback="This is the wrong answer.",
            general_feedback="You should have selected true.")]),

    # --- Moodle's fixtures ---
    Case("text after the block (a stray \"; in the fixture) makes a missing-word question",
         GIFT_FIXTURE,
         "// math range question\n::Q5:: What is a number from 1 to 5? {#3:2~#Completely wrong}\";",
         [q(NUMERIC, "What is a number from 1 to 5? _____\";", title="Q5",
            numeric=(NumericAnswer(3.0, 2.0, 1.0),), other_feedback="Completely wrong")]),
    Case("true/false with general feedback, then a stray \";", GIFT_FIXTURE,
         "// true/false, with general feedback\n::Q1:: 42 is the Absolute Answer to everything.{\n"
         "FALSE#42 is the Ultimate Answer.#You gave the right answer.\n"
         "####This is, of course, a Hitchiker's Guide to the Galaxy reference.}\";",
         [q(TRUE_FALSE, "42 is the Absolute Answer to everything._____\";", title="Q1",
            answer=False,
            true_feedback="42 is the Ultimate Answer.",
            false_feedback="You gave the right answer.",
            general_feedback="This is, of course, a Hitchiker's Guide to the Galaxy reference.")]),
    Case("a category block, then questions in it", GIFT_CATEGORY_FIXTURE,
         "// question: 0  name: switch category to $course$/Default for New Features\n"
         "$CATEGORY: $course$/Default for New Features\n\n"
         "// question: 46  name: Moodle user\n"
         "::Moodle user::[html]Anyone who uses Moodle is a ...{\n\t=%100%Moodler#\n}\n",
         [q(SHORT, "Anyone who uses Moodle is a ...", title="Moodle user", format="html",
            category="$course$/Default for New Features",
            answers=(ShortAnswer("Moodler", 1.0),))]),
    Case("html with escaped = and : in attributes", GIFT_CATEGORY_FIXTURE,
         "::Greeting::[html]<a href\\=\"http\\://demo.moodle.net/file.php/5/media/bonjour.mp3\">"
         "Listen to this greeting\\:</a><br /><br />What language is being spoken?{\n"
         "\t~English#Sorry, listen again.\n\t=French#Yes, well done!\n"
         "\t~German#Sorry, listen again.\n\t~Spanish#Sorry, listen again.\n}",
         [q(SINGLE, "<a href=\"http://demo.moodle.net/file.php/5/media/bonjour.mp3\">Listen to "
            "this greeting:</a><br /><br />What language is being spoken?", title="Greeting",
            format="html", choices=(c("English", 0.0, "Sorry, listen again."),
                                    c("French", 1.0, "Yes, well done!"),
                                    c("German", 0.0, "Sorry, listen again."),
                                    c("Spanish", 0.0, "Sorry, listen again.")))]),
    Case("html true/false with escaped style", GIFT_CATEGORY_FIXTURE,
         "::Moodle acronym::[html]Moodle is an acronym for <span style\\=\"font-style\\: "
         "italic;\">Modular Object-Oriented Dynamic Learning Environment</span>.{TRUE}",
         [q(TRUE_FALSE, "Moodle is an acronym for <span style=\"font-style: italic;\">Modular "
            "Object-Oriented Dynamic Learning Environment</span>.", title="Moodle acronym",
            format="html", answer=True)]),
    Case("tab-indented matching in an html question", GIFT_CATEGORY_FIXTURE,
         "::Moodle activities::[html]Match the activity to the description.{\n"
         f"\t={ACTIVITIES[0]} -> Forum\n\t={ACTIVITIES[1]} -> Choice\n\t= -> Chat\n}}",
         [q(MATCHING, "Match the activity to the description.", title="Moodle activities",
            format="html", pairs=(MatchPair(ACTIVITIES[0], "Forum"),
                                  MatchPair(ACTIVITIES[1], "Choice"), MatchPair("", "Chat")))]),

    # --- examples.txt ---
    Case("multiple choice, right answer last", EXAMPLES,
         f"{GRANT}{{~Grant ~Jefferson =no one}}",
         [q(SINGLE, GRANT, choices=(c("Grant"), c("Jefferson"), c("no one", 1.0)))]),
    Case("missing word", EXAMPLES, "Grant is {~buried =entombed ~living} in Grant's tomb.",
         [q(SINGLE, "Grant is _____ in Grant's tomb.",
            choices=(c("buried"), c("entombed", 1.0), c("living")))]),
    Case("true/false FALSE", EXAMPLES, f"{GRANT_TOMB}{{FALSE}}",
         [q(TRUE_FALSE, GRANT_TOMB, answer=False)]),
    Case("short answer", EXAMPLES, f"{GRANT}{{=no one =nobody}}",
         [q(SHORT, GRANT, answers=(ShortAnswer("no one", 1.0), ShortAnswer("nobody", 1.0)))]),
    Case("numeric with tolerance", EXAMPLES, "When was Ulysses S. Grant born?{#1822:1}",
         [q(NUMERIC, "When was Ulysses S. Grant born?",
            numeric=(NumericAnswer(1822.0, 1.0, 1.0),))]),
    Case("missing word with answers on indented lines", EXAMPLES,
         "The American holiday of Thanksgiving is celebrated on the {\n    ~second\n"
         "    ~third\n    =fourth\n} Thursday of November.",
         [q(SINGLE, "The American holiday of Thanksgiving is celebrated on the _____ Thursday "
            "of November.", choices=(c("second"), c("third"), c("fourth", 1.0)))]),
    Case("answers on lines, block closed on the last", EXAMPLES,
         "Japanese characters originally came from what country? {\n    ~India\n    =China\n"
         "    ~Korea\n    ~Egypt}",
         [q(SINGLE, "Japanese characters originally came from what country?",
            choices=(c("India"), c("China", 1.0), c("Korea"), c("Egypt")))]),
    Case("short answer as a missing word", EXAMPLES, "Two plus two equals {=four =4}.",
         [q(SHORT, "Two plus two equals _____.",
            answers=(ShortAnswer("four", 1.0), ShortAnswer("4", 1.0)))]),
    Case("true/false F and T", EXAMPLES,
         f"{GRANT_TOMB}{{F}}\n\nThe sun rises in the east.{{T}}",
         [q(TRUE_FALSE, GRANT_TOMB, answer=False),
          q(TRUE_FALSE, "The sun rises in the east.", answer=True)]),
    Case("matching, closing brace indented", EXAMPLES,
         "Matching Question. {\n    =subquestion1 -> subanswer1\n"
         "    =subquestion2 -> subanswer2\n    =subquestion3 -> subanswer3\n    }",
         [q(MATCHING, "Matching Question.", pairs=(
             MatchPair("subquestion1", "subanswer1"), MatchPair("subquestion2", "subanswer2"),
             MatchPair("subquestion3", "subanswer3")))]),
    Case("matching with padded sides", EXAMPLES,
         "Match the following countries with their corresponding capitals. {\n"
         "    =Canada -> Ottawa\n    =Italy  -> Rome\n    =Japan  -> Tokyo\n"
         "    =India  -> New Delhi\n    }",
         [q(MATCHING, "Match the following countries with their corresponding capitals.",
            pairs=(MatchPair("Canada", "Ottawa"), MatchPair("Italy", "Rome"),
                   MatchPair("Japan", "Tokyo"), MatchPair("India", "New Delhi")))]),
    Case("numeric, exact", EXAMPLES, "When was Ulysses S. Grant born? {#1822}",
         [q(NUMERIC, "When was Ulysses S. Grant born?",
            numeric=(NumericAnswer(1822.0, 0.0, 1.0),))]),
    Case("numeric followed by a full stop reads as a missing word", EXAMPLES,
         "What is the value of pi (to 3 decimal places)? {#3.1415:0.0005}.",
         [q(NUMERIC, "What is the value of pi (to 3 decimal places)? _____.",
            numeric=(NumericAnswer(3.1415, 0.0005, 1.0),))]),
    Case("numeric range", EXAMPLES,
         "What is the value of pi (to 3 decimal places)? {#3.141..3.142}.",
         [q(NUMERIC, "What is the value of pi (to 3 decimal places)? _____.",
            numeric=(NumericAnswer((PI_LOW + PI_HIGH) / 2, PI_HIGH - (PI_LOW + PI_HIGH) / 2,
                                   1.0),))]),
    Case("numeric with several weighted answers", EXAMPLES,
         "When was Ulysses S. Grant born? {#\n    =1822:0\n    =%50%1822:2}",
         [q(NUMERIC, "When was Ulysses S. Grant born?", numeric=(
             NumericAnswer(1822.0, 0.0, 1.0), NumericAnswer(1822.0, 2.0, 0.5)))]),
    Case("a comment line opening the question", EXAMPLES,
         "// Subheading: Numerical questions below\nWhat's 2 plus 2? {#4}",
         [q(NUMERIC, "What's 2 plus 2?", numeric=(NumericAnswer(4.0, 0.0, 1.0),))]),
    Case("title, text over two lines", EXAMPLES,
         "::Kanji Origins::Japanese characters originally\ncame from what country? {=China}",
         [q(SHORT, "Japanese characters originally\ncame from what country?",
            title="Kanji Origins", answers=(ShortAnswer("China", 1.0),))]),
    Case("title and missing word over two lines", EXAMPLES,
         "::Thanksgiving Date::The American holiday of Thanksgiving is\n"
         "celebrated on the {~second ~third =fourth} Thursday of November.",
         [q(SINGLE, "The American holiday of Thanksgiving is\ncelebrated on the _____ Thursday "
            "of November.", title="Thanksgiving Date",
            choices=(c("second"), c("third"), c("fourth", 1.0)))]),
    Case("feedback on every choice", EXAMPLES,
         "What's the answer to this multiple-choice question?{\n"
         "~wrong answer#feedback comment on the wrong answer\n"
         "~another wrong answer#feedback comment on this wrong answer\n=right answer#Very good!}",
         [q(SINGLE, "What's the answer to this multiple-choice question?", choices=(
             c("wrong answer", 0.0, "feedback comment on the wrong answer"),
             c("another wrong answer", 0.0, "feedback comment on this wrong answer"),
             c("right answer", 1.0, "Very good!")))]),
    Case("feedback on short answers", EXAMPLES,
         f"{GRANT}{{\n=no one#excellent answer!\n=nobody#excellent answer!}}",
         [q(SHORT, GRANT, answers=(ShortAnswer("no one", 1.0, "excellent answer!"),
                                   ShortAnswer("nobody", 1.0, "excellent answer!")))]),
    Case("markdown question; its feedback inherits the format", EXAMPLES,
         "// ===Specify text format===\n[markdown]Who's buried in **Grant's tomb**?{\n"
         "=no one#excellent answer!\n=nobody#excellent answer!}",
         [q(SHORT, "Who's buried in **Grant's tomb**?", format="markdown",
            answers=(ShortAnswer("no one", 1.0, "excellent answer!"),
                     ShortAnswer("nobody", 1.0, "excellent answer!")))]),
    Case("true/false with feedback for the wrong answer", EXAMPLES,
         f"{GRANT_TOMB}{{FALSE#No one is buried in Grant's tomb.}}",
         [q(TRUE_FALSE, GRANT_TOMB, answer=False,
            true_feedback="No one is buried in Grant's tomb.")]),
    Case("partial credit beside the right answer", EXAMPLES,
         "Difficult question.{~wrong answer ~%50%half credit answer =full credit answer}",
         [q(SINGLE, "Difficult question.", choices=(
             c("wrong answer"), c("half credit answer", 0.5), c("full credit answer", 1.0)))]),
    Case("weighted missing word with feedback", EXAMPLES,
         "::Jesus' hometown::Jesus Christ was from {\n"
         "    ~Jerusalem#This was an important city, but the wrong answer.\n"
         "    ~%25%Bethlehem#He was born here, but not raised here.\n"
         "    ~%50%Galilee#You need to be more specific.\n    =Nazareth#Yes! That's right!}.",
         [q(SINGLE, "Jesus Christ was from _____.", title="Jesus' hometown", choices=(
             c("Jerusalem", 0.0, "This was an important city, but the wrong answer."),
             c("Bethlehem", 0.25, "He was born here, but not raised here."),
             c("Galilee", 0.5, "You need to be more specific."),
             c("Nazareth", 1.0, "Yes! That's right!")))]),
    Case("weighted short answers", EXAMPLES,
         "::Jesus' hometown:: Jesus Christ was from {\n    =Nazareth#Yes! That's right!\n"
         "    =%75%Nazereth#Right, but misspelled.\n"
         "    =%25%Bethlehem#He was born here, but not raised here.}",
         [q(SHORT, "Jesus Christ was from", title="Jesus' hometown", answers=HOMETOWN_SHORT)]),
    Case("multiple answers", EXAMPLES,
         "What two people are entombed in Grant's tomb? {\n    ~No one\n    ~%50%Grant\n"
         "    ~%50%Grant's wife\n    ~Grant's father }",
         [q(MULTIPLE, "What two people are entombed in Grant's tomb?", choices=(
             c("No one"), c("Grant", 0.5), c("Grant's wife", 0.5), c("Grant's father")))]),
    Case("multiple answers with penalties", EXAMPLES,
         "What two people are entombed in Grant's tomb? {\n    ~%-50%No one\n    ~%50%Grant\n"
         "    ~%50%Grant's wife\n    ~%-50%Grant's father }",
         [q(MULTIPLE, "What two people are entombed in Grant's tomb?", choices=(
             c("No one", -0.5), c("Grant", 0.5), c("Grant's wife", 0.5),
             c("Grant's father", -0.5)))]),
    Case("escaped = in answers", EXAMPLES,
         "// ===Special Characters===\nWhich answer equals 5? {\n     ~ \\= 2 + 2\n"
         "     = \\= 2 + 3\n     ~ \\= 2 + 4  }",
         [q(SINGLE, "Which answer equals 5?", choices=(
             c("= 2 + 2"), c("= 2 + 3", 1.0), c("= 2 + 4")))]),
    Case("every control character escaped, feedback over several lines", EXAMPLES,
         "::GIFT Control Characters::\nWhich of the following is NOT a control character for "
         "the GIFT import format? {\n   ~ \\~     # \\~ is a control character.\n"
         "   ~ \\=     # \\= is a control character.\n   ~ \\#     # \\# is a control character.\n"
         "   ~ \\{     # \\{ is a control character.\n   ~ \\}     # \\} is a control character.\n"
         "   = \\\\     # Correct! \\\\ (backslash) is not a control character. BUT,\n"
         "              it is used to escape the control characters. So, to specify\n"
         "              a literal backslash, you must escape it with a backslash\n"
         "              (as shown in this example).\n}",
         [q(SINGLE, "Which of the following is NOT a control character for the GIFT import "
            "format?", title="GIFT Control Characters", choices=(
                c("~", 0.0, "~ is a control character."), c("=", 0.0, "= is a control character."),
                c("#", 0.0, "# is a control character."), c("{", 0.0, "{ is a control character."),
                c("}", 0.0, "} is a control character."), c("\\", 1.0, BACKSLASH_FEEDBACK)))]),
    Case("matching without spaces around ->, text over two lines", EXAMPLES,
         "Match the following countries with their corresponding\n"
         "capitals.{=Canada->Ottawa =Italy->Rome =Japan->Tokyo}",
         [q(MATCHING, "Match the following countries with their corresponding\ncapitals.",
            pairs=(MatchPair("Canada", "Ottawa"), MatchPair("Italy", "Rome"),
                   MatchPair("Japan", "Tokyo")))]),
    Case("missing word with feedback, block closed on its own line", EXAMPLES,
         "::Grant's Tomb::Grant is {\n      ~buried#No one is buried there.\n"
         "      =entombed#Right answer!\n      ~living#We hope not!\n} in Grant's tomb.",
         [q(SINGLE, "Grant is _____ in Grant's tomb.", title="Grant's Tomb", choices=(
             c("buried", 0.0, "No one is buried there."), c("entombed", 1.0, "Right answer!"),
             c("living", 0.0, "We hope not!")))]),
    Case("feedback after padded answers", EXAMPLES,
         "Difficult multiple choice question.{\n     ~wrong answer           #comment on wrong "
         "answer\n     ~%50%half credit answer #comment on answer\n"
         "     =full credit answer     #well done!}",
         [q(SINGLE, "Difficult multiple choice question.", choices=(
             c("wrong answer", 0.0, "comment on wrong answer"),
             c("half credit answer", 0.5, "comment on answer"),
             c("full credit answer", 1.0, "well done!")))]),
    Case("short answers as a missing word, block closed on its own line", EXAMPLES,
         "::Jesus' hometown (Short answer ex.):: Jesus Christ was from {\n"
         "     =Nazareth#Yes! That's right!\n     =%75%Nazereth#Right, but misspelled.\n"
         "     =%25%Bethlehem#He was born here, but not raised here.\n}.",
         [q(SHORT, "Jesus Christ was from _____.", title="Jesus' hometown (Short answer ex.)",
            answers=HOMETOWN_SHORT)]),
    Case("numeric feedback continued on an indented line", EXAMPLES,
         "//this comment will be ignored by the filter\n::Numerical example::\n"
         "When was Ulysses S. Grant born? {#\n     =1822:0      #Correct! 100% credit\n"
         "     =%50%1822:2  #He was born in 1822.\n"
         "                  You get 50% credit for being close.\n}",
         [q(NUMERIC, "When was Ulysses S. Grant born?", title="Numerical example", numeric=(
             NumericAnswer(1822.0, 0.0, 1.0, "Correct! 100% credit"),
             NumericAnswer(1822.0, 2.0, 0.5,
                           "He was born in 1822.\nYou get 50% credit for being close.")))]),

    # --- the grammar: question/format/gift/format.php and question/format.php ---
    Case("indentation of every line trimmed", LINES, "   Say more\n\t  about it {T}",
         [q(TRUE_FALSE, "Say more\nabout it", answer=True)]),
    Case("a comment line inside the text stays as a line holding a space", LINES,
         "First line\n// a note for authors\nsecond line{T}",
         [q(TRUE_FALSE, "First line\n \nsecond line", answer=True)]),
    Case("byte order mark and Windows line endings", "question/format.php readdata",
         "\ufeff::A::First?\r\n{=yes ~no}\r\n\r\nSecond?{T}\r\n",
         [q(SINGLE, "First?", title="A", choices=(c("yes", 1.0), c("no"))),
          q(TRUE_FALSE, "Second?", answer=True)]),
    Case("old Mac line endings", "question/format.php readdata", "First?{T}\r\rSecond?{F}",
         [q(TRUE_FALSE, "First?", answer=True), q(TRUE_FALSE, "Second?", answer=False)]),
    Case("a line holding only 0 is blank to PHP", LINES, "How many?\n0\n{#0}",
         Refused(2, "a line holding only 0 is a blank line to Moodle",
                 "a description 'How many?', then a question with no text")),
    Case("category without a space", f"{GIFT_GRAMMAR} readquestion ($CATEGORY:)",
         "$CATEGORY:sales/discovery\n\nQ{T}",
         [q(TRUE_FALSE, "Q", answer=True, category="sales/discovery")]),
    Case("a question in the category's block", f"{GIFT_GRAMMAR} readquestion ($CATEGORY:)",
         "$CATEGORY: sales\nQ{T}",
         Refused(2, "Moodle reads a $CATEGORY: block to its end",
                 "the category 'sales\\nQ{T}', and no question")),
    Case("title without its closing ::", f"{GIFT_GRAMMAR} readquestion (question name)",
         "::Opening How do you open a call?{=With an agenda ~With a joke}",
         Refused(1, "the title has no closing ::",
                 "question text 'Opening How do you open a call?'")),
    Case("unknown format tag", f"{GIFT_GRAMMAR} parse_text_with_format",
         "[latex]Q{T}", Refused(1, "[latex] is not a format tag", "the text '[latex]Q'")),
    Case("format tags are lower case", f"{GIFT_GRAMMAR} format_name_to_const",
         "[HTML]<b>Q</b>{T}", Refused(1, "[HTML] is not a format tag", "'[HTML]<b>Q</b>'")),
    Case("a format tag on the question text", f"{GIFT_GRAMMAR} parse_text_with_format",
         "::T:: [markdown]Say **hello**{}",
         [q(ESSAY, "Say **hello**", title="T", format="markdown")]),
    Case("a format tag on a description", f"{GIFT_GRAMMAR} readquestion (description)",
         "[html]<p>The next questions are about pricing.</p>",
         [q(DESCRIPTION, "<p>The next questions are about pricing.</p>", format="html")]),
    Case("general feedback of an essay, tagged", f"{GIFT_GRAMMAR} readquestion (general feedback)",
         "Describe your last call.{####[markdown]Mention *pain* and *budget*.}",
         [q(ESSAY, "Describe your last call.", general_feedback="Mention *pain* and *budget*.",
            general_feedback_format="markdown")]),
    Case("tagged true/false feedback", f"{GIFT_GRAMMAR} split_truefalse_comment",
         "Demos come first.{F#[html]<b>No</b>: discovery first.#[markdown]*Right*.}",
         [q(TRUE_FALSE, "Demos come first.", answer=False,
            true_feedback="<b>No</b>: discovery first.", true_feedback_format="html",
            false_feedback="*Right*.", false_feedback_format="markdown")]),
    Case("a short answer's tag is dropped, its feedback's kept", f"{GIFT_GRAMMAR} commentparser",
         "Capital of France?{=[plain]Paris#[html]<b>Yes</b>}",
         [q(SHORT, "Capital of France?",
            answers=(ShortAnswer("Paris", 1.0, "<b>Yes</b>", "html"),))]),
    Case("tagged numeric feedback for any other answer", f"{GIFT_GRAMMAR} readquestion (numerical)",
         "Days in a sprint?{#14:1#[plain]<exactly>~#[html]<i>Count</i> the days.}",
         [q(NUMERIC, "Days in a sprint?",
            numeric=(NumericAnswer(14.0, 1.0, 1.0, "<exactly>", "plain"),),
            other_feedback="<i>Count</i> the days.", other_feedback_format="html")]),
    Case("~ without feedback in a numeric question", f"{GIFT_GRAMMAR} readquestion (numerical)",
         "Days?{#14 ~}", [q(NUMERIC, "Days?", numeric=(NumericAnswer(14.0, 0.0, 1.0),))]),
    Case("the missing-word blank replaces the block exactly",
         f"{GIFT_GRAMMAR} readquestion (missing word)", "The capital is{=Ottawa}, I think.",
         [q(SHORT, "The capital is_____, I think.", answers=(ShortAnswer("Ottawa", 1.0),))]),
    Case("a block at the start", f"{GIFT_GRAMMAR} readquestion (missing word)",
         "{=Ottawa ~Toronto} is the capital of Canada.",
         [q(SINGLE, "_____ is the capital of Canada.", choices=(c("Ottawa", 1.0), c("Toronto")))]),
    Case("the escape \\n is a new line", f"{GIFT_GRAMMAR} escapedchar_pre",
         "Line one\\nline two{}", [q(ESSAY, "Line one\nline two")]),
    Case("a backslash before other characters stays", f"{GIFT_GRAMMAR} escapedchar_pre",
         "C:\\temp and \\d+{}", [q(ESSAY, "C:\\temp and \\d+")]),
    Case("=T is a short answer, not true/false", f"{GIFT_GRAMMAR} readquestion (type order)",
         "Q{=T}", [q(SHORT, "Q", answers=(ShortAnswer("T", 1.0),))]),
    Case("true/false keys are upper case", f"{GIFT_GRAMMAR} readquestion (type order)",
         "Q{true}", [q(SHORT, "Q", answers=(ShortAnswer("true", 1.0),))]),
    Case("~ makes multiple choice even with ->", f"{GIFT_GRAMMAR} readquestion (type order)",
         "Q{=a -> b ~c}", [q(SINGLE, "Q", choices=(c("a -> b", 1.0), c("c")))]),
    Case("only general feedback is an essay", f"{GIFT_GRAMMAR} readquestion (type order)",
         "Q{####Read module 3.}", [q(ESSAY, "Q", general_feedback="Read module 3.")]),
    Case("missing closing brace", f"{GIFT_GRAMMAR} readquestion (braceerror)",
         "Q{=a ~b", Rejected(1, "unclosed {")),
    Case("closing brace alone", f"{GIFT_GRAMMAR} readquestion (braceerror)",
         "Q =a ~b}", Rejected(1, "stray }")),
    Case("a brace inside the block", f"{GIFT_GRAMMAR} readquestion (first {{ and first }})",
         "Q{=a {~b}", Refused(1, "{ inside an answer block", "answers 'a {' and 'b'")),
    Case("a second block", f"{GIFT_GRAMMAR} readquestion (first {{ and first }})",
         "Q{=a ~b} and {=c ~d}",
         Refused(1, "text after the answer block contains another {",
                 "question text 'Q and {=c ~d}' with answers a and b")),
    Case("two = answers", f"{GIFT_GRAMMAR} readquestion (multichoice single)",
         "Q{=a =b ~c}", Refused(1, "found 2 full-credit answers",
                                "single choice where a and b both earn full credit")),
    Case("no answer earns credit", f"{GIFT_GRAMMAR} readquestion (multichoice)",
         "Q{~a ~b}", Refused(1, "no answer has a positive weight",
                             "multiple response nobody can score in")),
    Case("one answer only", f"{GIFT_GRAMMAR} check_answer_count",
         "Q{~only}", Rejected(1, "a choice question needs at least two answers")),
    Case("a weight on an = answer", f"{GIFT_GRAMMAR} readquestion (= is full credit)",
         "Q{=%50%a ~b}", Refused(1, "an = answer is always full credit",
                                 "a full-credit answer whose text is '%50%a'")),
    Case("a weight Moodle's pattern does not match", f"{GIFT_GRAMMAR} $giftanswerweightregex",
         "Q{=a ~%fifty%b}", Refused(1, "bad weight in '%fifty%b'",
                                    "a wrong answer whose text is '%fifty%b'")),
    Case("a weight not in Moodle's grade list",
         "question/format.php importprocess (match_grade_options, error)",
         "Q{=a ~%35%b}", Rejected(1, "weight %35% is not a grade Moodle accepts")),
    Case("a weight over 100%", "question/format.php importprocess (match_grade_options, error)",
         "Q{=a ~%150%b}", Rejected(1, "weight %150% is not a grade Moodle accepts")),
    Case("a weight Moodle knows", "question/format.php importprocess (match_grade_options)",
         "Q{=a ~%33.33333%b ~%-16.66667%c}",
         [q(SINGLE, "Q", choices=(c("a", 1.0), c("b", 0.3333333), c("c", -0.1666667)))]),
    Case("an empty answer", f"{GIFT_GRAMMAR} readquestion (multichoice)",
         "Q{=a ~}", Refused(1, "empty answer", "an empty option")),
    Case("numeric without an answer", f"{GIFT_GRAMMAR} giftnonumericalanswers",
         "Q{#}", Rejected(1, "the numeric question has no answer")),
    Case("numeric with everything after ~", f"{GIFT_GRAMMAR} giftnonumericalanswers",
         "Q{#~#wrong =3}", Rejected(1, "the numeric question has no answer")),
    Case("a tolerance that is no number", f"{GIFT_GRAMMAR} errornotnumbers",
         "Q{#3:x}", Rejected(1, "bad number 'x'")),
    Case("a value that is no number", f"{GIFT_GRAMMAR} readquestion (numerical)",
         "Q{#abc}", Refused(1, "bad number 'abc'", "the answer 'abc' (its check never fails)")),
    Case("matching with one pair", f"{GIFT_GRAMMAR} check_answer_count",
         "Q{=a -> b}", Rejected(1, "matching needs at least two pairs")),
    Case("matching entry without ->", f"{GIFT_GRAMMAR} giftmatchingformat",
         "Q{\n=a -> b\n=c\n=d -> e}", Rejected(3, "matching entry 'c' has no ->")),
    Case("a question without text", f"{GIFT_GRAMMAR} readquestion",
         "::t::{}", Refused(1, "the question has no text", "an essay with empty text")),
    Case("leading text before the first marker is a wrong answer",
         f"{GIFT_GRAMMAR} readquestion (multichoice)", "Q{Grant ~Jefferson =no one}",
         [q(SINGLE, "Q", choices=(c("Grant"), c("Jefferson"), c("no one", 1.0)))]),
]

AIKEN_CASES = [
    # --- Moodle's unit test and its fixture: aikenformat_test.php, aiken_errors.txt ---
    Case("too few answers", f"{AIKEN_TEST}; {AIKEN_ERRORS}",
         "A question with too few answers\nA) Only answer\nANSWER: A",
         Rejected(1, "a question needs at least two options, found 1")),
    Case("an option before any question", f"{AIKEN_TEST}; {AIKEN_ERRORS}",
         "A) Question not started", Rejected(1, "option A) comes before any question text")),
    Case("an answer before any question", f"{AIKEN_TEST}; {AIKEN_ERRORS}",
         "ANSWER: Question not started",
         Rejected(1, "ANSWER: line without a question before it")),
    Case("a good question", f"{AIKEN_TEST}; {AIKEN_ERRORS}",
         "A good question\nA) Correct\nB) Incorrect\nANSWER: A",
         [aiken("A good question", 0, "Correct", "Incorrect")]),
    Case("a question started but not finished", f"{AIKEN_TEST}; {AIKEN_ERRORS}",
         "A question started but not finished\nA) Correct-ish\nB) Incorrect-ish\n\n"
         "A second good question\nA)Incorrect (No space)\nB)Correct (No space)\nANSWER: B",
         Partial([aiken("A second good question", 1, "Incorrect (No space)",
                        "Correct (No space)")], [1])),
    Case("options without a space after the letter", f"{AIKEN_TEST}; {AIKEN_ERRORS}",
         "A second good question\nA)Incorrect (No space)\nB)Correct (No space)\nANSWER: B",
         [aiken("A second good question", 1, "Incorrect (No space)", "Correct (No space)")]),
    Case("HTML characters are plain text", AIKEN_TEST,
         "A third good question with HTML chars such as > < &\nA) Correct (< > &)\n"
         "B) Incorrect (< > &)\nANSWER: A",
         [aiken("A third good question with HTML chars such as > < &", 0, "Correct (< > &)",
                "Incorrect (< > &)")]),
    Case("the whole error fixture, stop on error off", f"{AIKEN_TEST}; {AIKEN_ERRORS}",
         "A question with too few answers\nA) Only answer\nANSWER: A\n\n"
         "A) Question not started\n\nANSWER: Question not started\n\n"
         "A good question\nA) Correct\nB) Incorrect\nANSWER: A\n\n"
         "A question started but not finished\nA) Correct-ish\nB) Incorrect-ish\n\n"
         "A second good question\nA)Incorrect (No space)\nB)Correct (No space)\nANSWER: B",
         Partial([aiken("A good question", 0, "Correct", "Incorrect"),
                  aiken("A second good question", 1, "Incorrect (No space)",
                        "Correct (No space)")], [1, 5, 7, 14])),
    Case("markup in a question is shown as written", AIKEN_FIXTURE,
         "The Moodle project was started by:\nA) Petr Skoda\nB) Martin Dougiamas\n"
         "C) Eloy Lafuente\nD) Tim Hunt\nANSWER: B\n\n"
         "Moodle's abilities include handling user input that includes <html class=\"cool\"> "
         "& images:\nA) True\nB) False\nANSWER: A\n",
         [aiken("The Moodle project was started by:", 1, "Petr Skoda", "Martin Dougiamas",
                "Eloy Lafuente", "Tim Hunt"),
          aiken("Moodle's abilities include handling user input that includes "
                "<html class=\"cool\"> & images:", 0, "True", "False")]),
    Case("as Moodle exports it", AIKEN_EXPORT,
         "Which is the oddest number?\nA) One\nB) Two\nC) Three\nD) Four\nANSWER: A\n\n",
         [aiken("Which is the oddest number?", 0, "One", "Two", "Three", "Four")]),

    # --- the grammar: question/format/aiken/format.php ---
    Case("options with a dot", AIKEN_GRAMMAR,
         "Who signs?\nA. The champion\nB. The buyer\nANSWER: B",
         [aiken("Who signs?", 1, "The champion", "The buyer")]),
    Case("a tab after the letter", AIKEN_GRAMMAR, "Q?\nA)\tYes\nB)\tNo\nANSWER: A",
         [aiken("Q?", 0, "Yes", "No")]),
    Case("blank lines anywhere", AIKEN_GRAMMAR, "\nQ?\n\nA) a\n\nB) b\n\nANSWER: B\n\n",
         [aiken("Q?", 1, "a", "b")]),
    Case("lines under two characters are skipped", AIKEN_GRAMMAR, "Q?\nA) a\n.\nB) b\nANSWER: A",
         [aiken("Q?", 0, "a", "b")]),
    Case("one question after another without blank lines", AIKEN_GRAMMAR,
         "Q1?\nA) a\nB) b\nANSWER: A\nQ2?\nA) c\nB) d\nANSWER: B",
         [aiken("Q1?", 0, "a", "b"), aiken("Q2?", 1, "c", "d")]),
    Case("indentation and trailing spaces trimmed", AIKEN_GRAMMAR,
         "   Q?  \n  A)  a  \n B) b\n  ANSWER:   B  ", [aiken("Q?", 1, "a", "b")]),
    Case("byte order mark and Windows line endings", AIKEN_GRAMMAR,
         "\ufeffQ?\r\nA) a\r\nB) b\r\nANSWER: A\r\n", [aiken("Q?", 0, "a", "b")]),
    Case("a question over two lines", AIKEN_GRAMMAR,
         "The buyer says:\nWhat next?\nA) Ask why\nB) Discount\nANSWER: A",
         Partial([aiken("What next?", 0, "Ask why", "Discount")], [1])),
    Case("option letters out of order", AIKEN_GRAMMAR, "Q?\nB) a\nC) b\nANSWER: B",
         Refused(2, "option B) is out of order", "b right: it counts positions, not letters")),
    Case("an answer letter in lower case", AIKEN_GRAMMAR, "Q?\nA) a\nB) b\nANSWER: b",
         Refused(4, "ANSWER: 'b' is not one option letter", "a question with no right answer")),
    Case("two answer letters", AIKEN_GRAMMAR, "Q?\nA) a\nB) b\nANSWER: A, B",
         Refused(4, "ANSWER: 'A, B' is not one option letter", "A alone as the right answer")),
    Case("an answer naming no option", AIKEN_GRAMMAR, "Q?\nA) a\nB) b\nANSWER: C",
         Refused(4, "ANSWER: C names no option", "a question with no right answer")),
    Case("an option without text", AIKEN_GRAMMAR, "Q?\nA) a\nB)\nANSWER: A",
         Refused(3, "option B) has no text", "an empty option")),
    Case("an answer line not in capitals", AIKEN_GRAMMAR, "Q?\nA) a\nB) b\nAnswer: A",
         Rejected(1, "the question has no ANSWER: line")),
    Case("a question text that looks like an option", AIKEN_GRAMMAR,
         "A. Lincoln was president?\nA) Yes\nB) No\nANSWER: A",
         Rejected(1, "option A) comes before any question text")),
    Case("a question text of one character is skipped", AIKEN_GRAMMAR, "?\nA) a\nB) b\nANSWER: A",
         Rejected(2, "option A) comes before any question text")),
]


def outcome(case: Case, read) -> str:
    """'agree' or 'refused' (with the reason checked); AssertionError if cev_learn differs."""
    reading = read(case.text, "case")
    expected = case.expected
    if isinstance(expected, list):
        assert [str(p) for p in reading.problems] == [], case.name
        assert reading.questions == expected, case.name
        return "agree"
    if isinstance(expected, Partial):
        assert reading.questions == expected.questions, case.name
        assert sorted({p.line for p in reading.problems}) == expected.lines, case.name
        return "agree"
    found = [(p.line, p.message) for p in reading.problems]
    assert any(line == expected.line and message.startswith(expected.message)
               for line, message in found), (case.name, found)
    return "refused" if isinstance(expected, Refused) else "agree"


def tally(cases: list[Case], read) -> dict[str, int]:
    outcomes = [outcome(case, read) for case in cases]
    return {"tried": len(outcomes), "agree": outcomes.count("agree"),
            "refused": outcomes.count("refused")}


def tallies() -> dict[str, dict[str, int]]:
    return {"GIFT": tally(GIFT_CASES, read_gift), "Aiken": tally(AIKEN_CASES, read_aiken)}


if __name__ == "__main__":
    print("| Format | Cases tried | Read as Moodle reads them | Refused, saying why |")
    print("|---|---|---|---|")
    for name, counts in tallies().items():
        print(f"| {name} | {counts['tried']} | {counts['agree']} | {counts['refused']} |")
