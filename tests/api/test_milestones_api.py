"""GET /api/v1/reps/<id>/achievements and PUT …/achievements/<milestone>: read what is
stored; record or correct a milestone as a coach does on the rep's page, repeatably."""
import datetime as dt

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from cev_learn.accounts.api_tokens import Scope
from cev_learn.accounts.models import Role
from cev_learn.platform.db import db
from cev_learn.ramp import achievements
from cev_learn.ramp.facts import refresh_reps
from cev_learn.ramp.models import Achievement, AchievementChange, ActivityRecord
from tests.api.test_reps_api import START, TODAY, assert_problem, day, team  # noqa: F401
from tests.helpers import make_user

RECORDED = {"milestone": "first-meeting", "title": "First meeting", "track": "test-track",
            "achieved_on": day(-2), "source": "api", "recorded_by": "kim@example.com",
            "note": "Met Harbor & Pine"}
CLEARED = {**RECORDED, "achieved_on": None, "source": None, "recorded_by": None, "note": None}


def counts() -> tuple[int, int]:
    db.session.rollback()
    return (db.session.scalar(select(func.count()).select_from(Achievement)),
            db.session.scalar(select(func.count()).select_from(AchievementChange)))


def url(rep, slug="first-meeting") -> str:
    return f"/api/v1/reps/{rep.id}/achievements/{slug}"


def held_a_meeting(rep, days_ago: int) -> None:
    db.session.add(ActivityRecord(external_id=f"meet-{rep.id}", user_id=rep.id, type="meeting",
                                  occurred_on=TODAY - dt.timedelta(days=days_ago)))
    db.session.commit()
    refresh_reps([rep.id], TODAY)
    db.session.commit()


@pytest.fixture
def coach(team, api):
    return api(team["kim"], Scope.WRITE)


# --- Reading ------------------------------------------------------------------------------

def test_stored_achievements_and_their_history(team, coach, api):
    ana = team["ana"]
    held_a_meeting(ana, days_ago=1)
    reader = api(team["kim"])
    listed = reader.get(f"/api/v1/reps/{ana.id}/achievements")
    assert listed.status_code == 200
    assert listed.json == {"items": [{**CLEARED, "achieved_on": day(-1), "source": "auto"}],
                           "history": None}
    assert coach.put(url(ana), json={"achieved_on": day(-2), "note": "Met Harbor & Pine"}) \
        .status_code == 200
    full = reader.get(f"/api/v1/reps/{ana.id}/achievements?history=true").json
    assert full["items"] == [RECORDED]
    assert [{k: v for k, v in change.items() if k != "created_at"}
            for change in full["history"]] == [
        {"milestone": "first-meeting", "track": "test-track", "achieved_on": day(-1),
         "source": "auto", "recorded_by": None, "note": None},
        {"milestone": "first-meeting", "track": "test-track", "achieved_on": day(-2),
         "source": "api", "recorded_by": "kim@example.com", "note": "Met Harbor & Pine"}]
    assert reader.get(f"/api/v1/reps/{ana.id}/achievements?history=0").json["history"] is None


def test_history_must_be_true_or_false(team, api):
    response = api(team["kim"]).get(f"/api/v1/reps/{team['ana'].id}/achievements?history=all")
    assert_problem(response, 400)
    assert response.json["detail"] == "history 'all' is not true or false"


def test_who_may_read_achievements(team, api):
    path = f"/api/v1/reps/{team['ana'].id}/achievements"
    assert api(make_user(Role.MANAGER, territory="EMEA")).get(path).status_code == 200
    assert api(make_user(Role.ADMIN)).get(path).json == {"items": [], "history": None}
    assert_problem(api(team["lou"]).get(path), 404)
    assert_problem(api(team["ana"]).get(path), 403)
    assert_problem(api().get(path), 401)


# --- Recording ----------------------------------------------------------------------------

def test_a_coach_records_a_milestone_and_repeating_it_changes_nothing(team, coach):
    ana = team["ana"]
    body = {"achieved_on": day(-2), "note": "Met Harbor & Pine"}
    first = coach.put(url(ana), json=body)
    assert first.status_code == 200, first.json
    assert first.json == RECORDED
    assert counts() == (1, 1)
    again = coach.put(url(ana), json=body)
    assert again.status_code == 200 and again.json == RECORDED
    assert counts() == (1, 1)
    corrected = coach.put(url(ana), json={**body, "note": "Met Dana"})
    assert corrected.json == {**RECORDED, "note": "Met Dana"}
    assert counts() == (1, 2)


def test_null_clears_a_correction_and_the_measured_date_comes_back(team, coach):
    ana = team["ana"]
    held_a_meeting(ana, days_ago=1)
    assert counts() == (1, 1)  # measured: the meeting yesterday
    assert coach.put(url(ana), json={"achieved_on": day(-2)}).json["source"] == "api"
    cleared = coach.put(url(ana), json={"achieved_on": None})
    assert cleared.status_code == 200
    assert cleared.json == {**CLEARED, "achieved_on": day(-1), "source": "auto"}
    after = counts()
    assert coach.put(url(ana), json={"achieved_on": None}).json == cleared.json
    assert counts() == after  # nothing recorded by hand is left to clear


