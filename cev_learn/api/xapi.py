"""xAPI 1.0.3 statements about onboarding: modules completed, quiz attempts passed or failed,
milestones achieved. Pure: plain events in, JSON-ready statements out.

A statement's id is a name-based UUID (uuid5) of its event's kind, row id and facts: reading
an event again gives the same statement, and an event whose facts change (a milestone moved by
a corrected CRM import, a re-graded quiz) becomes a new statement rather than a conflicting
copy of the old one.

A statement has two times: `timestamp`, when the rep did the thing, and `stored`, when
cev_learn recorded it (an essay is graded days after its submission; a CRM import or a coach
may date a milestone in the past). Statements are ordered by position = (stored, kind, row id),
so one recorded late still comes after everything a client has already read; a cursor is an
opaque encoding of the last position a page returned.
"""
import base64
import binascii
import datetime as dt
import heapq
import itertools
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from cev_learn.platform import strict_json

VERSION = "1.0.3"
NAMESPACE = uuid.UUID("61c68bbe-341c-4617-bb6a-c87270606db3")  # fixed: it names every id
MODULE, QUIZ, MILESTONE = "module", "quiz", "milestone"
KINDS = frozenset({MODULE, QUIZ, MILESTONE})
LANGUAGE = "en-US"

_ADL = "http://adlnet.gov/expapi"
COMPLETED = f"{_ADL}/verbs/completed"
PASSED = f"{_ADL}/verbs/passed"
FAILED = f"{_ADL}/verbs/failed"
# The ADL vocabulary has no "achieved"; the DoD instructional design profile, published on
# the ADL profile server, defines it for reaching a goal.
ACHIEVED = "https://w3id.org/xapi/dod-isd/verbs/achieved"
# (verb or None when it depends on the result, activity type, path segment in the IRI)
_SHAPES = {
    MODULE: (COMPLETED, f"{_ADL}/activities/module", "modules"),
    QUIZ: (None, f"{_ADL}/activities/assessment", "quizzes"),
    MILESTONE: (ACHIEVED, f"{_ADL}/activities/objective", "milestones"),
}

Position = tuple[dt.datetime, str, int]


@dataclass(frozen=True)
class Event:
    """One thing a rep did, with what its statement says about it."""

    kind: str  # MODULE | QUIZ | MILESTONE
    row_id: int
    at: dt.datetime  # UTC: when it happened
    stored: dt.datetime  # UTC: when cev_learn recorded it as it is now
    rep_name: str
    rep_email: str
    track: str  # slugs, for the activity's IRI
    slug: str
    title: str
    score: float | None = None  # quizzes: the fraction 0..1 of the points
    passed: bool | None = None  # quizzes

    @property
    def position(self) -> Position:
        return (self.stored, self.kind, self.row_id)


def start_of(day: dt.date) -> dt.datetime:
    """The timestamp of an event known by its day only (a milestone's achieved_on)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def statement(event: Event, base_url: str) -> dict:
    """The xAPI statement of an event; activity IRIs start with the app's `base_url`."""
    verb, activity_type, segment = _SHAPES[event.kind]
    if verb is None:
        verb = PASSED if event.passed else FAILED
    body = {
        "id": str(statement_id(event)),
        "version": VERSION,
        "timestamp": iso(event.at),
        "stored": iso(event.stored),
        "actor": {"objectType": "Agent", "name": event.rep_name,
                  "mbox": f"mailto:{event.rep_email}"},
        "verb": {"id": verb, "display": {LANGUAGE: verb.rsplit("/", 1)[1]}},
        "object": {"objectType": "Activity",
                   "id": f"{base_url.rstrip('/')}/tracks/{event.track}/{segment}/{event.slug}",
                   "definition": {"name": {LANGUAGE: event.title}, "type": activity_type}},
    }
    if event.kind == QUIZ:
        body["result"] = {"score": {"scaled": event.score}, "success": bool(event.passed),
                          "completion": True}
    return body


def iso(moment: dt.datetime) -> str:
    """ISO 8601 in UTC, as xAPI writes its times."""
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def statement_id(event: Event) -> uuid.UUID:
    """The id of what the statement says: `stored` is not part of it, so a statement recorded
    again without a change of facts keeps its id."""
    facts = [event.kind, event.row_id, event.at.isoformat(), event.score, event.passed]
    return uuid.uuid5(NAMESPACE, json.dumps(facts))


def first_page(batches: Iterable[list[Event]], limit: int) -> tuple[list[Event], bool]:
    """The first `limit` events of lists each sorted by position; and whether more follow."""
    merged = list(itertools.islice(heapq.merge(*batches, key=lambda e: e.position), limit + 1))
    return merged[:limit], len(merged) > limit


def encode_cursor(event: Event) -> str:
    raw = json.dumps([event.stored.isoformat(), event.kind, event.row_id],
                     separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text: str) -> Position:
    """The position a cursor stands for; ValueError for anything not made by encode_cursor.

    Cursors given out before statements had a stored time hold a timestamp instead: read as a
    stored time, they re-send what was recorded after it rather than skip anything.
    """
    try:
        at, kind, row_id = strict_json.loads(
            base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        at = dt.datetime.fromisoformat(at)
        if at.tzinfo is None or kind not in KINDS or type(row_id) is not int:
            raise ValueError
        return at.astimezone(dt.UTC), kind, row_id
    except (ValueError, TypeError, OverflowError, binascii.Error):
        raise ValueError("not a cursor of this API") from None
