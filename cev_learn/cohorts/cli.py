"""cev-learn import users|quotas|activities"""
from pathlib import Path

import click
from flask import current_app

from cev_learn.accounts import sign_in_links
from cev_learn.cohorts.user_import import ImportFileError, decode_csv
from cev_learn.cohorts.user_import_service import import_users
from cev_learn.platform.db import db, utcnow

import_cli = click.Group("import", help="Import users, quotas and activities from CSV files.")


@import_cli.command("users")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True,
              help="Import the good rows and list the bad ones, instead of importing nothing.")
@click.option("--invite", is_flag=True,
              help="Email each new person a one-time link to choose a password (a week).")
def import_users_command(file: Path, skip_invalid: bool, invite: bool):
    """Create or update users from FILE.csv and place reps in their cohorts.

    Columns: email,name,role (required), cohort,start_date,end_date,territory,coach_email.
    """
    try:
        report = import_users(decode_csv(file.read_bytes()), skip_invalid=skip_invalid,
                              now=utcnow())
    except ImportFileError as exc:
        db.session.rollback()
        raise click.ClickException(f"{file.name}: {exc}") from None
    except Exception:
        db.session.rollback()
        raise
    for error in report.errors:
        click.echo(str(error), err=True)
    if not report.imported:
        db.session.rollback()
        count = report.bad_rows
        raise click.ClickException(f"{count} bad row{'s' if count != 1 else ''}; nothing imported")
    now = utcnow()
    queued = sign_in_links.invite(report.new_users, by=None, now=now) if invite else []
    delivered = sign_in_links.deliver(queued, current_app.config, now)  # commits
    click.echo(report.summary())
    if queued:
        click.echo(f"invitations: {delivered.summary()}")
        for address, why in delivered.failed:
            click.echo(f"not delivered to {address}: {why}", err=True)
    if report.errors:
        count = report.bad_rows
        click.echo(f"{count} bad row{'s' if count != 1 else ''} skipped", err=True)
    elif not report.changed:
        click.echo("Everything was already up to date; nothing written.")
