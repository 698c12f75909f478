"""A notification for one person, and how each person wants to hear about them by email."""
import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from cev_learn.platform.db import UTCDateTime, db


class EmailFrequency(enum.Enum):
    IMMEDIATELY = "immediately"
    DAILY = "daily"
    OFF = "off"

    @property
    def label(self) -> str:
        return {"immediately": "Immediately: one email per notification",
                "daily": "Daily digest: one email a day with what is new",
                "off": "Off: no email, the bell only"}[self.value]


DEFAULT_FREQUENCY = EmailFrequency.DAILY


class Kind(enum.Enum):
    """What a notification is about (stored as its value)."""

    ASSIGNED = "assigned"            # to a rep: a coach gave them work
    GRADED = "graded"                # to a rep: a coach graded their written answers
    NOTE = "note"                    # to a rep: a coach shared a note with them
    MODULE_UPDATED = "module_updated"  # to a rep: a module they completed changed
    TO_GRADE = "to_grade"            # to a coach: an attempt waits for their grading
    FALLING_BEHIND = "falling_behind"  # to a coach: one of their reps turned at risk or behind
    BOOSTERS_DUE = "boosters_due"    # to a rep: booster questions came due
    RENEWAL = "renewal"              # to a rep: a certificate expires soon; its quizzes are due


TEXT_LENGTH = 300  # a notification's text; longer names and titles are cut to fit (`fitted`)


class Notification(db.Model):
    """`link` is a path in the app (no host: emails put BASE_URL before it). `emailed_at` is
    when email for it was settled: sent at once, in a digest, or not at all (read first, or
    its recipient wants none); None while an email may still be due."""

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(String(TEXT_LENGTH))
    link: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_notification_recipient_id_read_at", "recipient_id", "read_at"),
        Index("ix_notification_recipient_id_id", "recipient_id", "id"),
        Index("ix_notification_emailed_at", "emailed_at"),
    )


class NotificationSettings(db.Model):
    """A person's choice of email; no row: the default (a daily digest)."""

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    email: Mapped[str] = mapped_column(String(16), default=DEFAULT_FREQUENCY.value)

    @property
    def frequency(self) -> EmailFrequency:
        return EmailFrequency(self.email)
