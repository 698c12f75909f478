"""Territory boundaries on every path: a manager of one territory against the reps, cohorts,
CRM records and imports of another, and against reps waiting in no cohort.

Every write checks the scope of what it changes (the record as stored as well as the new
values), and a manager limited to a territory gets one answer for everything outside it,
whether or not it exists. The cast and its rules are in territory_cast.py.
"""
import datetime as dt
import re

import pytest
from sqlalchemy import select

from cev_learn.accounts.api_tokens import Scope
from cev_learn.cohorts import coaching
from cev_learn.cohorts.models import Assignment, AssignmentKind, Cohort
from cev_learn.content.models import Module
from cev_learn.platform.db import db
from cev_learn.ramp.models import ActivityRecord
from tests.api.helpers import token_for
from tests.helpers import csrf_token, login
from tests.ramp.test_upload_page import page_text
from tests.security.module_data import snapshot
from tests.security.territory_cast import build_cast, secret

YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()
TOMORROW = (dt.date.today() + dt.timedelta(days=1)).isoformat()


@pytest.fixture
def cast(app, synced_track):
    """The cast in a database of this test's own: these tests' writes succeed."""
    return build_cast()


def _record(external_id, rep_email, kind="call", amount=0):
    return {"external_id": external_id, "rep_email": rep_email, "occurred_on": YESTERDAY,
            "type": kind, "quantity": 1, "amount": amount}


