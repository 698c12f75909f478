"""`cev-learn quiz check|export` and the file reading behind them (parse_quiz_file)."""
import json

import pytest

from cev_learn import create_app
from cev_learn.content.questions import Question, QuestionType
from cev_learn.content.quiz_formats.errors import QuizFormatError
from cev_learn.content.quiz_formats.files import MAX_BYTES, parse_quiz_file

GIFT = """\
// Discovery basics
$CATEGORY: sales/discovery

::Opening:: How do you open a call?{=With an agenda#Yes. ~With a joke}

Café talk is small talk.{TRUE}

Which help?{~%50%Budget ~%50%Authority ~%-100%Colour}

Days in a sprint?{#14:1}

Describe your last call.{}
"""


@pytest.fixture
def runner():
    # An unusable database: the commands must never need one.
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite:////nonexistent/dir/cev.db",
                      "REQUEST_LOG": False})
    return app.test_cli_runner()


@pytest.fixture
def invoke(runner):
    return lambda *args: runner.invoke(args=["quiz", "check", *map(str, args)])


@pytest.fixture
def export(runner):
    return lambda *args: runner.invoke(args=["quiz", "export", *map(str, args)])


def test_check_prints_a_summary(invoke, tmp_path):
    path = tmp_path / "basics.gift"
    path.write_text(GIFT, encoding="utf-8")
    result = invoke(path)
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "OK: 5 questions (single 1, multiple 1, true_false 1, numeric 1, essay 1)\n", "")


def test_check_summary_of_one_question(invoke, tmp_path):
    path = tmp_path / "one.quiz.yaml"
    path.write_text("questions:\n- {type: essay, prompt: Why}\n", encoding="utf-8")
    assert invoke(path).stdout == "OK: 1 question (essay 1)\n"


def test_check_json_prints_every_question(invoke, tmp_path):
    path = tmp_path / "basics.gift"
    path.write_text(GIFT, encoding="utf-8")
    result = invoke(path, "--json")
    assert result.exit_code == 0
    common = {"points": 1.0, "format": "moodle", "choices": [], "answers": [], "numeric": [],
              "pairs": [], "answer": None, "true_feedback": None, "false_feedback": None,
              "general_feedback": None, "category": "sales/discovery", "title": None}
    assert json.loads(result.stdout) == [
        {**common, "type": "single", "title": "Opening", "prompt": "How do you open a call?",
         "choices": [{"text": "With an agenda", "weight": 1.0, "feedback": "Yes."},
                     {"text": "With a joke", "weight": 0.0, "feedback": None}]},
        {**common, "type": "true_false", "prompt": "Café talk is small talk.", "answer": True},
        {**common, "type": "multiple", "prompt": "Which help?",
         "choices": [{"text": "Budget", "weight": 0.5, "feedback": None},
                     {"text": "Authority", "weight": 0.5, "feedback": None},
                     {"text": "Colour", "weight": -1.0, "feedback": None}]},
        {**common, "type": "numeric", "prompt": "Days in a sprint?",
         "numeric": [{"value": 14.0, "tolerance": 1.0, "weight": 1.0, "feedback": None}]},
        {**common, "type": "essay", "prompt": "Describe your last call."},
    ]
    assert result.stdout.startswith('[\n  {\n    "title": "Opening",\n    "type": "single",')
    assert "Café" in result.stdout  # ensure_ascii=False


def test_check_lists_every_problem_and_exits_1(invoke, tmp_path):
    path = tmp_path / "bad.gift"
    path.write_text("Q{=a ~b\n\nGood?{T}\n\nQ{~a ~b}\n", encoding="utf-8")
    result = invoke(path)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"{path}:1: unclosed {{: no }} before the next blank line\n"
        f"{path}:5: no answer has a positive weight, so no one could score (Moodle imports "
        "it anyway); mark the right answer with = or give weights such as ~%50%\n"
        "Error: 2 problems found\n")


def test_check_with_json_still_reports_problems_on_stderr(invoke, tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("Q?\nA) a\nB) b\nANSWER: C\n", encoding="utf-8")
    result = invoke(path, "--json")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"{path}:4: ANSWER: C names no option (Moodle would import the "
                             "question with no right answer); the options are A to B\n"
                             "Error: 1 problem found\n")


def test_check_aiken_file(invoke, tmp_path):
    path = tmp_path / "quiz.txt"
    path.write_text("Q?\nA) a\nB) b\nANSWER: B\n", encoding="utf-8")
    assert invoke(path).stdout == "OK: 1 question (single 1)\n"


def test_check_missing_file(invoke, tmp_path):
    result = invoke(tmp_path / "nope.gift")
    assert result.exit_code == 1
    assert result.stderr == (f"{tmp_path / 'nope.gift'}:1: cannot read the file: "
                             "No such file or directory\nError: 1 problem found\n")


@pytest.mark.parametrize("name, text, lines", [
    ("quiz.gift", "\ufeff::A::First?\r\n{=yes ~no}\r\n\r\nSecond?{T}\r\n", [1, 4]),
    ("quiz.txt", "\ufeffFirst?\r\nA) yes\r\nB) no\r\nANSWER: A\r\n\r\nSecond?\r\nA) a\r\n"
                 "B) b\r\nANSWER: A\r\n", [1, 6]),
    ("quiz.quiz.yaml", "\ufeffquestions:\r\n- {type: single, prompt: 'First?', choices: "
                       "[{text: 'yes', correct: true}, {text: 'no'}]}\r\n"
                       "- {type: true_false, prompt: 'Second?', answer: true}\r\n", [2, 3]),
])
def test_files_with_bom_and_windows_line_endings(tmp_path, name, text, lines):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    questions = parse_quiz_file(path)
    assert [(q.prompt, q.line) for q in questions] == list(zip(["First?", "Second?"], lines))
    assert [c.text for c in questions[0].choices] == ["yes", "no"]


