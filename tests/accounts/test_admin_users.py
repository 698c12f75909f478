"""Admins list, create, edit, reset and deactivate users; bad input changes nothing."""
import pytest
from sqlalchemy import func, select

from cev_learn.accounts.models import Role, User
from cev_learn.platform.db import db
from tests.helpers import PASSWORD, login, make_user, post_form, reload

DIRECTION_TAIL = " that can make it read as something else; type it again without it"
NEW_USER = {"email": "new.rep@example.com", "name": "New Rep", "role": "rep",
            "territory": "DACH", "start_on": "2026-09-01",
            "password": "long enough password", "confirm": "long enough password"}


@pytest.fixture
def admin_client(client):
    admin = make_user(Role.ADMIN, name="Ada Admin")
    login(client, admin.email)
    client.admin = admin
    return client


def user_count():
    return db.session.scalar(select(func.count()).select_from(User))


def test_list_search_and_filter(admin_client):
    make_user(Role.COACH, name="Sam Whitfield", email="sam@example.com")
    make_user(Role.REP, name="Rita Rep", email="rita@example.com", active=False)
    page = admin_client.get("/admin/users").get_data(as_text=True)
    assert "Sam Whitfield" in page and "Rita Rep" in page and "Deactivated" in page
    page = admin_client.get("/admin/users?q=whit").get_data(as_text=True)
    assert "Sam Whitfield" in page and "Rita Rep" not in page
    page = admin_client.get("/admin/users?role=rep&status=inactive").get_data(as_text=True)
    assert "Rita Rep" in page and "Sam Whitfield" not in page
    page = admin_client.get("/admin/users?q=nobody-matches").get_data(as_text=True)
    assert "No users match these filters." in page


def test_list_paginates_past_fifty(admin_client):
    for _ in range(55):
        make_user(Role.REP)
    first = admin_client.get("/admin/users").get_data(as_text=True)
    assert "Page 1 of 2" in first and "56 users" in first
    second = admin_client.get("/admin/users?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second


def test_create_user_and_sign_in(admin_client):
    response = post_form(admin_client, "/admin/users/new", NEW_USER, token_from="/admin/users/new")
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new.rep@example.com"))
    assert user.role is Role.REP and user.territory == "DACH" and str(user.start_on) == "2026-09-01"
    assert user.password_hash.startswith("pbkdf2:") and "long enough" not in user.password_hash
    assert login(admin_client.application.test_client(), user.email,
                 "long enough password").status_code == 302


@pytest.mark.parametrize("field,value,message", [
    ("email", "", "This field is required."),
    ("email", "not-an-email", "Enter a valid email address."),
    ("email", "a" * 250 + "@example.com", "Field cannot be longer than 254 characters."),
    ("name", "", "This field is required."),
    ("name", "   ", "This field is required."),
    ("name", "n" * 121, "Field cannot be longer than 120 characters."),
    ("role", "superuser", "Not a valid choice."),
    ("territory", "t" * 81, "Field cannot be longer than 80 characters."),
    ("name", "Evil\u202egnp.exe", "Full name contains an invisible text-direction character "
                                 "(U+202E)" + DIRECTION_TAIL),
    ("territory", "\u2067EMEA\u200f", "Territory contains an invisible text-direction "
                                     "character (U+2067, U+200F)" + DIRECTION_TAIL),
    ("start_on", "31/02/2026", "Not a valid date value."),
    ("password", "short", "Field must be between 12 and 256 characters long."),
    ("confirm", "something else entirely", "The two passwords differ."),
])
def test_bad_input_is_named_next_to_the_field_and_saves_nothing(admin_client, field, value,
                                                                 message):
    before = user_count()
    response = post_form(admin_client, "/admin/users/new", {**NEW_USER, field: value},
                         token_from="/admin/users/new")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error">{message}' in page
    assert "Please correct the following" in page
    assert user_count() == before


def test_duplicate_email_is_refused(admin_client):
    make_user(Role.REP, email="taken@example.com")
    before = user_count()
    response = post_form(admin_client, "/admin/users/new",
                         {**NEW_USER, "email": "Taken@Example.com"}, token_from="/admin/users/new")
    assert response.status_code == 400
    assert 'id="email-error">A user with the email taken@example.com already exists.' in \
        response.get_data(as_text=True)
    assert user_count() == before


def test_edit_role_territory_and_name(admin_client):
    rep = make_user(Role.REP)
    response = post_form(admin_client, f"/admin/users/{rep.id}", {
        "email": rep.email, "name": "Promoted Person", "role": "coach", "territory": "EMEA North",
        "start_on": ""}, token_from=f"/admin/users/{rep.id}")
    assert response.status_code == 302
    rep = reload(rep)
    assert (rep.name, rep.role, rep.territory) == ("Promoted Person", Role.COACH, "EMEA North")


def test_edit_to_a_taken_email_changes_nothing(admin_client):
    make_user(Role.REP, email="taken@example.com")
    rep = make_user(Role.REP, name="Keep Me")
    response = post_form(admin_client, f"/admin/users/{rep.id}", {
        "email": "taken@example.com", "name": "Changed", "role": "rep"},
        token_from=f"/admin/users/{rep.id}")
    assert response.status_code == 400
    assert reload(rep).name == "Keep Me"


def test_admin_cannot_demote_or_deactivate_themselves(admin_client):
    admin = admin_client.admin
    response = post_form(admin_client, f"/admin/users/{admin.id}", {
        "email": admin.email, "name": admin.name, "role": "rep"},
        token_from=f"/admin/users/{admin.id}")
    assert response.status_code == 400
    assert "You cannot change the role of your own account" in response.get_data(as_text=True)
    response = post_form(admin_client, f"/admin/users/{admin.id}/deactivate", {"confirm": "y"})
    assert response.status_code == 403
    admin = reload(admin)
    assert admin.role is Role.ADMIN and admin.active


def test_deactivation_needs_confirmation(admin_client):
    rep = make_user(Role.REP)
    response = post_form(admin_client, f"/admin/users/{rep.id}/deactivate")
    assert response.status_code == 302
    assert reload(rep).active is True
    post_form(admin_client, f"/admin/users/{rep.id}/deactivate", {"confirm": "y"})
    assert reload(rep).active is False
    post_form(admin_client, f"/admin/users/{rep.id}/activate")
    assert reload(rep).active is True


def test_password_reset_signs_the_user_out(admin_client):
    rep = make_user(Role.REP)
    rep_client = admin_client.application.test_client()
    login(rep_client, rep.email)
    response = post_form(admin_client, f"/admin/users/{rep.id}/password",
                         {"password": "reset by the admin", "confirm": "reset by the admin"})
    assert response.status_code == 302
    assert rep_client.get("/week").status_code == 302
    assert login(admin_client.application.test_client(), rep.email).status_code == 400
    assert login(admin_client.application.test_client(), rep.email,
                 "reset by the admin").status_code == 302


def test_password_reset_with_bad_input_keeps_the_old_password(admin_client):
    rep = make_user(Role.REP)
    response = post_form(admin_client, f"/admin/users/{rep.id}/password",
                         {"password": "short", "confirm": "short"})
    assert response.status_code == 400
    assert "Field must be between 12 and 256 characters long." in response.get_data(as_text=True)
    assert login(admin_client.application.test_client(), rep.email, PASSWORD).status_code == 302


def test_unknown_user_is_404(admin_client):
    assert admin_client.get("/admin/users/999999").status_code == 404
