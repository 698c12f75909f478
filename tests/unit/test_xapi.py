"""xAPI statements (pure): valid xAPI 1.0.3 for the properties used, stable ids, merged pages,
cursors that round-trip or are refused, and the filters by agent and verb."""
import base64
import datetime as dt
import re
import uuid

import pytest
from jsonschema import Draft202012Validator

from cev_learn.xapi import statements as xapi
from cev_learn.xapi.statements import (CERTIFICATE, MILESTONE, MODULE, QUIZ, REVIEW, SUBMISSION,
                                       Event)

BASE = "https://learn.example.com/"
AT = dt.datetime(2026, 3, 2, 9, 30, 15, 250000, tzinfo=dt.UTC)
STORED = AT + dt.timedelta(days=2)  # recorded later: an essay graded, a milestone corrected
ISO_8601 = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"

# xAPI 1.0.3 (Data, §2.4) for the parts of a Statement this API sends: no `stored`, which
# only an LRS sets (§2.4.8), and a `version` only of 1.0.0, if any (§2.4.10).
IRI = {"type": "string", "pattern": r"^[a-z][a-z0-9+.-]*:[^\s]+$"}
LANGUAGE_MAP = {"type": "object", "minProperties": 1,
                "propertyNames": {"pattern": r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"},
                "additionalProperties": {"type": "string"}}
STATEMENT = {
    "type": "object", "additionalProperties": False,
    "required": ["id", "timestamp", "actor", "verb", "object"],
    "properties": {
        "id": {"type": "string", "pattern":
               r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"},
        "version": {"const": "1.0.0"},
        # ISO 8601 with a time zone (Z or ±hh:mm)
        "timestamp": {"type": "string", "pattern": ISO_8601},
        "actor": {"type": "object", "additionalProperties": False,
                  "required": ["objectType", "mbox"],
                  "properties": {"objectType": {"const": "Agent"}, "name": {"type": "string"},
                                 "mbox": {"type": "string",
                                          "pattern": r"^mailto:[^@\s]+@[^@\s]+$"}}},
        "verb": {"type": "object", "additionalProperties": False, "required": ["id", "display"],
                 "properties": {"id": IRI, "display": LANGUAGE_MAP}},
        "object": {"type": "object", "additionalProperties": False, "required": ["id"],
                   "properties": {
                       "objectType": {"const": "Activity"}, "id": IRI,
                       "definition": {"type": "object", "additionalProperties": False,
                                      "properties": {"name": LANGUAGE_MAP, "type": IRI}}}},
        "result": {"type": "object", "additionalProperties": False, "properties": {
            "score": {"type": "object", "additionalProperties": False,
                      "properties": {"scaled": {"type": "number", "minimum": -1,
                                                "maximum": 1}}},
            "success": {"type": "boolean"}, "completion": {"type": "boolean"}}},
    },
}
VALIDATOR = Draft202012Validator(STATEMENT)


def event(kind=MODULE, row_id=7, at=AT, stored=STORED, **facts):
    defaults = {MODULE: ("intro", "Introduction"), QUIZ: ("check", "Check yourself"),
                MILESTONE: ("first-deal", "First closed-won deal"),
                CERTIFICATE: ("value-pitch", "Certified value pitch"),
                SUBMISSION: ("value-pitch", "Record your value pitch"),
                REVIEW: ("value-pitch", "Record your value pitch")}[kind]
    return Event(kind, row_id, at, stored, "Ana Silva", "ana@example.com",
                 "sales-foundations", *defaults, **facts)


EVENTS = [event(MODULE), event(QUIZ, score=0.8, passed=True),
          event(QUIZ, score=0.0, passed=False), event(QUIZ, score=1.0, passed=True),
          event(MILESTONE, at=xapi.start_of(dt.date(2026, 3, 2))),
          event(CERTIFICATE, at=xapi.start_of(dt.date(2026, 3, 2))),
          event(SUBMISSION), event(REVIEW, score=0.75, passed=True),
          event(REVIEW, score=0.9, passed=False)]


def nulls(value) -> bool:
    if isinstance(value, dict):
        return any(v is None or nulls(v) for v in value.values())
    return isinstance(value, list) and any(v is None or nulls(v) for v in value)


@pytest.mark.parametrize("one", EVENTS, ids=lambda e: f"{e.kind}-{e.passed}")
def test_each_statement_is_valid_xapi(one):
    statement = xapi.statement(one, BASE)
    assert list(VALIDATOR.iter_errors(statement)) == []
    assert not nulls(statement)
    assert dt.datetime.fromisoformat(statement["timestamp"]).utcoffset() == dt.timedelta(0)
    assert "stored" not in statement and "version" not in statement
    assert uuid.UUID(statement["id"]).version == 5


def test_a_module_completion():
    assert xapi.statement(event(MODULE), BASE) == {
        "id": str(xapi.statement_id(event(MODULE))),
        "timestamp": "2026-03-02T09:30:15.250000Z",
        "actor": {"objectType": "Agent", "name": "Ana Silva", "mbox": "mailto:ana@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed",
                 "display": {"en-US": "completed"}},
        "object": {"objectType": "Activity",
                   "id": "https://learn.example.com/tracks/sales-foundations/modules/intro",
                   "definition": {"name": {"en-US": "Introduction"},
                                  "type": "http://adlnet.gov/expapi/activities/module"}},
    }


@pytest.mark.parametrize("passed,verb", [(True, "passed"), (False, "failed")])
def test_a_graded_quiz_attempt_passed_or_failed(passed, verb):
    statement = xapi.statement(event(QUIZ, score=0.55, passed=passed), BASE)
    assert statement["verb"] == {"id": f"http://adlnet.gov/expapi/verbs/{verb}",
                                 "display": {"en-US": verb}}
    assert statement["result"] == {"score": {"scaled": 0.55}, "success": passed,
                                   "completion": True}
    assert statement["object"]["id"].endswith("/tracks/sales-foundations/quizzes/check")
    assert statement["object"]["definition"]["type"] == (
        "http://adlnet.gov/expapi/activities/assessment")


def test_a_milestone_is_achieved_at_the_start_of_its_day():
    statement = xapi.statement(event(MILESTONE, at=xapi.start_of(dt.date(2026, 3, 2))), BASE)
    assert statement["timestamp"] == "2026-03-02T00:00:00Z"
    assert statement["verb"]["id"] == "https://w3id.org/xapi/dod-isd/verbs/achieved"
    assert statement["object"]["id"].endswith("/tracks/sales-foundations/milestones/first-deal")
    assert "result" not in statement


def test_a_certificate_is_earned_at_the_start_of_its_day():
    statement = xapi.statement(event(CERTIFICATE, at=xapi.start_of(dt.date(2026, 3, 2))), BASE)
    assert statement["timestamp"] == "2026-03-02T00:00:00Z"
    assert statement["verb"] == {"id": "http://id.tincanapi.com/verb/earned",
                                 "display": {"en-US": "earned"}}
    assert statement["object"] == {
        "objectType": "Activity",
        "id": "https://learn.example.com/tracks/sales-foundations/certifications/value-pitch",
        "definition": {"name": {"en-US": "Certified value pitch"},
                       "type": "http://id.tincanapi.com/activitytype/certificate"}}
    assert "result" not in statement


PERFORMANCE = {"objectType": "Activity",
               "id": "https://learn.example.com/tracks/sales-foundations/exercises/value-pitch",
               "definition": {"name": {"en-US": "Record your value pitch"},
                              "type": "http://adlnet.gov/expapi/activities/performance"}}


def test_a_practice_recording_submitted_is_an_attempt_at_the_exercise():
    statement = xapi.statement(event(SUBMISSION), BASE)
    assert statement["verb"] == {"id": "http://adlnet.gov/expapi/verbs/attempted",
                                 "display": {"en-US": "attempted"}}
    assert statement["object"] == PERFORMANCE and "result" not in statement


@pytest.mark.parametrize("passed,verb", [(True, "passed"), (False, "failed")])
def test_a_coachs_review_passes_or_fails_the_exercise_with_its_score(passed, verb):
    statement = xapi.statement(event(REVIEW, score=0.75, passed=passed), BASE)
    assert statement["verb"] == {"id": f"http://adlnet.gov/expapi/verbs/{verb}",
                                 "display": {"en-US": verb}}
    assert statement["object"] == PERFORMANCE
    assert statement["result"] == {"score": {"scaled": 0.75}, "success": passed,
                                   "completion": True}
    assert xapi.statement_id(event(REVIEW, score=0.75, passed=passed)) != \
        xapi.statement_id(event(SUBMISSION))


def test_ids_are_the_same_for_the_same_facts_and_differ_otherwise():
    first = xapi.statement_id(event(QUIZ, score=0.5, passed=False))
    assert xapi.statement_id(event(QUIZ, score=0.5, passed=False)) == first
    # Recorded again with the same facts (a coach's note changed): the same statement.
    assert xapi.statement_id(event(QUIZ, stored=STORED + dt.timedelta(days=1), score=0.5,
                                   passed=False)) == first
    others = {xapi.statement_id(e) for e in [
        event(QUIZ, score=0.9, passed=True), event(QUIZ, row_id=8, score=0.5, passed=False),
        event(MODULE), event(QUIZ, at=AT + dt.timedelta(days=1), score=0.5, passed=False)]}
    assert first not in others and len(others) == 4


def test_first_page_merges_sorted_lists_by_stored_position():
    def e(kind, hour, row_id):  # when it happened runs the other way: it does not count
        return event(kind, row_id, AT.replace(hour=20 - hour), STORED.replace(hour=hour))

    modules = [e(MODULE, 8, 1), e(MODULE, 10, 2), e(MODULE, 10, 3)]
    quizzes = [e(QUIZ, 9, 1), e(QUIZ, 10, 1)]
    milestones = [e(MILESTONE, 10, 9)]
    page, more = xapi.first_page([modules, quizzes, milestones], 4)
    assert [(x.stored.hour, x.kind, x.row_id) for x in page] == [
        (8, MODULE, 1), (9, QUIZ, 1), (10, MILESTONE, 9), (10, MODULE, 2)]
    assert more
    assert xapi.first_page([modules, quizzes, milestones], 6) == (
        sorted(modules + quizzes + milestones, key=lambda x: x.position), False)
    assert xapi.first_page([[], [], []], 3) == ([], False)


def test_a_cursor_is_the_position_written_out_and_round_trips():
    cursor = xapi.encode_cursor(event(QUIZ, row_id=12345, score=1.0, passed=True))
    micros = (STORED - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)
    assert cursor == f"{micros}.quiz.12345"
    assert re.fullmatch(xapi.CURSOR_PATTERN, cursor)  # as the API document states it
    assert xapi.decode_cursor(cursor) == (STORED, QUIZ, 12345)


@pytest.mark.parametrize("cursor,position", [
    ("0.module.0", (dt.datetime(1970, 1, 1, tzinfo=dt.UTC), "module", 0)),
    ("00001.milestone.007", (dt.datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=dt.UTC), "milestone", 7)),
    ("2.certificate.3", (dt.datetime(1970, 1, 1, 0, 0, 0, 2, tzinfo=dt.UTC), "certificate", 3)),
    ("99999999999999999.quiz.9999999999999999999",  # the last the form allows
     (dt.datetime(5138, 11, 16, 9, 46, 39, 999999, tzinfo=dt.UTC), "quiz", 2**31 - 1)),
])
def test_every_text_of_the_cursor_form_is_a_position(cursor, position):
    """So a cursor built by hand within the document's pattern is read, never refused; a row
    id beyond any stored one reads as the last there can be."""
    assert re.fullmatch(xapi.CURSOR_PATTERN, cursor)
    assert xapi.decode_cursor(cursor) == position


def encoded(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_a_cursor_of_the_earlier_form_is_still_read():
    assert xapi.decode_cursor(encoded(f'["{STORED.isoformat()}", "quiz", 12345]')) == (
        STORED, QUIZ, 12345)


@pytest.mark.parametrize("cursor", [
    "", "!!!", "a", "1.badge.1", "1.quiz", "-1.quiz.1", "1.quiz.1.", "１.quiz.1",
    "123456789012345678.quiz.1",
    encoded("not json"), encoded("{}"), encoded("[1, 2]"),
    encoded('["2026-03-02T09:00:00", "quiz", 1]'),          # no time zone
    encoded('["2026-03-02T09:00:00Z", "badge", 1]'),        # unknown kind
    encoded('["2026-03-02T09:00:00Z", "quiz", "1"]'),       # id not a number
    encoded('["2026-03-02T09:00:00Z", "quiz", true]'),
    encoded('[20260302, "quiz", 1]'),
    encoded('["0001-01-01T00:00:00+01:00", "quiz", 1]'),   # before the first UTC instant
    base64.urlsafe_b64encode(b"\xff\xfe").decode(),
])
def test_anything_else_is_not_a_cursor(cursor):
    with pytest.raises(ValueError, match="not a cursor"):
        xapi.decode_cursor(cursor)


@pytest.mark.parametrize("text,email", [
    ('{"mbox": "mailto:ana@example.com"}', "ana@example.com"),
    ('{"objectType": "Agent", "name": "Ana", "mbox": "mailto:Ana@Example.COM"}',
     "ana@example.com"),
])
def test_an_agent_is_known_by_its_mbox(text, email):
    assert xapi.email_of_agent(text) == email


@pytest.mark.parametrize("text,reason", [
    ("ana@example.com", "is not JSON"),
    ('{"mbox": "mailto:a@example.com", "mbox": "mailto:b@example.com"}', "is not JSON"),
    ("[]", "must be an Agent object"),
    ('{"objectType": "Group", "mbox": "mailto:team@example.com"}', "must be an Agent object"),
    ('{"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"}', "must identify the rep"),
    ('{"openid": "https://id.example.com/ana"}', "must identify the rep"),
    ('{"mbox": "ana@example.com"}', "must identify the rep"),
    ('{"mbox": ["mailto:ana@example.com"]}', "must identify the rep"),
])
def test_anything_else_is_not_an_agent_of_these_statements(text, reason):
    with pytest.raises(ValueError, match=reason):
        xapi.email_of_agent(text)


def test_a_verb_selects_the_kinds_of_event_that_have_it():
    assert xapi.kinds_with_verb(xapi.COMPLETED) == {MODULE: None}
    assert xapi.kinds_with_verb(xapi.PASSED) == {QUIZ: True, REVIEW: True}
    assert xapi.kinds_with_verb(xapi.FAILED) == {QUIZ: False, REVIEW: False}
    assert xapi.kinds_with_verb(xapi.ACHIEVED) == {MILESTONE: None}
    assert xapi.kinds_with_verb(xapi.EARNED) == {CERTIFICATE: None}
    assert xapi.kinds_with_verb("http://adlnet.gov/expapi/verbs/attempted") == {
        SUBMISSION: None}
    assert xapi.kinds_with_verb("http://adlnet.gov/expapi/verbs/experienced") == {}
    every = [xapi.statement(e, BASE)["verb"]["id"] for e in EVENTS]
    for one in EVENTS:  # each statement's verb selects its event's kind
        verb = xapi.statement(one, BASE)["verb"]["id"]
        assert one.kind in xapi.kinds_with_verb(verb) and verb in every


@pytest.mark.parametrize("text,iri", [
    ("http://adlnet.gov/expapi/verbs/completed", True), ("urn:x:y", True),
    ("completed", False), ("http://has space", False), ("", False), ("1http://x", False)])
def test_an_iri_has_a_scheme_and_no_spaces(text, iri):
    assert xapi.is_iri(text) is iri
