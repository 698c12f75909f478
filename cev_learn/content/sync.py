"""Content sync: loaded tracks into the database, in place by slug, retiring what vanished.

Nothing is ever deleted: a module, milestone or asset that disappeared from the tree is retired,
so reading progress and history stay. Unchanged files are skipped by content hash, so a re-sync
of an unchanged tree writes nothing. When a track's milestones or its set of modules change, the
achievements of the reps in its cohorts are brought up to date as of the day of `now`; the
modules whose text changed are announced (`events.modules_revised`), so that the reps who had
completed them hear of it. The caller commits once (or rolls back).
"""
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from cev_learn.content.loader import (AssetSource, ModuleSource, QuizSource, TrackSource,
                                      resolve_link)
from cev_learn.content.models import (Asset, Certification, Exercise, ItemKind, Milestone,
                                      Module, Quiz, QuizVersion, ReviewPolicy, Rubric,
                                      ScheduleItem, Track)
from cev_learn.content.placeholders import substitute
from cev_learn.content.rendering import render_markdown
from cev_learn.platform import events
from cev_learn.platform.db import db
from cev_learn.platform.sanitize import ID_PREFIX

KINDS = ("tracks", "modules", "quizzes", "milestones", "rubrics", "exercises", "certifications",
         "assets")


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    retired: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return (f"{self.created} created, {self.updated} updated, {self.retired} retired, "
                f"{self.unchanged} unchanged")


@dataclass
class SyncReport:
    counts: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in KINDS})

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated or c.retired for c in self.counts.values())

    def lines(self) -> list[str]:
        return [f"{kind + ' ':<11}{self.counts[kind]}" for kind in KINDS]


@dataclass(frozen=True)
class Urls:
    """How content links become app URLs (the caller builds these from its routes)."""

    module: Callable[[str, str], str]
    asset: Callable[[str, str], str]


def sync_tracks(sources: list[TrackSource], *, urls: Urls, now: dt.datetime,
                retire_missing_tracks: bool) -> SyncReport:
    report, revised = SyncReport(), []
    existing = {t.slug: t for t in db.session.scalars(select(Track))}
    remeasured = [track_id for source in sources
                  if (track_id := _sync_track(source, existing.get(source.slug), urls, now,
                                              report, revised)) is not None]
    if retire_missing_tracks:
        seen = {s.slug for s in sources}
        for track in existing.values():
            if track.slug not in seen and track.retired_at is None:
                track.retired_at = now
                report.counts["tracks"].retired += 1
    db.session.flush()
    events.tracks_changed(remeasured, now.date())
    if revised:
        events.modules_revised.send(module_ids=revised, now=now)
    return report


def _sync_track(source: TrackSource, track: Track | None, urls: Urls, now: dt.datetime,
                report: SyncReport, revised: list[int]) -> int | None:
    """Sync one track; its id when what its milestones measure may have changed (its
    milestones, or which modules it has), else None. The ids of modules already there whose
    text changed are added to `revised`."""
    counts = report.counts
    if track is not None and track.content_hash == source.content_hash and track.retired_at is None:
        counts["tracks"].unchanged += 1
        for kind, items in (("modules", source.modules), ("quizzes", source.quizzes),
                            ("milestones", source.milestones),
                            ("rubrics", source.rubrics), ("exercises", source.exercises),
                            ("certifications", source.certifications),
                            ("assets", source.assets)):
            counts[kind].unchanged += len(items)
        return None
    if track is None:
        track = Track(slug=source.slug)
        db.session.add(track)
        counts["tracks"].created += 1
    else:
        counts["tracks"].updated += 1
    track.title, track.summary = source.title, source.summary
    track.content_hash, track.synced_at, track.retired_at = source.content_hash, now, None
    track.productivity_milestone = source.productivity_milestone
    track.activity_targets = source.activity_targets
    track.checklists_required = source.checklists_required
    track.competencies = [c.to_json() for c in source.competencies]
    db.session.flush()
    modules_changed = _sync_modules(track, source, urls, now, counts["modules"], revised)
    _sync_quizzes(track, source.quizzes, now, counts["quizzes"])
    _sync_schedule(track, source)
    milestones = counts["milestones"]
    before = (milestones.created, milestones.updated, milestones.retired)
    _sync_by_slug(Milestone, track, source.milestones, now, milestones,
                  lambda m: {"title": m.title, "due_day": m.due_day, "measure": m.measure})
    _sync_by_slug(Rubric, track, source.rubrics, now, counts["rubrics"],
                  lambda r: {"title": r.title, "pass_mark": r.pass_mark,
                             "criteria": list(r.criteria),
                             "levels": [list(texts) for texts in r.levels] or None})
    _sync_by_slug(Exercise, track, source.exercises, now, counts["exercises"],
                  lambda e: _exercise_fields(e, source, urls))
    _sync_by_slug(Certification, track, source.certifications, now, counts["certifications"],
                  lambda c: {"title": c.title, "requires": [list(r) for r in c.requires],
                             "valid_for_days": c.valid_for_days,
                             "remind_days_before": c.remind_days_before})
    _sync_assets(track, source.assets, now, counts["assets"])
    changed = modules_changed or before != (milestones.created, milestones.updated,
                                            milestones.retired)
    return track.id if changed else None


