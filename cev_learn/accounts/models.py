"""Accounts: users with one role each, failed sign-in records for throttling, and the one-time
links by email that let a person choose a password (invitations and password resets)."""
import datetime as dt
import enum
import time

from sqlalchemy import Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from cev_learn.platform import time_zones
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
    # The identity provider's account (issuer and subject) this user signs in with, once they
    # have signed in through single sign-on: found by it the next time, whatever the email.
    sso_issuer: Mapped[str | None] = mapped_column(String(255))
    sso_subject: Mapped[str | None] = mapped_column(String(255))
    # The IANA zone (like "Europe/Berlin") every time is shown to them in: chosen on their
    # account page or by an admin, or their browser's, stored at their first sign-in.
    time_zone: Mapped[str | None] = mapped_column(String(time_zones.MAX_LENGTH))

    __table_args__ = (
        # Lists of people by role (reps waiting for a cohort, coaches to choose) read it in
        # order.
        Index("ix_user_role_active_created_at", "role", "active", "created_at"),
        Index("ix_user_sso_issuer_sso_subject", "sso_issuer", "sso_subject", unique=True),
    )

    @property
    def shown_time_zone(self) -> str:
        """The zone times are shown to them in: theirs, or UTC until it is known."""
        return self.time_zone or time_zones.DEFAULT_ZONE

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


class LinkPurpose(enum.Enum):
    INVITATION = "invitation"          # a new person chooses their first password
    PASSWORD_RESET = "password_reset"  # someone who forgot theirs chooses a new one


class SignInLink(db.Model):
    """A one-time link, sent by email, to choose a password. Only the SHA-256 digest of its
    secret is stored, and only once the email goes out (an invitation is queued without
    one): whoever reads the database cannot follow it. Used once, then never again."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    purpose: Mapped[LinkPurpose] = mapped_column(
        Enum(LinkPurpose, name="link_purpose", values_callable=lambda e: [m.value for m in e],
             validate_strings=True, native_enum=False, length=16))
    digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    delivery_error: Mapped[str | None] = mapped_column(String(300))

    __table_args__ = (Index("ix_sign_in_link_user_id_purpose", "user_id", "purpose"),)

    def usable(self, now: dt.datetime) -> bool:
        """Sent, not yet used or revoked, and not expired."""
        return (self.sent_at is not None and self.used_at is None and self.revoked_at is None
                and self.expires_at is not None and now < self.expires_at)

    def open(self, now: dt.datetime) -> bool:
        """Waiting to be sent, or sent and still usable."""
        return self.used_at is None and self.revoked_at is None and (
            self.sent_at is None or (self.expires_at is not None and now < self.expires_at))
