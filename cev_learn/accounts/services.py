"""Account operations: explicit inputs, flush but never commit (the caller commits once)."""
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, inspect, select, update

from cev_learn.accounts import throttle
from cev_learn.accounts.api_tokens import ApiToken
from cev_learn.accounts.models import Role, User
from cev_learn.accounts.passwords import hash_password, verify_password
from cev_learn.platform import time_zones
from cev_learn.platform.db import db, utcnow


class AccountError(Exception):
    """A rule about accounts was broken; the message is fit to show to the user."""

    field: str | None = None


class DuplicateEmail(AccountError):
    field = "email"

    def __init__(self, email: str):
        super().__init__(f"A user with the email {email} already exists.")


class UnknownTimeZone(AccountError):
    field = "time_zone"

    def __init__(self, name: str | None):
        super().__init__(time_zones.zone_problem(name))


class SelfLockout(AccountError):
    def __init__(self, what: str):
        super().__init__(f"You cannot {what} your own account; ask another admin.")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _ensure_email_free(email: str, except_user: User | None = None) -> None:
    existing = find_user_by_email(email)
    if existing is not None and existing is not except_user:
        raise DuplicateEmail(email)


def create_user(*, email: str, name: str, role: Role, password: str | None, hash_method: str,
                territory: str | None = None, start_on: dt.date | None = None,
                time_zone: str | None = None) -> User:
    email = normalise_email(email)
    _ensure_email_free(email)
    user = User(email=email, name=name.strip(), role=role, territory=_blank_to_none(territory),
                start_on=start_on, active=True, session_generation=0,
                time_zone=_known_zone_or_none(time_zone))
    if password is not None:
        user.password_hash = hash_password(password, hash_method)
    db.session.add(user)
    db.session.flush()
    return user


def update_user(user: User, *, actor: User, email: str, name: str, role: Role,
                territory: str | None, start_on: dt.date | None,
                time_zone: str | None = None) -> User:
    """Change a user's details; a blank `time_zone` keeps theirs (it is theirs to choose, an
    admin may set it for them)."""
    email = normalise_email(email)
    zone = _known_zone_or_none(time_zone)
    if email != user.email:
        _ensure_email_free(email, except_user=user)
    if actor.id == user.id and role is not user.role:
        raise SelfLockout("change the role of")
    user.email, user.name, user.role = email, name.strip(), role
    user.territory, user.start_on = _blank_to_none(territory), start_on
    user.time_zone = zone or user.time_zone
    db.session.flush()
    return user


def set_time_zone(user: User, name: str | None) -> None:
    """The zone every time is shown to them in; UnknownTimeZone, nothing changed, for a name
    cev_learn does not know."""
    zone = _known_zone_or_none(name)
    if zone is None:
        raise UnknownTimeZone(name)
    user.time_zone = zone
    db.session.flush()


def adopt_browser_time_zone(user_id: int, name: str | None) -> None:
    """At sign-in, the zone the browser reports becomes the person's if they have none yet:
    a zone they or an admin chose is kept. An unknown or missing name changes nothing (one
    UPDATE at most, no SELECT)."""
    if time_zones.zone_problem(name) is not None:
        return
    db.session.execute(update(User).where(User.id == user_id, User.time_zone.is_(None))
                       .values(time_zone=name.strip()))


def _known_zone_or_none(name: str | None) -> str | None:
    """The zone named, None for a blank one; UnknownTimeZone for a name cev_learn does not
    know."""
    name = (name or "").strip()
    if not name:
        return None
    if time_zones.zone_problem(name) is not None:
        raise UnknownTimeZone(name)
    return name


def set_password(user: User, password: str, hash_method: str) -> None:
    """Store a new password and end every existing session of the user."""
    user.password_hash = hash_password(password, hash_method)
    end_all_sessions(user)


def end_all_sessions(user: User) -> None:
    # Counted up in the database (with any other change to the user: one UPDATE), so two
    # requests doing it at once both count, and the user need not be read first.
    user.session_generation = User.session_generation + 1
    db.session.flush()


def deactivate_user(user: User, *, actor: User) -> None:
    if actor.id == user.id:
        raise SelfLockout("deactivate")
    user.active = False
    end_all_sessions(user)
    _revoke_api_tokens(user)


def _revoke_api_tokens(user: User) -> None:
    """Like sessions, the person's API tokens end for good: reactivating the account must
    not bring back a secret that may have left with them."""
    db.session.execute(update(ApiToken)
                       .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))


def activate_user(user: User) -> None:
    user.active = True
    db.session.flush()


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    attempt: throttle.Attempt | None = None

    @property
    def throttled(self) -> bool:
        return self.attempt is None


def check_sign_in(attempt: throttle.Attempt | None, *, email: str, password: str,
                  hash_method: str) -> SignInResult:
    """Check the credentials of an attempt the throttle admitted (None: it refused it),
    reading only; unknown and known emails are treated alike. Pass the result to
    record_sign_in."""
    if attempt is None:
        return SignInResult(user=None)
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password, hash_method)
    return SignInResult(user=user if ok and user is not None and user.active else None,
                        attempt=attempt)


def record_sign_in(result: SignInResult, *, email: str, now: dt.datetime,
                   browser_time_zone: str | None = None) -> None:
    """Forgive a successful sign-in's attempt and the account's failures, note the time, and
    keep the browser's time zone for a person who has none yet. A failed attempt needs nothing
    more: the throttle counted it before the check."""
    if result.user is None:
        return
    throttle.forgive_attempt(result.attempt, email)
    # By id (known without reading the row again): one UPDATE, no SELECT.
    (user_id,) = inspect(result.user).identity
    db.session.execute(update(User).where(User.id == user_id).values(last_login_at=now))
    adopt_browser_time_zone(user_id, browser_time_zone)


def _blank_to_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None
