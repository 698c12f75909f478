"""A rep's standing on a track: per-module status and due dates. Pure functions."""
import datetime as dt
import enum
from dataclasses import dataclass


class ModuleStatus(enum.Enum):
    COMPLETED = "completed"
    UPDATED = "updated"        # completed, but the module changed since
    OVERDUE = "overdue"
    IN_PROGRESS = "in_progress"  # opened, not completed
    NOT_STARTED = "not_started"

    @property
    def label(self) -> str:
        return {"completed": "Completed", "updated": "Updated since you read it",
                "overdue": "Overdue", "in_progress": "Started",
                "not_started": "Not started"}[self.value]

    @property
    def tone(self) -> str:
        return {"completed": "ok", "updated": "warn", "overdue": "bad",
                "in_progress": "neutral", "not_started": "neutral"}[self.value]


@dataclass(frozen=True)
class Reading:
    """What is stored about one rep reading one module."""

    opened_at: dt.datetime | None
    completed_at: dt.datetime | None
    content_hash_read: str | None


def due_date(start_on: dt.date, due_day: int | None) -> dt.date | None:
    return None if due_day is None else start_on + dt.timedelta(days=due_day)


def module_status(reading: Reading | None, content_hash: str, due_on: dt.date | None,
                  today: dt.date) -> ModuleStatus:
    if reading is not None and reading.completed_at is not None:
        if reading.content_hash_read == content_hash:
            return ModuleStatus.COMPLETED
        return ModuleStatus.UPDATED
    if due_on is not None and due_on < today:
        return ModuleStatus.OVERDUE
    if reading is not None and reading.opened_at is not None:
        return ModuleStatus.IN_PROGRESS
    return ModuleStatus.NOT_STARTED


def track_percent(done: int, total: int) -> int:
    """Track progress (docs/metrics.md), as a whole percentage: of the modules and quizzes on
    the track's schedule, the share done — a module completed (read to the end at least once),
    a quiz passed. A coach's assignments, reference modules and milestones are not counted;
    a track with nothing scheduled is at 0."""
    return round(100 * done / total) if total else 0


def next_unfinished(work: list[tuple], done: set[tuple[str, int]],
                    current: tuple[str, int]) -> tuple | None:
    """The first entry of a track's scheduled work (`TrackData.work`: kind, title, due day, id,
    link) after `current` (kind, id) that is not `done`, going round to the start of the
    schedule; None when all of it is done."""
    keys = [(kind, item_id) for kind, _, _, item_id, _ in work]
    start = keys.index(current) + 1 if current in keys else 0
    for entry in work[start:] + work[:start]:
        if (entry[0], entry[3]) not in done:
            return entry
    return None
