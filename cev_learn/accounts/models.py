"""Accounts: users with one role each, and failed sign-in records for throttling."""
import datetime as dt
import enum
import time

from sqlalchemy import Enum, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from cev_learn.platform.db import UTCDateTime, db, utcnow


class Role(enum.Enum):
    REP = "rep"
    COACH = "coach"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class User(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="user_role", values_callable=lambda e: [m.value for m in e],
             validate_strings=True, native_enum=False, length=16)
    )
    territory: Mapped[str | None] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Bumped on logout, password change and deactivation: every session and remember
    # cookie carries the generation it was issued under and stops working when it moves.
    session_generation: Mapped[int] = mapped_column(default=0)
    start_on: Mapped[dt.date | None]
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    # Lists of people by role (reps waiting for a cohort, coaches to choose) read it in order.
    __table_args__ = (Index("ix_user_role_active_created_at", "role", "active", "created_at"),)

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_generation}"

    def session_id(self) -> str:
        """What a new session and its remember cookie carry: get_id() and the time now."""
        return f"{self.get_id()}:{int(time.time())}"

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


class LoginFailure(db.Model):
    """One failed sign-in, counted per account and per client address within a window."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300))
    failed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (Index("ix_login_failure_key_failed_at", "key", "failed_at"),)
