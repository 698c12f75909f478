"""Reads for the reader pages: a few statements each, whatever the size of the content."""
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from cev_learn.accounts.models import Role, User
from cev_learn.content.models import ItemKind, Milestone, Module, ModuleProgress, Track
from cev_learn.content.progress import (ModuleStatus, Reading, due_date, module_status,
                                        percent_complete)
from cev_learn.content.search import rank, search_terms
from cev_learn.content.track_data import track_data
from cev_learn.platform.db import db

COMPLETIONS_SHOWN = 50


@dataclass(frozen=True)
class ModuleLine:
    module: Module
    due_on: dt.date | None
    status: ModuleStatus | None  # None for staff, who do not track their own reading


@dataclass(frozen=True)
class MilestoneLine:
    milestone: Milestone
    due_on: dt.date | None


@dataclass(frozen=True)
class QuizLine:
    quiz: object  # cev_learn.quizzes.models.Quiz
    due_on: dt.date | None
    best_score: float | None
    passed: bool | None  # None: not attempted (or not a rep)

    @property
    def status(self) -> tuple[str, str]:
        """(label, tone) for the rep's status badge."""
        if self.passed:
            return "Passed", "ok"
        if self.best_score is not None:
            return "Not passed yet", "warn"
        return "Not started", "neutral"


@dataclass(frozen=True)
class TrackOverview:
    track: Track
    lines: list  # ModuleLine | QuizLine | MilestoneLine, in schedule order
    reference: list[ModuleLine]  # modules not on the schedule
    percent: int | None
    total_minutes: int

    @property
    def module_count(self) -> int:
        return sum(isinstance(line, ModuleLine) for line in self.lines) + len(self.reference)


def active_tracks() -> list[Track]:
    return list(db.session.scalars(
        select(Track).where(Track.retired_at.is_(None)).order_by(Track.title)))


def track_summaries() -> dict[int, tuple[int, int]]:
    """Module count and total minutes per active track, in one statement."""
    rows = db.session.execute(
        select(Module.track_id, func.count(), func.coalesce(func.sum(Module.minutes), 0))
        .where(Module.retired_at.is_(None)).group_by(Module.track_id))
    return {track_id: (count, minutes) for track_id, count, minutes in rows}


def rep_percent_by_track(rep: User) -> dict[int, int]:
    rows = db.session.execute(
        select(Module.track_id, func.count(Module.id), func.count(ModuleProgress.completed_at))
        .outerjoin(ModuleProgress, (ModuleProgress.module_id == Module.id)
                   & (ModuleProgress.user_id == rep.id))
        .where(Module.retired_at.is_(None)).group_by(Module.track_id))
    return {track_id: round(100 * done / total) if total else 0 for track_id, total, done in rows}


def get_active_track(slug: str) -> Track | None:
    return db.session.scalar(select(Track).where(Track.slug == slug, Track.retired_at.is_(None)))


def get_active_module(track: Track, slug: str) -> Module | None:
    return db.session.scalar(select(Module).where(
        Module.track_id == track.id, Module.slug == slug, Module.retired_at.is_(None)))


def track_modules(track: Track) -> list[Module]:
    """Active modules of a track in reading order: schedule first, then the rest by number
    (the track's shared data: titles and sizes, not bodies; no statement once read)."""
    shared = track_data([track])[track.id]
    scheduled = [shared.modules[i.slug] for i in shared.schedule
                 if i.kind is ItemKind.MODULE and i.slug in shared.modules]
    seen = {m.slug for m in scheduled}
    return scheduled + sorted((m for m in shared.modules.values() if m.slug not in seen),
                              key=lambda m: (m.number, m.slug))


@dataclass(frozen=True)
class ModuleInTrack:
    module: Module
    previous: Module | None
    next: Module | None
    position: int  # 1-based, in reading order
    count: int


def module_in_track(track: Track, slug: str) -> ModuleInTrack | None:
    """An active module (the whole of it: one statement) with its neighbours in reading
    order."""
    order = track_modules(track)
    for index, light in enumerate(order):
        if light.slug == slug:
            module = db.session.get(Module, light.id)
            if module is None or module.retired_at is not None:
                return None
            return ModuleInTrack(module, order[index - 1] if index else None,
                                 order[index + 1] if index + 1 < len(order) else None,
                                 index + 1, len(order))
    return None


@dataclass(frozen=True)
class WorkItem:
    kind: str  # "module" or "quiz"
    title: str
    link: dict  # {"track": slug, "module" or "quiz": slug}


