"""POST /api/v1/activities and /api/v1/quotas: the CSV import's rules and writing path over
JSON, all or nothing, idempotent, and problems that point at the bad item and field."""
import datetime as dt

import pytest
from flask import g, request_finished
from sqlalchemy import func, select, update

from cev_learn.accounts.api_tokens import ApiToken, Scope
from cev_learn.accounts.models import Role
from cev_learn.platform.db import db, utcnow
from cev_learn.platform.outbox import OutboxEvent
from cev_learn.ramp import import_service
from cev_learn.ramp.import_service import import_activities
from cev_learn.ramp.models import Achievement, AchievementChange, ActivityRecord, Quota
from tests.helpers import make_user
from tests.factories import make_cohort

TODAY = dt.date.today()
DAYS_FROM_TODAY = ('MEETING_ON',)  # moved with TODAY (conftest)
MEETING_ON = TODAY - dt.timedelta(days=2)  # after the cohort's start (ten days ago)


@pytest.fixture
def people(app, api_track):
    """Ana and Ben, reps in a cohort on the test track; a coach; a manager with a write token."""
    ana = make_user(Role.REP, email="ana@example.com", name="Ana")
    ben = make_user(Role.REP, email="ben@example.com", name="Ben")
    coach = make_user(Role.COACH, email="kim.coach@example.com")
    make_cohort(reps=[ana, ben], coaches=[coach])
    return {"ana": ana, "ben": ben, "coach": coach, "manager": make_user(Role.MANAGER)}


@pytest.fixture
def manager_api(api, people):
    return api(people["manager"], Scope.WRITE)


def record(external_id="crm-1", **fields):
    return {"external_id": external_id, "rep_email": "ana@example.com",
            "occurred_on": MEETING_ON.isoformat(), "type": "call", "quantity": 2,
            "amount": 0, **fields}


BATCH = [record("crm-1"),
         record("crm-2", rep_email="Ana@Example.com", type="Meeting", quantity=1),
         record("crm-3", rep_email="ben@example.com", type="deal_won", amount=12500.5)]


def stored() -> dict[str, tuple]:
    db.session.rollback()
    return {r.external_id: (r.user_id, r.occurred_on, r.type, r.quantity, r.amount, r.source)
            for r in db.session.scalars(select(ActivityRecord))}


def stored_quotas() -> dict[tuple, float]:
    db.session.rollback()
    return {(q.user_id, q.month): q.amount for q in db.session.scalars(select(Quota))}


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


# --- Activities: the happy path ------------------------------------------------------------

def test_a_batch_creates_records_and_recomputes_the_reps_achievements(people, manager_api):
    response = manager_api.post("/api/v1/activities", json={"records": BATCH})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.json == {"received": 3, "created": 3, "updated": 0, "unchanged": 0,
                             "achievements_changed": 1}
    ana, ben = people["ana"].id, people["ben"].id
    assert stored() == {
        "crm-1": (ana, MEETING_ON, "call", 2, 0.0, "api"),
        "crm-2": (ana, MEETING_ON, "meeting", 1, 0.0, "api"),
        "crm-3": (ben, MEETING_ON, "deal_won", 2, 12500.5, "api"),
    }
    achieved = db.session.execute(select(Achievement.user_id, Achievement.achieved_on)).all()
    assert achieved == [(ana, MEETING_ON)]  # Ana's meeting reached first-meeting


def test_quantity_and_amount_may_be_left_out(people, manager_api):
    fields = {k: v for k, v in record().items() if k not in ("quantity", "amount")}
    response = manager_api.post("/api/v1/activities", json={"records": [fields]})
    assert response.status_code == 200
    assert stored()["crm-1"] == (people["ana"].id, MEETING_ON, "call", 1, 0.0, "api")


