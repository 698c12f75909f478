"""cev-learn users …"""
import sys

import click
from email_validator import EmailNotValidError, validate_email
from flask import current_app

from cev_learn.accounts import services
from cev_learn.accounts.models import Role
from cev_learn.accounts.passwords import MAX_LENGTH, MIN_LENGTH, guessable
from cev_learn.platform.db import db
from cev_learn.platform.text_direction import direction_control_problem

users_cli = click.Group("users", help="Manage user accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--territory", default=None, help="Sales territory, e.g. 'EMEA North'.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(email, name, role, territory, password_stdin):
    """Create a user who can sign in with EMAIL."""
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise click.ClickException(f"invalid email {email!r}: {exc}") from None
    if not name.strip() or len(name) > 120:
        raise click.ClickException("--name must be 1 to 120 characters")
    for option, value in (("--name", name), ("--territory", territory or "")):
        if problem := direction_control_problem(option, value):
            raise click.ClickException(problem)
    password = _read_password(password_stdin, personal=(email, name))
    try:
        user = services.create_user(email=email, name=name, role=Role(role), territory=territory,
                                    password=password,
                                    hash_method=current_app.config["PASSWORD_HASH_METHOD"])
    except services.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")


def _read_password(from_stdin: bool, personal: tuple[str, ...] = ()) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise click.ClickException(
            f"the password must be {MIN_LENGTH} to {MAX_LENGTH} characters long")
    if problem := guessable(password, personal):
        raise click.ClickException(problem)
    return password
