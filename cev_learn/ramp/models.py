"""Ramp definitions from track.yaml: outcome milestones and coach sign-off rubrics."""
import datetime as dt

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cev_learn.db import UTCDateTime, db


class Milestone(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"))
    slug: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    due_day: Mapped[int]
    measure: Mapped[dict] = mapped_column(JSON)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("track_id", "slug"),)


class Rubric(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"))
    slug: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    pass_mark: Mapped[float]
    criteria: Mapped[list] = mapped_column(JSON)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("track_id", "slug"),)