def test_sending_the_same_batch_again_changes_nothing(people, manager_api):
    assert manager_api.post("/api/v1/activities", json={"records": BATCH}).status_code == 200
    before = stored()
    again = manager_api.post("/api/v1/activities", json={"records": BATCH})
    assert again.status_code == 200
    assert again.json == {"received": 3, "created": 0, "updated": 0, "unchanged": 3,
                          "achievements_changed": 0}
    assert stored() == before


def test_changing_one_record_updates_that_record_in_place(people, manager_api):
    assert manager_api.post("/api/v1/activities", json={"records": BATCH}).status_code == 200
    ids = dict(db.session.execute(select(ActivityRecord.external_id, ActivityRecord.id)).all())
    changed = [BATCH[0], {**BATCH[1], "type": "call"}, BATCH[2]]  # Ana's meeting was a call
    response = manager_api.post("/api/v1/activities", json={"records": changed})
    assert response.json == {"received": 3, "created": 0, "updated": 1, "unchanged": 2,
                             "achievements_changed": 1}  # no meeting any more
    assert stored()["crm-2"][2] == "call"
    db.session.rollback()
    assert dict(db.session.execute(
        select(ActivityRecord.external_id, ActivityRecord.id)).all()) == ids
    assert count(Achievement) == 0


def test_records_first_imported_from_a_csv_file_are_updated_by_the_api(app, people,
                                                                        manager_api):
    csv = ("external_id,rep_email,occurred_on,type,quantity,amount\n"
           f"crm-1,ana@example.com,{MEETING_ON},call,5,\n")
    with app.app_context():
        import_activities(csv, skip_invalid=False, today=dt.date.today())
        db.session.commit()
    response = manager_api.post("/api/v1/activities", json={"records": [record()]})
    assert response.json["updated"] == 1
    assert stored()["crm-1"][3:] == (2, 0.0, "import")  # where it came from first


# --- Who may send them -----------------------------------------------------------------------

def test_activities_need_a_token(api, people):
    response = api().post("/api/v1/activities", json={"records": BATCH})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert count(ActivityRecord) == 0


@pytest.mark.parametrize("role", [Role.REP, Role.COACH])
@pytest.mark.parametrize("path,body", [("/api/v1/activities", {"records": BATCH}),
                                       ("/api/v1/quotas", {"quotas": [
                                           {"rep_email": "ana@example.com", "month": "2026-03",
                                            "amount": 1}]})])
def test_only_the_people_who_upload_crm_files_may_send_outcomes(api, people, role, path, body):
    response = api(make_user(role), Scope.WRITE).post(path, json=body)
    assert response.status_code == 403
    assert response.json["detail"] == f"a {role.value} token may not use this endpoint"
    assert count(ActivityRecord) == 0 and count(Quota) == 0


@pytest.mark.parametrize("path", ["/api/v1/activities", "/api/v1/quotas"])
def test_a_read_only_token_may_not_send_outcomes(api, people, path):
    response = api(people["manager"], Scope.READ).post(path, json={})
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]


def test_an_admin_may_send_outcomes_for_any_rep(api, people):
    response = api(make_user(Role.ADMIN), Scope.WRITE).post("/api/v1/activities",
                                                            json={"records": BATCH})
    assert response.status_code == 200 and response.json["created"] == 3


def test_a_manager_of_one_territory_sends_outcomes_only_for_reps_they_manage(api, people):
    # As on the upload page (tests/security/test_import_scope.py): Ana and Ben's cohort has
    # no territory, so a manager of North does not manage them.
    manager = make_user(Role.MANAGER, territory="North")
    response = api(manager, Scope.WRITE).post("/api/v1/activities", json={"records": BATCH})
    assert response.status_code == 422
    assert {e["detail"].split(" ", 1)[1] for e in response.json["errors"]} == {
        "is not a rep in a cohort or territory you manage"}
    assert len(response.json["errors"]) == len(BATCH)


# --- Bad records -------------------------------------------------------------------------------

TYPES = "call, email, meeting, demo, opportunity or deal_won"


