"""GET /api/v1/xapi/statements: modules completed, quizzes graded, milestones achieved,
certificates earned, practice recordings submitted and their coaches' reviews as xAPI statements, of the reps the token may see, paged by a cursor (the position a page ended
at, written out) in the order they were stored, so a client that polls never misses one recorded late; filtered by agent and
verb, the resource's other parameters refused."""
import base64
import datetime as dt
import re
import secrets
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from cev_learn.accounts.api_tokens import Scope
from cev_learn.accounts.models import Role
from cev_learn.certifications.models import Certificate
from cev_learn.content.models import (Certification, Exercise, Milestone, Module,
                                      ModuleProgress, Quiz, QuizVersion, Track)
from cev_learn.content.questions import QuestionType
from cev_learn.platform.db import db, utcnow
from cev_learn.practice.models import Review, Submission
from cev_learn.quizzes import services as quizzes
from cev_learn.quizzes.grading import Response
from cev_learn.quizzes.models import Attempt, AttemptState
from cev_learn.ramp.achievements import record_by_hand, stored_achievement
from cev_learn.ramp.models import Achievement
from cev_learn.xapi import statements as xapi
from tests.helpers import make_user
from tests.factories import make_cohort

UTC = dt.UTC
BASE = "http://127.0.0.1:5000/tracks/test-track"
URL = "/api/v1/xapi/statements"
ISO_8601 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


@pytest.fixture
def app(make_app):
    """Statements are served as soon as they are stored (the settling delay has its own test),
    so the tests can record things now and poll at once."""
    return make_app(XAPI_SETTLE_SECONDS=0)


def at(day, hour=0, minute=0):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def completed(rep, slug, when, *, done=True):
    module = db.session.scalar(select(Module).where(Module.slug == slug))
    db.session.add(ModuleProgress(user_id=rep.id, module_id=module.id, opened_at=when,
                                  completed_at=when if done else None))
    db.session.commit()


def attempted(rep, number, when, score=None, passed=None, state=AttemptState.GRADED):
    """An attempt submitted at `when` (and graded then, when graded)."""
    quiz = db.session.scalar(select(Quiz))
    version_id = db.session.scalar(select(QuizVersion.id).where(QuizVersion.quiz_id == quiz.id))
    db.session.add(Attempt(user_id=rep.id, quiz_id=quiz.id, version_id=version_id,
                           attempt_no=number, state=state, started_at=when, layout=[],
                           submitted_at=None if state is AttemptState.IN_PROGRESS else when,
                           graded_at=when if state is AttemptState.GRADED else None,
                           score=score, passed=passed))
    db.session.commit()


def achieved(rep, day, stored):
    """A milestone reached on `day`, as recorded at `stored`."""
    milestone = db.session.scalar(select(Milestone))
    db.session.add(Achievement(user_id=rep.id, milestone_id=milestone.id, achieved_on=day,
                               source="coach", updated_at=stored))
    db.session.commit()


