"""cev-learn users …"""
import sys

import click
from email_validator import EmailNotValidError, validate_email
from flask import current_app

from sqlalchemy import select

from cev_learn.accounts import services, sign_in_links
from cev_learn.accounts.models import Role, User
from cev_learn.accounts.passwords import MAX_LENGTH, MIN_LENGTH, guessable
from cev_learn.platform.db import db, utcnow
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


@users_cli.command("invite")
@click.argument("emails", nargs=-1)
@click.option("--all-waiting", is_flag=True,
              help="Every active user with no password and no open invitation.")
def invite_command(emails, all_waiting):
    """Email a one-time link to choose a password (valid a week) to the people at EMAILS who
    have not joined yet, then send every invitation still waiting (queued by an import or
    refused by the mail server earlier). Running it again sends nothing twice."""
    if not emails and not all_waiting:
        raise click.UsageError("name one or more EMAILS, or use --all-waiting")
    now = utcnow()
    users = []
    for email in emails:
        user = services.find_user_by_email(email)
        if user is None:
            raise click.ClickException(f"no user with the email {email}")
        if user.password_hash is not None or not user.active:
            click.echo(f"{user.email} has a password or is deactivated: not invited", err=True)
        users.append(user)
    if all_waiting:
        users += db.session.scalars(select(User).where(User.active.is_(True),
                                                       User.password_hash.is_(None)))
    sign_in_links.invite(users, by=None, now=now)
    db.session.commit()
    report = sign_in_links.deliver(sign_in_links.queued_invitations(), current_app.config, now)
    click.echo(f"invitations: {report.summary()}")
    for address, why in report.failed:
        click.echo(f"not delivered to {address}: {why}", err=True)
    if report.failed:
        raise SystemExit(1)


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