@pytest.mark.parametrize("bad,errors", [
    ({"rep_email": "ghost@example.com"},
     [("/records/1/rep_email", "unknown rep ghost@example.com")]),
    ({"rep_email": "Kim.Coach@example.com"},
     [("/records/1/rep_email", "kim.coach@example.com is a coach, not a rep")]),
    ({"occurred_on": "2026-02-30"},
     [("/records/1/occurred_on", "occurred_on '2026-02-30' is not a date; use YYYY-MM-DD")]),
    ({"occurred_on": "02/03/2026"},
     [("/records/1/occurred_on", "occurred_on '02/03/2026' is not a date; use YYYY-MM-DD")]),
    ({"type": "visit"}, [("/records/1/type", f"unknown type 'visit'; use {TYPES}")]),
    ({"quantity": -1},
     [("/records/1/quantity", "quantity '-1' must be a whole number of 0 or more")]),
    ({"quantity": 2_147_483_648},
     [("/records/1/quantity", "quantity '2147483648' must be a whole number of 0 or more")]),
    ({"amount": -10}, [("/records/1/amount", "amount '-10' must be a number of 0 or more")]),
    ({"amount": -0.5}, [("/records/1/amount", "amount '-0.5' must be a number of 0 or more")]),
    ({"external_id": "crm-1"},
     [("/records/1/external_id", "duplicate external_id 'crm-1', already at /records/0")]),
    ({"external_id": " "}, [("/records/1/external_id", "external_id is required")]),
    ({"external_id": "x" * 201},
     [("/records/1/external_id", "external_id is longer than 200 characters")]),
    ({"rep_email": ""}, [("/records/1/rep_email", "rep_email is required")]),
    ({"external_id": "crm\u0000-2", "rep_email": "ana@example.com\u0000"},
     [("/records/1/external_id", "external_id contains a NUL character"),
      ("/records/1/rep_email", "rep_email contains a NUL character")]),
    ({"occurred_on": "2026-3-2", "type": "chat"},
     [("/records/1/occurred_on", "occurred_on '2026-3-2' is not a date; use YYYY-MM-DD"),
      ("/records/1/type", f"unknown type 'chat'; use {TYPES}")]),
    # The JSON types, checked before the import's rules.
    ({"type": None}, [("/records/1/type", "Input should be a valid string")]),
    ({"quantity": "3"}, [("/records/1/quantity", "Input should be a valid integer")]),
    ({"quantity": 2.5}, [("/records/1/quantity", "Input should be a valid integer")]),
    ({"amount": "12"}, [("/records/1/amount", "Input should be a valid number")]),
    ({"note": "hi"}, [("/records/1/note", "Extra inputs are not permitted")]),
])
def test_each_bad_record_is_pointed_at_and_nothing_is_stored(people, manager_api, bad, errors):
    response = manager_api.post("/api/v1/activities",
                                json={"records": [record("crm-1"), {**record("crm-2"), **bad}]})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert [(e["pointer"], e["detail"]) for e in response.json["errors"]] == errors
    assert count(ActivityRecord) == 0


def test_a_missing_field_is_pointed_at(people, manager_api):
    fields = {k: v for k, v in record("crm-2").items() if k != "occurred_on"}
    response = manager_api.post("/api/v1/activities", json={"records": [record(), fields]})
    assert response.status_code == 422
    assert response.json["errors"] == [{"pointer": "/records/1/occurred_on",
                                        "detail": "Field required"}]
    assert count(ActivityRecord) == 0


def test_the_problem_counts_the_bad_records(people, manager_api):
    records = [record("a", type="visit"), record("b"), record("c", rep_email="x@example.com")]
    response = manager_api.post("/api/v1/activities", json={"records": records})
    assert response.json["detail"] == "2 of 3 items are not valid; nothing was stored"
    assert [e["pointer"] for e in response.json["errors"]] == ["/records/0/type",
                                                               "/records/2/rep_email"]