@pytest.fixture
def people(app, api_track):
    """Ana (coached by Kim) and Ben (coached by Lee, in the North) and what they did."""
    ana = make_user(Role.REP, email="ana@example.com", name="Ana Silva")
    ben = make_user(Role.REP, email="ben@example.com", name="Ben Okoro")
    kim, lee = make_user(Role.COACH), make_user(Role.COACH)
    make_cohort(reps=[ana], coaches=[kim])
    make_cohort(reps=[ben], coaches=[lee], territory="North")
    achieved(ana, dt.date(2026, 3, 2), stored=at(2, 12, 30))  # Kim recorded it at lunch
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
ACHIEVED = verb("achieved", "https://w3id.org/xapi/dod-isd/verbs/achieved")
FAILED = verb("failed", "http://adlnet.gov/expapi/verbs/failed")
PASSED = verb("passed", "http://adlnet.gov/expapi/verbs/passed")
FIRST_MEETING = activity("milestones/first-meeting", "First meeting", "objective")
CHECK = activity("quizzes/check", "Check yourself", "assessment")
EXPECTED = [  # in the order stored: the milestone of the day's start was recorded at 12:30
    {"timestamp": "2026-03-02T09:00:00Z", "actor": ANA, "verb": COMPLETED,
     "object": activity("modules/intro", "Introduction", "module")},
    {"timestamp": "2026-03-02T11:00:00Z", "actor": ANA, "verb": FAILED, "object": CHECK,
     "result": {"score": {"scaled": 0.4}, "success": False, "completion": True}},
    {"timestamp": "2026-03-02T12:00:00Z", "actor": ANA,
     "verb": PASSED, "object": CHECK,
     "result": {"score": {"scaled": 0.75}, "success": True, "completion": True}},
    {"timestamp": "2026-03-02T00:00:00Z", "actor": ANA, "verb": ACHIEVED, "object": FIRST_MEETING},
    {"timestamp": "2026-03-03T10:00:00Z", "actor": BEN, "verb": COMPLETED,
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

def test_statements_of_every_kind_in_the_order_stored(api, people):
    response = api(make_user(Role.ADMIN)).get(URL)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert set(response.json) == {"statements", "more"}
    assert response.json["more"] == ""
    assert without_ids(response.json["statements"]) == EXPECTED
    ids = [s["id"] for s in response.json["statements"]]
    assert all(str(uuid.UUID(i)) == i for i in ids) and len(set(ids)) == len(ids)


def test_statements_leave_stored_and_version_to_the_lrs(api, people):
    """xAPI 1.0.3: `stored` is set by the LRS alone (Data §2.4.8); a statement's producer
    should not set `version` (§2.4.10). The version spoken is the response's header."""
    response = api(make_user(Role.ADMIN)).get(URL)
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    for statement in response.json["statements"]:
        assert "stored" not in statement and "version" not in statement
        assert ISO_8601.fullmatch(statement["timestamp"])
        assert dt.datetime.fromisoformat(statement["timestamp"]).utcoffset() == dt.timedelta(0)


def test_problems_say_the_xapi_version_too(api, people):
    for response in (api().get(URL), api(people["ana"]).get(URL),
                     api(make_user(Role.ADMIN)).get(URL, query_string={"limit": "0"})):
        assert response.status_code in (400, 401, 403)
        assert response.headers["X-Experience-API-Version"] == "1.0.3"
    assert "X-Experience-API-Version" not in api(make_user(Role.ADMIN)).get(
        "/api/v1/cohorts").headers


def test_activity_ids_start_with_the_configured_base_url(app, api, people):
    app.config["BASE_URL"] = "https://learn.example.com/"  # CEV_LEARN_BASE_URL
    ids = [s["object"]["id"] for s in api(make_user(Role.ADMIN)).get(URL).json["statements"]]
    assert ids[0] == "https://learn.example.com/tracks/test-track/modules/intro"
    assert all(i.startswith("https://learn.example.com/tracks/test-track/") for i in ids)


def test_reading_again_gives_the_same_statements(api, people):
    client = api(make_user(Role.ADMIN))
    assert client.get(URL).json == client.get(URL).json


def test_a_re_dated_milestone_is_a_new_statement_stored_when_it_moved(api, people):
    client = api(make_user(Role.ADMIN))
    before = client.get(URL).json["statements"][3]["id"]
    db.session.scalar(select(Achievement)).achieved_on = dt.date(2026, 3, 1)
    db.session.commit()
    moved = client.get(URL).json["statements"][-1]  # recorded last
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


# --- Filters: agent and verb; the rest refused --------------------------------------------

def test_agent_leaves_the_statements_of_one_rep(api, people):
    client = api(make_user(Role.ADMIN))

    def about(agent):
        response = client.get(URL, query_string={"agent": agent})
        assert response.status_code == 200, response.json
        return without_ids(response.json["statements"])

    assert about('{"mbox": "mailto:ana@example.com"}') == EXPECTED[:4]
    assert about('{"objectType": "Agent", "mbox": "mailto:Ben@Example.com"}') == EXPECTED[4:]
    assert about('{"mbox": "mailto:nobody@example.com"}') == []
    # A coach asking about a rep they do not see gets nothing of them.
    lee = api(people["lee"]).get(URL, query_string={"agent": '{"mbox": "mailto:ana@example.com"}'})
    assert lee.json["statements"] == []


@pytest.mark.parametrize("iri,expected", [
    ("http://adlnet.gov/expapi/verbs/completed", [EXPECTED[0], EXPECTED[4]]),
    ("http://adlnet.gov/expapi/verbs/failed", [EXPECTED[1]]),
    ("http://adlnet.gov/expapi/verbs/passed", [EXPECTED[2]]),
    ("https://w3id.org/xapi/dod-isd/verbs/achieved", [EXPECTED[3]]),
    ("http://adlnet.gov/expapi/verbs/attempted", []),  # a verb cev_learn does not use
])
def test_verb_leaves_the_statements_with_that_verb(api, people, iri, expected):
    response = api(make_user(Role.ADMIN)).get(URL, query_string={"verb": iri})
    assert response.status_code == 200
    assert without_ids(response.json["statements"]) == expected


def test_filters_go_on_to_the_next_page(api, people):
    client = api(make_user(Role.ADMIN))
    query = "agent=%7B%22mbox%22%3A%22mailto%3Aana%40example.com%22%7D" \
            "&verb=http%3A%2F%2Fadlnet.gov%2Fexpapi%2Fverbs%2Fpassed"
    completed(people["ben"], "intro", at(2, 13))
    attempted(people["ana"], 4, at(2, 14), score=0.9, passed=True)
    attempted(people["ben"], 2, at(2, 15), score=0.9, passed=True)
    statements, pages = all_pages(client, f"{URL}?{query}&limit=1")
    assert [(s["actor"], s["timestamp"]) for s in statements] == [
        (ANA, "2026-03-02T12:00:00Z"), (ANA, "2026-03-02T14:00:00Z")]
    assert pages == 2


# --- Pages and since -----------------------------------------------------------------------

@pytest.mark.parametrize("limit", [1, 2, 3, 7])
def test_paging_returns_every_statement_exactly_once(api, people, limit):
    # Ties: a module completed the moment the milestone was recorded, and two more in the
    # same second; the cursor must break them by kind and row.
    completed(people["ben"], "intro", at(2, 12, 30))
    db.session.scalar(select(ModuleProgress).where(  # as Ben's discovery
        ModuleProgress.completed_at.is_(None))).completed_at = at(3, 10)
    db.session.commit()
    client = api(make_user(Role.ADMIN))
    everything = client.get(URL).json["statements"]
    assert len(everything) == 7
    paged, pages = all_pages(client, f"{URL}?limit={limit}")
    assert paged == everything
    assert pages == -(-7 // limit)  # the last page, even a full one, says there is no more


def test_more_is_a_relative_url_with_a_cursor_the_document_describes(api, people):
    page = api(make_user(Role.ADMIN)).get(f"{URL}?limit=2").json
    more = urlsplit(page["more"])
    assert (more.scheme, more.netloc, more.path) == ("", "", URL)
    assert parse_qs(more.query)["limit"] == ["2"]
    assert re.fullmatch(xapi.CURSOR_PATTERN, parse_qs(more.query)["cursor"][0])
    assert len(page["statements"]) == 2


def test_since_leaves_out_statements_stored_up_to_that_instant(api, people):
    client = api(make_user(Role.ADMIN))

    def happened(since):
        """When the statements stored after `since` happened."""
        response = client.get(URL, query_string={"since": since})
        assert response.status_code == 200
        return [s["timestamp"][:16] for s in response.json["statements"]]

    # The milestone happened at 00:00 but was stored at 12:30: after 11:00, it is new.
    assert happened("2026-03-02T11:00:00Z") == [
        "2026-03-02T12:00", "2026-03-02T00:00", "2026-03-03T10:00"]
    assert happened("2026-03-02T12:30:00+00:00") == ["2026-03-03T10:00"]  # stored then
    assert happened("2026-03-02T12:29:59Z")[0] == "2026-03-02T00:00"
    assert happened("2026-03-02T10:00:00+01:00")[0] == "2026-03-02T11:00"  # 09:00 UTC
    assert happened("2026-03-02T09:00") == happened("2026-03-02T09:00Z")  # no zone: UTC
    assert happened("2026-03-04T00:00:00Z") == []


def test_since_and_a_cursor_together(api, people):
    client = api(make_user(Role.ADMIN))
    statements, _ = all_pages(client, f"{URL}?since=2026-03-02T10:00:00Z&limit=1")
    assert [s["timestamp"] for s in statements] == [
        "2026-03-02T11:00:00Z", "2026-03-02T12:00:00Z", "2026-03-02T00:00:00Z",
        "2026-03-03T10:00:00Z"]


# --- Recorded late: a client that polls never misses it -----------------------------------

def poll(client, since=None):
    """Every statement stored after `since`, following `more`; and the `since` to poll with
    next time: X-Experience-API-Consistent-Through, up to when every statement was in."""
    statements, url = [], URL + (f"?since={since.replace('+', '%2B')}" if since else "")
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.json
        statements += response.json["statements"]
        url, through = response.json["more"], response.headers[
            "X-Experience-API-Consistent-Through"]
    return statements, through


def essay_waiting(rep, when):
    """An attempt submitted at `when` whose essay waits for the coach; its id and essay key."""
    quiz = db.session.scalar(select(Quiz))
    attempt = quizzes.start_attempt(rep, quiz, when, dt.timedelta(0))
    questions = quizzes.version_questions(attempt.version)
    essay = next(e["key"] for e in attempt.layout
                 if questions[e["key"]].type is QuestionType.ESSAY)
    quizzes.store_responses(attempt, {essay: Response(text="Cut late-delivery penalties.")}, when)
    quizzes.submit_attempt(attempt.id, None, when, dt.timedelta(0))
    db.session.commit()
    return attempt.id, essay


def rep_who_started_in_march(coach):
    cy = make_user(Role.REP, email="cy@example.com", name="Cy Park")
    make_cohort(reps=[cy], coaches=[coach], start_on=dt.date(2026, 3, 1))
    return cy


def test_an_essay_graded_after_the_cursor_passed_its_submission_comes_on_the_next_page(
        api, people):
    attempt_id, essay = essay_waiting(people["ben"], at(3, 11))
    completed(people["ben"], "intro", at(4, 9))
    db.session.scalar(select(ModuleProgress).where(  # Ana's discovery, opened before
        ModuleProgress.completed_at.is_(None))).completed_at = at(4, 10)
    db.session.commit()
    client = api(make_user(Role.ADMIN))
    page = client.get(f"{URL}?limit=6").json
    assert page["statements"][-1]["timestamp"] == "2026-03-04T09:00:00Z" and page["more"]
    assert "2026-03-03T11:00:00Z" not in [s["timestamp"] for s in page["statements"]]

    graded = quizzes.grade_answer(attempt_id, essay, 1.0, "Crisp.", people["lee"], utcnow())
    db.session.commit()
    rest, _ = all_pages(client, page["more"])
    assert [(s["actor"], s["timestamp"], s["verb"]) for s in rest] == [
        (ANA, "2026-03-04T10:00:00Z", COMPLETED), (BEN, "2026-03-03T11:00:00Z", FAILED)]
    assert graded.graded_at > at(4, 10)  # recorded last, though submitted before
    assert rest[-1]["result"]["score"]["scaled"] == pytest.approx(1 / 6)


def test_a_milestone_a_coach_re_dates_into_the_past_comes_on_the_next_poll(api, people):
    cy = rep_who_started_in_march(people["kim"])
    achieved(cy, dt.date(2026, 3, 3), stored=at(3, 9))
    client = api(make_user(Role.ADMIN))
    seen, since = poll(client)
    assert [s["timestamp"] for s in seen][-1] == "2026-03-03T10:00:00Z"

    response = api(people["kim"], Scope.WRITE).put(
        f"/api/v1/reps/{cy.id}/achievements/first-meeting",
        json={"achieved_on": "2026-03-01", "note": "Met them at the kick-off"})
    assert response.status_code == 200
    new, _ = poll(client, since)
    assert [(s["actor"]["name"], s["timestamp"], s["verb"]) for s in new] == [
        ("Cy Park", "2026-03-01T00:00:00Z", ACHIEVED)]
    assert new[0]["id"] not in {s["id"] for s in seen}


def test_a_coach_s_correction_on_the_rep_s_page_comes_on_the_next_poll(api, people):
    ana, kim, milestone = people["ana"], people["kim"], db.session.scalar(select(Milestone))
    client = api(make_user(Role.ADMIN))
    _seen, since = poll(client)

    def record(note):
        record_by_hand(rep=ana, milestone=milestone, achieved_on=dt.date(2026, 3, 1),
                       note=note, actor=kim, current=stored_achievement(ana, milestone))
        db.session.commit()

    record(None)
    moved, since = poll(client, since)
    assert [(s["actor"], s["timestamp"]) for s in moved] == [(ANA, "2026-03-01T00:00:00Z")]
    record("First call with Harbor & Pine")  # only the note: the same statement, stored anew
    again, since = poll(client, since)
    assert [s["id"] for s in again] == [moved[0]["id"]]
    record("First call with Harbor & Pine")  # nothing changes: nothing to send
    assert poll(client, since)[0] == []


def test_a_back_dated_crm_meeting_that_reaches_a_milestone_comes_on_the_next_poll(api, people):
    cy = rep_who_started_in_march(people["kim"])
    client = api(make_user(Role.ADMIN))
    _seen, since = poll(client)
    crm = api(make_user(Role.MANAGER), Scope.WRITE)

    def meeting(external_id, day):
        response = crm.post("/api/v1/activities", json={"records": [{
            "external_id": external_id, "rep_email": cy.email, "occurred_on": day,
            "type": "meeting"}]})
        assert response.json["achievements_changed"] == 1

    meeting("crm-2", "2026-03-02")
    reached, since = poll(client, since)
    assert [(s["actor"]["name"], s["timestamp"], s["verb"]) for s in reached] == [
        ("Cy Park", "2026-03-02T00:00:00Z", ACHIEVED)]
    meeting("crm-1", "2026-03-01")  # an earlier meeting found later moves the milestone back
    moved, _ = poll(client, since)
    assert [(s["actor"]["name"], s["timestamp"]) for s in moved] == [
        ("Cy Park", "2026-03-01T00:00:00Z")]
    assert moved[0]["id"] != reached[0]["id"]


def test_statements_are_served_once_settled(app, api, people):
    app.config["XAPI_SETTLE_SECONDS"] = 60
    completed(people["ben"], "intro", utcnow() - dt.timedelta(seconds=5))
    client = api(make_user(Role.ADMIN))
    before = utcnow()
    response = client.get(URL)
    after = utcnow()
    assert without_ids(response.json["statements"]) == EXPECTED  # not Ben's intro, yet
    through = response.headers["X-Experience-API-Consistent-Through"]
    assert ISO_8601.fullmatch(through)
    settle = dt.timedelta(seconds=60)
    assert before - settle <= dt.datetime.fromisoformat(through) <= after - settle
    db.session.scalar(select(ModuleProgress).where(  # as if a minute had gone by
        ModuleProgress.completed_at > at(4))).completed_at = utcnow() - dt.timedelta(minutes=2)
    db.session.commit()
    assert len(client.get(URL).json["statements"]) == len(EXPECTED) + 1


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
    ({"agent": "ana@example.com"}, "agent is not JSON"),
    ({"agent": '["mailto:ana@example.com"]'}, "agent must be an Agent object"),
    ({"agent": '{"objectType": "Group", "member": []}'}, "agent must be an Agent object"),
    ({"agent": '{"account": {"homePage": "https://crm.example", "name": "ana"}}'},
     "agent must identify the rep by mbox"),
    ({"agent": '{"mbox": "ana@example.com"}'}, "agent must identify the rep by mbox"),
    ({"verb": "completed"}, "verb 'completed' is not an IRI"),
    ({"statementId": "9b9ad5c6-2d0e-4e0f-a3a0-0c3f58b0b5b1"},
     "statementId is not supported by this resource"),
    ({"activity": f"{BASE}/modules/intro"}, "activity is not supported by this resource"),
    ({"until": "2026-03-02T00:00:00Z"}, "until is not supported by this resource"),
    ({"related_agents": "true"}, "related_agents is not supported by this resource"),
    ({"ascending": "false"}, "ascending is not supported by this resource"),
])
def test_bad_parameters_are_400_problems(api, people, query, detail):
    response = api(make_user(Role.ADMIN)).get(URL, query_string=query)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.json["detail"].startswith(detail)


@pytest.mark.parametrize("version", ["0.95", "2.0.0", "1.1"])
def test_an_xapi_version_it_does_not_speak_is_refused(api, people, version):
    client = api(make_user(Role.ADMIN))
    response = client.get(URL, headers={"X-Experience-API-Version": version})
    assert response.status_code == 400
    assert response.json["detail"].startswith(f"X-Experience-API-Version {version!r} is not")
    assert client.get(URL, headers={"X-Experience-API-Version": "1.0.3"}).status_code == 200
    assert client.get(URL, headers={"X-Experience-API-Version": "1.0.0"}).status_code == 200


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
        achieved(rep, dt.date(2026, 3, 4), stored=at(4, n, 45))
    assert statements_for_a_page() == few


# --- Certificates ------------------------------------------------------------------------

def certified(rep, earned_on, stored):
    """A certificate of the track's certification earned on `earned_on`, stored at `stored`."""
    certification = db.session.scalar(select(Certification)) or Certification(
        track_id=db.session.scalar(select(Track.id)), slug="pitch-ready", title="Pitch ready",
        requires=[["quiz", "check"]], valid_for_days=365, remind_days_before=30)
    certificate = Certificate(user_id=rep.id, certification=certification, earned_on=earned_on,
                              expires_on=earned_on + dt.timedelta(days=365),
                              code=secrets.token_urlsafe(32), created_at=stored)
    db.session.add(certificate)
    db.session.commit()
    return certificate


EARNED = verb("earned", "http://id.tincanapi.com/verb/earned")
PITCH_READY = {"objectType": "Activity", "id": f"{BASE}/certifications/pitch-ready",
               "definition": {"name": {"en-US": "Pitch ready"},
                              "type": "http://id.tincanapi.com/activitytype/certificate"}}


def test_a_certificate_earned_is_a_statement_in_the_order_stored(api, people):
    certified(people["ana"], dt.date(2026, 3, 2), stored=at(2, 12, 10))
    statements = api(make_user(Role.ADMIN)).get(URL).json["statements"]
    assert without_ids(statements) == [
        *EXPECTED[:3],
        {"timestamp": "2026-03-02T00:00:00Z", "actor": ANA, "verb": EARNED,
         "object": PITCH_READY},
        *EXPECTED[3:]]


def test_a_renewal_is_a_statement_of_its_own(api, people):
    ana = people["ana"]
    first = certified(ana, dt.date(2026, 3, 2), stored=at(2, 12, 10))
    first.superseded_on = dt.date(2026, 3, 20)
    certified(ana, dt.date(2026, 3, 20), stored=at(20, 9))
    response = api(make_user(Role.ADMIN)).get(URL, query_string={
        "verb": "http://id.tincanapi.com/verb/earned"})
    statements = response.json["statements"]
    assert [s["timestamp"] for s in statements] == ["2026-03-02T00:00:00Z",
                                                    "2026-03-20T00:00:00Z"]
    assert len({s["id"] for s in statements}) == 2


def test_a_coach_sees_only_the_certificates_of_their_reps(api, people):
    certified(people["ana"], dt.date(2026, 3, 2), stored=at(2, 12, 10))
    earned = {"verb": "http://id.tincanapi.com/verb/earned"}
    assert len(api(people["kim"]).get(URL, query_string=earned).json["statements"]) == 1
    assert api(people["lee"]).get(URL, query_string=earned).json["statements"] == []


def test_the_document_describes_the_statements(app):
    document = app.test_client().get("/api/v1/openapi.json").json
    get = document["paths"][URL]["get"]
    assert [p["name"] for p in get["parameters"]] == ["since", "cursor", "limit", "agent",
                                                      "verb"]
    assert {"200", "400", "401", "403"} <= set(get["responses"])
    statement = document["components"]["schemas"]["XapiStatement"]
    assert {"id", "timestamp", "actor", "verb", "object"} <= set(statement["required"])
    assert not {"stored", "version"} & set(statement["properties"])


# --- Practice ----------------------------------------------------------------------------

def recorded(rep, when, slug="peer-pitch"):
    """A practice recording of the rep submitted at `when` (its row: the feed reads no file)."""
    exercise = db.session.scalar(select(Exercise).where(Exercise.slug == slug))
    submission = Submission(exercise_id=exercise.id, user_id=rep.id, kind="webm",
                            storage_key=secrets.token_urlsafe(24), size_bytes=2048,
                            submitted_at=when, review_due_on=when.date())
    db.session.add(submission)
    db.session.commit()
    return submission


def reviewed(submission, reviewer, when, score, *, passed, resubmit=False, peer=False):
    db.session.add(Review(submission_id=submission.id, reviewer_id=reviewer.id,
                          scores=[3, 3, 3], score=score, passed=passed, summary="",
                          comments=[], resubmit=resubmit, peer=peer, created_at=when))
    db.session.commit()


ATTEMPTED = verb("attempted", "http://adlnet.gov/expapi/verbs/attempted")
PEER_PITCH = activity("exercises/peer-pitch", "Peer pitch", "performance")


def test_a_recording_and_its_coachs_reviews_are_statements_a_peers_is_not(api, people):
    ana, kim = people["ana"], people["kim"]
    first = recorded(ana, at(4, 9))
    reviewed(first, kim, at(4, 10), 0.9, passed=True, resubmit=True)  # asked for another take
    reviewed(first, make_user(Role.REP), at(4, 10, 30), 1.0, passed=True, peer=True)
    second = recorded(ana, at(4, 11))
    reviewed(second, kim, at(4, 12), 0.75, passed=True)
    statements = api(make_user(Role.ADMIN)).get(URL).json["statements"]
    assert without_ids(statements)[len(EXPECTED):] == [
        {"timestamp": "2026-03-04T09:00:00Z", "actor": ANA, "verb": ATTEMPTED,
         "object": PEER_PITCH},
        {"timestamp": "2026-03-04T10:00:00Z", "actor": ANA, "verb": FAILED, "object": PEER_PITCH,
         "result": {"score": {"scaled": 0.9}, "success": False, "completion": True}},
        {"timestamp": "2026-03-04T11:00:00Z", "actor": ANA, "verb": ATTEMPTED,
         "object": PEER_PITCH},
        {"timestamp": "2026-03-04T12:00:00Z", "actor": ANA, "verb": PASSED, "object": PEER_PITCH,
         "result": {"score": {"scaled": 0.75}, "success": True, "completion": True}}]


def test_the_verbs_passed_and_failed_pick_reviews_as_they_pick_quiz_attempts(api, people):
    ana, kim = people["ana"], people["kim"]
    reviewed(recorded(ana, at(4, 9)), kim, at(4, 10), 0.2, passed=False)
    reviewed(recorded(ana, at(4, 11)), kim, at(4, 12), 0.8, passed=True)
    client = api(make_user(Role.ADMIN))
    passed = client.get(URL, query_string={"verb": PASSED["id"]}).json["statements"]
    failed = client.get(URL, query_string={"verb": FAILED["id"]}).json["statements"]
    attempted = client.get(URL, query_string={"verb": ATTEMPTED["id"]}).json["statements"]
    assert [(s["object"]["id"], s["timestamp"]) for s in passed] == [
        (CHECK["id"], "2026-03-02T12:00:00Z"), (PEER_PITCH["id"], "2026-03-04T12:00:00Z")]
    assert [(s["object"]["id"], s["timestamp"]) for s in failed] == [
        (CHECK["id"], "2026-03-02T11:00:00Z"), (PEER_PITCH["id"], "2026-03-04T10:00:00Z")]
    assert len(attempted) == 2


def test_a_coach_sees_only_the_practice_of_their_reps(api, people):
    reviewed(recorded(people["ana"], at(4, 9)), people["kim"], at(4, 10), 0.8, passed=True)
    practice = {"verb": ATTEMPTED["id"]}
    assert len(api(people["kim"]).get(URL, query_string=practice).json["statements"]) == 1
    assert api(people["lee"]).get(URL, query_string=practice).json["statements"] == []
