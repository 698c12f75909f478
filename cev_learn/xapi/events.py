"""Learning events read from the records in the order they were stored: a page of the xAPI
feed, or the next batch for the Learning Record Store. One query per kind of event asked for
(each sorted by stored time and limited in SQL, along an index), merged here."""
import datetime as dt

from cev_learn.accounts.models import User
from cev_learn.analytics import queries
from cev_learn.xapi.statements import (EVERYTHING, Event, Position, Selection, first_page,
                                       start_of)


def first_events(viewer: User | None, until: dt.datetime, limit: int, *,
                 selection: Selection = EVERYTHING, since: dt.datetime | None = None,
                 after: Position | None = None) -> tuple[list[Event], bool]:
    """The first `limit` events of the reps `viewer` may see (every rep: None) that
    `selection` asks for, stored after `since` and sorting after the position `after`, and at
    the latest `until`, in position order; and whether more follow."""
    batches = [_events(kind, passed, viewer, selection.email, since, after, until, limit + 1)
               for kind, passed in selection.kinds.items()]
    return first_page(batches, limit)


def _events(kind: str, passed: bool | None, viewer: User | None, email: str | None,
            since: dt.datetime | None, after: Position | None, until: dt.datetime,
            limit: int) -> list[Event]:
    """The first `limit` events of one kind, in position order: one statement."""
    dated = queries.LEARNING_EVENTS[kind].dates
    return [Event(kind, row_id, start_of(at) if dated else at, *rest)
            for row_id, at, *rest in queries.learning_events(
                kind, viewer, since, after, until, limit, email=email, passed=passed)]
