"""Unbound extensions, bound to an app in create_app()."""
import hashlib

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from cev_learn.platform import rate_limits  # noqa: F401  (registers the database:// storage)

login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate()
# Limits apply where declared (the API per token, CSP reports per address), counted where
# RATELIMIT_STORAGE_URI says: the app's database by default, so every worker shares them.
limiter = Limiter(key_func=lambda: "unused", default_limits=[])


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, signed with HMAC-SHA-256 instead of its default SHA-1."""

    digest_method = staticmethod(hashlib.sha256)


def init_app(app: Flask) -> None:
    app.session_interface = SessionCookies()
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    # Session protection is done by the session generation counter on User.
    login_manager.session_protection = None
