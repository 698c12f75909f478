"""GET /api/v1/xapi/statements: modules completed, quizzes graded and milestones achieved as
xAPI statements, of the reps the token may see, paged by an opaque cursor."""
import base64
import dataclasses
import datetime as dt
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from cev_learn.accounts.models import Role
from cev_learn.api import xapi_views
from cev_learn.content.models import Module, ModuleProgress
from cev_learn.db import db
from cev_learn.quizzes.models import Attempt, AttemptState, Quiz, QuizVersion
from cev_learn.ramp.models import Achievement, Milestone
from tests.conftest import make_user
from tests.factories import make_cohort

UTC = dt.UTC
BASE = "http://127.0.0.1:5000/tracks/test-track"
URL = "/api/v1/xapi/statements"


def at(day, hour=0, minute=0):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def completed(rep, slug, when, *, done=True):
    module = db.session.scalar(select(Module).where(Module.slug == slug))
    db.session.add(ModuleProgress(user_id=rep.id, module_id=module.id, opened_at=when,
                                  completed_at=when if done else None))
    db.session.commit()


def attempted(rep, number, when, score=None, passed=None, state=AttemptState.GRADED):
    quiz = db.session.scalar(select(Quiz))
    version_id = db.session.scalar(select(QuizVersion.id).where(QuizVersion.quiz_id == quiz.id))
    db.session.add(Attempt(user_id=rep.id, quiz_id=quiz.id, version_id=version_id,
                           attempt_no=number, state=state, started_at=when, layout=[],
                           submitted_at=None if state is AttemptState.IN_PROGRESS else when,
                           score=score, passed=passed))
    db.session.commit()


def achieved(rep, day):
    milestone = db.session.scalar(select(Milestone))
    db.session.add(Achievement(user_id=rep.id, milestone_id=milestone.id, achieved_on=day,
                               source="coach"))
    db.session.commit()


@pytest.fixture
def people(app, api_track):
    """Ana (coached by Kim) and Ben (coached by Lee, in the North) and what they did."""
    ana = make_user(Role.REP, email="ana@example.com", name="Ana Silva")
    ben = make_user(Role.REP, email="ben@example.com", name="Ben Okoro")
    kim, lee = make_user(Role.COACH), make_user(Role.COACH)
    make_cohort(reps=[ana], coaches=[kim])
    make_cohort(reps=[ben], coaches=[lee], territory="North")
    achieved(ana, dt.date(2026, 3, 2))
    completed(ana, "intro", at(2, 9))
    attempted(ana, 1, at(2, 11), score=0.4, passed=False)
    attempted(ana, 2, at(2, 12), score=0.75, passed=True)
    completed(ben, "discovery", at(3, 10))
    # Not statements: a module opened only, an attempt under way, one waiting for a coach.
    completed(ana, "discovery", at(2, 10), done=False)
    attempted(ana, 3, at(2, 13), state=AttemptState.IN_PROGRESS)
    attempted(ben, 1, at(3, 11), score=0.5, state=AttemptState.NEEDS_GRADING)
    return {"ana": ana, "ben": ben, "kim": kim, "lee": lee}


def actor(name, email):
    return {"objectType": "Agent", "name": name, "mbox": f"mailto:{email}"}


def verb(name, iri):
    return {"id": iri, "display": {"en-US": name}}


def activity(path, title, kind):
    return {"objectType": "Activity", "id": f"{BASE}/{path}", "definition": {
        "name": {"en-US": title}, "type": f"http://adlnet.gov/expapi/activities/{kind}"}}


ANA, BEN = actor("Ana Silva", "ana@example.com"), actor("Ben Okoro", "ben@example.com")
COMPLETED = verb("completed", "http://adlnet.gov/expapi/verbs/completed")
EXPECTED = [
    {"version": "1.0.3", "timestamp": "2026-03-02T00:00:00Z", "actor": ANA,
     "verb": verb("achieved", "https://w3id.org/xapi/dod-isd/verbs/achieved"),
     "object": activity("milestones/first-meeting", "First meeting", "objective")},
    {"version": "1.0.3", "timestamp": "2026-03-02T09:00:00Z", "actor": ANA, "verb": COMPLETED,
     "object": activity("modules/intro", "Introduction", "module")},
    {"version": "1.0.3", "timestamp": "2026-03-02T11:00:00Z", "actor": ANA,
     "verb": verb("failed", "http://adlnet.gov/expapi/verbs/failed"),
     "object": activity("quizzes/check", "Check yourself", "assessment"),
     "result": {"score": {"scaled": 0.4}, "success": False, "completion": True}},
    {"version": "1.0.3", "timestamp": "2026-03-02T12:00:00Z", "actor": ANA,
     "verb": verb("passed", "http://adlnet.gov/expapi/verbs/passed"),
     "object": activity("quizzes/check", "Check yourself", "assessment"),
     "result": {"score": {"scaled": 0.75}, "success": True, "completion": True}},
    {"version": "1.0.3", "timestamp": "2026-03-03T10:00:00Z", "actor": BEN, "verb": COMPLETED,
     "object": activity("modules/discovery", "Discovery", "module")},
]