def _sync_modules(track: Track, source: TrackSource, urls: Urls, now: dt.datetime,
                  counts: Counts, revised: list[int]) -> bool:
    """Upsert modules by slug; True when the track's set of active modules changed. The ids
    of modules already there whose text changed go to `revised`."""
    existing = {m.slug: m for m in db.session.scalars(select(Module).where(Module.track_id == track.id))}
    resolver = _link_resolver(source, urls)
    set_changed = False
    for module_source in source.modules:
        module = existing.pop(module_source.slug, None)
        if module is not None and module.content_hash == module_source.content_hash \
                and module.retired_at is None:
            module.number, module.file_name = module_source.number, module_source.file_name
            counts.unchanged += 1
            continue
        if module is None:
            module = Module(track_id=track.id, slug=module_source.slug)
            db.session.add(module)
            counts.created += 1
            set_changed = True
        else:
            counts.updated += 1
            set_changed = set_changed or module.retired_at is not None  # back again
            if module.content_hash != module_source.content_hash:
                revised.append(module.id)
        _fill_module(module, module_source, resolver, now)
    for module in existing.values():
        if module.retired_at is None:
            module.retired_at = now
            counts.retired += 1
            set_changed = True
    return set_changed


def _fill_module(module: Module, source: ModuleSource, resolver, now: dt.datetime) -> None:
    rendered = render_markdown(source.body, resolver)
    module.number, module.file_name = source.number, source.file_name
    module.title, module.summary, module.minutes = source.title, source.summary, source.minutes
    module.body_markdown, module.body_html = source.body, rendered.html
    module.toc_html, module.heading_count = rendered.toc_html, rendered.heading_count
    # Search snippets are shared by every reader: they read the neutral words ("your coach").
    module.search_text = substitute(f"{source.title} {source.summary or ''} {rendered.text}", {})
    module.content_hash, module.updated_at, module.retired_at = source.content_hash, now, None


def _exercise_fields(exercise, source: TrackSource, urls: Urls) -> dict:
    return {"title": exercise.title, "prompt_markdown": exercise.prompt,
            "prompt_html": render_markdown(exercise.prompt, _link_resolver(source, urls)).html,
            "rubric_slug": exercise.rubric, "max_seconds": exercise.max_seconds,
            "peer_review": exercise.peer_review, "completes_signoff": exercise.completes_signoff}


def _quiz_fields(source: QuizSource) -> dict:
    s = source.settings
    return {"title": s.title, "file_name": s.file, "pass_mark": float(s.pass_mark),
            "max_attempts": s.max_attempts, "time_limit_minutes": s.time_limit_minutes,
            "draw": s.draw, "shuffle": s.shuffle, "review": ReviewPolicy(s.review),
            "content_hash": source.content_hash, "question_count": len(source.questions),
            "covers": list(s.covers)}