def test_the_api_and_the_csv_import_find_the_same_problems(app, people, manager_api):
    records = [record("a", occurred_on="2026-13-01", quantity=-3), record("a"),
               record("b", type="lunch", amount=-1), record("c", rep_email="ghost@example.com")]
    csv = "\n".join(["external_id,rep_email,occurred_on,type,quantity,amount"] + [
        ",".join(str(r[c]) for c in ("external_id", "rep_email", "occurred_on", "type",
                                     "quantity", "amount")) for r in records])
    with app.app_context():
        from_csv = import_activities(csv, skip_invalid=False, today=dt.date.today()).errors
        db.session.rollback()
    response = manager_api.post("/api/v1/activities", json={"records": records})
    from_api = response.json["errors"]
    assert [e["detail"] for e in from_api] == [
        e.message.replace("already on line 2", "already at /records/0") for e in from_csv]
    assert [e["pointer"] for e in from_api] == [
        "/records/0/occurred_on", "/records/0/quantity", "/records/1/external_id",
        "/records/2/type", "/records/2/amount", "/records/3/rep_email"]


def test_a_failed_batch_leaves_stored_records_as_they_were(people, manager_api):
    assert manager_api.post("/api/v1/activities", json={"records": BATCH}).status_code == 200
    before = stored()
    changed = [{**BATCH[0], "quantity": 9}, {**BATCH[1], "rep_email": "ghost@example.com"}]
    assert manager_api.post("/api/v1/activities",
                            json={"records": changed}).status_code == 422
    assert stored() == before


@pytest.mark.parametrize("body,errors", [
    ({"records": []},
     [("/records", "List should have at least 1 item after validation, not 0")]),
    ({}, [("/records", "Field required")]),
    ({"records": BATCH, "dry_run": True}, [("/dry_run", "Extra inputs are not permitted")]),
    ({"records": {"crm-1": BATCH[0]}}, [("/records", "Input should be a valid list")]),
    (BATCH, [("/", "Input should be a valid dictionary or instance of ActivityBatch")]),
])
def test_a_body_of_the_wrong_shape_is_a_422(people, manager_api, body, errors):
    response = manager_api.post("/api/v1/activities", json=body)
    assert response.status_code == 422
    assert [(e["pointer"], e["detail"]) for e in response.json["errors"]] == errors


def test_more_than_1000_records_are_refused_before_any_is_checked(people, manager_api):
    records = [record(f"crm-{n}", type="not checked") for n in range(1001)]
    response = manager_api.post("/api/v1/activities", json={"records": records})
    assert response.status_code == 422
    assert response.json["errors"] == [{
        "pointer": "/records",
        "detail": "at most 1,000 items per request, not 1,001; send the rest in another request"}]
    fine = manager_api.post("/api/v1/activities",
                            json={"records": [record(f"crm-{n}") for n in range(1000)]})
    assert fine.json["created"] == 1000


def test_the_body_must_be_json(people, manager_api):
    as_csv = manager_api.post("/api/v1/activities", data="external_id\ncrm-1\n",
                              headers={"Content-Type": "text/csv"})
    assert as_csv.status_code == 415
    assert as_csv.mimetype == "application/problem+json"
    broken = manager_api.post("/api/v1/activities", data='{"records": [',
                              headers={"Content-Type": "application/json"})
    assert broken.status_code == 400
    assert broken.json["detail"].startswith("the body is not valid JSON")
    assert count(ActivityRecord) == 0


# --- Two batches at once -------------------------------------------------------------------

def test_a_batch_that_races_another_for_the_same_records_is_a_409(people, manager_api,
                                                                   monkeypatch):
    assert manager_api.post("/api/v1/activities", json={"records": BATCH[:1]}).status_code == 200
    before = stored()
    # As if a concurrent request stored crm-1 between this one's reading and its writing.
    read = import_service._known_at_once
    monkeypatch.setattr(import_service, "_known_at_once",
                        lambda *args: (*read(*args)[:2], {}))  # no stored record found
    response = manager_api.post("/api/v1/activities", json={"records": BATCH})
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert "Send it again" in response.json["detail"]
    assert stored() == before  # crm-2 and crm-3 were not stored either


