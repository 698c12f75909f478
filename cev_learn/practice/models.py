"""Practice recordings a rep submits for an exercise, and the reviews of them."""
import datetime as dt
import enum

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cev_learn.platform.db import UTCDateTime, db, utcnow


class SubmissionState(enum.Enum):
    WAITING = "waiting"    # for the coach's review
    REVIEWED = "reviewed"
    RESUBMIT = "resubmit"  # the coach asked for another take


class Submission(db.Model):
    """One recording a rep submitted. The file is kept under `storage_key`, a random name."""

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercise.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    storage_key: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(8))  # platform.recordings.KINDS
    size_bytes: Mapped[int]
    duration_seconds: Mapped[float | None]
    state: Mapped[SubmissionState] = mapped_column(
        Enum(SubmissionState, name="submission_state", native_enum=False, length=16,
             values_callable=lambda e: [m.value for m in e], validate_strings=True),
        default=SubmissionState.WAITING)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    review_due_on: Mapped[dt.date]
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    exercise = relationship("Exercise")
    user = relationship("User")
    reviews: Mapped[list["Review"]] = relationship(order_by="Review.id",
                                                   back_populates="submission")

    __table_args__ = (Index("ix_submission_user_id_exercise_id", "user_id", "exercise_id"),
                      Index("ix_submission_state_submitted_at", "state", "submitted_at"),
                      Index("ix_submission_submitted_at", "submitted_at"))  # xAPI's order


class Review(db.Model):
    """A coach's scoring of a submission against the exercise's rubric, with comments pinned
    to times in the recording; or, `peer`, a rep's of the same cohort, on an exercise with
    peer reviews: it counts for nothing (no pass, sign-off or certificate) and leaves the
    submission's state alone. One review per reviewer and submission."""

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    scores: Mapped[list] = mapped_column(JSON)    # one score (1-5) per criterion
    score: Mapped[float]                          # fraction of the maximum
    passed: Mapped[bool]
    summary: Mapped[str] = mapped_column(Text)
    comments: Mapped[list] = mapped_column(JSON)  # [{"at": seconds, "text": ...}] by time
    resubmit: Mapped[bool] = mapped_column(default=False)
    peer: Mapped[bool] = mapped_column(default=False, server_default=false())
    signoff_id: Mapped[int | None] = mapped_column(ForeignKey("signoff.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    reviewer = relationship("User")
    submission: Mapped[Submission] = relationship(back_populates="reviews")

    __table_args__ = (Index("uq_review_submission_id_reviewer_id", "submission_id",
                            "reviewer_id", unique=True),
                      Index("ix_review_reviewer_id", "reviewer_id"),
                      Index("ix_review_created_at", "created_at"))  # xAPI's order
