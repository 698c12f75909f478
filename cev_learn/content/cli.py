"""cev-learn content check|sync"""
from pathlib import Path

import click
from flask import current_app

from cev_learn.content.loader import load_tree
from cev_learn.content.problems import ContentError
from cev_learn.content.services import sync_course_folder
from cev_learn.platform.db import db, utcnow

content_cli = click.Group("content", help="Check and load playbook content from courses/.")


def _root(path: str | None) -> Path:
    return Path(path) if path else Path(current_app.config["COURSES_DIR"])


SKIP_INVALID = click.option(
    "--skip-invalid", is_flag=True,
    help="Leave out quiz questions that cannot be read (each is reported) and load the rest, "
         "as Moodle's import does with \"Stop on error\" off.")


def _load(path: str | None, skip_invalid: bool = False):
    try:
        tracks = load_tree(_root(path), current_app.config["ACTIVITY_TYPES"], skip_invalid)
    except ContentError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        count = len(exc.problems)
        raise click.ClickException(f"{count} problem{'s' if count != 1 else ''} found; nothing loaded")
    for problem in sorted(p for track in tracks for quiz in track.quizzes for p in quiz.skipped):
        click.echo(f"skipped: {problem}", err=True)
    return tracks


@content_cli.command("check")
@click.argument("path", required=False)
@SKIP_INVALID
def check_command(path, skip_invalid):
    """Validate a courses folder (or one track folder) without touching the database."""
    tracks = _load(path, skip_invalid)
    modules = sum(len(t.modules) for t in tracks)
    click.echo(f"OK: {len(tracks)} track{'s' if len(tracks) != 1 else ''}, {modules} modules")


@content_cli.command("sync")
@click.argument("path", required=False)
@SKIP_INVALID
def sync_command(path, skip_invalid):
    """Load content into the database in one transaction; unchanged files are skipped."""
    tracks = _load(path, skip_invalid)
    try:
        report = sync_course_folder(_root(path), tracks, utcnow())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    for line in report.lines():
        click.echo(line)
    if not report.changed:
        click.echo("Everything was already up to date; nothing written.")
