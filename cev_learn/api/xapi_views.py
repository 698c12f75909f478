"""Onboarding progress as xAPI statements (xAPI 1.0.3), for a learning record store to pull.

Statements stored in the last XAPI_SETTLE_SECONDS are held back: a write that stamped its
time before a later one may commit after it, and a client whose cursor had passed that time
would never see it. The X-Experience-API-Consistent-Through header tells clients up to when a
page is complete: the `since` of their next poll. The xAPI filters `agent` and `verb` are
applied; the resource's other parameters are refused (400), never ignored.
"""
import datetime as dt

from flask import current_app, request, url_for
from flask_login import current_user

from cev_learn.accounts.models import Role
from cev_learn.api.auth import api_access
from cev_learn.api.blueprint import respond
from cev_learn.api.outcome_schemas import XapiStatementResult
from cev_learn.api import text_patterns
from cev_learn.api.spec import Param, operation
from cev_learn.platform.db import utcnow
from cev_learn.platform.problems import ApiProblem
from cev_learn.xapi import statements as xapi
from cev_learn.xapi.events import first_events

DEFAULT_LIMIT, MAX_LIMIT = 100, 500
# Characters of an email address as the agent filter reads it: no quote, backslash, @,
# whitespace, NUL or other control character below U+0020, which a JSON string cannot hold
# as it is (so the JSON text stays an Agent identified by mbox).
_MAILBOX_PART = (f'[^"\\\\@{text_patterns.WHITESPACE}{text_patterns.NUL}\\u0001-\\u001f]+')
PARAMS = (
    Param("since", {"type": "string", "format": "date-time"},
          "Only statements stored after this instant (a time without a zone is UTC): the "
          "X-Experience-API-Consistent-Through of the previous poll"),
    Param("cursor", {"type": "string", "pattern": xapi.CURSOR_PATTERN},
          "Where the previous page ended: the time its last statement was stored (microseconds "
          "since 1970-01-01 UTC), its kind and its row id; statements after that position "
          "follow. Follow `more` rather than building it"),
    Param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                    "default": DEFAULT_LIMIT}, "Statements per page"),
    Param("agent", {"type": "string", "pattern": text_patterns.stripped(
              r'\{ *"mbox" *: *"mailto:' + _MAILBOX_PART + "@" + _MAILBOX_PART + r'" *\}')},
          'Only statements about this rep: a JSON Agent identified by mbox, like '
          '{"mbox": "mailto:ana@example.com"}'),
    Param("verb", {"type": "string", "pattern": text_patterns.stripped(
              f"[A-Za-z][A-Za-z0-9+.-]*:[^{text_patterns.WHITESPACE}{text_patterns.NUL}]+")},
          "Only statements with this verb (an IRI; one cev_learn does not use matches none)"),
)
# The Statement Resource's other parameters (xAPI 1.0.3, Communication §2.1.3): refused
# rather than ignored, so a client never takes an unfiltered answer for a filtered one.
UNSUPPORTED = ("statementId", "voidedStatementId", "activity", "registration",
               "related_activities", "related_agents", "until", "format", "attachments",
               "ascending")


@api_access(Role.COACH, Role.MANAGER, Role.ADMIN)
@operation("Modules completed, quizzes passed or failed, milestones achieved, certificates "
           "earned, practice recordings submitted and reviewed, as xAPI statements", tag="xAPI", response=XapiStatementResult, problems=(400,),
           params=PARAMS,
           description="Statements of the reps this token may see (a coach's: the reps of "
                       "their cohorts), oldest first by the time cev_learn recorded them: an "
                       "essay graded late or a milestone dated in the past comes after what a "
                       "client has already read. `timestamp` is when it happened; a milestone "
                       "is timestamped at the start (UTC) of the day it was achieved, and one "
                       "whose date changes comes again with a new id; a certificate at the "
                       "start of the day it was earned (a renewal is a certificate of its "
                       "own). Reading again gives the "
                       "same statement ids. Statements carry neither `stored` nor `version`, "
                       "which are a learning record store's to set. Statements appear "
                       "XAPI_SETTLE_SECONDS (default 60) after they are recorded; the header "
                       "X-Experience-API-Consistent-Through says up to when every statement "
                       "is in (poll again with it as `since`), and every answer carries "
                       "X-Experience-API-Version. The filters `agent` and `verb` apply; the "
                       "Statement Resource's other parameters (statementId, activity, until, "
                       "…) are refused with 400. Milestones use the verb "
                       "https://w3id.org/xapi/dod-isd/verbs/achieved, certificates "
                       "http://id.tincanapi.com/verb/earned, practice recordings "
                       "http://adlnet.gov/expapi/verbs/attempted and a coach's review of one "
                       "passed or failed (failed when it asks for another take); peers' "
                       "reviews are not statements.")
def xapi_statements():
    _check_version_header()
    _refuse_unsupported_parameters()
    since, cursor, limit = _query_since(), _query_cursor(), _query_limit()
    selection = xapi.Selection(_query_verb(), _query_agent())
    until = utcnow() - dt.timedelta(seconds=current_app.config["XAPI_SETTLE_SECONDS"])
    page, more = first_events(current_user, until, limit, selection=selection, since=since,
                              after=cursor)
    base_url = current_app.config["BASE_URL"]
    response = respond(XapiStatementResult, {
        "statements": [xapi.statement(event, base_url) for event in page],
        "more": _more_url(page[-1], limit) if more else ""})
    response.headers["X-Experience-API-Consistent-Through"] = xapi.iso(until)
    return response


def _more_url(last: xapi.Event, limit: int) -> str:
    """The next page: this query's filters, from where this page ended."""
    kept = {name: request.args[name] for name in ("since", "agent", "verb")
            if request.args.get(name)}
    return url_for("api.xapi_statements", **kept, cursor=xapi.encode_cursor(last),
                   limit=limit)


def _check_version_header() -> None:
    version = request.headers.get("X-Experience-API-Version")
    if version is not None and not version.strip().startswith("1.0."):
        raise ApiProblem(400, f"X-Experience-API-Version {version!r} is not supported: this "
                              f"resource speaks xAPI {xapi.API_VERSION} (any 1.0.x)")


def _refuse_unsupported_parameters() -> None:
    for name in UNSUPPORTED:
        if name in request.args:
            raise ApiProblem(400, f"{name} is not supported by this resource: filter with "
                                  "agent, verb and since")


def _query_agent() -> str | None:
    text = request.args.get("agent", "").strip()
    if not text:
        return None
    try:
        return xapi.email_of_agent(text)
    except ValueError as exc:
        raise ApiProblem(400, f"agent {exc}") from None


def _query_verb() -> xapi.Kinds:
    text = request.args.get("verb", "").strip()
    if not text:
        return dict(xapi.EVERY_KIND)
    if not xapi.is_iri(text):
        raise ApiProblem(400, f"verb {text[:200]!r} is not an IRI, like "
                              f"{xapi.COMPLETED}")
    return xapi.kinds_with_verb(text)


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
        raise ApiProblem(400, f"cursor {text!r} is not a position like "
                              "1772445600000000.module.42; follow the 'more' URL of the "
                              "previous page, or start again without a cursor") from None


def _query_limit() -> int:
    text = request.args.get("limit", "").strip() or str(DEFAULT_LIMIT)
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_LIMIT):
        raise ApiProblem(400, f"limit {text!r} must be a whole number from 1 to {MAX_LIMIT}")
    return int(text)