def test_a_correction_of_a_record_another_batch_changed_meanwhile_is_a_409(
        people, manager_api, monkeypatch):
    """A stored record is changed only while it holds what the batch read (so what the ramp
    facts take away is what it held): one changed by another batch after the read stops the
    whole batch, which can be sent again."""
    assert manager_api.post("/api/v1/activities", json={"records": BATCH}).status_code == 200
    before = stored()
    read = import_service._known_at_once

    def read_before_the_other_batch(*args):  # crm-1 as it was before a quantity of 5
        users, reps, records = read(*args)
        record_id, (user_id, on, kind, _quantity, amount) = records["crm-1"]
        return users, reps, {**records, "crm-1": (record_id, (user_id, on, kind, 5, amount))}

    monkeypatch.setattr(import_service, "_known_at_once", read_before_the_other_batch)
    response = manager_api.post("/api/v1/activities", json={"records": [
        record("crm-1", quantity=3), record("crm-2", rep_email="ben@example.com")]})
    assert response.status_code == 409
    assert "Send it again" in response.json["detail"]
    assert stored() == before  # crm-2 was not moved either
    monkeypatch.undo()
    again = manager_api.post("/api/v1/activities", json={"records": [
        record("crm-1", quantity=3), record("crm-2", rep_email="ben@example.com")]})
    assert again.json["updated"] == 2


def test_a_new_record_another_batch_stored_meanwhile_is_a_409(people, manager_api,
                                                              monkeypatch):
    """A record the batch read as new, stored by another batch after the read, is not
    overwritten: the whole batch stops, and sent again it corrects the record."""
    assert manager_api.post("/api/v1/activities", json={"records": BATCH}).status_code == 200
    before = stored()
    read = import_service._known_at_once

    def read_before_the_other_batch(*args):  # crm-1 not stored yet
        users, reps, records = read(*args)
        return users, reps, {key: value for key, value in records.items() if key != "crm-1"}

    monkeypatch.setattr(import_service, "_known_at_once", read_before_the_other_batch)
    batch = [record("crm-1", quantity=7), record("crm-9", rep_email="ben@example.com")]
    response = manager_api.post("/api/v1/activities", json={"records": batch})
    assert response.status_code == 409
    assert stored() == before  # crm-9 was not stored either
    monkeypatch.undo()
    again = manager_api.post("/api/v1/activities", json={"records": batch})
    assert (again.json["created"], again.json["updated"]) == (1, 1)
    assert stored()["crm-1"][3] == 7


def test_a_quota_batch_that_races_another_is_a_409(people, manager_api, monkeypatch):
    quotas = [{"rep_email": "ana@example.com", "month": "2026-03", "amount": 100}]
    assert manager_api.post("/api/v1/quotas", json={"quotas": quotas}).status_code == 200
    monkeypatch.setattr(import_service, "_existing_quotas", lambda _ids: {})
    response = manager_api.post("/api/v1/quotas", json={"quotas": quotas})
    assert response.status_code == 409
    assert count(Quota) == 1


# --- Quotas ------------------------------------------------------------------------------------

QUOTAS = [{"rep_email": "ana@example.com", "month": "2026-03", "amount": 50000},
          {"rep_email": "ANA@example.com", "month": "2026-04", "amount": 55000.5},
          {"rep_email": "ben@example.com", "month": "2026-03", "amount": 0}]


