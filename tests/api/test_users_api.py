"""GET /api/v1/users[/<id>] and PUT /api/v1/users: who sees which users, and an upsert by
email that follows the users.csv rules, all or nothing, repeatable."""
import datetime as dt

import pytest
from sqlalchemy import event, func, select

from cev_learn.accounts.api_tokens import Scope
from cev_learn.accounts.models import Role, User
from cev_learn.cohorts import user_import_service
from cev_learn.cohorts.models import CohortCoach, Membership
from cev_learn.platform.db import db
from tests.api.helpers import ApiClient, token_for
from tests.helpers import make_user, reload
from tests.factories import make_cohort

SPRING = dt.date(2026, 3, 2)


@pytest.fixture
def org(api_track):
    """Kim coaches Spring (EMEA, Ana and Ben); Lou coaches Autumn (DACH, Cy)."""
    kim = make_user(Role.COACH, email="kim@example.com", name="Kim Coach")
    lou = make_user(Role.COACH, email="lou@example.com", name="Lou Coach")
    ana = make_user(Role.REP, email="ana@example.com", name="Ana Rep", territory="EMEA")
    ben = make_user(Role.REP, email="ben@example.com", name="Ben Rep")
    cy = make_user(Role.REP, email="cy@example.com", name="Cy Rep")
    make_cohort(name="Spring", reps=[ana, ben], coaches=[kim], start_on=SPRING,
                territory="EMEA")
    make_cohort(name="Autumn", reps=[cy], coaches=[lou], start_on=dt.date(2026, 9, 7),
                territory="DACH")
    return {u.email.split("@")[0]: u for u in (kim, lou, ana, ben, cy)}


def emails(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [item["email"] for item in response.json["items"]]


def counts() -> tuple[int, int, int]:
    db.session.rollback()
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (User, Membership, CohortCoach))


def assert_problem(response, status: int):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == status


# --- Reading ------------------------------------------------------------------------------

def test_an_admin_lists_every_user_with_their_cohort(org, api):
    admin = make_user(Role.ADMIN, email="ada@example.com")
    response = api(admin).get("/api/v1/users")
    assert emails(response) == ["kim@example.com", "lou@example.com", "ana@example.com",
                                "ben@example.com", "cy@example.com", "ada@example.com"]
    assert response.json["items"][2] == {
        "id": org["ana"].id, "email": "ana@example.com", "name": "Ana Rep", "role": "rep",
        "territory": "EMEA", "active": True, "cohort": "Spring", "start_date": None,
        "end_date": None}
    assert response.json["items"][0]["cohort"] is None
    assert (response.json["page"], response.json["per_page"], response.json["total"]) == (
        1, 50, 6)


def test_paging_and_filters(org, api):
    client = api(make_user(Role.ADMIN))
    second = client.get("/api/v1/users?per_page=2&page=2")
    assert emails(second) == ["ana@example.com", "ben@example.com"]
    assert (second.json["page"], second.json["per_page"], second.json["total"]) == (2, 2, 6)
    assert emails(client.get("/api/v1/users?per_page=2&page=9")) == []
    assert emails(client.get("/api/v1/users?role=coach")) == ["kim@example.com",
                                                              "lou@example.com"]
    found = client.get("/api/v1/users?email=Ben@Example.com")
    assert emails(found) == ["ben@example.com"] and found.json["total"] == 1
    assert emails(client.get("/api/v1/users?per_page=200")) != []


@pytest.mark.parametrize("query,detail", [
    ("page=0", "page must be a whole number from 1 to 1000000"),
    ("page=two", "page must be a whole number from 1 to 1000000"),
    ("per_page=201", "per_page must be a whole number from 1 to 200"),
    ("per_page=-5", "per_page must be a whole number from 1 to 200"),
    ("role=boss", "role 'boss' is not one of rep, coach, manager, admin"),
])
def test_bad_query_parameters_are_400_problems(org, api, query, detail):
    response = api(make_user(Role.ADMIN)).get(f"/api/v1/users?{query}")
    assert_problem(response, 400)
    assert response.json["detail"] == detail


