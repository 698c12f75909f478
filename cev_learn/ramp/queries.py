"""Reads of milestones and achievements, for the pages and the API alike."""
from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from cev_learn.accounts.models import User
from cev_learn.content.models import Milestone, Track
from cev_learn.platform.db import db
from cev_learn.ramp.models import Achievement, AchievementChange


def active_milestone(track_id: int, slug: str) -> Milestone | None:
    """The milestone of a track with this slug, unless it is retired."""
    return db.session.scalar(select(Milestone).where(
        Milestone.track_id == track_id, Milestone.slug == slug, Milestone.retired_at.is_(None)))


def _achievements() -> Select:
    """(achievement, its milestone, the milestone's track slug, the email of who recorded it)."""
    recorder = aliased(User)
    return (select(Achievement, Milestone, Track.slug, recorder.email)
            .join(Milestone, Milestone.id == Achievement.milestone_id)
            .join(Track, Track.id == Milestone.track_id)
            .outerjoin(recorder, recorder.id == Achievement.recorded_by_id))


def achievements_of(rep_id: int) -> list:
    """The rep's stored achievements as (achievement, milestone, track slug, recorder's
    email), by the day reached and the milestone's slug."""
    return list(db.session.execute(_achievements().where(Achievement.user_id == rep_id)
                                   .order_by(Achievement.achieved_on, Milestone.slug)))


def achievement(rep_id: int, milestone_id: int):
    """The rep's stored achievement of one milestone, as a row of `achievements_of`; None
    when there is none."""
    return db.session.execute(_achievements().where(
        Achievement.user_id == rep_id, Achievement.milestone_id == milestone_id)).first()


def achievement_history(rep_id: int) -> list:
    """Every change to the rep's achievements in the order they were written (their times
    come from the app's clock and, for a measured one cleared, the database's), as (change,
    milestone slug, track slug, the email of who made it)."""
    recorder = aliased(User)
    return list(db.session.execute(
        select(AchievementChange, Milestone.slug, Track.slug, recorder.email)
        .join(Milestone, Milestone.id == AchievementChange.milestone_id)
        .join(Track, Track.id == Milestone.track_id)
        .outerjoin(recorder, recorder.id == AchievementChange.recorded_by_id)
        .where(AchievementChange.user_id == rep_id)
        .order_by(AchievementChange.id)))