def work_after(track: Track, kind: str, item_id: int) -> WorkItem | None:
    """The module or quiz that follows one on the track's schedule (no statement once the
    track is read)."""
    work = track_data([track])[track.id].work
    for index, (this_kind, _, _, this_id, _) in enumerate(work):
        if (this_kind, this_id) == (kind, item_id) and index + 1 < len(work):
            next_kind, title, _, _, link = work[index + 1]
            return WorkItem(next_kind, title, link)
    return None


def readings(rep: User, module_ids: list[int]) -> dict[int, Reading]:
    rows = db.session.scalars(select(ModuleProgress).where(
        ModuleProgress.user_id == rep.id, ModuleProgress.module_id.in_(module_ids)))
    return {p.module_id: Reading(p.opened_at, p.completed_at, p.content_hash_read) for p in rows}


def track_overview(track: Track, viewer: User, today: dt.date, *, start: dt.date | None = None,
                   quiz_results: dict[int, tuple[float | None, bool]] | None = None
                   ) -> TrackOverview:
    """The track's outline for a viewer; for a rep, with due dates from their `start` (day 0
    of their schedule) and their best score and pass on each quiz (`quiz_results`, by quiz id),
    which the layers that hold memberships and attempts provide."""
    shared = track_data([track])[track.id]
    modules = track_modules(track)
    by_slug = {m.slug: m for m in modules}
    is_rep = viewer.role is Role.REP
    reads = readings(viewer, [m.id for m in modules]) if is_rep else {}
    milestones = {m.slug: m for m in shared.milestones}
    quizzes = shared.quizzes
    results = quiz_results or {}

    def module_line(module, due_day):
        due_on = due_date(start, due_day) if is_rep else None
        status = module_status(reads.get(module.id), module.content_hash, due_on, today) \
            if is_rep else None
        return ModuleLine(module, due_on, status)

    lines, scheduled = [], set()
    for item in shared.schedule:
        if item.kind is ItemKind.MODULE and item.slug in by_slug:
            lines.append(module_line(by_slug[item.slug], item.due_day))
            scheduled.add(item.slug)
        elif item.kind is ItemKind.QUIZ and item.slug in quizzes:
            quiz = quizzes[item.slug]
            best, passed = results.get(quiz.id, (None, None))
            lines.append(QuizLine(quiz, due_date(start, item.due_day) if is_rep else None,
                                  best, passed))
        elif item.kind is ItemKind.MILESTONE and item.slug in milestones:
            lines.append(MilestoneLine(milestones[item.slug],
                                       due_date(start, item.due_day) if is_rep else None))
    reference = [module_line(m, None) for m in modules if m.slug not in scheduled]
    module_lines = [line for line in lines if isinstance(line, ModuleLine)] + reference
    percent = percent_complete([line.status for line in module_lines]) if is_rep else None
    return TrackOverview(track, lines, reference, percent,
                         sum(m.minutes or 0 for m in modules))


@dataclass(frozen=True)
class Completion:
    name: str
    email: str
    completed_at: dt.datetime
    current: bool


def module_completions(module: Module, visible=True) -> tuple[int, list[Completion]]:
    """How many of the reps a viewer may see completed the module, and the latest of them."""
    total = db.session.scalar(select(func.count()).select_from(ModuleProgress).where(
        ModuleProgress.module_id == module.id, ModuleProgress.completed_at.is_not(None),
        visible))
    rows = db.session.execute(
        select(User.name, User.email, ModuleProgress.completed_at, ModuleProgress.content_hash_read)
        .join(User, User.id == ModuleProgress.user_id)
        .where(ModuleProgress.module_id == module.id, ModuleProgress.completed_at.is_not(None),
               visible)
        .order_by(ModuleProgress.completed_at.desc()).limit(COMPLETIONS_SHOWN))
    return total, [Completion(name, email, at, digest == module.content_hash)
                   for name, email, at, digest in rows]


@dataclass(frozen=True)
class SearchResult:
    module: Module
    snippet: str


def search_modules(query: str, limit: int = 25) -> list[SearchResult]:
    terms = search_terms(query)
    if not terms:
        return []
    stmt = (select(Module.id, Module.title, Module.search_text)
            .join(Track, Track.id == Module.track_id)
            .where(Module.retired_at.is_(None), Track.retired_at.is_(None)))
    for term in terms:
        stmt = stmt.where(func.lower(Module.search_text).contains(term, autoescape=True))
    hits = rank(list(db.session.execute(stmt)), terms)[:limit]
    modules = {m.id: m for m in db.session.scalars(
        select(Module).options(selectinload(Module.track))
        .where(Module.id.in_([h.module_id for h in hits])))}
    return [SearchResult(modules[h.module_id], h.snippet) for h in hits]
