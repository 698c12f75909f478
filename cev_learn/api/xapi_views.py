"""Onboarding progress as xAPI 1.0.3 statements, for a learning record store to pull.

A page costs one query per kind of event (each sorted by stored time and limited in SQL, along
an index), merged here. Statements stored in the last XAPI_SETTLE_SECONDS are held back: a
write that stamped its time before a later one may commit after it, and a client whose
cursor had passed that time would never see it. The X-Experience-API-Consistent-Through
header tells clients up to when a page is complete.
"""
import datetime as dt

from flask import current_app, request, url_for
from flask_login import current_user

from cev_learn.accounts.models import Role, User
from cev_learn.analytics import queries
from cev_learn.api import xapi
from cev_learn.api.auth import api_access
from cev_learn.api.blueprint import respond
from cev_learn.api.outcome_schemas import XapiStatementResult
from cev_learn.api.spec import Param, operation
from cev_learn.platform.db import utcnow
from cev_learn.platform.problems import ApiProblem

DEFAULT_LIMIT, MAX_LIMIT = 100, 500
PARAMS = (
    Param("since", {"type": "string", "format": "date-time"},
          "Only statements stored after this instant (a time without a zone is UTC)"),
    Param("cursor", {"type": "string"},
          "Where the previous page ended; follow `more` rather than building it"),
    Param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                    "default": DEFAULT_LIMIT}, "Statements per page"),
)


@api_access(Role.COACH, Role.MANAGER, Role.ADMIN)
@operation("Modules completed, quizzes passed or failed and milestones achieved, as xAPI "
           "statements", tag="xAPI", response=XapiStatementResult, problems=(400,),
           params=PARAMS,
           description="Statements of the reps this token may see (a coach's: the reps of "
                       "their cohorts), oldest first by `stored`, the time cev_learn recorded "
                       "them: an essay graded late or a milestone dated in the past comes after "
                       "what a client has already read. `timestamp` is when it happened; a "
                       "milestone is timestamped at the start (UTC) of the day it was achieved, "
                       "and one whose date changes comes again with a new id. Reading again "
                       "gives the same statement ids. Statements appear XAPI_SETTLE_SECONDS "
                       "(default 60) after they are stored; the header "
                       "X-Experience-API-Consistent-Through says up to when every statement "
                       "is in. Milestones use the verb "
                       "https://w3id.org/xapi/dod-isd/verbs/achieved.")
def xapi_statements():
    since, cursor, limit = _query_since(), _query_cursor(), _query_limit()
    until = utcnow() - dt.timedelta(seconds=current_app.config["XAPI_SETTLE_SECONDS"])
    batches = [_events(kind, current_user, since, cursor, until, limit + 1)
               for kind in queries.LEARNING_EVENTS]
    page, more = xapi.first_page(batches, limit)
    base_url = current_app.config["BASE_URL"]
    response = respond(XapiStatementResult, {
        "statements": [xapi.statement(event, base_url) for event in page],
        "more": url_for("api.xapi_statements", cursor=xapi.encode_cursor(page[-1]),
                        limit=limit) if more else ""})
    response.headers["X-Experience-API-Consistent-Through"] = xapi.iso(until)
    return response


def _events(kind: str, viewer: User, since: dt.datetime | None,
            cursor: xapi.Position | None, until: dt.datetime, limit: int) -> list[xapi.Event]:
    """The first `limit` events of one kind of the reps `viewer` may see, stored after `since`
    and the cursor and at the latest `until`, in position order."""
    dated = queries.LEARNING_EVENTS[kind].dates
    return [xapi.Event(kind, row_id, xapi.start_of(at) if dated else at, *rest)
            for row_id, at, *rest in queries.learning_events(kind, viewer, since, cursor,
                                                             until, limit)]


def _query_since() -> dt.datetime | None:
    text = request.args.get("since", "").strip()
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
        return moment.replace(tzinfo=moment.tzinfo or dt.UTC).astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise ApiProblem(400, f"since {text!r} is not a date and time like "
                              "2026-06-30T09:00:00Z") from None


def _query_cursor() -> xapi.Position | None:
    text = request.args.get("cursor", "")
    if not text:
        return None
    try:
        return xapi.decode_cursor(text)
    except ValueError:
        raise ApiProblem(400, "cursor is not one this API gave out; follow the 'more' URL of "
                              "the previous page, or start again without a cursor") from None


def _query_limit() -> int:
    text = request.args.get("limit", "").strip() or str(DEFAULT_LIMIT)
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_LIMIT):
        raise ApiProblem(400, f"limit {text!r} must be a whole number from 1 to {MAX_LIMIT}")
    return int(text)
