"""Reading progress: explicit inputs, flush only; the caller commits."""
import datetime as dt
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, func, select

from cev_learn.accounts.models import User
from cev_learn.content.checklists import ChecklistItem, checklist_items, unticked_items
from cev_learn.content.loader import TrackSource
from cev_learn.content.models import ChecklistTick, Module, ModuleProgress
from cev_learn.content.sync import SyncReport, Urls, sync_tracks
from cev_learn.platform import events, outbox
from cev_learn.platform.db import db, upsert


def _progress(rep: User, module: Module) -> ModuleProgress | None:
    return db.session.scalar(select(ModuleProgress).where(
        ModuleProgress.user_id == rep.id, ModuleProgress.module_id == module.id))


def record_opened(rep: User, module: Module, now: dt.datetime) -> None:
    """Remember when a rep first opened a module. Unlike the other services it commits, in a
    short write of its own: the page that calls it only reads, and stays in its read."""
    progress = ModuleProgress.__table__
    opened = upsert(progress).values(user_id=rep.id, module_id=module.id, opened_at=now)
    opened = opened.on_conflict_do_update(
        index_elements=[progress.c.user_id, progress.c.module_id],
        set_={"opened_at": func.coalesce(progress.c.opened_at, opened.excluded.opened_at)})
    with db.engine.begin() as connection:
        connection.execute(opened)


class ChecklistUnticked(ValueError):
    """The track requires checklists and these items of the module's are not ticked."""

    def __init__(self, items: list[ChecklistItem]):
        super().__init__(", ".join(item.text for item in items))
        self.items = items


def complete_module(rep: User, module: Module, now: dt.datetime) -> bool:
    """Mark the module read in its current version, bringing the rep's achievements up to
    date as of the day of `now` (and saying so to the outbox: `module.completed`), and its
    booster questions scheduled (`events.module_completed`); False if that was already so.
    Refuses (ChecklistUnticked, nothing changed) while an item of its checklist is unticked
    on a track that requires checklists."""
    progress = _progress(rep, module)
    if (progress is not None and progress.completed_at is not None
            and progress.content_hash_read == module.content_hash):
        return False
    if module.track.checklists_required:
        unticked = unticked_items(module.body_html, _ticked(rep, module), required=True)
        if unticked:
            raise ChecklistUnticked(unticked)
    if progress is None:
        progress = ModuleProgress(user_id=rep.id, module_id=module.id)
        db.session.add(progress)
    first_time = progress.completed_at is None
    progress.opened_at = progress.opened_at or now
    progress.completed_at = now
    progress.content_hash_read = module.content_hash
    db.session.flush()
    outbox.emit("module.completed", rep.id, {
        "module": {"slug": module.slug, "title": module.title},
        "track": {"slug": module.track.slug, "title": module.track.title},
        "completed_at": now.isoformat(), "first_completion": first_time}, now)
    events.records_changed([rep.id], now.date(), {events.MODULES})
    events.module_completed.send(rep_id=rep.id, module=module, now=now)
    return True


def _ticked(rep: User, module: Module) -> set[str]:
    return set(db.session.scalars(select(ChecklistTick.item_key).where(
        ChecklistTick.user_id == rep.id, ChecklistTick.module_id == module.id)))


class UnknownChecklistItem(ValueError):
    """A tick for an item the module's checklist does not have (any more)."""


def set_ticks(rep: User, module: Module, items: list[str], ticked: set[str],
              now: dt.datetime) -> None:
    """Tick the `ticked` ones of these checklist items of the module for the rep, and untick
    the rest of `items`. Refuses (UnknownChecklistItem, nothing changed) any key that is not
    an item of the module as it is now."""
    known = {item.key for item in checklist_items(module.body_html)}
    unknown = sorted((set(items) | ticked) - known)
    if unknown or not items or not ticked <= set(items):
        raise UnknownChecklistItem(unknown[0] if unknown else "")
    mine = (ChecklistTick.user_id == rep.id) & (ChecklistTick.module_id == module.id)
    already = set(db.session.scalars(select(ChecklistTick.item_key).where(mine)))
    cleared = (set(items) - ticked) & already
    if cleared:
        db.session.execute(delete(ChecklistTick).where(mine, ChecklistTick.item_key.in_(cleared)))
    db.session.add_all(ChecklistTick(user_id=rep.id, module_id=module.id, item_key=key,
                                     ticked_at=now) for key in sorted(ticked - already))
    db.session.flush()


def sync_course_folder(root: Path, tracks: list[TrackSource], now: dt.datetime) -> SyncReport:
    """Sync the tracks loaded from a course folder (or from one track's folder) as
    `cev-learn content sync` does: links to modules and assets are built from the app's routes,
    and a whole folder retires the tracks it no longer has. Flushes; the caller commits."""
    adapter = current_app.url_map.bind("localhost")
    urls = Urls(
        module=lambda track, module: adapter.build(
            "content.module", {"track_slug": track, "module_slug": module}),
        asset=lambda track, asset: adapter.build(
            "content.asset", {"track_slug": track, "path": asset}))
    return sync_tracks(tracks, urls=urls, now=now,
                       retire_missing_tracks=not (root / "track.yaml").exists())
