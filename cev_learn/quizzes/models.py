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


class Booster(db.Model):
    """One question of a module's quiz pool that comes back to a rep who completed the module
    (quizzes.leitner): in which box it is and when it is next due; retired after its last box.
    `answer_count` numbers its answers: a form answers the booster as it was at one count, so
    a second submit of the same form is recognised and counts once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))  # whose completion started it
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"))
    question_key: Mapped[str] = mapped_column(String(32))
    box: Mapped[int] = mapped_column(default=1)
    due_on: Mapped[dt.date]
    answer_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The due day the rep was last told about (notifications), so each due day is told once.
    notified_on: Mapped[dt.date | None]

    module = relationship("Module")
    quiz: Mapped[Quiz] = relationship()

    __table_args__ = (
        UniqueConstraint("user_id", "quiz_id", "question_key"),
        Index("ix_booster_user_id_due_on", "user_id", "due_on"),
        Index("ix_booster_due_on", "due_on"),
    )


class BoosterAnswer(db.Model):
    """A rep's answer to a booster, graded at once: in which box it was answered."""

    id: Mapped[int] = mapped_column(primary_key=True)
    booster_id: Mapped[int] = mapped_column(ForeignKey("booster.id"))
    seq: Mapped[int]  # the booster's answer_count when the form was shown
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    box: Mapped[int]
    answered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    response: Mapped[dict] = mapped_column(JSON)
    fraction: Mapped[float]
    correct: Mapped[bool]

    booster: Mapped[Booster] = relationship()

    __table_args__ = (
        UniqueConstraint("booster_id", "seq"),
        Index("ix_booster_answer_user_id_answered_at", "user_id", "answered_at"),
    )
