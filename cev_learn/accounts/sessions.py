"""Sessions: the user loader checks the session generation; lifetimes are enforced here."""
import time

from flask import current_app, session
from flask_login import current_user, login_user, logout_user

from cev_learn.accounts.models import User
from cev_learn.db import db
from cev_learn.extensions import login_manager

AUTH_AT_KEY = "auth_at"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Accept a session only if it was issued under the user's current generation."""
    try:
        uid, generation = (int(part) for part in user_id.split(":"))
    except ValueError:
        return None
    user = db.session.get(User, uid)
    if user is None or not user.active or user.session_generation != generation:
        return None
    return user


def start_session(user: User, remember: bool) -> None:
    """Sign in with a fresh session (no data carried over from before sign-in)."""
    session.clear()
    session.permanent = True
    login_user(user, remember=remember)
    session[AUTH_AT_KEY] = int(time.time())


def end_session() -> None:
    logout_user()
    session.clear()


def enforce_absolute_lifetime() -> None:
    """Sign out a session older than SESSION_ABSOLUTE_LIFETIME, however active it has been."""
    if not current_user.is_authenticated:
        return
    now = int(time.time())
    auth_at = session.get(AUTH_AT_KEY)
    if auth_at is None:  # signed in from a remember cookie
        session.permanent = True
        session[AUTH_AT_KEY] = now
    elif now - auth_at > current_app.config["SESSION_ABSOLUTE_LIFETIME"]:
        end_session()
