"""Taking quizzes: attempts and their answers. A quiz and its content versions are declared
in the course files, so they live with the track (content.models)."""
import datetime as dt
import enum

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cev_learn.content.models import Quiz, QuizVersion
from cev_learn.platform.db import UTCDateTime, db


class AttemptState(enum.Enum):
    IN_PROGRESS = "in_progress"
    NEEDS_GRADING = "needs_grading"  # submitted; essays wait for a coach
    GRADED = "graded"

    @property
    def label(self) -> str:
        return {"in_progress": "In progress", "needs_grading": "Waiting for your coach",
                "graded": "Graded"}[self.value]


def _enum(kind, name):
    return Enum(kind, name=name, values_callable=lambda e: [m.value for m in e],
                native_enum=False, length=24, validate_strings=True)


class Attempt(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("quiz_version.id"))
    attempt_no: Mapped[int]
    state: Mapped[AttemptState] = mapped_column(_enum(AttemptState, "attempt_state"))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    deadline_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    score: Mapped[float | None]  # fraction 0..1 of the points
    passed: Mapped[bool | None]
    # When the score became final (graded on submission, or by the coach's last grade or
    # override): the moment the result was stored, which may be days after submission.
    graded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Which questions were drawn, in which order, with each one's option order.
    layout: Mapped[list] = mapped_column(JSON)
    # Keys of the questions the rep flagged to come back to before submitting (None: none).
    flagged: Mapped[list | None] = mapped_column(JSON)

    quiz: Mapped[Quiz] = relationship()
    version: Mapped[QuizVersion] = relationship()
    user = relationship("User")

    __table_args__ = (
        UniqueConstraint("user_id", "quiz_id", "attempt_no"),
        Index("ix_attempt_quiz_id_state", "quiz_id", "state"),
        Index("ix_attempt_graded_at", "graded_at"),
    )


class AttemptAnswer(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"))
    question_key: Mapped[str] = mapped_column(String(32))
    response: Mapped[dict] = mapped_column(JSON)
    saved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    fraction: Mapped[float | None]
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    graded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    comment: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("attempt_id", "question_key"),)