@pytest.mark.parametrize("name, parsed_as", [
    ("q.gift", QuestionType.ESSAY), ("Q.GIFT", QuestionType.ESSAY),
    ("q.quiz.yaml", QuestionType.ESSAY)])
def test_the_suffix_picks_the_format(tmp_path, name, parsed_as):
    path = tmp_path / name
    path.write_text("questions:\n- {type: essay, prompt: Why}\n" if name.endswith(".yaml")
                    else "Why{}", encoding="utf-8")
    assert [q.type for q in parse_quiz_file(path)] == [parsed_as]


def file_problems(path) -> list[str]:
    with pytest.raises(QuizFormatError) as caught:
        parse_quiz_file(path)
    return [str(p) for p in caught.value.problems]


def test_a_plain_yaml_file_is_not_a_quiz(tmp_path):
    path = tmp_path / "quiz.yaml"
    path.write_text("questions: []\n", encoding="utf-8")
    assert file_problems(path) == [
        f"{path}:1: unknown quiz file type; use .gift, .txt (Aiken) or .quiz.yaml"]


def test_non_utf8_file(tmp_path):
    path = tmp_path / "quiz.gift"
    path.write_bytes(b"Q?{T}\n\nCaf\xe9?{T}\n")
    assert file_problems(path) == [
        f"{path}:3: not valid UTF-8 (byte 0xe9); save the file as UTF-8"]


def test_file_over_one_mebibyte(tmp_path):
    path = tmp_path / "quiz.gift"
    path.write_bytes(b"Q?{T}\n" + b"/" * (MAX_BYTES - 6 + 1))
    assert MAX_BYTES == 1024 * 1024
    assert file_problems(path) == [f"{path}:1: file is 1,048,577 bytes; the limit is 1,048,576"]


def test_file_of_exactly_one_mebibyte_is_read(tmp_path):
    path = tmp_path / "quiz.gift"
    path.write_bytes(b"Q?{T}\n" + b"/" * (MAX_BYTES - 6))
    assert parse_quiz_file(path) == [Question(QuestionType.TRUE_FALSE, "Q?", answer=True)]


@pytest.mark.parametrize("name, text", [
    ("quiz.gift", ""), ("quiz.gift", "// only comments\n\n$CATEGORY: x\n"),
    ("quiz.txt", "\n\n"), ("quiz.quiz.yaml", "questions: []\n")])
def test_a_quiz_without_questions_is_a_problem(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert file_problems(path) == [f"{path}:1: the quiz has no questions"]


AIKEN_WITH_A_BAD_QUESTION = ("Good?\nA) a\nB) b\nANSWER: A\n\n"
                             "Bad?\nA) a\nB) b\nANSWER: Z\n\n"
                             "Also good?\nA)c\nB)d\nANSWER: B\n")


def test_check_with_skip_invalid_keeps_the_good_questions(invoke, tmp_path):
    path = tmp_path / "quiz.txt"
    path.write_text(AIKEN_WITH_A_BAD_QUESTION, encoding="utf-8")
    assert invoke(path).exit_code == 1
    result = invoke(path, "--skip-invalid")
    assert (result.exit_code, result.stdout) == (0, "OK: 2 questions (single 2)\n")
    assert result.stderr == (f"skipped: {path}:9: ANSWER: Z names no option (Moodle would import "
                             "the question with no right answer); the options are A to B\n")


def test_skip_invalid_still_fails_when_no_question_is_good(invoke, tmp_path):
    path = tmp_path / "quiz.gift"
    path.write_text("Q{=a ~b\n", encoding="utf-8")
    result = invoke(path, "--skip-invalid")
    assert result.exit_code == 1
    assert result.stderr == (f"{path}:1: unclosed {{: no }} before the next blank line\n"
                             "Error: 1 problem found\n")


def test_export_gift_to_aiken_and_back(export, invoke, tmp_path):
    path = tmp_path / "quiz.gift"
    path.write_text("::Opening:: How do you open a call?{=With an agenda ~With a joke}\n\n"
                    "Pick the [html] tag?{=[html]<b>bold</b> ~[plain]<b>as typed</b>}\n",
                    encoding="utf-8")
    result = export(path, "--to", "aiken")
    assert result.exit_code == 1
    assert result.stderr == (f"{path}:3: cannot be written as aiken: '<b>bold</b>' uses html "
                             "formatting; Aiken holds plain text only\nError: 1 problem found\n")
    result = export(path, "--to", "aiken", "--skip-invalid")
    assert result.exit_code == 0
    assert result.stdout == ("How do you open a call?\nA) With an agenda\nB) With a joke\n"
                             "ANSWER: A\n")
    assert result.stderr.startswith(f"skipped: {path}:3: cannot be written as aiken: ")
    back = tmp_path / "back.txt"
    back.write_text(result.stdout, encoding="utf-8")
    assert invoke(back).stdout == "OK: 1 question (single 1)\n"


def test_export_aiken_to_gift(export, tmp_path):
    path = tmp_path / "quiz.txt"
    path.write_text("Is <b> shown as typed?\nA) Yes\nB) No\nANSWER: A\n", encoding="utf-8")
    result = export(path, "--to", "gift")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "[plain]Is <b> shown as typed?{\n\t=Yes\n\t~No\n}\n"


def test_export_reports_problems_of_the_file_it_reads(export, tmp_path):
    path = tmp_path / "quiz.gift"
    path.write_text("Q{~a ~b}\n", encoding="utf-8")
    result = export(path, "--to", "gift")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(f"{path}:1: no answer has a positive weight")