def _sync_quizzes(track: Track, sources: tuple[QuizSource, ...], now: dt.datetime,
                  counts: Counts) -> None:
    """Upsert quizzes by slug; new question content becomes a new version, old ones stay."""
    existing = {q.slug: q for q in db.session.scalars(select(Quiz).where(Quiz.track_id == track.id))}
    for source in sources:
        quiz, values = existing.pop(source.slug, None), _quiz_fields(source)
        if quiz is not None and quiz.retired_at is None \
                and all(getattr(quiz, k) == v for k, v in values.items()):
            counts.unchanged += 1
            continue
        if quiz is None:
            quiz = Quiz(track_id=track.id, slug=source.slug)
            db.session.add(quiz)
            counts.created += 1
        else:
            counts.updated += 1
        for key, value in values.items():
            setattr(quiz, key, value)
        quiz.updated_at, quiz.retired_at = now, None
        db.session.flush()
        _ensure_version(quiz, source, now)
    _retire(existing.values(), now, counts)


def _ensure_version(quiz: Quiz, source: QuizSource, now: dt.datetime) -> None:
    found = db.session.scalar(select(QuizVersion.id).where(
        QuizVersion.quiz_id == quiz.id, QuizVersion.content_hash == source.content_hash))
    if found is None:
        db.session.add(QuizVersion(
            quiz_id=quiz.id, content_hash=source.content_hash, created_at=now,
            questions=[{"key": key, **question.to_json()} for key, question in source.questions]))


def _link_resolver(source: TrackSource, urls: Urls):
    by_file = source.module_by_file()

    def resolve(target: str) -> str | None:
        fragment = target.split("#", 1)[1] if "#" in target else ""
        anchor = f"#{fragment if fragment.startswith(ID_PREFIX) else ID_PREFIX + fragment}" \
            if fragment else ""
        path = resolve_link("modules", target)
        if path is None:
            return None
        if path.startswith("modules/") and path[len("modules/"):] in by_file:
            return urls.module(source.slug, by_file[path[len("modules/"):]].slug) + anchor
        if path.startswith("assets/"):
            return urls.asset(source.slug, path[len("assets/"):])
        return None

    return resolve


def _sync_schedule(track: Track, source: TrackSource) -> None:
    wanted = [(ItemKind(e.kind), e.slug, e.due_day) for e in source.schedule]
    current = [(i.kind, i.slug, i.due_day) for i in track.schedule]
    if wanted == current:
        return
    track.schedule.clear()
    db.session.flush()
    track.schedule.extend(ScheduleItem(position=n, kind=kind, slug=slug, due_day=due)
                          for n, (kind, slug, due) in enumerate(wanted))


def _sync_by_slug(model, track: Track, sources, now: dt.datetime, counts: Counts,
                  fields: Callable[[object], dict]) -> None:
    existing = {row.slug: row for row in db.session.scalars(
        select(model).where(model.track_id == track.id))}
    for source in sources:
        row, values = existing.pop(source.slug, None), fields(source)
        if row is None:
            db.session.add(model(track_id=track.id, slug=source.slug, **values))
            counts.created += 1
        elif row.retired_at is None and all(getattr(row, k) == v for k, v in values.items()):
            counts.unchanged += 1
        else:
            for key, value in values.items():
                setattr(row, key, value)
            row.retired_at = None
            counts.updated += 1
    _retire(existing.values(), now, counts)


def _sync_assets(track: Track, sources: tuple[AssetSource, ...], now: dt.datetime,
                 counts: Counts) -> None:
    existing = {a.path: a for a in db.session.scalars(select(Asset).where(Asset.track_id == track.id))}
    for source in sources:
        asset = existing.pop(source.path, None)
        if asset is not None and asset.content_hash == source.content_hash and asset.retired_at is None:
            counts.unchanged += 1
            continue
        if asset is None:
            asset = Asset(track_id=track.id, path=source.path)
            db.session.add(asset)
            counts.created += 1
        else:
            counts.updated += 1
        asset.content_type, asset.data = source.content_type, source.data
        asset.content_hash, asset.retired_at = source.content_hash, None
    _retire(existing.values(), now, counts)


def _retire(rows, now: dt.datetime, counts: Counts) -> None:
    for row in rows:
        if row.retired_at is None:
            row.retired_at = now
            counts.retired += 1
