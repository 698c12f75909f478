"""cev-learn quiz check"""
import json
from collections import Counter
from pathlib import Path

import click

from cev_learn.content.questions import Question, QuestionType
from cev_learn.content.quiz_formats.errors import QuizFormatError
from cev_learn.content.quiz_formats.files import parse_quiz_file

quiz_cli = click.Group("quiz", help="Check quiz files: .gift, .txt (Aiken) or .quiz.yaml.")


@quiz_cli.command("check")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the questions as JSON.")
def check_command(file: Path, as_json: bool):
    """Parse FILE and list every problem in it, without touching the database."""
    try:
        questions = parse_quiz_file(file)
    except QuizFormatError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        count = len(exc.problems)
        raise click.ClickException(f"{count} problem{'s' if count != 1 else ''} found") from None
    if as_json:
        click.echo(json.dumps([q.to_json() for q in questions], indent=2, ensure_ascii=False))
    else:
        click.echo(summary(questions))


def summary(questions: list[Question]) -> str:
    """`OK: 12 questions (single 5, multiple 2, …)`, types in their usual order."""
    counts = Counter(question.type for question in questions)
    kinds = ", ".join(f"{kind.value} {counts[kind]}" for kind in QuestionType if counts[kind])
    count = len(questions)
    return f"OK: {count} question{'s' if count != 1 else ''} ({kinds})"
