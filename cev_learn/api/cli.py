"""cev-learn tokens create|list|revoke"""
import click

from cev_learn.accounts.api_tokens import ApiToken, Scope
from cev_learn.accounts.services import find_user_by_email
from cev_learn.api.tokens import TokenError, create_token, revoke, tokens_of
from cev_learn.platform.db import db, utcnow

tokens_cli = click.Group("tokens", help="API tokens for CRMs, HR systems and warehouses.")


@tokens_cli.command("create")
@click.option("--user", "email", required=True, help="The token acts as this user (role, cohorts).")
@click.option("--name", required=True, help="What the token is for, e.g. 'Salesforce sync'.")
@click.option("--write", is_flag=True, help="Read and write (default: read only).")
@click.option("--scim", is_flag=True,
              help="For an identity provider's SCIM provisioning at /scim/v2 (an admin's).")
def create_command(email, name, write, scim):
    """Create a token and print its secret (shown only this once)."""
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with email {email!r}; see cev-learn users create")
    try:
        scope = Scope.SCIM if scim else Scope.WRITE if write else Scope.READ
        token, secret = create_token(user=user, name=name, scope=scope, actor=None, now=utcnow())
    except TokenError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Token {token.id} ({token.scope.label.lower()}) for {user.email}, "
               f"acting as a {user.role.value}. Its secret, shown only now:", err=True)
    click.echo(secret)


@tokens_cli.command("list")
def list_command():
    """Every token: id, prefix, user, scope, last use, revoked."""
    for token in tokens_of():
        used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
        state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
        click.echo(f"{token.id:>4}  cev_{token.prefix}…  {token.user.email:<32} "
                   f"{token.scope.value:<6} used {used:<16} {state}  {token.name}")


@tokens_cli.command("revoke")
@click.argument("token_id", type=int)
def revoke_command(token_id):
    """Revoke token TOKEN_ID (see tokens list); it stops working at once."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"no token {token_id}; see cev-learn tokens list")
    revoke(token, utcnow())
    db.session.commit()
    click.echo(f"Token {token_id} revoked.")
