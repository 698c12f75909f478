"""xAPI statements about onboarding: modules completed, quiz attempts passed or failed,
milestones achieved, certificates earned, practice recordings submitted and their coaches'
reviews passed or failed (peer reviews are not statements: they count for nothing). Pure:
plain events in, JSON-ready statements out.

A statement's id is a name-based UUID (uuid5) of its event's kind, row id and facts: reading
an event again gives the same statement, and an event whose facts change (a milestone moved by
a corrected CRM import, a re-graded quiz) becomes a new statement rather than a conflicting
copy of the old one. Sending one again is harmless: a Learning Record Store keeps one
statement per id.

An event has two times: `timestamp`, when the rep did the thing, and `stored`, when cev_learn
recorded it (an essay is graded days after its submission; a CRM import or a coach may date a
milestone in the past). Only `timestamp` is in the statement: `stored` is the LRS's to set
(xAPI 1.0.3, Data §2.4.8), and so is `version`, which a statement's producer should not set
(§2.4.10). Events are ordered by position = (stored, kind, row id), so one recorded late still
comes after everything a client has already read; a cursor is the last position a page
returned, written out: `<stored, in microseconds since 1970 UTC>.<kind>.<row id>`. Every text
of that form is a position (statements after it follow), so any cursor the document allows is
one the API reads.
"""
import base64
import binascii
import datetime as dt
import heapq
import itertools
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from cev_learn.platform import strict_json

API_VERSION = "1.0.3"  # of the specification followed: the X-Experience-API-Version header
NAMESPACE = uuid.UUID("61c68bbe-341c-4617-bb6a-c87270606db3")  # fixed: it names every id
MODULE, QUIZ, MILESTONE, CERTIFICATE = "module", "quiz", "milestone", "certificate"
SUBMISSION, REVIEW = "submission", "review"  # a practice recording, a coach's review of it
KINDS = frozenset({MODULE, QUIZ, MILESTONE, CERTIFICATE, SUBMISSION, REVIEW})
SCORED = frozenset({QUIZ, REVIEW})  # kinds whose statements carry a result
LANGUAGE = "en-US"

_ADL = "http://adlnet.gov/expapi"
COMPLETED = f"{_ADL}/verbs/completed"
PASSED = f"{_ADL}/verbs/passed"
FAILED = f"{_ADL}/verbs/failed"
ATTEMPTED = f"{_ADL}/verbs/attempted"  # a recording submitted: a try at the exercise
# The ADL vocabulary has no "achieved"; the DoD instructional design profile, published on
# the ADL profile server, defines it for reaching a goal.
ACHIEVED = "https://w3id.org/xapi/dod-isd/verbs/achieved"
# Nor "earned", nor a certificate: both are in the Tin Can registry (registry.tincanapi.com),
# "earned" for being awarded something, the certificate as the activity type of what attests it.
_TIN_CAN = "http://id.tincanapi.com"
EARNED = f"{_TIN_CAN}/verb/earned"
# (verb or None when it depends on the result, activity type, path segment in the IRI)
_SHAPES = {
    MODULE: (COMPLETED, f"{_ADL}/activities/module", "modules"),
    QUIZ: (None, f"{_ADL}/activities/assessment", "quizzes"),
    MILESTONE: (ACHIEVED, f"{_ADL}/activities/objective", "milestones"),
    CERTIFICATE: (EARNED, f"{_TIN_CAN}/activitytype/certificate", "certifications"),
    # A practice exercise is a performance in ADL's activity types: "an attempted task or
    # series of tasks within a particular context".
    SUBMISSION: (ATTEMPTED, f"{_ADL}/activities/performance", "exercises"),
    REVIEW: (None, f"{_ADL}/activities/performance", "exercises"),
}

Position = tuple[dt.datetime, str, int]
Kinds = dict[str, bool | None]  # kinds of event asked for, each with the quiz result it needs
EVERY_KIND: Kinds = {MODULE: None, QUIZ: None, MILESTONE: None, CERTIFICATE: None,
                     SUBMISSION: None, REVIEW: None}
_KINDS_BY_VERB: dict[str, Kinds] = {COMPLETED: {MODULE: None},
                                    PASSED: {QUIZ: True, REVIEW: True},
                                    FAILED: {QUIZ: False, REVIEW: False},
                                    ACHIEVED: {MILESTONE: None},
                                    EARNED: {CERTIFICATE: None},
                                    ATTEMPTED: {SUBMISSION: None}}


