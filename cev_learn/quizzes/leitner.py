"""When a booster question comes back: Leitner boxes (docs/metrics.md, "Boosters"). Pure.

A question a rep met in a module they completed starts in box 1, due INTERVALS[0] days after
the completion. Answered right in box b, it moves up to box b + 1 and is due INTERVALS[b] days
after the answer; right in the last box, it retires. Answered wrong in any box, it goes back to
box 1, due INTERVALS[0] days after the answer. Days are calendar days (UTC).
"""
import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

INTERVALS = (2, 7, 21, 60)  # days until a question in box 1, 2, 3, 4 comes back
LAST_BOX = len(INTERVALS)
QUESTIONS_PER_MODULE = 3  # booster questions a module's completion schedules at most
RIGHT = 0.999  # a booster counts as right with full marks (as the quiz review's "Correct")


@dataclass(frozen=True)
class Step:
    """Where a booster stands after an answer: its box and due day, or retired (due None)."""

    box: int
    due_on: dt.date | None

    @property
    def retired(self) -> bool:
        return self.due_on is None


def first_due(completed_on: dt.date) -> dt.date:
    """The day a new booster (box 1) is first due after its module was completed."""
    return completed_on + dt.timedelta(days=INTERVALS[0])


def after_answer(box: int, correct: bool, answered_on: dt.date) -> Step:
    """Where a booster in `box` goes when answered right or wrong on `answered_on`."""
    if not 1 <= box <= LAST_BOX:
        raise ValueError(f"box {box} is not one of 1..{LAST_BOX}")
    if not correct:
        return Step(1, answered_on + dt.timedelta(days=INTERVALS[0]))
    if box == LAST_BOX:
        return Step(LAST_BOX, None)
    return Step(box + 1, answered_on + dt.timedelta(days=INTERVALS[box]))


def is_right(fraction: float | None) -> bool:
    return fraction is not None and fraction >= RIGHT


def pick_questions(keys: Iterable[str], rep_id: int, count: int = QUESTIONS_PER_MODULE) -> list[str]:
    """Up to `count` of these question keys, the same ones for the same rep every time and
    spread differently over reps (so that an item author hears about every question)."""
    def rank(key: str) -> str:
        return hashlib.sha256(f"{rep_id}:{key}".encode()).hexdigest()

    return sorted(sorted(set(keys), key=rank)[:count])