def test_a_measured_milestone_its_records_no_longer_reach_is_cleared_in_the_history(team, api):
    ana = team["ana"]
    held_a_meeting(ana, days_ago=1)
    db.session.execute(update(ActivityRecord).values(type="call"))  # the CRM corrected it
    db.session.commit()
    refresh_reps([ana.id], TODAY)
    db.session.commit()
    full = api(team["kim"]).get(f"/api/v1/reps/{ana.id}/achievements?history=true").json
    assert full["items"] == []
    assert [(change["achieved_on"], change["source"], change["recorded_by"])
            for change in full["history"]] == [(day(-1), "auto", None), (None, "auto", None)]
    set_on, cleared_on = (dt.datetime.fromisoformat(change["created_at"])
                          for change in full["history"])
    assert set_on <= cleared_on <= dt.datetime.now(dt.UTC)  # timed by the database's clock


def test_clearing_a_milestone_nobody_reached_stores_nothing(team, coach):
    response = coach.put(url(team["ana"]), json={"achieved_on": None, "note": "not yet"})
    assert response.status_code == 200 and response.json == CLEARED
    assert counts() == (0, 0)


def test_the_rep_start_and_today_are_allowed(team, coach):
    ana = team["ana"]
    assert coach.put(url(ana), json={"achieved_on": START.isoformat()}).status_code == 200
    assert coach.put(url(ana), json={"achieved_on": day(0), "note": ""}).json["note"] is None


@pytest.mark.parametrize("body,pointer,detail", [
    ({"achieved_on": day(1)}, "/achieved_on",
     f"a milestone cannot be reached in the future (today is {TODAY})"),
    ({"achieved_on": day(-4)}, "/achieved_on",
     f"the rep started on {START}; a milestone cannot be reached before that"),
    ({"achieved_on": day(-1), "note": "n" * 501}, "/note",
     "String should have at most 500 characters"),
    ({"note": "no date"}, "/achieved_on", "Field required"),
    ({"achieved_on": "yesterday"}, "/achieved_on",
     "Input should be a date as YYYY-MM-DD text"),
    ({"achieved_on": day(-1), "by": "kim"}, "/by", "Extra inputs are not permitted"),
])
def test_each_bad_field_is_a_422_with_its_pointer_and_nothing_is_stored(team, coach, body,
                                                                         pointer, detail):
    response = coach.put(url(team["ana"]), json=body)
    assert_problem(response, 422)
    assert response.json["errors"] == [{"pointer": pointer, "detail": detail}]
    assert counts() == (0, 0)


def test_a_milestone_not_on_the_reps_track_is_404(team, coach, api):
    response = coach.put(url(team["ana"], "first-deal"), json={"achieved_on": day(-1)})
    assert_problem(response, 404)
    assert response.json["detail"] == "no milestone 'first-deal' on this rep's track"
    loner = make_user(Role.REP)
    admin = api(make_user(Role.ADMIN), Scope.WRITE)
    assert_problem(admin.put(url(loner), json={"achieved_on": day(-1)}), 404)
    assert counts() == (0, 0)


def test_who_may_record(team, api):
    ana, body = team["ana"], {"achieved_on": day(-1)}
    other_coach = api(team["lou"], Scope.WRITE).put(url(ana), json=body)
    assert_problem(other_coach, 404)
    assert_problem(api(make_user(Role.MANAGER, territory="DACH"), Scope.WRITE)
                   .put(url(ana), json=body), 404)
    assert_problem(api(ana, Scope.WRITE).put(url(ana), json=body), 403)
    read_only = api(team["kim"]).put(url(ana), json=body)
    assert_problem(read_only, 403)
    assert 'error="insufficient_scope"' in read_only.headers["WWW-Authenticate"]
    assert_problem(api().put(url(ana), json=body), 401)
    assert counts() == (0, 0)
    manager = api(make_user(Role.MANAGER, territory="EMEA"), Scope.WRITE)
    assert manager.put(url(ana), json=body).json["source"] == "api"


def test_a_write_that_collides_is_a_409_and_leaves_nothing_behind(team, coach, monkeypatch):
    def collide(*_args, **_options):  # as when another request stored it meanwhile
        raise IntegrityError("INSERT INTO achievement", None, Exception("unique"))

    monkeypatch.setattr(achievements, "recompute", collide)
    response = coach.put(url(team["ana"]), json={"achieved_on": day(-1)})
    assert_problem(response, 409)
    assert counts() == (0, 0)  # the hand-recorded row flushed before is rolled back


def test_a_body_that_is_not_json_is_refused(team, coach):
    as_form = coach.client.put(url(team["ana"]), data={"achieved_on": day(-1)},
                               headers=coach._headers(None))
    assert_problem(as_form, 415)
    broken = coach.put(url(team["ana"]), data="{", headers={"Content-Type": "application/json"})
    assert_problem(broken, 400)
    assert counts() == (0, 0)