def test_a_territory_manager_still_corrects_their_own_reps_records(cast, client, app):
    token = token_for(cast.users["mae"], Scope.WRITE)
    moved = _record("crm-ann", cast.email("eve"), kind="meeting")  # Ann's deal was Eve's meeting
    response = client.post("/api/v1/activities", json={"records": [moved]},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["updated"] == 1
    db.session.rollback()
    record = db.session.scalar(select(ActivityRecord).where(
        ActivityRecord.external_id == "crm-ann"))
    assert (record.user_id, record.type) == (cast.id("eve"), "meeting")


def test_admins_and_managers_of_every_territory_move_any_record(cast, client):
    for who, external_id in (("ada", "crm-cy"), ("mia", "crm-dan")):
        token = token_for(cast.users[who], Scope.WRITE)
        response = client.post("/api/v1/activities",
                               json={"records": [_record(external_id, cast.email("ann"))]},
                               headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.get_json()
    db.session.rollback()
    assert set(db.session.scalars(select(ActivityRecord.external_id).where(
        ActivityRecord.user_id == cast.id("ann")))) == {"crm-ann", "crm-cy", "crm-dan"}


def test_the_command_line_imports_with_a_managers_scope(cast, app, tmp_path):
    before = snapshot()
    path = tmp_path / "activities.csv"
    path.write_text("external_id,rep_email,occurred_on,type,quantity,amount\n"
                    f"crm-cy,{cast.email('ann')},{YESTERDAY},call,1,0\n"
                    f"crm-new,{cast.email('dan')},{YESTERDAY},call,1,0\n")
    result = app.test_cli_runner().invoke(
        args=["import", "activities", str(path), "--as", cast.email("mae")])
    assert result.exit_code == 1
    assert "line 2: external_id crm-cy is a record of a rep you do not manage" in result.output
    assert f"line 3: {cast.email('dan')} is not a rep in a cohort or territory" in result.output
    assert snapshot() == before
    result = app.test_cli_runner().invoke(
        args=["import", "activities", str(path), "--as", cast.email("kim")])
    assert result.exit_code == 2 and "is not an active manager or admin" in result.output
    result = app.test_cli_runner().invoke(args=["import", "activities", str(path)])
    assert result.exit_code == 0, result.output  # the command line alone imports for everyone


# --- Whole-cohort assignments ------------------------------------------------------------------

def test_assigning_to_the_whole_cohort_reaches_only_reps_the_coach_may_coach(cast, client):
    """Through Dax (his account says EMEA, his cohort is DACH's) Mae reached all of South."""
    login(client, cast.email("mae"))
    module = db.session.scalar(select(Module.id).where(Module.slug == "intro"))
    form = {"csrf_token": csrf_token(client, "/"), "item": f"module:{module}",
            "due_on": TOMORROW, "whole_cohort": "y"}
    assert client.post(f"/reps/{cast.id('dax')}/assignments", data=form).status_code == 404
    assert client.post(f"/reps/{cast.id('ann')}/assignments", data=form).status_code == 302
    db.session.rollback()
    assert set(db.session.scalars(select(Assignment.user_id))) == {cast.id("ann")}


def test_the_assignment_service_refuses_reps_outside_the_coachs_scope(cast):
    with pytest.raises(coaching.CoachingError, match="only to reps you coach"):
        coaching.assign(reps=[cast.users["ann"], cast.users["cy"]], kind=AssignmentKind.MODULE,
                        item_id=db.session.scalar(select(Module.id)), due_on=dt.date.today(),
                        note=None, coach=cast.users["kim"], today=dt.date.today())
    db.session.rollback()
    assert db.session.scalar(select(Assignment.id)) is None


# --- Reps waiting in no cohort --------------------------------------------------------------

SUGGESTED = re.compile(r'<option value="([^"]+)">')


@pytest.mark.parametrize("manager,suggested", [
    ("mae", {"eve"}), ("max", {"dan"}), ("mia", {"eve", "dan", "nia"}),
    ("ada", {"eve", "dan", "nia"})])
def test_only_the_territorys_waiting_reps_are_suggested(cast, client, manager, suggested):
    login(client, cast.email(manager))
    cohort = cast.cohorts["North" if manager != "max" else "South"]
    page = client.get(f"/cohorts/{cohort}").get_data(as_text=True)
    datalist = page.split('id="unplaced-reps"', 1)[1].split("</datalist>", 1)[0]
    assert set(SUGGESTED.findall(datalist)) == {cast.email(key) for key in suggested}


def test_a_manager_cannot_claim_a_rep_outside_their_territory(cast, client):
    """Claiming Dan (DACH, in no cohort) would show Mae his notes and quiz history."""
    login(client, cast.email("mae"))
    csrf, north = csrf_token(client, "/"), cast.cohorts["North"]
    before = snapshot()
    answers = {}
    for email in (cast.email("dan"), cast.email("nia"), cast.email("cy"), cast.email("kim"),
                  "nobody@example.com"):
        response = client.post(f"/cohorts/{north}/members", data={"csrf_token": csrf,
                                                                 "rep": email})
        assert response.status_code == 400, email
        text = page_text(response)
        assert secret("dan") not in text
        answers[email] = re.search(r"No rep you manage has the email (\S+)\. A rep in another "
                                   r"territory is placed by its manager or an admin\.", text)
    assert all(match and match.group(1) == email for email, match in answers.items()), answers
    assert snapshot() == before
    response = client.post(f"/cohorts/{north}/members", data={"csrf_token": csrf,
                                                             "rep": cast.email("eve")})
    assert response.status_code == 302  # Eve waits in EMEA: Mae places her


# --- Creating and editing cohorts -------------------------------------------------------------

COHORT_FORM = {"name": "Spring", "track": "test-track", "start_on": "2026-03-02"}


def test_a_manager_creates_cohorts_only_in_their_territory(cast, client):
    login(client, cast.email("mae"))
    csrf = csrf_token(client, "/cohorts/new")
    before = snapshot()
    response = client.post("/cohorts/new", data={"csrf_token": csrf, **COHORT_FORM,
                                                  "territory": "DACH"})
    assert response.status_code == 400
    assert "You manage EMEA: your cohorts stay in EMEA." in page_text(response)
    assert snapshot() == before
    response = client.post("/cohorts/new", data={"csrf_token": csrf, **COHORT_FORM,
                                                  "territory": ""})
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(Cohort.territory).where(Cohort.name == "Spring")) == "EMEA"


def test_a_manager_cannot_move_their_cohort_to_another_territory(cast, client):
    login(client, cast.email("mae"))
    north = cast.cohorts["North"]
    before = snapshot()
    response = client.post(f"/cohorts/{north}", data={
        "csrf_token": csrf_token(client, f"/cohorts/{north}"), **COHORT_FORM, "name": "North",
        "territory": "DACH"})
    assert response.status_code == 400
    assert "You manage EMEA: your cohorts stay in EMEA." in page_text(response)
    assert snapshot() == before


def test_the_cohort_form_says_where_a_territory_managers_cohorts_go(cast, client):
    login(client, cast.email("mae"))
    page = page_text(client.get("/cohorts/new"))
    assert 'value="EMEA"' in page and "Your cohorts are in EMEA." in page


@pytest.mark.parametrize("who", ["mia", "ada"])
def test_admins_and_managers_of_every_territory_place_cohorts_anywhere(cast, client, who):
    login(client, cast.email(who))
    response = client.post("/cohorts/new", data={
        "csrf_token": csrf_token(client, "/cohorts/new"), **COHORT_FORM, "territory": "APAC"})
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(Cohort.territory).where(Cohort.name == "Spring")) == "APAC"
