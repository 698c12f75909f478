"""The OpenAPI document states what the server enforces: the values the server refuses, the
document refuses too, and query parameters sent empty are refused like any bad value. (The
contract fuzz, tests/api/test_api_fuzz.py, checks every operation against the document.)"""
import re
import sys

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from cev_learn.accounts.api_tokens import Scope
from cev_learn.accounts.models import Role
from cev_learn.api.spec import openapi_document
from cev_learn.api.text_patterns import DIRECTION_CONTROLS, WHITESPACE
from cev_learn.platform.text_direction import DIRECTION_CONTROLS as DIRECTION_CONTROL_TEXT
from tests.helpers import make_user


def test_the_whitespace_of_the_patterns_is_what_strip_removes():
    whitespace = re.compile(f"[{WHITESPACE}]")
    assert [c for c in range(sys.maxunicode + 1) if whitespace.fullmatch(chr(c))] == \
        [c for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    controls = re.compile(f"[{DIRECTION_CONTROLS}]")
    assert [c for c in range(0x3000) if controls.fullmatch(chr(c))] == \
        [c for c in range(0x3000) if DIRECTION_CONTROL_TEXT.fullmatch(chr(c))]


@pytest.fixture
def document(app):
    with app.test_request_context():
        return openapi_document(app)


def property_errors(document, model: str, name: str, value) -> list[str]:
    schema = document["components"]["schemas"][model]["properties"][name]
    checker = Draft202012Validator(schema, format_checker=FormatChecker())
    return [error.message for error in checker.iter_errors(value)]


# (model, property, value the server refuses with a 422 naming it): tests/api/test_outcomes_api.py
# and test_users_api.py check the server's side of each
REFUSED = [
    ("ActivityIn", "external_id", " "), ("ActivityIn", "external_id", "x" * 201),
    ("ActivityIn", "external_id", "crm\u00001"),
    ("ActivityIn", "rep_email", ""), ("ActivityIn", "rep_email", " \t"),
    ("ActivityIn", "type", ""), ("ActivityIn", "type", "visit"), ("ActivityIn", "type", "chat"),
    ("ActivityIn", "occurred_on", "2026-02-30"), ("ActivityIn", "occurred_on", "02/03/2026"),
    ("ActivityIn", "quantity", -1), ("ActivityIn", "quantity", 2**31),
    ("ActivityIn", "amount", -0.5), ("ActivityIn", "amount", 1e13),
    ("QuotaIn", "rep_email", ""), ("QuotaIn", "month", "2026-00"),
    ("QuotaIn", "month", "2026-13"), ("QuotaIn", "month", "0000-04"),
    ("QuotaIn", "month", "2026-04-01"), ("QuotaIn", "month", ""),
    ("UserIn", "email", "not-an-email"), ("UserIn", "email", ""),
    ("UserIn", "name", ""), ("UserIn", "name", "  "), ("UserIn", "name", "n" * 121),
    ("UserIn", "name", "Evil\u202egnp.exe"), ("UserIn", "role", "boss"), ("UserIn", "role", ""),
    ("UserIn", "territory", "t" * 81), ("UserIn", "territory", "West\u2066"),
    ("UserIn", "coach_email", "kim"), ("UserIn", "start_date", "soon"),
    ("UserIn", "invite", "true"), ("AchievementIn", "note", "n" * 501),
    ("AchievementIn", "achieved_on", "yesterday"),
]
# and values it takes, which the document must not refuse
ACCEPTED = [
    ("ActivityIn", "external_id", " crm-1 "), ("ActivityIn", "rep_email", "Ana@Example.com"),
    ("ActivityIn", "type", "Meeting"), ("ActivityIn", "type", " deal_won "),
    ("QuotaIn", "month", "2026-04"), ("QuotaIn", "month", "0001-12"),
    ("UserIn", "role", "REP"), ("UserIn", "name", "Ana Lima"), ("UserIn", "territory", ""),
    ("UserIn", "territory", None), ("UserIn", "coach_email", ""),
    ("UserIn", "coach_email", "kim@example.com"), ("UserIn", "start_date", "2026-03-02"),
    ("AchievementIn", "achieved_on", None),
]


@pytest.mark.parametrize(("model", "name", "value"), REFUSED)
def test_the_document_refuses_what_the_server_refuses(document, model, name, value):
    assert property_errors(document, model, name, value), f"{model}.{name} = {value!r}"


@pytest.mark.parametrize(("model", "name", "value"), ACCEPTED)
def test_the_document_takes_what_the_server_takes(document, model, name, value):
    assert property_errors(document, model, name, value) == []


def test_activity_types_are_the_installations(make_app):
    app = make_app(EXTRA_ACTIVITY_TYPES=["site_visit"])
    with app.test_request_context():
        document = openapi_document(app)
    assert property_errors(document, "ActivityIn", "type", "Site_Visit") == []
    assert property_errors(document, "ActivityIn", "type", "visit") != []


def query_parameters(document) -> list[tuple[str, str, dict]]:
    return [(path, parameter["name"], parameter["schema"])
            for path, operations in document["paths"].items()
            for operation in operations.values()
            for parameter in operation["parameters"] if parameter["in"] == "query"]


def test_every_query_parameter_is_bounded_and_refuses_blank(document):
    for path, name, schema in query_parameters(document):
        checker = Draft202012Validator(schema, format_checker=FormatChecker())
        for blank in ("", " "):
            assert not checker.is_valid(blank) or schema["type"] in ("integer", "boolean"), \
                (path, name)
        if schema["type"] == "integer":
            assert {"minimum", "maximum"} <= schema.keys(), (path, name)
        if schema["type"] == "string" and not {"enum", "format"} & schema.keys():
            assert "pattern" in schema, (path, name)


def test_every_operation_with_query_parameters_documents_400(document):
    for path, operations in document["paths"].items():
        for operation in operations.values():
            if any(p["in"] == "query" for p in operation["parameters"]):
                assert "400" in operation["responses"], path


EMPTY = [("/api/v1/cohorts/1/ramp", "as_of"), ("/api/v1/users", "page"),
         ("/api/v1/users", "per_page"), ("/api/v1/users", "role"), ("/api/v1/users", "email"),
         ("/api/v1/reps/1/achievements", "history"), ("/api/v1/xapi/statements", "since"),
         ("/api/v1/xapi/statements", "cursor"), ("/api/v1/xapi/statements", "limit"),
         ("/api/v1/xapi/statements", "agent"), ("/api/v1/xapi/statements", "verb")]


@pytest.mark.parametrize(("path", "name"), EMPTY)
def test_empty_query_values_are_refused_naming_the_parameter(app, api, path, name):
    client = api(make_user(Role.ADMIN))
    for value in ("", "%20"):
        response = client.get(f"{path}?{name}={value}")
        assert response.status_code == 400, (name, value)
        assert response.mimetype == "application/problem+json"
        assert response.json["detail"] == f"{name} is empty; give it a value or leave it out"


def test_the_query_parameters_tested_empty_are_all_of_them(document):
    assert sorted({name for _, name, _ in query_parameters(document)} - {"mapping",
                                                                          "skip_invalid"}) == \
        sorted({name for _, name in EMPTY})


def test_empty_query_values_of_file_imports_are_refused(app, api):
    client = api(make_user(Role.ADMIN), Scope.WRITE)
    for name in ("mapping", "skip_invalid"):
        response = client.post(f"/api/v1/imports/activities?{name}=", data=b"x",
                               headers={"Content-Type": "text/csv"})
        assert response.status_code == 400
        assert response.json["detail"] == f"{name} is empty; give it a value or leave it out"
