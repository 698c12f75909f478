"""Sessions: the user loader checks the session generation; lifetimes are enforced here.

The layers above may ask for a value about the signed-in person to be read with them, in the
statement that loads them (`read_with_user`): the top bar's count of unread notifications costs
no statement of its own that way."""
import datetime as dt
import time
from collections.abc import Callable

from flask import current_app, g, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from cev_learn.accounts.models import User
from cev_learn.platform.db import db
from cev_learn.platform.extensions import login_manager

AUTH_AT_KEY = "auth_at"
# Sessions and remember cookies carry User.session_id(): "id:generation:issued at".
login_manager.id_attribute = "session_id"


# name -> a function giving a scalar SQL expression about the user whose id it is given
_READ_WITH_USER: dict[str, Callable] = {}


def read_with_user(name: str, expression: Callable) -> None:
    """Read `expression(User.id)` (a scalar subquery) with the signed-in person, in the
    statement that loads them; its value is `read_with_signed_in(name)` for the request."""
    _READ_WITH_USER[name] = expression


def read_with_signed_in(name: str):
    """A value `read_with_user` asked for, read when this request's user was loaded; None
    when no user was loaded from a session in this request."""
    return g.get("read_with_user", {}).get(name)


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
    names = list(_READ_WITH_USER)
    row = db.session.execute(select(User, *(_READ_WITH_USER[n](User.id) for n in names))
                             .where(User.id == uid)).first()
    user = row[0] if row else None
    if user is None or not user.active or user.session_generation != generation:
        return None
    g.read_with_user = dict(zip(names, row[1:], strict=True))
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
