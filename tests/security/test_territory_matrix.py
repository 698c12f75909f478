"""The access matrix across territories: managers of EMEA, of DACH and of every territory
against each rep (placed in either territory, waiting in either or in none, or placed in one
while their account names the other), each cohort, and CRM records: every route naming a rep
or a cohort, every method, refused with 404 and no trace of the target, nothing stored.
The cast and its rules are in territory_cast.py; the data is set up once for the module.
"""
import datetime as dt

import pytest
from sqlalchemy import select

from cev_learn import create_app
from cev_learn.accounts.api_tokens import Scope
from cev_learn.accounts.models import User
from cev_learn.accounts.policy import can_view_rep
from cev_learn.cohorts.access import rep_scope, visible_rep_filter
from cev_learn.content.models import Module
from cev_learn.platform.db import db
from tests.api.helpers import token_for
from tests.helpers import csrf_token, login
from tests.ramp.test_upload_page import check, page_text
from tests.security.module_data import module_data, snapshot
from tests.security.territory_cast import (MANAGERS, REPS, build_cast, manager_sees,
                                           manager_sees_cohort, secret)

_APP = create_app({"SECRET_KEY": "routes", "DATABASE_URL": "sqlite://", "REQUEST_LOG": False})


def _routes(keep) -> list[tuple[str, list[str]]]:
    """(endpoint, methods) of the routes `keep(rule)` picks, from the app's URL map."""
    return sorted((rule.endpoint, sorted(rule.methods - {"HEAD", "OPTIONS"}))
                  for rule in _APP.url_map.iter_rules() if keep(rule))


# Admin pages refuse managers by role (the role matrix covers them).
REP_ROUTES = _routes(lambda r: "<int:user_id>" in r.rule and not r.rule.startswith("/admin/"))
# Memberships have a matrix of their own (test_object_access.py).
COHORT_ROUTES = _routes(lambda r: "<int:cohort_id>" in r.rule and "membership_id" not in r.rule)
SAMPLE = {"rubric_slug": "pitch", "milestone_slug": "first-meeting", "name": "weekly"}
COHORT_SAMPLE = {"name": "km"}
YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()
TOMORROW = (dt.date.today() + dt.timedelta(days=1)).isoformat()


@pytest.fixture(scope="module")
def world(database_url, tmp_path_factory):
    """The cast set up once, with a signed-in browser and a write token per manager."""
    with module_data(database_url, tmp_path_factory.mktemp("territories")) as app:
        cast = build_cast()
        sessions = {}
        for key in MANAGERS:
            client = app.test_client()
            assert login(client, cast.email(key)).status_code == 302
            sessions[key] = (client, csrf_token(client, "/"), token_for(cast.users[key],
                                                                        Scope.WRITE))
        yield app, cast, sessions


def _rep_data(endpoint: str) -> dict:
    module = db.session.scalar(select(Module.id).where(Module.slug == "intro"))
    return {"cohorts.assign": {"item": f"module:{module}", "due_on": TOMORROW,
                               "whole_cohort": "y"},
            "cohorts.add_note": {"body": "Taken over", "shared": "y"},
            "cohorts.signoff": {"score_0": "5", "score_1": "5", "score_2": "5"},
            "cohorts.record_milestone": {"achieved_on": YESTERDAY},
            "api.record_achievement": {"achieved_on": YESTERDAY}}.get(endpoint, {})


def _send(app, session, endpoint, method, url, data):
    client, csrf, bearer = session
    if endpoint.startswith("api."):
        return app.test_client().open(url, method=method, json=data or None,
                                      headers={"Authorization": f"Bearer {bearer}"})
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": csrf, **data})


# --- The access matrix: managers × reps and cohorts of every territory --------------------

def _assert_refused(world, endpoint: str, methods: list[str], targets, data: dict) -> None:
    """Each (manager, URL arguments, target's secret) in `targets`, every method: a 404 that
    shows nothing of the target, and nothing stored."""
    app, _, sessions = world
    before, tried = snapshot(), 0
    for manager, args, hidden in targets:
        url = app.url_map.bind("localhost").build(endpoint, args)
        for method in methods:
            response = _send(app, sessions[manager], endpoint, method, url,
                             {} if method == "GET" else data)
            what = f"{manager} {method} {endpoint} {args}"
            assert response.status_code == 404, f"{what}: {response.status_code}"
            assert hidden not in response.get_data(as_text=True), what
            tried += 1
    assert tried
    assert snapshot() == before, "a refused request changed stored data"


