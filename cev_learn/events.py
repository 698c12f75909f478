"""Announcements: a service that changed some reps' records says so, inside its transaction,
and what the layers above build from those records is brought up to date there and then by the
listeners they connect (the ramp facts and achievements: `ramp.facts.listen`, which the app
factory calls). The service still owns the side effect, yet knows nothing of who acts on it:
a quiz submission does not import the ramp."""
import datetime as dt
from collections.abc import Iterable

from blinker import Signal

rep_records_changed = Signal("the learning or CRM records of some reps changed")


def records_changed(rep_ids: Iterable[int], today: dt.date) -> int:
    """Announce that these reps' records changed (flushed, not committed) as of `today`;
    returns how many things the listeners changed in turn (achievements, for the ramp)."""
    results = rep_records_changed.send(rep_ids=list(rep_ids), today=today)
    return sum(changed or 0 for _listener, changed in results)