def test_a_quota_batch_creates_each_reps_monthly_quota(people, manager_api):
    response = manager_api.post("/api/v1/quotas", json={"quotas": QUOTAS})
    assert response.status_code == 200
    assert response.json == {"received": 3, "created": 3, "updated": 0, "unchanged": 0,
                             "achievements_changed": 0}
    ana, ben = people["ana"].id, people["ben"].id
    assert stored_quotas() == {(ana, dt.date(2026, 3, 1)): 50000.0,
                               (ana, dt.date(2026, 4, 1)): 55000.5,
                               (ben, dt.date(2026, 3, 1)): 0.0}


def test_quota_batches_are_idempotent_and_update_by_rep_and_month(people, manager_api):
    assert manager_api.post("/api/v1/quotas", json={"quotas": QUOTAS}).status_code == 200
    again = manager_api.post("/api/v1/quotas", json={"quotas": QUOTAS})
    assert again.json == {"received": 3, "created": 0, "updated": 0, "unchanged": 3,
                          "achievements_changed": 0}
    changed = [{**QUOTAS[0], "amount": 60000}, *QUOTAS[1:]]
    response = manager_api.post("/api/v1/quotas", json={"quotas": changed})
    assert response.json == {"received": 3, "created": 0, "updated": 1, "unchanged": 2,
                             "achievements_changed": 0}
    assert stored_quotas()[(people["ana"].id, dt.date(2026, 3, 1))] == 60000.0


@pytest.mark.parametrize("bad,errors", [
    ({"rep_email": "ghost@example.com"},
     [("/quotas/1/rep_email", "unknown rep ghost@example.com")]),
    ({"month": "2026-13"}, [("/quotas/1/month", "month '2026-13' is not a month; use YYYY-MM")]),
    ({"month": "2026-04-01"},
     [("/quotas/1/month", "month '2026-04-01' is not a month; use YYYY-MM")]),
    ({"month": ""}, [("/quotas/1/month", "month is required")]),
    ({"rep_email": "\u0000"}, [("/quotas/1/rep_email", "rep_email contains a NUL character")]),
    ({"amount": -5}, [("/quotas/1/amount", "amount '-5' must be a number of 0 or more")]),
    ({"month": "2026-03", "rep_email": "ANA@example.com"},
     [("/quotas/1", "duplicate quota for ana@example.com in 2026-03, already at /quotas/0")]),
    ({"amount": None}, [("/quotas/1/amount", "Input should be a valid number")]),
    ({"currency": "EUR"}, [("/quotas/1/currency", "Extra inputs are not permitted")]),
])
def test_each_bad_quota_is_pointed_at_and_nothing_is_stored(people, manager_api, bad, errors):
    quotas = [QUOTAS[0], {"rep_email": "ana@example.com", "month": "2026-04", "amount": 1,
                          **bad}]
    response = manager_api.post("/api/v1/quotas", json={"quotas": quotas})
    assert response.status_code == 422
    assert [(e["pointer"], e["detail"]) for e in response.json["errors"]] == errors
    assert count(Quota) == 0


def test_a_quota_needs_its_amount(people, manager_api):
    response = manager_api.post("/api/v1/quotas", json={"quotas": [
        {"rep_email": "ana@example.com", "month": "2026-03"}]})
    assert response.json["errors"] == [{"pointer": "/quotas/0/amount",
                                        "detail": "Field required"}]


def test_more_than_1000_quotas_are_refused(people, manager_api):
    quotas = [QUOTAS[0]] * 1001
    response = manager_api.post("/api/v1/quotas", json={"quotas": quotas})
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json["errors"]] == ["/quotas"]


def test_the_document_describes_both_batches(app):
    document = app.test_client().get("/api/v1/openapi.json").json
    for path, schema in (("/api/v1/activities", "ActivityBatch"), ("/api/v1/quotas",
                                                                   "QuotaBatch")):
        post = document["paths"][path]["post"]
        assert post["requestBody"]["content"]["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{schema}"}
        assert {"200", "401", "403", "409", "415", "422"} <= set(post["responses"])
    batch = document["components"]["schemas"]["ActivityBatch"]["properties"]["records"]
    assert (batch["minItems"], batch["maxItems"]) == (1, 1000)


