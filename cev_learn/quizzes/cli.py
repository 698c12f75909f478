"""cev-learn quiz check|export"""
import json
from collections import Counter
from pathlib import Path

import click

from cev_learn.content.problems import Problem
from cev_learn.content.questions import Question, QuestionType
from cev_learn.content.quiz_formats.aiken import export_aiken, why_not_aiken
from cev_learn.content.quiz_formats.errors import QuizFormatError
from cev_learn.content.quiz_formats.files import read_quiz_file
from cev_learn.content.quiz_formats.gift import export_gift, why_not_gift

quiz_cli = click.Group("quiz", help="Check and convert quiz files: .gift, .txt (Aiken) or "
                                    ".quiz.yaml.")
WRITERS = {"gift": (export_gift, why_not_gift), "aiken": (export_aiken, why_not_aiken)}
SKIP_INVALID = click.option(
    "--skip-invalid", is_flag=True,
    help="Leave out the questions that cannot be read (or written), report each, and go on "
         "with the rest, as Moodle's import does with \"Stop on error\" off.")


@quiz_cli.command("check")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the questions as JSON.")
@SKIP_INVALID
def check_command(file: Path, as_json: bool, skip_invalid: bool):
    """Parse FILE and list every problem in it, without touching the database."""
    questions = _read(file, skip_invalid)
    if as_json:
        click.echo(json.dumps([q.to_json() for q in questions], indent=2, ensure_ascii=False))
    else:
        click.echo(summary(questions))


@quiz_cli.command("export")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--to", "target", type=click.Choice(sorted(WRITERS)), required=True,
              help="The format to write: gift, or aiken (single-choice questions only).")
@SKIP_INVALID
def export_command(file: Path, target: str, skip_invalid: bool):
    """Write FILE's questions to standard output as GIFT or Aiken that Moodle reads back the
    same; a question the format cannot hold is an error (or, with --skip-invalid, left out)."""
    export, why_not = WRITERS[target]
    checked = [(question, why_not(question)) for question in _read(file, skip_invalid)]
    unwritable = [Problem(str(file), question.line, f"cannot be written as {target}: {why}")
                  for question, why in checked if why is not None]
    for problem in unwritable:
        click.echo(f"skipped: {problem}" if skip_invalid else str(problem), err=True)
    if unwritable and not skip_invalid:
        raise _failure(len(unwritable))
    written = [question for question, why in checked if why is None]
    if not written:
        raise click.ClickException(f"no question of {file} can be written as {target}")
    click.echo(export(written), nl=False)


def _read(file: Path, skip_invalid: bool) -> list[Question]:
    """The file's questions; problems (and skipped questions' problems) go to standard error."""
    try:
        reading = read_quiz_file(file)
        questions = reading.questions_or_raise(skip_invalid)
    except QuizFormatError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise _failure(len(exc.problems)) from None
    for problem in reading.problems:
        click.echo(f"skipped: {problem}", err=True)
    return questions


def _failure(count: int) -> click.ClickException:
    return click.ClickException(f"{count} problem{'s' if count != 1 else ''} found")


def summary(questions: list[Question]) -> str:
    """`OK: 12 questions (single 5, multiple 2, …)`, types in their usual order."""
    counts = Counter(question.type for question in questions)
    kinds = ", ".join(f"{kind.value} {counts[kind]}" for kind in QuestionType if counts[kind])
    count = len(questions)
    return f"OK: {count} question{'s' if count != 1 else ''} ({kinds})"
