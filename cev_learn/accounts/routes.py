"""Every URL of accounts: signing in and out, choosing a password through a one-time link
(invitations, password resets), the user admin pages and API tokens. One place to
find the view of a URL; each view declares who may call it where it is defined, and a page's
section in the top bar is its view module's (navigation.in_section)."""
from flask import Blueprint

from cev_learn.accounts import admin_views, link_views, sso_views, token_views, views
from cev_learn.platform.routing import add_routes

bp = Blueprint("accounts", __name__)

ROUTES = [  # (path, view, methods[, endpoint when not the view's name])
    ("/login", views.login, ["GET", "POST"]),
    ("/login/sso", sso_views.sso_start, ["GET"]),
    ("/login/sso/callback", sso_views.sso_callback, ["GET"]),
    ("/logout", views.logout, ["POST"]),
    ("/account/password", views.change_password, ["GET", "POST"]),
    ("/account/time-zone", views.time_zone, ["GET", "POST"]),
    ("/password/forgot", link_views.forgot_password, ["GET", "POST"]),
    ("/password/reset/<secret>", link_views.choose_new_password, ["GET", "POST"]),
    ("/welcome/<secret>", link_views.accept_invitation, ["GET", "POST"]),
    ("/admin/users", admin_views.users, ["GET"]),
    ("/admin/users/new", admin_views.create_user, ["GET", "POST"]),
    ("/admin/users/<int:user_id>", admin_views.edit_user, ["GET", "POST"]),
    ("/admin/users/<int:user_id>/password", admin_views.reset_password, ["POST"]),
    ("/admin/users/<int:user_id>/invite", admin_views.invite_user, ["POST"]),
    ("/admin/users/<int:user_id>/invitation/revoke", admin_views.revoke_invitation, ["POST"]),
    ("/admin/users/<int:user_id>/deactivate", admin_views.deactivate_user, ["POST"]),
    ("/admin/users/<int:user_id>/activate", admin_views.activate_user, ["POST"]),
    ("/admin/tokens", token_views.index, ["GET", "POST"], "tokens"),
    ("/admin/tokens/<int:token_id>/revoke", token_views.revoke_token, ["POST"]),
]

add_routes(bp, ROUTES)
bp.before_app_request(views.enforce_session_lifetime)
