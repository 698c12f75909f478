"""API tokens: the CLI and the admin page create, list and revoke them; secrets shown once."""
import re

from sqlalchemy import func, select

from cev_learn.accounts.api_tokens import ApiToken, Scope
from cev_learn.accounts.models import Role
from cev_learn.api.tokens import digest
from cev_learn.platform.db import db
from tests.helpers import login, make_user, post_form


def test_cli_creates_a_read_token_whose_secret_works_once_shown(app):
    manager = make_user(Role.MANAGER, email="morgan@example.com")
    with app.app_context():
        result = app.test_cli_runner().invoke(
            args=["tokens", "create", "--user", "Morgan@Example.com", "--name", "Warehouse"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert secret.startswith("cev_")
    stored = db.session.scalar(select(ApiToken))
    assert (stored.user_id, stored.name, stored.scope) == (manager.id, "Warehouse", Scope.READ)
    assert stored.digest == digest(secret) and secret not in (stored.digest, stored.prefix)
    client = app.test_client()
    assert client.get("/api/v1/cohorts",
                      headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_cli_refuses_unknown_users_and_revokes(app):
    make_user(Role.ADMIN, email="ada@example.com")
    with app.app_context():
        runner = app.test_cli_runner()
        missing = runner.invoke(args=["tokens", "create", "--user", "nobody@example.com",
                                      "--name", "x"])
        blank = runner.invoke(args=["tokens", "create", "--user", "ada@example.com",
                                    "--name", "  "])
        made = runner.invoke(args=["tokens", "create", "--user", "ada@example.com",
                                   "--name", "CRM", "--write"])
        token_id = db.session.scalar(select(ApiToken.id))
        listed = runner.invoke(args=["tokens", "list"])
        revoked = runner.invoke(args=["tokens", "revoke", str(token_id)])
        unknown = runner.invoke(args=["tokens", "revoke", "999"])
    assert missing.exit_code == 1 and "no user with email" in missing.output
    assert blank.exit_code == 1 and "needs a name" in blank.output
    assert made.exit_code == 0 and "read and write" in made.output
    assert "ada@example.com" in listed.output and "write" in listed.output
    assert revoked.exit_code == 0
    assert db.session.scalar(select(ApiToken)).revoked_at is not None
    assert unknown.exit_code == 1


def test_admin_creates_sees_the_secret_once_and_revokes(app):
    admin, rep = make_user(Role.ADMIN), make_user(Role.REP)
    client = app.test_client()
    login(client, admin.email)
    page = post_form(client, "/admin/tokens", {"email": rep.email, "name": "HR sync"},
                     token_from="/admin/tokens")
    html = page.get_data(as_text=True)
    secret = re.search(r'id="token-secret">([^<]+)<', html).group(1)
    assert page.status_code == 200 and "cannot be shown again" in html
    again = client.get("/admin/tokens").get_data(as_text=True)
    assert secret not in again and "HR sync" in again  # listed, secret gone
    token = db.session.scalar(select(ApiToken))
    assert token.scope is Scope.READ and token.created_by_id == admin.id
    unconfirmed = post_form(client, f"/admin/tokens/{token.id}/revoke", token_from="/admin/tokens")
    assert unconfirmed.status_code == 302
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is None
    post_form(client, f"/admin/tokens/{token.id}/revoke", {"confirm": "y"},
              token_from="/admin/tokens")
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    assert app.test_client().get("/api/v1/cohorts", headers={
        "Authorization": f"Bearer {secret}"}).status_code == 401


def test_admin_form_errors_name_the_field(app):
    admin = make_user(Role.ADMIN)
    client = app.test_client()
    login(client, admin.email)
    bad = post_form(client, "/admin/tokens", {"email": "ghost@example.com", "name": "x"},
                    token_from="/admin/tokens")
    assert bad.status_code == 400 and "No user has the email ghost@example.com" in bad.get_data(
        as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