def test_a_crm_sync_posting_one_record_at_a_time_stays_within_the_statement_budget(
        app, people, manager_api):
    """One new record is added to the rep's facts and their milestones judged well within
    the budget of 12 statements, reaching a milestone (its achievement and outbox entry; the
    database copies the achievement into its history) included."""
    costs, changed = [], []

    def cost(_sender, **_extra):
        costs.append(g.sql_count)

    with request_finished.connected_to(cost, app):
        for n, kind in enumerate(["call", "call", "meeting", "call"]):
            response = manager_api.post("/api/v1/activities",
                                        json={"records": [record(f"sync-{n}", type=kind)]})
            assert response.json["created"] == 1
            changed.append(response.json["achievements_changed"])
    assert changed == [0, 0, 1, 0]  # the meeting is Ana's first
    reached = costs.pop(2)
    first, *later = costs  # the first saves the token's last use
    assert first <= 9 and max(later) <= 8 and reached <= 10, (costs, reached)


def test_a_batch_that_creates_corrects_reaches_moves_and_clears_at_once_stays_within_budget(
        app, people, manager_api):
    """The costliest batch there is, on its token's first use in five minutes (its last use is
    saved): a record created and two corrected, and with them a milestone reached (its
    achievement and outbox entry), one moved and one cleared (their history written by the
    database), in at most 12 statements."""
    cy = make_user(Role.REP, email="cy@example.com")
    make_cohort(reps=[cy])
    meetings = [record("m-ana", type="meeting", quantity=1),
                record("m-ben", rep_email="ben@example.com", type="meeting", quantity=1)]
    assert manager_api.post("/api/v1/activities",
                            json={"records": meetings}).json["achievements_changed"] == 2
    history_before = db.session.scalar(select(func.max(AchievementChange.id)))
    events_before = db.session.scalar(select(func.max(OutboxEvent.id)))
    long_ago = utcnow() - dt.timedelta(hours=1)
    db.session.execute(update(ApiToken).values(last_used_at=long_ago))
    db.session.commit()
    costs = []

    def cost(_sender, **_extra):
        costs.append(g.sql_count)

    earlier = MEETING_ON - dt.timedelta(days=1)
    with request_finished.connected_to(cost, app):
        response = manager_api.post("/api/v1/activities", json={"records": [
            record("m-ana", type="meeting", quantity=1, occurred_on=earlier.isoformat()),
            record("m-ben", rep_email="ben@example.com", type="call", quantity=1),
            record("m-cy", rep_email="cy@example.com", type="meeting", quantity=1)]})
    assert response.status_code == 200, response.json
    assert response.json == {"received": 3, "created": 1, "updated": 2, "unchanged": 0,
                             "achievements_changed": 3}
    assert costs == [costs[0]] and costs[0] <= 12, costs
    db.session.rollback()
    assert db.session.scalar(select(ApiToken.last_used_at)) > long_ago
    ana, ben = people["ana"].id, people["ben"].id
    achieved = select(Achievement.user_id, Achievement.achieved_on)
    assert dict(db.session.execute(achieved).all()) == {ana: earlier, cy.id: MEETING_ON}
    history = db.session.scalars(select(AchievementChange)
                                 .where(AchievementChange.id > history_before)
                                 .order_by(AchievementChange.user_id))
    assert [(change.user_id, change.achieved_on, change.source) for change in history] == [
        (ana, earlier, "auto"), (ben, None, "auto"), (cy.id, MEETING_ON, "auto")]
    events = db.session.scalars(select(OutboxEvent).where(OutboxEvent.id > events_before)
                                .order_by(OutboxEvent.id))
    # Cy's is news (first-meeting is the track's productivity milestone); a moved one is not
    assert [(event.type, event.rep_id) for event in events] == [
        ("milestone.achieved", cy.id), ("rep.productive", cy.id)]
