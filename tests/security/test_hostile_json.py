"""Hostile JSON (security issue #15): whatever body an admin with a write token sends to any
API write endpoint, nested 100,000 deep, with invalid Unicode or UTF-8, NaN, numbers out of
range, duplicate keys, another encoding or too large, is refused with a 4xx problem that says
what is wrong (and where, when it can), never a 500, and no table changes. The endpoints come
from the URL map, so a new one is covered by itself."""
import base64
import datetime as dt
import json
import re
from types import SimpleNamespace

import pytest

from cev_learn.accounts.api_tokens import Scope
from cev_learn.accounts.models import Role
from cev_learn.api.spec import API_PREFIX
from cev_learn.platform.strict_json import MAX_DEPTH
from tests.api.helpers import token_for
from tests.helpers import make_user
from tests.factories import make_cohort
from tests.security.module_data import module_data, snapshot as every_table

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
DEEP = 100_000
MIB = 1024 * 1024
YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()
JSON = "application/json"


@pytest.fixture(scope="module")
def world(database_url, tmp_path_factory):
    with module_data(database_url, tmp_path_factory.mktemp("hostile-json"),
                     API_RATE_LIMIT="100000 per minute") as app:
        admin, rep = make_user(Role.ADMIN), make_user(Role.REP, email="ana@example.com")
        make_cohort(name="North", reps=[rep])
        yield SimpleNamespace(app=app, rep=rep,
                              headers={"Authorization": f"Bearer {token_for(admin, Scope.WRITE)}"})


def snapshot() -> dict:
    """Every table's digest but the rate limiter's, which counts each request by design."""
    state = every_table()
    state.pop("rate_limit_window", None)
    return state


def write_endpoints(app) -> set[tuple[str, str]]:
    """(method, rule) of every API route that changes something from a JSON body (the file
    imports take the file itself: tests/security/test_csv_attacks.py)."""
    return {(method, rule.rule) for rule in app.url_map.iter_rules()
            if rule.rule.startswith(API_PREFIX + "/") and not _takes_a_file(app, rule)
            for method in rule.methods & WRITES}


def _takes_a_file(app, rule) -> bool:
    described = getattr(app.view_functions[rule.endpoint], "api_operation", None)
    body = described.extra.get("requestBody", {}) if described else {}
    return bool(body) and JSON not in body.get("content", {})


def address(world, rule: str) -> str:
    """The rule with its ids filled in: the rep for a number, the track's milestone for text.
    A new endpoint with other arguments may need its own value here."""
    path = re.sub(r"<int:[^>]+>", str(world.rep.id), rule)
    return re.sub(r"<[^>]+>", "first-meeting", path)


def send(world, method: str, rule: str, body: bytes, content_type: str = JSON):
    return world.app.test_client().open(address(world, rule), method=method, data=body,
                                        content_type=content_type, headers=world.headers)


def nested(depth: int, inner: str = "1") -> str:
    return "[" * depth + inner + "]" * depth


# --- Whole bodies ----------------------------------------------------------------------------