def without_ids(statements):
    return [{k: v for k, v in s.items() if k != "id"} for s in statements]


def all_pages(client, url):
    """Every statement, following `more` to the end; and how many pages it took."""
    statements, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.json
        statements += response.json["statements"]
        url, pages = response.json["more"], pages + 1
    return statements, pages


# --- What it says ------------------------------------------------------------------------------

def test_statements_of_every_kind_in_time_order(api, people):
    response = api(make_user(Role.ADMIN)).get(URL)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert set(response.json) == {"statements", "more"}
    assert response.json["more"] == ""
    assert without_ids(response.json["statements"]) == EXPECTED
    ids = [s["id"] for s in response.json["statements"]]
    assert all(str(uuid.UUID(i)) == i for i in ids) and len(set(ids)) == len(ids)


def test_reading_again_gives_the_same_statements(api, people):
    client = api(make_user(Role.ADMIN))
    assert client.get(URL).json == client.get(URL).json


def test_a_re_dated_milestone_is_a_new_statement(api, people):
    client = api(make_user(Role.ADMIN))
    before = client.get(URL).json["statements"][0]["id"]
    db.session.scalar(select(Achievement)).achieved_on = dt.date(2026, 3, 1)
    db.session.commit()
    moved = client.get(URL).json["statements"][0]
    assert moved["timestamp"] == "2026-03-01T00:00:00Z" and moved["id"] != before


# --- Who sees what -----------------------------------------------------------------------------

def test_a_coach_sees_only_the_reps_of_their_cohorts(api, people):
    kim = api(people["kim"]).get(URL).json["statements"]
    assert without_ids(kim) == EXPECTED[:4]
    lee = api(people["lee"]).get(URL).json["statements"]
    assert without_ids(lee) == EXPECTED[4:]


def test_a_manager_of_a_territory_sees_its_reps(api, people):
    north = api(make_user(Role.MANAGER, territory="North")).get(URL).json["statements"]
    assert [s["actor"] for s in north] == [BEN]
    everyone = api(make_user(Role.MANAGER)).get(URL).json["statements"]
    assert without_ids(everyone) == EXPECTED


def test_statements_need_a_token_of_staff(api, people):
    anonymous = api().get(URL)
    assert anonymous.status_code == 401
    assert anonymous.mimetype == "application/problem+json"
    rep = api(people["ana"]).get(URL)
    assert rep.status_code == 403
    assert rep.json["detail"] == "a rep token may not use this endpoint"


# --- Pages and since -----------------------------------------------------------------------

