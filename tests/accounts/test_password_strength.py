"""New passwords that are common, patterned or made of the person's own name are refused
everywhere a password is set: the account page, an admin's reset, new users, the CLI."""
import pytest
from sqlalchemy import func, select

from cev_learn.accounts.models import Role, User
from cev_learn.accounts.passwords import guessable
from cev_learn.platform.db import db
from tests.helpers import PASSWORD, login, make_user, post_form

WEAK = ["password1234", "qwertyuiop123", "aaaaaaaaaaaa", "123456789012", "iloveyou2026!"]
STRONG = ["correct horse battery staple", "a brand new passphrase", "kettle orbit sunday plum"]


@pytest.mark.parametrize("password", WEAK)
def test_common_and_patterned_passwords_are_guessable(password):
    assert "too easy to guess" in guessable(password)


@pytest.mark.parametrize("password", STRONG)
def test_unrelated_words_are_not_guessable(password):
    assert guessable(password) is None


def test_the_persons_own_name_makes_a_password_guessable():
    assert guessable("Morgan Okafor 1") is None
    assert guessable("Morgan Okafor 1", ("morgan.okafor@example.com", "Morgan Okafor"))


def test_the_account_page_refuses_a_guessable_new_password(app):
    user = make_user(Role.REP, email="morgan.okafor@example.com", name="Morgan Okafor")
    client = app.test_client()
    login(client, user.email)
    for weak in ("password1234", "Morgan Okafor 1"):
        response = post_form(client, "/account/password", {
            "current_password": PASSWORD, "password": weak, "confirm": weak},
            token_from="/account/password")
        assert response.status_code == 400
        assert "This password is too easy to guess." in response.get_data(as_text=True)
    assert login(app.test_client(), user.email).status_code == 302  # old password kept


def test_an_admin_reset_refuses_a_guessable_password(app):
    admin, rep = make_user(Role.ADMIN), make_user(Role.REP)
    client = app.test_client()
    login(client, admin.email)
    response = post_form(client, f"/admin/users/{rep.id}/password",
                         {"password": "qwertyuiop123", "confirm": "qwertyuiop123"})
    assert response.status_code == 400
    assert "too easy to guess" in response.get_data(as_text=True)
    assert login(app.test_client(), rep.email).status_code == 302


def test_a_new_user_with_a_guessable_password_is_not_created(app):
    admin = make_user(Role.ADMIN)
    client = app.test_client()
    login(client, admin.email)
    before = db.session.scalar(select(func.count()).select_from(User))
    response = post_form(client, "/admin/users/new", {
        "email": "new.rep@example.com", "name": "New Rep", "role": "rep",
        "password": "password1234", "confirm": "password1234"}, token_from="/admin/users/new")
    assert response.status_code == 400
    assert "too easy to guess" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_the_cli_refuses_a_guessable_password(app):
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "kim@example.com", "--name", "Kim", "--role", "coach",
        "--password-stdin"], input="password1234\n")
    assert result.exit_code != 0
    assert "too easy to guess" in result.output
    assert db.session.scalar(select(User).where(User.email == "kim@example.com")) is None


@pytest.mark.parametrize("typed", [PASSWORD + " ", " " + PASSWORD, PASSWORD.upper(),
                                   PASSWORD[:-1], PASSWORD.replace(" ", "")])
def test_a_password_is_checked_exactly_as_typed(app, typed):
    user = make_user(Role.REP)
    assert login(app.test_client(), user.email, typed).status_code == 400
    assert login(app.test_client(), user.email, PASSWORD).status_code == 302