def test_coaches_and_managers_see_the_reps_they_may_see(org, api):
    assert emails(api(org["kim"]).get("/api/v1/users")) == ["ana@example.com",
                                                             "ben@example.com"]
    assert emails(api(org["kim"]).get("/api/v1/users?role=coach")) == []
    # a manager sees their territory's cohorts, and reps of their territory elsewhere
    emea = make_user(Role.MANAGER, territory="EMEA")
    assert emails(api(emea).get("/api/v1/users")) == ["ana@example.com", "ben@example.com"]
    dach = make_user(Role.MANAGER, territory="DACH")
    assert emails(api(dach).get("/api/v1/users")) == ["cy@example.com"]
    everywhere = make_user(Role.MANAGER)
    assert emails(api(everywhere).get("/api/v1/users?per_page=10")) == [
        "ana@example.com", "ben@example.com", "cy@example.com"]


def test_one_user(org, api):
    ben = org["ben"]
    response = api(org["kim"]).get(f"/api/v1/users/{ben.id}")
    assert response.status_code == 200
    assert response.json == {"id": ben.id, "email": "ben@example.com", "name": "Ben Rep",
                             "role": "rep", "territory": None, "active": True,
                             "cohort": "Spring", "start_date": None, "end_date": None}
    admin = api(make_user(Role.ADMIN))
    assert admin.get(f"/api/v1/users/{org['lou'].id}").json["role"] == "coach"
    assert_problem(admin.get("/api/v1/users/999999"), 404)


def test_a_coach_gets_404_for_users_outside_their_cohorts(org, api):
    kim = api(org["kim"])
    for other in (org["cy"], org["lou"], org["kim"]):
        response = kim.get(f"/api/v1/users/{other.id}")
        assert_problem(response, 404)
        assert response.json["detail"] == f"no user {other.id} that this token may see"


def test_reading_needs_a_staff_token(org, api):
    assert_problem(api().get("/api/v1/users"), 401)
    assert_problem(api().get(f"/api/v1/users/{org['ana'].id}"), 401)
    rep = api(org["ana"])
    assert_problem(rep.get("/api/v1/users"), 403)
    assert_problem(rep.get(f"/api/v1/users/{org['ana'].id}"), 403)


# --- Upsert -------------------------------------------------------------------------------

NEW_REP = {"email": "Dee@Example.com", "name": "Dee Rep", "role": "rep", "territory": "EMEA",
           "cohort": "Spring", "start_date": "2026-03-09", "end_date": None,
           "coach_email": "lou@example.com"}


@pytest.fixture
def admin_api(org, api):
    return api(make_user(Role.ADMIN, email="ada@example.com"), Scope.WRITE)


def test_put_creates_a_rep_in_a_cohort_with_a_coach(org, admin_api):
    before = counts()
    response = admin_api.put("/api/v1/users", json=NEW_REP)
    assert response.status_code == 201, response.json
    dee = db.session.scalar(select(User).where(User.email == "dee@example.com"))
    assert response.json == {"id": dee.id, "email": "dee@example.com", "name": "Dee Rep",
                             "role": "rep", "territory": "EMEA", "active": True,
                             "cohort": "Spring", "start_date": "2026-03-09", "end_date": None,
                             "invitation": None}
    assert dee.password_hash is None
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1)  # lou joins Spring


def user_writes(app, request) -> list[str]:
    """The INSERT/UPDATE/DELETE statements `request()` runs, bar the token's last use and
    the rate limit's count."""
    writes = []

    def spy(_conn, _cursor, statement, *_args):
        if statement.split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"} \
                and "api_token" not in statement and "rate_limit_window" not in statement:
            writes.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", spy)
    try:
        request()
    finally:
        event.remove(engine, "before_cursor_execute", spy)
    return writes


def test_the_same_put_again_changes_nothing(app, org, admin_api):
    responses = []

    def put(body):
        return lambda: responses.append(admin_api.put("/api/v1/users", json=body))

    assert user_writes(app, put(NEW_REP)) != []
    before = counts()
    assert user_writes(app, put({**NEW_REP, "email": "dee@example.com"})) == []
    first, again = responses
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == first.json
    assert counts() == before


