"""cev-learn import quotas|activities: commands of the `import` group (cohorts/cli.py)."""
import datetime as dt
import sys
from functools import partial
from pathlib import Path

import click
from flask import current_app

from cev_learn.accounts.models import User
from cev_learn.accounts.services import find_user_by_email
from cev_learn.cohorts.cli import import_cli
from cev_learn.platform.csv_files import ImportFileError, decode_csv
from cev_learn.platform.db import db, no_cyclic_gc
from cev_learn.ramp.import_service import (UPLOADERS, RampImportReport, import_activities,
                                           import_quotas)

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_SKIP_INVALID = click.option(
    "--skip-invalid", is_flag=True,
    help="Import the good rows and list the bad ones, instead of importing nothing.")
_AS = click.option(
    "--as", "as_email", metavar="EMAIL",
    help="Import as this manager or admin: rows for reps outside their territory, or that "
         "would change such reps' records, are bad rows (as on the upload page).")


@import_cli.command("quotas")
@click.argument("file", type=_FILE)
@_SKIP_INVALID
@_AS
def import_quotas_command(file: Path, skip_invalid: bool, as_email: str | None):
    """Create or update reps' monthly quotas from FILE.csv.

    Columns: rep_email,month (YYYY-MM),amount (the full monthly quota).
    """
    _run(import_quotas, file, skip_invalid, as_email)


@import_cli.command("activities")
@click.argument("file", type=_FILE)
@_SKIP_INVALID
@_AS
def import_activities_command(file: Path, skip_invalid: bool, as_email: str | None):
    """Create or update CRM activities from FILE.csv, matched by external_id.

    Columns: external_id,rep_email,occurred_on (YYYY-MM-DD),type (required), quantity
    (default 1), amount (default 0).
    """
    _run(partial(import_activities, types=current_app.config["ACTIVITY_TYPES"]), file,
         skip_invalid, as_email)


def _uploader(email: str | None) -> User | None:
    """The active manager or admin whose scope `--as` asks for; None without it."""
    if email is None:
        return None
    user = find_user_by_email(email)
    if user is None or not user.active or user.role not in UPLOADERS:
        raise click.BadParameter(f"{email} is not an active manager or admin", param_hint="--as")
    return user


def _run(importer, file: Path, skip_invalid: bool, as_email: str | None) -> None:
    uploader = _uploader(as_email)
    bar = _TerminalProgress(f"Importing {file.name}") if _on_terminal() else None
    try:
        with no_cyclic_gc():
            report = importer(decode_csv(file.read_bytes()), skip_invalid=skip_invalid,
                              today=dt.date.today(), progress=bar, uploader=uploader)
    except ImportFileError as exc:
        db.session.rollback()
        raise click.ClickException(f"{file.name}: {exc}") from None
    except Exception:
        db.session.rollback()
        raise
    finally:
        if bar is not None:
            bar.close()
    _finish(report)


def _finish(report: RampImportReport) -> None:
    for error in report.errors:
        click.echo(str(error), err=True)
    count = report.bad_rows
    bad = f"{count} bad row{'s' if count != 1 else ''}"
    if not report.imported:
        db.session.rollback()
        raise click.ClickException(f"{bad}; nothing imported")
    db.session.commit()
    click.echo(report.summary())
    if report.achievements_changed:
        click.echo(f"achievements: {report.achievements_changed} changed")
    if report.errors:
        click.echo(f"{bad} skipped", err=True)
    elif not report.changed:
        click.echo("Everything was already up to date; nothing written.")


def _on_terminal() -> bool:
    return sys.stdout.isatty()


class _TerminalProgress:
    """A progress bar on the terminal, opened once the service says how many rows it writes."""

    def __init__(self, label: str):
        self.label = label
        self.bar = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