# name: (body, Content-Type, status, words the problem's detail holds)
CORPUS = {
    "arrays 100,000 deep": (nested(DEEP, ""), JSON, 400, "more than 32 deep"),
    "objects 100,000 deep": ('{"a":' * DEEP + "1" + "}" * DEEP, JSON, 400, "more than 32 deep"),
    "arrays opened 100,000 deep, never closed": ("[" * DEEP, JSON, 400, "more than 32 deep"),
    "nested one level too deep": (nested(MAX_DEPTH + 1), JSON, 400, "more than 32 deep"),
    "an escaped lone surrogate": ('{"name": "\\ud800"}', JSON, 400, "lone surrogate U+D800"),
    "an escaped lone surrogate in a key": ('{"\\udfff": 1}', JSON, 400, "lone surrogate U+DFFF"),
    "a raw surrogate (invalid UTF-8)": (b'{"name": "\xed\xa0\x80"}', JSON, 400, "not UTF-8"),
    "invalid UTF-8": (b'{"name": "\xff\xfe\xc3("}', JSON, 400, "not UTF-8"),
    "Latin-1": ('{"name": "Jürgen"}'.encode("latin-1"), JSON, 400, "not UTF-8"),
    "UTF-16 with its byte order mark": ('{"a": 1}'.encode("utf-16"), JSON, 400, "not UTF-8"),
    "UTF-16 without one": ('{"a": 1}'.encode("utf-16-le"), JSON, 400, "not valid JSON"),
    "UTF-16 declared": ('{"a": 1}'.encode("utf-16"), f"{JSON}; charset=utf-16", 415, "UTF-8"),
    "a UTF-8 byte order mark": (b"\xef\xbb\xbf{}", JSON, 400, "byte order mark"),
    "NaN": ('{"a": NaN}', JSON, 400, "NaN is not a JSON number"),
    "Infinity": ('{"a": Infinity}', JSON, 400, "Infinity is not a JSON number"),
    "-Infinity": ("[-Infinity]", JSON, 400, "-Infinity is not a JSON number"),
    "1e400": ('{"a": 1e400}', JSON, 400, "number 1e400 is out of range"),
    "an integer of 5,000 digits": ("1" * 5000, JSON, 400, "(5,000 characters) is out of range"),
    "a float of 5,000 digits": ("9" * 5000 + ".0", JSON, 400, "is out of range"),
    "an integer past 64 bits": (str(2**63), JSON, 400, "is out of range"),
    "duplicate keys": ('{"a": 1, "a": 2}', JSON, 400, "key 'a' appears more than once"),
    "trailing data": ("{} {}", JSON, 400, "not valid JSON"),
    "brackets that do not pair up": ('{"a": [1}', JSON, 400, "not valid JSON"),
    "not JSON at all": ("<records/>", JSON, 400, "not valid JSON"),
    "an unterminated string of escaped quotes": ('"' + '\\"' * 100_000, JSON, 400,
                                                 "not valid JSON"),
    "a form": ("records=1", "application/x-www-form-urlencoded", 415, "JSON"),
    "an empty body": ("", JSON, 422, "does not match"),
    "null": ("null", JSON, 422, "does not match"),
    "-0": ("-0", JSON, 422, "does not match"),
    "a bare string": ('"records"', JSON, 422, "does not match"),
    "an array": ("[{}]", JSON, 422, "does not match"),
    "a long string under the size limit": ('"' + "x" * (8 * MIB) + '"', JSON, 422,
                                           "does not match"),
    "a string over the size limit": ('"' + "x" * (16 * MIB) + '"', JSON, 413,
                                    "exceeds the capacity limit"),
}


@pytest.mark.parametrize("name", CORPUS)
def test_every_write_endpoint_refuses_hostile_json_with_a_problem_and_changes_nothing(world,
                                                                                    name):
    body, content_type, status, words = CORPUS[name]
    body = body.encode() if isinstance(body, str) else body
    endpoints = sorted(write_endpoints(world.app))
    assert len(endpoints) >= 4
    before = snapshot()
    for method, rule in endpoints:
        response = send(world, method, rule, body, content_type)
        where = f"{method} {rule}"
        assert response.status_code == status, (where, response.get_data(as_text=True)[:300])
        assert response.mimetype == "application/problem+json", where
        assert words in response.json["detail"], (where, response.json["detail"])
        assert snapshot() == before, where


# --- Hostile values inside a body that is otherwise stored -------------------------------------

VALID_BODIES = {
    ("PUT", f"{API_PREFIX}/users"): {"email": "api-rep@example.com", "name": "Api Rep",
                                     "role": "rep", "cohort": "North"},
    ("PUT", f"{API_PREFIX}/reps/<int:user_id>/achievements/<milestone_slug>"): {
        "achieved_on": YESTERDAY, "note": "by phone"},
    ("POST", f"{API_PREFIX}/activities"): {"records": [{
        "external_id": "crm-1", "rep_email": "ana@example.com", "occurred_on": YESTERDAY,
        "type": "deal_won", "quantity": 1, "amount": 1500.5}]},
    ("POST", f"{API_PREFIX}/quotas"): {"quotas": [{
        "rep_email": "ana@example.com", "month": YESTERDAY[:7], "amount": 10000}]},
}
MARK = "@@planted@@"
# What is planted in place of a value: (JSON text, status, words the problem holds, whether an
# error points at the value).
VALUES = [
    (b'"\\ud800"', 400, "lone surrogate U+D800", True),
    (b'"ok\\udc00ok"', 400, "lone surrogate U+DC00", True),
    (b'"\\ud83d"', 400, "lone surrogate U+D83D", True),  # half of an emoji's pair
    (b'"\xed\xa0\x80"', 400, "not UTF-8", False),  # a surrogate encoded raw
    (b"NaN", 400, "NaN is not a JSON number", True),
    (b"Infinity", 400, "Infinity is not a JSON number", True),
    (b"1e400", 400, "number 1e400 is out of range", True),
    (b"-1e400", 400, "number -1e400 is out of range", True),
    (b"1" * 5000, 400, "is out of range", True),
    (nested(DEEP).encode(), 400, "more than 32 deep", False),
    (b'{"inner": ' * 40 + b"1" + b"}" * 40, 400, "more than 32 deep", False),
    (b'"x\\u0000"', 422, "NUL", True),
]
# ...and in place of a key: (JSON text, status, words, how the error's pointer shows the key)
KEYS = [(b'"\\ud800"', 400, "lone surrogate U+D800", "\ufffd"),
        (b'"\\u0000"', 422, "NUL", "\0")]