def test_put_updates_an_existing_user_and_moves_a_rep(org, admin_api):
    ana = org["ana"]
    body = {"email": "ana@example.com", "name": "Ana Moved", "role": "rep", "cohort": "Autumn",
            "end_date": "2026-12-31"}
    response = admin_api.put("/api/v1/users", json=body)
    assert response.status_code == 200, response.json
    assert response.json == {"id": ana.id, "email": "ana@example.com", "name": "Ana Moved",
                             "role": "rep", "territory": "EMEA", "active": True,
                             "cohort": "Autumn", "start_date": None, "end_date": "2026-12-31",
                             "invitation": None}
    old, new = db.session.scalars(select(Membership).where(Membership.user_id == ana.id)
                                  .order_by(Membership.id))
    assert old.moved_out_at is not None and new.moved_out_at is None  # history stays


def test_put_keeps_a_users_password_and_active_status(org, admin_api):
    kim = org["kim"]
    response = admin_api.put("/api/v1/users", json={"email": "kim@example.com",
                                                    "name": "Kim Manager", "role": "manager"})
    assert response.status_code == 200
    kim_now = reload(kim)
    assert (kim_now.role, kim_now.name) == (Role.MANAGER, "Kim Manager")
    assert kim_now.password_hash == kim.password_hash and kim_now.active


@pytest.mark.parametrize("change,pointer,detail", [
    ({"email": "not-an-email"}, "/email", "'not-an-email' is not a valid email address"),
    ({"name": "  "}, "/name", "name is required"),
    ({"name": "n" * 121}, "/name", "name is longer than 120 characters"),
    ({"role": "boss"}, "/role", "unknown role 'boss'; use rep, coach, manager or admin"),
    ({"role": ""}, "/role", "role is required"),
    ({"territory": "t" * 81}, "/territory", "territory is longer than 80 characters"),
    ({"name": "Evil\u202egnp.exe"}, "/name", "name contains an invisible text-direction "
     "character (U+202E) that can make it read as something else; type it again without it"),
    ({"territory": "\u202aEMEA"}, "/territory", "territory contains an invisible "
     "text-direction character (U+202A) that can make it read as something else; type it "
     "again without it"),
    ({"cohort": "Winter 2030"}, "/cohort", "no cohort named 'Winter 2030'"),
    ({"cohort": None}, "/cohort", "start_date, coach_email need a cohort"),
    ({"start_date": "2026-04-01", "end_date": "2026-03-31"}, "/end_date",
     "end_date is before start_date"),
    ({"start_date": None, "end_date": "2026-03-01"}, "/end_date",
     "end_date is before the cohort's start date 2026-03-02"),
    ({"role": "coach", "start_date": None, "coach_email": None}, "/cohort",
     "cohort applies to reps only, not to a coach"),
    ({"coach_email": "ghost@example.com"}, "/coach_email", "unknown coach ghost@example.com"),
    ({"coach_email": "ben@example.com"}, "/coach_email",
     "ben@example.com is a rep, not a coach, manager or admin"),
    ({"coach_email": "kim"}, "/coach_email", "coach_email 'kim' is not a valid email address"),
    ({"start_date": "2026-02-30"}, "/start_date",
     "Input should be a valid date or datetime, day value is outside expected range"),
    ({"end_date": "soon"}, "/end_date",
     "Input should be a date as YYYY-MM-DD text"),
    ({"name": 5}, "/name", "Input should be a valid string"),
    ({"phone": "123"}, "/phone", "Extra inputs are not permitted"),
])
def test_each_bad_field_is_a_422_with_its_pointer_and_nothing_is_stored(
        org, admin_api, change, pointer, detail):
    before = counts()
    response = admin_api.put("/api/v1/users", json={**NEW_REP, **change})
    assert_problem(response, 422)
    assert response.json["errors"] == [{"pointer": pointer, "detail": detail}]
    assert counts() == before


