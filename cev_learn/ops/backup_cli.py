"""cev-learn backup FILE and cev-learn restore FILE."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from cev_learn.ops.backup import BackupError, backup_database, known_revisions, restore_database
from cev_learn.platform.health import migration_heads


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@with_appcontext
def backup_command(file: Path, force: bool) -> None:
    """Copy the database to FILE, consistently, while the app keeps serving."""
    try:
        summary = backup_database(current_app.config["SQLALCHEMY_DATABASE_URI"], file,
                                  force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backed up to {summary}")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Go ahead: every row of the database is replaced.")
@with_appcontext
def restore_command(file: Path, yes: bool) -> None:
    """Check the backup FILE, then replace the database with it."""
    migrations = current_app.config["MIGRATIONS_DIR"]
    try:
        summary = restore_database(current_app.config["SQLALCHEMY_DATABASE_URI"], file,
                                   known_revisions(migrations), confirmed=yes)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored from {summary}")
    if summary.revision not in migration_heads(migrations):
        click.echo("The backup is from an older schema: run `cev-learn db upgrade` next.")
