"""What every rep of a track shares, kept by each process between content syncs.

A track's schedule, modules, quizzes, milestones, rubrics and certifications change only when
`content sync`
changes the track, and then the track's content hash changes too. Pages read them for every
rep they show, so each process keeps the newest version of each track it has read, keyed by
that hash, and reads the track again only after a sync.
"""
from collections.abc import Container
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import defer

from cev_learn.content.models import (Certification, ItemKind, Milestone, Module, Quiz, Rubric,
                                      ScheduleItem, Track)
from cev_learn.platform.db import db, private_reader


@dataclass
class TrackData:
    """What every rep of a track shares: its schedule, modules, quizzes, milestones, rubrics
    and certifications."""

    track: Track
    schedule: list[ScheduleItem]
    modules: dict[str, Module]
    quizzes: dict[str, Quiz]
    milestones: list[Milestone]  # by due day, then slug
    rubrics: dict[str, Rubric]
    certifications: dict[str, Certification]

    @cached_property
    def onboarding_days(self) -> int:
        """How long a rep counts as onboarding: until the last due day of the track (work or
        milestone) and FOLLOW_UP_DAYS more to catch up; after that, coaches and managers no
        longer follow them day by day."""
        due_days = [m.due_day for m in self.milestones]
        due_days += [i.due_day for i in self.schedule if i.due_day is not None]
        return max(due_days, default=0) + FOLLOW_UP_DAYS

    @cached_property
    def work(self) -> list[tuple[str, str, int | None, int, dict]]:
        """The schedule's modules and quizzes as (kind, title, due day, module or quiz id,
        what a page links to), read once for all the reps of the track."""
        work = []
        for entry in self.schedule:
            if entry.kind is ItemKind.MODULE and entry.slug in self.modules:
                module = self.modules[entry.slug]
                work.append(("module", module.title, entry.due_day, module.id,
                             {"track": self.track.slug, "module": module.slug}))
            elif entry.kind is ItemKind.QUIZ and entry.slug in self.quizzes:
                quiz = self.quizzes[entry.slug]
                work.append(("quiz", quiz.title, entry.due_day, quiz.id,
                             {"track": self.track.slug, "quiz": quiz.slug}))
        return work

    def items_done(self, modules_done: Container[int], quizzes_passed: Container[int]
                   ) -> tuple[int, int]:
        """(done, total) of `work`, the track progress of a rep who completed `modules_done`
        and passed `quizzes_passed` (ids); `progress.track_percent` makes it a percentage."""
        done = sum(1 for kind, _, _, item_id, _ in self.work
                   if item_id in (modules_done if kind == "module" else quizzes_passed))
        return done, len(self.work)

    @cached_property
    def dated_work(self) -> list[tuple[int, str, int]]:
        """The modules and quizzes of `work` that have a due day, as (due day, kind, module or
        quiz id), earliest due first."""
        return sorted((due_day, kind, item_id) for kind, _, due_day, item_id, _ in self.work
                      if due_day is not None)

    @cached_property
    def module_slugs(self) -> dict[int, str]:
        return {module.id: slug for slug, module in self.modules.items()}

    @cached_property
    def quiz_slugs(self) -> dict[int, str]:
        return {quiz.id: slug for slug, quiz in self.quizzes.items()}

    @cached_property
    def rubric_slugs(self) -> dict[int, str]:
        return {rubric.id: slug for slug, rubric in self.rubrics.items()}


FOLLOW_UP_DAYS = 30
_TRACKS: dict[int, tuple[tuple, TrackData]] = {}
_HEAVY_MODULE_COLUMNS = (Module.body_markdown, Module.body_html, Module.toc_html,
                         Module.search_text)


def _version(track: Track) -> tuple:
    return track.content_hash, track.synced_at, track.retired_at


VERSION_COLUMNS = (Track.content_hash, Track.synced_at, Track.retired_at)  # what `_version` is


def track_data(tracks) -> dict[int, TrackData]:
    """Schedules, modules, quizzes, milestones, rubrics and certifications of some (loaded)
    tracks: no statements for a track this process has read since its last sync, seven
    otherwise."""
    return track_data_at({track.id: _version(track) for track in tracks})


def track_data_at(versions: dict[int, tuple]) -> dict[int, TrackData]:
    """`track_data` of tracks known by id and version (their VERSION_COLUMNS, read with
    something else), so that no statement reads the tracks themselves."""
    data, missing = {}, []
    for track_id, version in versions.items():
        cached = _TRACKS.get(track_id)
        if cached is not None and cached[0] == tuple(version):
            data[track_id] = cached[1]
        else:
            missing.append(track_id)
    if missing:
        for track_id, loaded in _load_track_data(missing).items():
            _TRACKS[track_id] = (_version(loaded.track), loaded)
            data[track_id] = loaded
    return data


def read_active_tracks(app) -> int:
    """Read every active track into this process (a server process does it before its first
    request); returns how many. A database that cannot answer yet leaves it to the requests."""
    try:
        with app.app_context():
            try:
                tracks = list(db.session.scalars(select(Track).where(Track.retired_at.is_(None))))
                return len(track_data(tracks))
            finally:
                db.session.remove()
    except SQLAlchemyError:
        return 0


def forget_tracks() -> None:
    """Drop every track this process keeps (the next read loads them again)."""
    _TRACKS.clear()


def _load_track_data(track_ids: list[int]) -> dict[int, TrackData]:
    """Load what the tracks' reps share in a database session of its own, closed at once, so
    that nothing the request changes or commits can touch it: seven statements."""
    with private_reader() as private:
        data = {t.id: TrackData(t, [], {}, {}, [], {}, {}) for t in private.scalars(
            select(Track).where(Track.id.in_(track_ids)))}
        for item in private.scalars(select(ScheduleItem).where(
                ScheduleItem.track_id.in_(track_ids)).order_by(ScheduleItem.position)):
            data[item.track_id].schedule.append(item)
        for module in private.scalars(
                select(Module).options(*(defer(c, raiseload=True) for c in _HEAVY_MODULE_COLUMNS))
                .where(Module.track_id.in_(track_ids), Module.retired_at.is_(None))):
            data[module.track_id].modules[module.slug] = module
        for quiz in private.scalars(select(Quiz).where(
                Quiz.track_id.in_(track_ids), Quiz.retired_at.is_(None))):
            data[quiz.track_id].quizzes[quiz.slug] = quiz
        for milestone in private.scalars(select(Milestone).where(
                Milestone.track_id.in_(track_ids), Milestone.retired_at.is_(None))
                .order_by(Milestone.due_day, Milestone.slug)):
            data[milestone.track_id].milestones.append(milestone)
        for rubric in private.scalars(select(Rubric).where(
                Rubric.track_id.in_(track_ids), Rubric.retired_at.is_(None))):
            data[rubric.track_id].rubrics[rubric.slug] = rubric
        for certification in private.scalars(select(Certification).where(
                Certification.track_id.in_(track_ids), Certification.retired_at.is_(None))
                .order_by(Certification.slug)):
            data[certification.track_id].certifications[certification.slug] = certification
    return data
