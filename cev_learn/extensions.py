"""Unbound extensions, bound to an app in create_app()."""
from flask import Flask
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate()
# Limits apply where declared (the API, per token); storage from RATELIMIT_STORAGE_URI.
limiter = Limiter(key_func=lambda: "unused", default_limits=[])


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    # Session protection is done by the session generation counter on User.
    login_manager.session_protection = None