def test_missing_fields_and_several_problems_are_all_listed(org, admin_api):
    missing = admin_api.put("/api/v1/users", json={"name": "X"})
    assert_problem(missing, 422)
    assert [e["pointer"] for e in missing.json["errors"]] == ["/email", "/role"]
    several = admin_api.put("/api/v1/users", json={**NEW_REP, "role": "boss", "cohort": "Nope",
                                                   "coach_email": "ghost@example.com"})
    assert_problem(several, 422)
    assert [e["pointer"] for e in several.json["errors"]] == ["/role"]  # shape first
    rules = admin_api.put("/api/v1/users", json={**NEW_REP, "cohort": "Nope",
                                                 "coach_email": "ghost@example.com"})
    assert [e["pointer"] for e in rules.json["errors"]] == ["/cohort", "/coach_email"]


def test_an_admin_cannot_change_their_own_role(org, admin_api):
    response = admin_api.put("/api/v1/users", json={"email": "ADA@example.com",
                                                    "name": "Ada", "role": "rep"})
    assert_problem(response, 422)
    assert response.json["errors"] == [{"pointer": "/role", "detail":
                                        "you cannot change your own role; ask another admin"}]
    assert db.session.scalar(select(User.role).where(User.email == "ada@example.com")) \
        is Role.ADMIN


def test_a_body_that_is_not_json_is_refused(org, admin_api):
    as_form = admin_api.client.put("/api/v1/users", data={"email": "x@example.com"},
                                   headers=admin_api._headers(None))
    assert_problem(as_form, 415)
    broken = admin_api.put("/api/v1/users", data="{", headers={"Content-Type":
                                                                "application/json"})
    assert_problem(broken, 400)
    listed = admin_api.put("/api/v1/users", json=[NEW_REP])
    assert_problem(listed, 422)


def test_a_user_created_meanwhile_is_a_409_conflict(org, admin_api, monkeypatch):
    make_user(Role.REP, email="dee@example.com")
    load = user_import_service._load_known

    def not_seeing_dee(rows, actor):  # as if another request created Dee after we looked
        known = load(rows, actor)
        known.users.pop("dee@example.com")
        return known

    monkeypatch.setattr(user_import_service, "_load_known", not_seeing_dee)
    before = counts()
    response = admin_api.put("/api/v1/users", json=NEW_REP)
    assert_problem(response, 409)
    assert counts() == before


def test_only_admins_and_managers_with_a_write_token_may_upsert(org, api):
    read_only = api(make_user(Role.ADMIN))
    others = [api(make_user(role), Scope.WRITE) for role in (Role.REP, Role.COACH)]
    before = counts()
    refused = read_only.put("/api/v1/users", json=NEW_REP)
    assert_problem(refused, 403)
    assert 'error="insufficient_scope"' in refused.headers["WWW-Authenticate"]
    for client in others:
        assert_problem(client.put("/api/v1/users", json=NEW_REP), 403)
    assert_problem(api().put("/api/v1/users", json=NEW_REP), 401)
    assert counts() == before


def test_the_document_describes_the_users_endpoints(org, api):
    document = api().get("/api/v1/openapi.json").json
    put = document["paths"]["/api/v1/users"]["put"]
    assert put["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/UserIn"}
    assert {"403", "409", "415", "422"} <= set(put["responses"])
    assert [p["name"] for p in document["paths"]["/api/v1/users"]["get"]["parameters"]] == [
        "role", "email", "page", "per_page"]


@pytest.mark.slow  # a real SMTP server
def test_put_with_invite_emails_a_new_user_once(make_app, mail_server, synced_track):
    mailbox, port = mail_server()
    app = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=port, BASE_URL="https://learn.example.com")
    admin = make_user(Role.ADMIN)
    client = ApiClient(app.test_client(), token_for(admin, Scope.WRITE))
    body = {"email": "ivo@example.com", "name": "Ivo Invited", "role": "rep", "invite": True}
    first = client.put("/api/v1/users", json=body)
    assert first.status_code == 201 and first.json["invitation"] == "sent"
    again = client.put("/api/v1/users", json=body)
    assert again.status_code == 200 and again.json["invitation"] == "already_open"
    joined = client.put("/api/v1/users", json={**body, "email": admin.email, "role": "admin",
                                                "name": admin.name})
    assert joined.json["invitation"] == "not_needed"
    assert mailbox.recipients == ["ivo@example.com"]
    assert "/welcome/" in mailbox.to("ivo@example.com").get_body(("plain",)).get_content()
