"""Playbook content: tracks, their modules, schedule and assets, milestones and sign-off rubrics
as track.yaml declares them, and reps' reading progress."""
import datetime as dt
import enum

from sqlalchemy import (JSON, Enum, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint,
                        false)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cev_learn.platform.db import UTCDateTime, db, utcnow


class ItemKind(enum.Enum):
    MODULE = "module"
    QUIZ = "quiz"
    MILESTONE = "milestone"


class ReviewPolicy(enum.Enum):
    AFTER_EACH_ATTEMPT = "after_each_attempt"
    AFTER_PASSING = "after_passing"
    NEVER = "never"


def _enum(kind, name, length=16):
    return Enum(kind, name=name, values_callable=lambda e: [m.value for m in e],
                native_enum=False, length=length, validate_strings=True)


class Track(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    productivity_milestone: Mapped[str | None] = mapped_column(String(100))
    activity_targets: Mapped[dict] = mapped_column(JSON, default=dict)
    # track.yaml's checklists_required: a module with a checklist is complete only when the rep
    # has ticked every item (content.checklists.unticked_items); off, ticks count toward nothing.
    checklists_required: Mapped[bool] = mapped_column(default=False, server_default=false())
    # What the readiness score is built from (content.competencies, as JSON)
    competencies: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    synced_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    schedule: Mapped[list["ScheduleItem"]] = relationship(
        back_populates="track", order_by="ScheduleItem.position", cascade="all, delete-orphan")


class Module(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"))
    slug: Mapped[str] = mapped_column(String(100))
    number: Mapped[int]
    file_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    minutes: Mapped[int | None]
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    toc_html: Mapped[str] = mapped_column(Text, default="")
    heading_count: Mapped[int] = mapped_column(default=0)
    search_text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    track: Mapped[Track] = relationship()

    __table_args__ = (UniqueConstraint("track_id", "slug"),)


class ScheduleItem(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"))
    position: Mapped[int]
    kind: Mapped[ItemKind] = mapped_column(_enum(ItemKind, "schedule_item_kind"))
    slug: Mapped[str] = mapped_column(String(100))
    due_day: Mapped[int | None]

    track: Mapped[Track] = relationship(back_populates="schedule")

    __table_args__ = (UniqueConstraint("track_id", "position"),)


class Asset(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"))
    path: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    content_hash: Mapped[str] = mapped_column(String(64))
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("track_id", "path"),)


class ModuleProgress(db.Model):
    """A rep's reading of one module: when opened, when completed, which version was read."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))
    opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    content_hash_read: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("user_id", "module_id"),
        Index("ix_module_progress_module_id_completed_at", "module_id", "completed_at"),
        Index("ix_module_progress_completed_at", "completed_at"),
    )


class ChecklistTick(db.Model):
    """A checklist item of a module that a rep ticked (unticking deletes the row). The item is
    known by a hash of its words (`content.checklists.item_key`), so the tick outlives a re-sync
    that leaves those words alone. Ticks count toward nothing."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))
    item_key: Mapped[str] = mapped_column(String(32))
    ticked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "module_id", "item_key"),)


class Milestone(db.Model):
    """An outcome milestone declared in track.yaml: what is measured and by which tenure day."""

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"))
    slug: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    due_day: Mapped[int]
    measure: Mapped[dict] = mapped_column(JSON)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("track_id", "slug"),)


class Rubric(db.Model):
    """A coach sign-off rubric declared in track.yaml: its criteria and pass mark, and what
    each level of each criterion looks like where track.yaml says."""

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"))
    slug: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    pass_mark: Mapped[float]
    criteria: Mapped[list] = mapped_column(JSON)
    # One list of five texts (None where undescribed) per criterion; None: none described.
    levels: Mapped[list | None] = mapped_column(JSON)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("track_id", "slug"),)

    def level_texts(self, index: int) -> list[str | None]:
        """What levels 1-5 of the criterion at `index` look like (None where undescribed)."""
        levels = self.levels or []
        return list(levels[index]) if index < len(levels) else [None] * 5


class Exercise(db.Model):
    """A practice exercise declared in track.yaml: a pitch the rep records, which a coach
    scores against the rubric; a passing review may record the rubric's sign-off."""

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"))
    slug: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    prompt_markdown: Mapped[str] = mapped_column(Text)
    prompt_html: Mapped[str] = mapped_column(Text)  # sanitized when synced
    rubric_slug: Mapped[str] = mapped_column(String(100))
    max_seconds: Mapped[int]
    peer_review: Mapped[bool] = mapped_column(default=False)
    completes_signoff: Mapped[bool] = mapped_column(default=False)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("track_id", "slug"),)


class Certification(db.Model):
    """A certification declared in track.yaml: what earns it (quizzes passed, passing
    sign-offs, as [kind, slug] pairs), how long a certificate is valid and how many days before
    it expires the rep is reminded and given the re-certification work."""

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"))
    slug: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    requires: Mapped[list] = mapped_column(JSON)
    valid_for_days: Mapped[int]
    remind_days_before: Mapped[int]
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("track_id", "slug"),)


class Quiz(db.Model):
    """A quiz as a track's course files declare it; its questions are in its versions."""

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"))
    slug: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    file_name: Mapped[str] = mapped_column(String(300))
    pass_mark: Mapped[float]
    max_attempts: Mapped[int | None]
    time_limit_minutes: Mapped[int | None]
    draw: Mapped[int | None]
    shuffle: Mapped[bool] = mapped_column(default=True)
    review: Mapped[ReviewPolicy] = mapped_column(_enum(ReviewPolicy, "quiz_review_policy", 24))
    content_hash: Mapped[str] = mapped_column(String(64))
    question_count: Mapped[int] = mapped_column(default=0)
    # The slugs of the modules whose booster questions this quiz's questions are (track.yaml's
    # `covers`; docs/formats.md): none, the quiz gives no boosters.
    covers: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    track = relationship("Track")

    __table_args__ = (UniqueConstraint("track_id", "slug"),)


class QuizVersion(db.Model):
    """The questions of a quiz as they were at one content hash; attempts point here."""

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"))
    content_hash: Mapped[str] = mapped_column(String(64))
    questions: Mapped[list] = mapped_column(JSON)  # [{"key": ..., **Question.to_json()}]
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("quiz_id", "content_hash"),)