@pytest.mark.parametrize("limit", [1, 2, 3, 7])
def test_paging_returns_every_statement_exactly_once(api, people, limit):
    # Ties: a module completed at the very start of the milestone's day, by each rep, and
    # two more in the same second; the cursor must break them by kind and row.
    completed(people["ben"], "intro", at(2))
    db.session.scalar(select(ModuleProgress).where(  # as Ben's discovery
        ModuleProgress.completed_at.is_(None))).completed_at = at(3, 10)
    db.session.commit()
    client = api(make_user(Role.ADMIN))
    everything = client.get(URL).json["statements"]
    assert len(everything) == 7
    paged, pages = all_pages(client, f"{URL}?limit={limit}")
    assert paged == everything
    assert pages == -(-7 // limit)  # the last page, even a full one, says there is no more


def test_more_is_a_relative_url_with_an_opaque_cursor(api, people):
    page = api(make_user(Role.ADMIN)).get(f"{URL}?limit=2").json
    more = urlsplit(page["more"])
    assert (more.scheme, more.netloc, more.path) == ("", "", URL)
    assert parse_qs(more.query)["limit"] == ["2"]
    assert len(page["statements"]) == 2


def test_since_leaves_out_statements_up_to_that_instant(api, people):
    client = api(make_user(Role.ADMIN))

    def timestamps(since):
        response = client.get(URL, query_string={"since": since})
        assert response.status_code == 200
        return [s["timestamp"][:16] for s in response.json["statements"]]

    assert timestamps("2026-03-02T11:00:00Z") == ["2026-03-02T12:00", "2026-03-03T10:00"]
    assert timestamps("2026-03-02T00:00:00+00:00") == [  # the milestone is at that instant
        "2026-03-02T09:00", "2026-03-02T11:00", "2026-03-02T12:00", "2026-03-03T10:00"]
    assert timestamps("2026-03-01T23:59:59Z")[0] == "2026-03-02T00:00"
    assert timestamps("2026-03-02T10:00:00+01:00")[0] == "2026-03-02T11:00"  # 09:00 UTC
    assert timestamps("2026-03-02T09:00") == timestamps("2026-03-02T09:00Z")  # no zone: UTC
    assert timestamps("2026-03-04T00:00:00Z") == []


def test_since_and_a_cursor_together(api, people):
    client = api(make_user(Role.ADMIN))
    statements, _ = all_pages(client, f"{URL}?since=2026-03-02T10:00:00Z&limit=1")
    assert [s["timestamp"] for s in statements] == [
        "2026-03-02T11:00:00Z", "2026-03-02T12:00:00Z", "2026-03-03T10:00:00Z"]


def test_a_day_stamped_event_is_after_a_cursor_only_from_the_next_day(people):
    # Whatever the kinds' order, a milestone of March 2 (stamped 00:00) is before a cursor at
    # 09:00 that day; and after one at 00:00 exactly when its kind breaks the tie.
    later_kind = dataclasses.replace(xapi_views.SOURCES[2], kind="zzz")
    admin = make_user(Role.ADMIN)

    def days(cursor):
        return [e.at.day for e in xapi_views._events(later_kind, admin, None, cursor, 10)]

    assert days((at(2, 9), "module", 0)) == []
    assert days((at(2), "module", 0)) == [2]
    assert days((at(1, 23), "module", 0)) == [2]


def cursor_of(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize("query,detail", [
    ({"since": "yesterday"},
     "since 'yesterday' is not a date and time like 2026-06-30T09:00:00Z"),
    ({"since": "0001-01-01T00:00:00+01:00"}, "since '0001-01-01T00:00:00+01:00' is not"),
    ({"limit": "0"}, "limit '0' must be a whole number from 1 to 500"),
    ({"limit": "501"}, "limit '501' must be a whole number from 1 to 500"),
    ({"limit": "ten"}, "limit 'ten' must be a whole number from 1 to 500"),
    ({"cursor": "not a cursor"}, "cursor"),
    ({"cursor": cursor_of('{"at": 1}')}, "cursor"),
    ({"cursor": cursor_of('["2026-03-02T00:00:00", "module", 1]')}, "cursor"),  # no zone
    ({"cursor": cursor_of('["2026-03-02T00:00:00+00:00", "badge", 1]')}, "cursor"),
    ({"cursor": cursor_of('["2026-03-02T00:00:00+00:00", "module", "1"]')}, "cursor"),
    ({"cursor": cursor_of('["2026-13-02T00:00:00+00:00", "module", 1]')}, "cursor"),
])
def test_bad_parameters_are_400_problems(api, people, query, detail):
    response = api(make_user(Role.ADMIN)).get(URL, query_string=query)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.json["detail"].startswith(detail)


def test_a_page_costs_the_same_statements_however_much_there_is(api, people, count_queries):
    admin = make_user(Role.ADMIN)

    def statements_for_a_page():
        client = api(admin)
        with count_queries() as counted:
            assert client.get(f"{URL}?limit=3").status_code == 200
        return counted["n"]

    few = statements_for_a_page()
    for n in range(6):
        rep = make_user(Role.REP)
        make_cohort(reps=[rep])
        completed(rep, "intro", at(4, n))
        attempted(rep, 1, at(4, n, 30), score=1.0, passed=True)
        achieved(rep, dt.date(2026, 3, 4))
    assert statements_for_a_page() == few


def test_the_document_describes_the_statements(app):
    document = app.test_client().get("/api/v1/openapi.json").json
    get = document["paths"][URL]["get"]
    assert [p["name"] for p in get["parameters"]] == ["since", "cursor", "limit"]
    assert {"200", "400", "401", "403"} <= set(get["responses"])
    statement = document["components"]["schemas"]["XapiStatement"]
    assert {"id", "version", "timestamp", "actor", "verb", "object"} <= set(
        statement["required"])
