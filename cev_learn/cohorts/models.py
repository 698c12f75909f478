"""Cohorts of reps who start together, their coaches, assignments, sign-offs and notes."""
import datetime as dt
import enum

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cev_learn.platform.db import UTCDateTime, db, utcnow


class Cohort(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"))
    start_on: Mapped[dt.date]
    territory: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    track = relationship("Track")
    coach_links: Mapped[list["CohortCoach"]] = relationship(cascade="all, delete-orphan")


class CohortCoach(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id"))
    coach_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    coach = relationship("User")

    __table_args__ = (UniqueConstraint("cohort_id", "coach_id"),
                      Index("ix_cohort_coach_coach_id", "coach_id"))


class Membership(db.Model):
    """A rep in a cohort. Moving a rep closes this row and opens another: history stays."""

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    start_on: Mapped[dt.date | None]  # None: the cohort's start date
    end_on: Mapped[dt.date | None]    # the rep left the company
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    moved_out_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    cohort: Mapped[Cohort] = relationship()
    user = relationship("User")

    __table_args__ = (
        Index("uq_membership_current_user", "user_id", unique=True,
              sqlite_where=text("moved_out_at IS NULL"),
              postgresql_where=text("moved_out_at IS NULL")),
        Index("ix_membership_cohort_id", "cohort_id"),
    )

    @property
    def effective_start_on(self) -> dt.date:
        return self.start_on or self.cohort.start_on


class AssignmentKind(enum.Enum):
    MODULE = "module"
    QUIZ = "quiz"


class Assignment(db.Model):
    """Extra work a coach gives one rep, with its own due date."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[AssignmentKind] = mapped_column(
        Enum(AssignmentKind, name="assignment_kind", values_callable=lambda e: [m.value for m in e],
             native_enum=False, length=16, validate_strings=True))
    module_id: Mapped[int | None] = mapped_column(ForeignKey("module.id"))
    quiz_id: Mapped[int | None] = mapped_column(ForeignKey("quiz.id"))
    due_on: Mapped[dt.date]
    note: Mapped[str | None] = mapped_column(Text)
    # None: assigned by cev_learn itself (re-certification work before a certificate expires)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    module = relationship("Module")
    quiz = relationship("Quiz")

    __table_args__ = (Index("ix_assignment_user_id_due_on", "user_id", "due_on"),)


class Signoff(db.Model):
    """A coach's scoring of a rep against a rubric, criterion by criterion."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id"))
    coach_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    scores: Mapped[list] = mapped_column(JSON)    # one score (1-5) per criterion
    comments: Mapped[list] = mapped_column(JSON)  # one comment (or "") per criterion
    score: Mapped[float]                          # fraction of the maximum
    passed: Mapped[bool]
    signed_on: Mapped[dt.date]
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    rubric = relationship("Rubric")
    coach = relationship("User", foreign_keys=[coach_id])

    __table_args__ = (Index("ix_signoff_user_id", "user_id"),)


class CoachingNote(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))  # the rep
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)
    shared: Mapped[bool] = mapped_column(default=False)  # visible to the rep
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author = relationship("User", foreign_keys=[author_id])

    __table_args__ = (Index("ix_coaching_note_user_id", "user_id"),)


class ReminderLog(db.Model):
    """One reminder sent: never the same kind to the same person twice for one day."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(32))
    for_date: Mapped[dt.date]
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "kind", "for_date"),)
