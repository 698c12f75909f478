"""API foundation: bearer tokens, scopes, problem details, the OpenAPI document, cohorts."""
import datetime as dt

from openapi_spec_validator import validate

from cev_learn.accounts.api_tokens import ApiToken, Scope
from cev_learn.accounts.models import Role
from cev_learn.api.spec import ARGUMENT
from cev_learn.cohorts.models import Cohort
from cev_learn.platform.db import db
from cev_learn.ramp.models import ActivityRecord
from tests.api.helpers import token_for
from tests.helpers import login, make_user, reload
from tests.factories import make_cohort
from tests.ramp.helpers import D


def test_requests_without_a_valid_token_get_401_problems(app, api):
    no_token = api().get("/api/v1/cohorts")
    assert no_token.status_code == 401
    assert no_token.mimetype == "application/problem+json"
    assert no_token.headers["WWW-Authenticate"].startswith("Bearer")
    assert no_token.json["status"] == 401 and "Bearer" in no_token.json["detail"]
    wrong = app.test_client().get("/api/v1/cohorts",
                                  headers={"Authorization": "Bearer cev_nothing_here"})
    assert wrong.status_code == 401 and 'error="invalid_token"' in wrong.headers[
        "WWW-Authenticate"]
    basic = app.test_client().get("/api/v1/cohorts", headers={"Authorization": "Basic eDp5"})
    assert basic.status_code == 401


def test_revoked_tokens_and_deactivated_users_stop_working(app, api_track):
    manager = make_user(Role.MANAGER)
    secret = token_for(manager)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/cohorts", headers=headers).status_code == 200
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == manager.id))
    assert token.last_used_at is not None  # recorded on use
    manager.active = False
    db.session.commit()
    assert client.get("/api/v1/cohorts", headers=headers).status_code == 401
    manager = reload(manager)
    manager.active = True
    reload(token).revoked_at = dt.datetime.now(dt.UTC)
    db.session.commit()
    assert client.get("/api/v1/cohorts", headers=headers).status_code == 401


def test_tokens_act_with_their_users_role_and_cohorts(app, api_track, api):
    coach, other = make_user(Role.COACH), make_user(Role.COACH)
    rep = make_user(Role.REP)
    mine = make_cohort(name="Mine", reps=[rep], coaches=[coach], start_on=D(2026, 3, 2))
    theirs = make_cohort(name="Theirs", coaches=[other])
    client = api(coach)
    listed = client.get("/api/v1/cohorts")
    assert [c["name"] for c in listed.json["items"]] == ["Mine"]
    assert listed.json["items"][0]["coaches"] == [coach.email]
    assert listed.json["items"][0]["reps"] == 1
    detail = client.get(f"/api/v1/cohorts/{mine.id}").json
    assert [m["email"] for m in detail["members"]] == [rep.email]
    assert detail["members"][0]["start_on"] == "2026-03-02"
    assert client.get(f"/api/v1/cohorts/{theirs.id}").status_code == 404
    assert api(rep).get("/api/v1/cohorts").status_code == 403


def test_cohort_ramp_is_the_design_json(app, organisation, api):
    from tests.ramp.test_cohort_ramp import EXPECTED
    cohort_id = db.session.scalar(db.select(Cohort.id))
    client = api(make_user(Role.MANAGER))
    response = client.get(f"/api/v1/cohorts/{cohort_id}/ramp?as_of=2026-03-31")
    assert response.status_code == 200
    assert response.json == EXPECTED
    bad = client.get(f"/api/v1/cohorts/{cohort_id}/ramp?as_of=March")
    assert bad.status_code == 400 and "as_of 'March' is not a date" in bad.json["detail"]


def test_unknown_addresses_and_methods_answer_json(app, api):
    client = api(make_user(Role.ADMIN))
    missing = client.get("/api/v1/nothing")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    method = client.post("/api/v1/cohorts", json={})
    assert method.status_code == 405 and "GET" in method.headers["Allow"]


def test_rate_limit_per_token(make_app, api_track):
    app = make_app(API_RATE_LIMIT="3 per minute")
    with app.app_context():
        manager = make_user(Role.MANAGER)
        first, second = token_for(manager), token_for(manager)
    client = app.test_client()
    codes = [client.get("/api/v1/cohorts", headers={"Authorization": f"Bearer {first}"})
             .status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get("/api/v1/cohorts", headers={"Authorization": f"Bearer {first}"})
    assert limited.mimetype == "application/problem+json" and "Retry-After" in limited.headers
    assert client.get("/api/v1/cohorts",
                      headers={"Authorization": f"Bearer {second}"}).status_code == 200


def test_openapi_document_is_valid_and_lists_every_api_route(app):
    document = app.test_client().get("/api/v1/openapi.json").json
    validate(document)
    api_rules = {rule.rule for rule in app.url_map.iter_rules()
                 if rule.endpoint.startswith("api.") and rule.endpoint not in (
                     "api.openapi", "api.reference")}
    described = set(document["paths"])
    assert {ARGUMENT.sub(lambda m: "{" + m.group(2) + "}", r) for r in api_rules} == described
    page = app.test_client().get("/api/v1/docs").get_data(as_text=True)
    assert "GET /api/v1/cohorts/{cohort_id}/ramp" in page


def test_ids_beyond_a_database_integer_are_not_found(app, api):
    huge = 2**31  # past a PostgreSQL INTEGER
    assert api(make_user(Role.ADMIN)).get(f"/api/v1/cohorts/{huge}").status_code == 404
    assert app.test_client().get(f"/ramp/cohorts/{huge}").status_code == 404


def test_a_body_over_the_size_limit_is_a_413_problem(make_app, api_track):
    app = make_app(MAX_CONTENT_LENGTH=2048)
    with app.app_context():
        secret = token_for(make_user(Role.MANAGER), Scope.WRITE)
    big = {"records": [{"external_id": f"x{n}", "rep_email": "a@example.com",
                        "occurred_on": "2026-01-01", "type": "call"} for n in range(100)]}
    response = app.test_client().post("/api/v1/activities", json=big,
                                      headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ActivityRecord)) == 0


def test_nul_characters_are_refused_before_they_reach_the_database(app, api):
    admin = make_user(Role.ADMIN)
    query = api(admin).get("/api/v1/users?email=%00")
    assert query.status_code == 400 and query.mimetype == "application/problem+json"
    body = api(admin, Scope.WRITE).put("/api/v1/users", json={
        "email": "nul@example.com", "name": "Nu\u0000l", "role": "rep"})
    assert body.status_code == 422
    assert body.json["errors"] == [{"pointer": "/name",
                                    "detail": "name contains a NUL character"}]
    client = app.test_client()
    login(client, admin.email)
    assert client.get("/search?q=%00").status_code == 400
