"""Sessions: the user loader checks the session generation; lifetimes are enforced here."""
import datetime as dt
import time

from flask import current_app, session
from flask_login import current_user, login_user, logout_user

from cev_learn.accounts.models import User
from cev_learn.platform.db import db
from cev_learn.platform.extensions import login_manager

AUTH_AT_KEY = "auth_at"
# Sessions and remember cookies carry User.session_id(): "id:generation:issued at".
login_manager.id_attribute = "session_id"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Accept a session or remember cookie only if it was issued under the user's current
    generation, and within a remember cookie's lifetime: browsers drop the cookie then, but
    a copied one would otherwise sign in for good."""
    try:
        uid, generation, issued_at = (int(part) for part in user_id.split(":"))
    except ValueError:
        return None
    if time.time() - issued_at > _remember_seconds():
        return None
    user = db.session.get(User, uid)
    if user is None or not user.active or user.session_generation != generation:
        return None
    return user


def _remember_seconds() -> float:
    duration = current_app.config["REMEMBER_COOKIE_DURATION"]
    return duration.total_seconds() if isinstance(duration, dt.timedelta) else float(duration)


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