@dataclass(frozen=True)
class Event:
    """One thing a rep did, with what its statement says about it."""

    kind: str  # one of KINDS
    row_id: int
    at: dt.datetime  # UTC: when it happened
    stored: dt.datetime  # UTC: when cev_learn recorded it as it is now
    rep_name: str
    rep_email: str
    track: str  # slugs, for the activity's IRI
    slug: str
    title: str
    score: float | None = None  # quizzes, reviews (SCORED): the fraction 0..1 of the maximum
    passed: bool | None = None  # quizzes; reviews: passed, and no other take asked for

    @property
    def position(self) -> Position:
        return (self.stored, self.kind, self.row_id)


@dataclass(frozen=True)
class Selection:
    """Which events a query asks for: these kinds (a quiz attempt maybe only passed or only
    failed), of one rep by normalised email or of every rep (None)."""

    kinds: Kinds
    email: str | None = None


EVERYTHING = Selection(EVERY_KIND)


_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]+")


def is_iri(text: str) -> bool:
    """Whether `text` has the shape of an absolute IRI (a scheme, a colon, no spaces)."""
    return _IRI.fullmatch(text) is not None


def kinds_with_verb(verb: str) -> Kinds:
    """The kinds of event whose statements have this verb (an IRI): none for a verb cev_learn
    does not use."""
    return dict(_KINDS_BY_VERB.get(verb, {}))


def email_of_agent(text: str) -> str:
    """The normalised email of the Agent a JSON text identifies by mbox (the only identifier
    of cev_learn's actors); ValueError with the reason for anything else."""
    try:
        agent = strict_json.loads(text.encode())
    except ValueError:
        raise ValueError("is not JSON") from None
    if not isinstance(agent, dict) or agent.get("objectType", "Agent") != "Agent":
        raise ValueError("must be an Agent object, like {\"mbox\": \"mailto:ana@example.com\"}")
    mbox = agent.get("mbox")
    if not isinstance(mbox, str) or not mbox.startswith("mailto:") or "@" not in mbox:
        raise ValueError("must identify the rep by mbox (mailto:…): cev_learn's statements "
                         "carry no other identifier")
    return mbox.removeprefix("mailto:").strip().lower()


def start_of(day: dt.date) -> dt.datetime:
    """The timestamp of an event known by its day only (a milestone's achieved_on, a
    certificate's earned_on)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def statement(event: Event, base_url: str) -> dict:
    """The xAPI statement of an event; activity IRIs start with the app's `base_url`."""
    verb, activity_type, segment = _SHAPES[event.kind]
    if verb is None:
        verb = PASSED if event.passed else FAILED
    body = {
        "id": str(statement_id(event)),
        "timestamp": iso(event.at),
        "actor": {"objectType": "Agent", "name": event.rep_name,
                  "mbox": f"mailto:{event.rep_email}"},
        "verb": {"id": verb, "display": {LANGUAGE: verb.rsplit("/", 1)[1]}},
        "object": {"objectType": "Activity",
                   "id": f"{base_url.rstrip('/')}/tracks/{event.track}/{segment}/{event.slug}",
                   "definition": {"name": {LANGUAGE: event.title}, "type": activity_type}},
    }
    if event.kind in SCORED:
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


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_CURSOR = re.compile(r"([0-9]{1,17})\.(" + "|".join(sorted(KINDS)) + r")\.([0-9]{1,19})")
CURSOR_PATTERN = f"^{_CURSOR.pattern}$"  # what the API document states
_LAST_ROW_ID = 2**31 - 1  # no stored row has a higher id


def encode_cursor(event: Event) -> str:
    return f"{(event.stored - _EPOCH) // _MICROSECOND}.{event.kind}.{event.row_id}"


def decode_cursor(text: str) -> Position:
    """The position a cursor stands for (a row id beyond any stored one reads as the last
    there can be); ValueError for a text of another form."""
    if (match := _CURSOR.fullmatch(text)) is None:
        return _decode_earlier_cursor(text)
    micros, kind, row_id = match.groups()
    return _EPOCH + int(micros) * _MICROSECOND, kind, min(int(row_id), _LAST_ROW_ID)


def _decode_earlier_cursor(text: str) -> Position:
    """A cursor of the form given out before (base64url of [stored ISO time, kind, row id]),
    still read for clients that saved one.

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
