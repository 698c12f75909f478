"""A rep's week and standing: due dates, what is overdue, milestone and rep status. Pure.

Definitions follow docs/metrics.md: tenure day = days since the start date (day 0); a milestone
is complete, behind (past its due day, not achieved), at risk (its due day near and its pace
short of it), not started yet (nothing towards it) or on track.
"""
import datetime as dt
import enum
import math
from dataclasses import dataclass

from cev_learn.content.progress import due_date as due_on, track_percent

__all__ = ["Standing", "WeekView", "WorkItem", "due_on", "is_overdue", "milestone_standing",
           "at_risk_horizon", "milestone_status", "rep_standing", "tenure_day", "week_view"]

WEEK = 7
# A milestone can be at risk only in the last part of its window: its last fifth, at most
# the last two weeks (docs/metrics.md, "Status").
AT_RISK_HORIZON_SHARE = 0.2
AT_RISK_HORIZON_DAYS = 14


class Standing(enum.Enum):
    COMPLETE = "complete"
    ON_TRACK = "on_track"
    NOT_STARTED = "not_started"  # a milestone only: nothing towards it yet, its due day far
    AT_RISK = "at_risk"
    BEHIND = "behind"

    @property
    def label(self) -> str:
        return {"complete": "Complete", "on_track": "On track", "not_started": "Not started yet",
                "at_risk": "At risk", "behind": "Behind"}[self.value]

    @property
    def tone(self) -> str:
        return {"complete": "ok", "on_track": "ok", "not_started": "neutral", "at_risk": "warn",
                "behind": "bad"}[self.value]

    @property
    def rank(self) -> int:
        """Higher needs more help (used to sort a coach's reps)."""
        return {"complete": 0, "on_track": 0, "not_started": 0, "at_risk": 1,
                "behind": 2}[self.value]


@dataclass(frozen=True)
class WorkItem:
    kind: str             # module | quiz
    source: str           # track | assignment
    title: str
    due_on: dt.date | None
    done_on: dt.date | None
    target: dict          # what the page links to, e.g. {"track": "...", "module": "..."}
    note: str | None = None

    def overdue(self, today: dt.date) -> bool:
        return is_overdue(self.due_on, self.done_on, today)


def is_overdue(due_on: dt.date | None, done_on: dt.date | None, today: dt.date) -> bool:
    """Work is overdue when it is not done and its due day is before today."""
    return done_on is None and due_on is not None and due_on < today


@dataclass(frozen=True)
class WeekView:
    overdue: list[WorkItem]
    due_soon: list[WorkItem]
    recently_done: list[WorkItem]
    later: int
    done: int   # the track progress: modules and quizzes of the track's schedule done,
    total: int  # of all of them (a coach's assignments are not counted)

    @property
    def next_up(self) -> WorkItem | None:
        """Where to continue: the oldest overdue item, else the next one due."""
        return (self.overdue + self.due_soon or [None])[0]

    @property
    def percent(self) -> int:
        return track_percent(self.done, self.total)


def tenure_day(start_on: dt.date, today: dt.date) -> int:
    """Days since the start date; the start date is day 0."""
    return (today - start_on).days


def week_view(items: list[WorkItem], today: dt.date) -> WeekView:
    """What a rep should look at today: overdue first, then the next seven days."""
    horizon, recent = today + dt.timedelta(days=WEEK), today - dt.timedelta(days=WEEK)
    open_items = [i for i in items if i.done_on is None]
    overdue = sorted((i for i in open_items if i.overdue(today)), key=lambda i: (i.due_on, i.title))
    soon = sorted((i for i in open_items if i.due_on is not None and today <= i.due_on < horizon),
                  key=lambda i: (i.due_on, i.title))
    done = sorted((i for i in items if i.done_on is not None and i.done_on >= recent),
                  key=lambda i: i.done_on, reverse=True)
    later = sum(1 for i in open_items if i.due_on is None or i.due_on >= horizon)
    track = [i for i in items if i.source == "track"]
    return WeekView(overdue, soon, done, later, sum(1 for i in track if i.done_on), len(track))


def at_risk_horizon(due_day: int) -> int:
    """How many days before its due day a milestone can turn at risk: the last fifth of its
    window, at most AT_RISK_HORIZON_DAYS, at least one."""
    return max(1, min(AT_RISK_HORIZON_DAYS, math.ceil(AT_RISK_HORIZON_SHARE * due_day)))


def milestone_status(achieved_on: dt.date | None, progress: float, target: float | None,
                     due_day: int, day: int) -> str:
    """complete | behind | at_risk | not_started | on_track for a milestone on tenure day
    `day` (docs/metrics.md, "Status").

    Behind once its due day is past. At risk only when the due day is near (`at_risk_horizon`)
    and the pace so far will not reach the target by then (progress ÷ target < day ÷ due_day:
    the same pace kept up falls short). Otherwise not started yet with nothing towards it, on
    track with something. `achieved_on` must already be limited to the day reported on (an
    achievement after it is passed as None). Without a measurable target (None or 0), a
    milestone cannot be at risk or not started.
    """
    if achieved_on is not None:
        return "complete"
    if day > due_day:
        return "behind"
    if not target:
        return "on_track"
    share = progress / target
    near = due_day - day <= at_risk_horizon(due_day)
    if near and share < (day / due_day if due_day else 1.0):
        return "at_risk"
    return "not_started" if share <= 0 else "on_track"


def milestone_standing(*, achieved: bool, progress: float | None, due_day: int,
                       tenure: int) -> Standing | None:
    """docs/metrics.md (the rule is milestone_status). `progress` is progress ÷ target
    (0..1); None when it cannot be measured yet, which leaves the standing open until due."""
    if achieved:
        return Standing.COMPLETE
    if progress is None and tenure <= due_day:
        return None
    return Standing(milestone_status(None, progress or 0.0, 1.0, due_day, tenure))


def rep_standing(overdue_items: int, milestones: list[Standing | None]) -> Standing:
    """Behind with anything overdue or a milestone behind; at risk with a milestone at risk."""
    known = [m for m in milestones if m is not None]
    if overdue_items or Standing.BEHIND in known:
        return Standing.BEHIND
    if Standing.AT_RISK in known:
        return Standing.AT_RISK
    return Standing.ON_TRACK