@pytest.mark.parametrize("endpoint,methods", REP_ROUTES, ids=[r[0] for r in REP_ROUTES])
def test_a_manager_reaches_no_rep_outside_their_territory(world, endpoint, methods):
    cast = world[1]
    _assert_refused(world, endpoint, methods, [
        (manager, {"user_id": cast.id(rep), **SAMPLE}, secret(rep))
        for manager in MANAGERS for rep in REPS if not manager_sees(manager, rep)],
        _rep_data(endpoint))


def test_managers_see_exactly_the_reps_of_their_territory(world):
    app, cast, sessions = world
    for manager in MANAGERS:
        for rep in REPS:
            response = sessions[manager][0].get(f"/reps/{cast.id(rep)}")
            assert (response.status_code == 200) == manager_sees(manager, rep), (manager, rep)


@pytest.mark.parametrize("endpoint,methods", COHORT_ROUTES, ids=[r[0] for r in COHORT_ROUTES])
def test_a_manager_reaches_no_cohort_of_another_territory(world, endpoint, methods):
    cast = world[1]
    _assert_refused(world, endpoint, methods, [
        (manager, {"cohort_id": cohort_id, **COHORT_SAMPLE}, cohort)
        for manager in MANAGERS for cohort, cohort_id in cast.cohorts.items()
        if not manager_sees_cohort(manager, cohort)],
        {"rep": cast.email("eve"), "name": "Taken", "track": "test-track", "territory": "",
         "start_on": "2026-01-05"})


def test_the_python_rule_and_the_sql_filter_agree_for_everyone(world):
    app, cast, _ = world
    rep_ids = [cast.id(rep) for rep in REPS]
    for viewer in cast.users.values():
        by_sql = set(db.session.scalars(select(User.id).where(
            User.id.in_(rep_ids), visible_rep_filter(viewer, User.id))))
        by_rule = {rep.id for rep in (cast.users[key] for key in REPS)
                   if can_view_rep(viewer, rep_scope(rep))}
        assert by_sql == by_rule, viewer.email
        if viewer.email.split("@")[0] in MANAGERS:
            key = viewer.email.split("@")[0]
            assert by_rule == {cast.id(rep) for rep in REPS if manager_sees(key, rep)}


# --- CRM records of another territory ------------------------------------------------------

def _post_records(app, session, *records):
    return app.test_client().post("/api/v1/activities", json={"records": list(records)},
                                  headers={"Authorization": f"Bearer {session[2]}"})


def _record(external_id, rep_email, kind="call", amount=0):
    return {"external_id": external_id, "rep_email": rep_email, "occurred_on": YESTERDAY,
            "type": kind, "quantity": 1, "amount": amount}


def test_a_manager_cannot_take_over_another_territorys_crm_record(world):
    """The penetration test's finding: DACH's won deal turned into an EMEA rep's call."""
    app, cast, sessions = world
    before = snapshot()
    response = _post_records(app, sessions["mae"], _record("crm-cy", cast.email("ann")))
    assert response.status_code == 422
    assert response.get_json()["errors"] == [{
        "pointer": "/records/0/external_id",
        "detail": "external_id crm-cy is a record of a rep you do not manage; their manager "
                  "or an admin can change it"}]
    assert snapshot() == before


def test_the_upload_page_refuses_the_same_takeover_and_stores_nothing(world):
    app, cast, sessions = world
    before = snapshot()
    rows = ("external_id,rep_email,occurred_on,type,quantity,amount\n"
            f"crm-dax,{cast.email('ann')},{YESTERDAY},call,1,0\n")
    response = check(sessions["mae"][0], rows)
    assert response.status_code == 400
    assert "external_id crm-dax is a record of a rep you do not manage" in page_text(response)
    assert snapshot() == before


def test_outside_the_territory_every_rep_gets_the_same_answer_whether_or_not_they_exist(world):
    app, cast, sessions = world
    emails = [cast.email("cy"), cast.email("dan"), cast.email("kim"), cast.email("ada"),
              "nobody@example.com"]
    response = _post_records(app, sessions["mae"],
                             *(_record(f"new-{i}", email) for i, email in enumerate(emails)))
    assert response.status_code == 422
    details = [error["detail"] for error in response.get_json()["errors"]]
    assert details == [f"{email} is not a rep in a cohort or territory you manage"
                       for email in emails]
