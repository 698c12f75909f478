"""cev-learn import quotas|activities: commands of the `import` group (cohorts/cli.py)."""
import datetime as dt
import sys
from pathlib import Path

import click
from flask import current_app

from cev_learn.accounts.models import User
from cev_learn.accounts.services import find_user_by_email
from cev_learn.cohorts.cli import import_cli
from cev_learn.platform.csv_files import ImportFileError
from cev_learn.platform.db import db, no_cyclic_gc
from cev_learn.ramp.crm_import import (CrmImport, MatchProblems, import_file, mappings_for,
                                      match_by_email)
from cev_learn.ramp.import_service import UPLOADERS, ChangedMeanwhile, RampImportReport

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_SKIP_INVALID = click.option(
    "--skip-invalid", is_flag=True,
    help="Import the good rows and list the bad ones, instead of importing nothing.")
_MAPPING = click.option(
    "--mapping", metavar="NAME",
    help="Read FILE with this mapping: native, a built-in one (salesforce-activities, "
         "salesforce-opportunities, hubspot-activities, hubspot-deals) or a saved one. "
         "Without it the format is detected from the columns.")
_AS = click.option(
    "--as", "as_email", metavar="EMAIL",
    help="Import as this manager or admin: rows for reps outside their territory, or that "
         "would change such reps' records, are bad rows (as on the upload page).")


@import_cli.command("quotas")
@click.argument("file", type=_FILE)
@_SKIP_INVALID
@_MAPPING
@_AS
def import_quotas_command(file: Path, skip_invalid: bool, mapping: str | None,
                          as_email: str | None):
    """Create or update reps' monthly quotas from FILE.

    cev_learn's columns: rep_email,month (YYYY-MM),amount (the full monthly quota); or any
    export a saved mapping describes.
    """
    _run("quotas", file, skip_invalid, mapping, as_email)


@import_cli.command("activities")
@click.argument("file", type=_FILE)
@_SKIP_INVALID
@_MAPPING
@_AS
def import_activities_command(file: Path, skip_invalid: bool, mapping: str | None,
                              as_email: str | None):
    """Create or update CRM activities from FILE, matched by external_id.

    cev_learn's columns: external_id,rep_email,occurred_on (YYYY-MM-DD),type (required),
    quantity (default 1), amount (default 0). Salesforce activity and opportunity reports
    and HubSpot activity and deal exports are read as they come; other exports through a
    saved mapping.
    """
    _run("activities", file, skip_invalid, mapping, as_email)


@import_cli.command("mappings")
def list_mappings_command():
    """List the formats FILE may be read with: built-in and saved mappings."""
    types = current_app.config["ACTIVITY_TYPES"]
    click.echo("native\tcev_learn CSV (activities.csv, quotas.csv)")
    for kind in ("activities", "quotas"):
        for mapping in mappings_for(kind, types):
            origin = "built in" if mapping.preset else "saved"
            click.echo(f"{mapping.name}\t{mapping.title if mapping.preset else kind} "
                       f"({origin}; people of {mapping.source})")


@import_cli.command("match")
@click.argument("source")
@click.argument("crm_name")
@click.argument("email")
@_AS
def match_command(source: str, crm_name: str, email: str, as_email: str | None):
    """Record that CRM_NAME (a CRM user id or full name, as SOURCE's exports write it)
    stands for the rep with EMAIL."""
    try:
        match_by_email(source, {crm_name: email}, _uploader(as_email))
    except MatchProblems as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"{source}: {crm_name!r} is {email}")


def _uploader(email: str | None) -> User | None:
    """The active manager or admin whose scope `--as` asks for; None without it."""
    if email is None:
        return None
    user = find_user_by_email(email)
    if user is None or not user.active or user.role not in UPLOADERS:
        raise click.BadParameter(f"{email} is not an active manager or admin", param_hint="--as")
    return user


def _run(kind: str, file: Path, skip_invalid: bool, mapping: str | None,
         as_email: str | None) -> None:
    uploader = _uploader(as_email)
    bar = _TerminalProgress(f"Importing {file.name}") if _on_terminal() else None
    try:
        with no_cyclic_gc():
            found = import_file(file.read_bytes(), kind, skip_invalid=skip_invalid,
                                today=dt.date.today(), mapping_name=mapping, uploader=uploader,
                                types=current_app.config["ACTIVITY_TYPES"], progress=bar)
    except (ImportFileError, ChangedMeanwhile) as exc:
        db.session.rollback()
        again = "; nothing was stored: run it again" if isinstance(exc, ChangedMeanwhile) else ""
        raise click.ClickException(f"{file.name}: {exc}{again}") from None
    except Exception:
        db.session.rollback()
        raise
    finally:
        if bar is not None:
            bar.close()
    _describe(found)
    _finish(found.report)


def _describe(found: CrmImport) -> None:
    """What was detected, on stderr (stdout stays the summary)."""
    shape = found.shape
    if shape.mapping_name != "native":
        dates = f", dates {shape.dates}" if shape.dates else ""
        click.echo(f"Read as {shape.mapping} ({shape.encoding}, {shape.delimiter}-separated, "
                   f"header on line {shape.header_line}{dates})", err=True)
    for reason, count in found.skipped.items():
        click.echo(f"left out: {count} row{'s' if count != 1 else ''} of {reason}", err=True)
    if found.unmatched:
        click.echo(f"Names that match no account ({found.source}): "
                   + ", ".join(found.unmatched) + f"; match them with "
                   f"`cev-learn import match {found.source} NAME EMAIL`", err=True)


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