def leaves(value, pointer=""):
    """JSON pointers of every scalar in a body."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, f"{pointer}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, f"{pointer}/{index}")
    else:
        yield pointer


def objects(value, pointer=""):
    """JSON pointers of every object in a body."""
    if isinstance(value, dict):
        yield pointer
        for key, item in value.items():
            yield from objects(item, f"{pointer}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from objects(item, f"{pointer}/{index}")


def resolve(body, pointer: str):
    for step in pointer.split("/")[1:]:
        body = body[int(step)] if isinstance(body, list) else body[step]
    return body


def planted(body, pointer: str, text: bytes, *, key: bool = False) -> bytes:
    """The body as JSON with the value (or the key) at `pointer` replaced by `text`."""
    copy = json.loads(json.dumps(body))
    parent_pointer, last = pointer.rsplit("/", 1)
    parent = resolve(copy, parent_pointer)
    if isinstance(parent, list):
        parent[int(last)] = MARK
    elif key:
        parent[MARK] = parent.pop(last)
    else:
        parent[last] = MARK
    return json.dumps(copy).encode().replace(json.dumps(MARK).encode(), text)


def duplicated(body, pointer: str) -> bytes:
    """The body as JSON with the first key of the object at `pointer` given twice."""
    target = resolve(body, pointer)
    inner = json.dumps(target)
    again = inner.replace("{", "{" + json.dumps(next(iter(target))) + ": null, ", 1)
    return json.dumps(body).replace(inner, again, 1).encode()


def hostile_documents(body):
    """(JSON, status, words of the problem, the pointer an error names or None) for each
    hostile value and key planted in the body, and each of its objects with a key twice."""
    for pointer in leaves(body):
        for text, status, words, points in VALUES:
            yield planted(body, pointer, text), status, words, pointer if points else None
        for text, status, words, shown in KEYS:
            key_pointer = pointer.rsplit("/", 1)[0] + "/" + shown
            yield planted(body, pointer, text, key=True), status, words, key_pointer
    for pointer in objects(body):
        first = next(iter(resolve(body, pointer)))
        yield duplicated(body, pointer), 400, "appears more than once", f"{pointer}/{first}"


@pytest.mark.parametrize("endpoint", VALID_BODIES, ids=" ".join)
def test_hostile_values_planted_in_a_valid_body_are_pointed_at_and_change_nothing(world,
                                                                                 endpoint):
    method, rule = endpoint
    body = VALID_BODIES[endpoint]
    before = snapshot()
    for document, status, words, pointer in hostile_documents(body):
        response = send(world, method, rule, document)
        where = (pointer, document[:120])
        assert response.status_code == status, (where, response.get_data(as_text=True)[:300])
        assert response.mimetype == "application/problem+json", where
        assert words in response.json["detail"] + str(response.json.get("errors")), where
        if pointer is not None:
            assert pointer in [e["pointer"] for e in response.json["errors"]], (
                where, response.json)
        assert snapshot() == before, where
    # The same body without them is stored: what was planted alone was refused.
    clean = send(world, method, rule, json.dumps(body).encode())
    assert clean.status_code in (200, 201), clean.get_data(as_text=True)
    assert snapshot() != before


def test_every_write_endpoint_has_a_valid_body_to_plant_in(world):
    assert set(VALID_BODIES) == write_endpoints(world.app)


# --- Not a body: the xAPI cursor is JSON too ---------------------------------------------------

@pytest.mark.parametrize("inner", [nested(DEEP // 100, ""), '["\\ud800", "module", 1]',
                                   '[NaN, "module", 1]', '["2026-01-01T00:00:00Z", "module", '
                                   + "1" * 5000 + "]"],
                         ids=["1,000 deep", "lone surrogate", "NaN", "huge id"])
def test_a_hostile_cursor_of_the_earlier_form_is_a_400_problem(world, inner):
    """The earlier cursors, still read, were base64url JSON."""
    cursor = base64.urlsafe_b64encode(inner.encode()).decode().rstrip("=")
    assert_refused_cursor(world, cursor)


@pytest.mark.parametrize("cursor", ["1" * 5000 + ".module.1", "1.module." + "9" * 5000,
                                    "\uff11.module.1", "1e400.module.1"],
                         ids=["huge time", "huge id", "fullwidth digit", "exponent"])
def test_a_hostile_cursor_written_out_is_a_400_problem(world, cursor):
    assert_refused_cursor(world, cursor)


def assert_refused_cursor(world, cursor: str) -> None:
    response = world.app.test_client().get(f"{API_PREFIX}/xapi/statements",
                                           query_string={"cursor": cursor},
                                           headers=world.headers)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert "is not a position like 1772445600000000.module.42" in response.json["detail"]
