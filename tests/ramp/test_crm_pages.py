"""CRM exports on the upload page, the command line and the API: the check page says how it
read the file and shows its first rows as they will be stored; names the CRM uses are matched
to reps there (never guessed); a file no format knows is described in a saved mapping and
checked again; `--mapping` and `?mapping=` choose one; nothing is stored before the import."""
import html
import io
import re

import pytest
from sqlalchemy import select

from cev_learn.accounts.api_tokens import Scope
from cev_learn.accounts.models import Role
from cev_learn.platform.db import db
from cev_learn.ramp.models import ActivityRecord, CrmPerson, ImportMapping
from cev_learn.ramp.pending_imports import PendingImport
from tests.api.helpers import token_for
from tests.helpers import login, make_user, post_form
from tests.factories import make_cohort

PAGE = "/ramp/import"
TOKEN = re.compile(r'name="token" type="hidden" value="([^"]+)"')
SALESFORCE = (
    '"Assigned","Activity Type","Date","Subject","Priority"\r\n'
    '"Ana Rep","Logged Call","11/20/2026","Intro call","Normal"\r\n'
    '"Ana Rep","Event","11/21/2026","Discovery","High"\r\n'
    '"Ben Rep","Task","11/22/2026","Send deck","Normal"\r\n'
    '"Bo Unknown","Logged Call","11/23/2026","Cold call","Normal"\r\n'
    '\r\n'
    '"Activities report"\r\n'
    '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\r\n')
GERMAN = ("Mitarbeiter;Datum;Art;Betrag\r\n"
          "ana@example.com;20.11.2026;Anruf;\r\n"
          "ana@example.com;21.11.2026;Termin;1.250,50 €\r\n")


@pytest.fixture
def people(app, synced_track):
    ana = make_user(Role.REP, email="ana@example.com", name="Ana Rep")
    ben = make_user(Role.REP, email="ben@example.com", name="Ben Rep")
    make_cohort(reps=[ana, ben])
    return ana, ben


@pytest.fixture
def manager(client):
    user = make_user(Role.MANAGER, email="mia.manager@example.com")
    login(client, user.email)
    return user


def check(client, content: bytes, kind="activities", **fields):
    return post_form(client, PAGE, {"kind": kind, "file": (io.BytesIO(content), "export.csv"),
                                    **fields}, token_from=PAGE)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def stored() -> dict:
    db.session.rollback()
    return {r.external_id: (r.user_id, r.occurred_on, r.type, r.amount)
            for r in db.session.scalars(select(ActivityRecord))}


def test_a_salesforce_report_shows_how_it_was_read_and_asks_for_the_names_it_cannot_match(
        client, manager, people):
    response = check(client, SALESFORCE.encode("utf-16"))
    page = text(response)
    assert response.status_code == 400
    facts = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", page))
    assert facts["Format"] == "Salesforce activity report"
    assert facts["Encoding"] == "UTF-16 (little-endian)"
    assert facts["Separated by"] == "comma" and facts["Header"] == "line 1"
    assert facts["Dates read as"] == "MM/DD/YYYY (11/20/2026)"
    assert facts["Footer lines left out"] == "2"
    assert facts["Left out: Activity Type: Task (not counted)"] == "1"
    assert "<td>ana@example.com</td><td>2026-11-20</td><td>call</td>" in page
    assert "<td>ana@example.com</td><td>2026-11-21</td><td>meeting</td>" in page
    assert ("Assigned 'Bo Unknown': no account has this name; match it to a rep on the check "
            "page or with `cev-learn import match`") in page
    assert '<input type="hidden" name="crm_name" value="Bo Unknown">' in page
    assert stored() == {}


def test_matching_a_name_checks_the_file_again_and_then_it_imports(client, manager, people):
    ana, ben = people
    token = TOKEN.search(text(check(client, SALESFORCE.encode()))).group(1)
    matched = post_form(client, "/ramp/import/people", {
        "token": token, "source": "salesforce", "crm_name": "Bo Unknown",
        "email": "BEN@example.com"}, token_from=PAGE)
    page = text(matched)
    assert matched.status_code == 200
    assert "The checked file is ready to import" in page and ">Import 3 rows</button>" in page
    [person] = db.session.scalars(select(CrmPerson)).all()
    assert (person.source, person.crm_key, person.label, person.user_id) == (
        "salesforce", "bo unknown", "Bo Unknown", ben.id)
    assert stored() == {}
    confirmed = post_form(client, "/ramp/import/confirm", {"token": token}, token_from=PAGE)
    assert confirmed.status_code == 302
    assert sorted((user, day.isoformat(), kind) for user, day, kind, _ in stored().values()) == [
        (ana.id, "2026-11-20", "call"), (ana.id, "2026-11-21", "meeting"),
        (ben.id, "2026-11-23", "call")]
    again = check(client, SALESFORCE.encode())  # the same export next week: nothing new
    assert "Everything in it is stored already" in text(again) or \
        "Everything in export.csv is stored already" in text(again)


def test_a_name_cannot_be_matched_to_someone_outside_the_managers_territory(client, people):
    mae = make_user(Role.MANAGER, email="mae@example.com", territory="EMEA")
    outsider = make_user(Role.REP, email="out@example.com", name="Out Sider")
    make_cohort(reps=[outsider], territory="DACH")
    make_cohort(reps=[make_user(Role.REP, email="in@example.com", name="Bo Unknown")],
                territory="EMEA")
    login(client, mae.email)
    content = SALESFORCE.replace("Ana Rep", "Bo Unknown").replace("Ben Rep", "Bo Unknown")
    token = TOKEN.search(text(check(client, content.replace('"Bo Unknown","Logged Call","11/23',
                                                            '"Zed Nobody","Logged Call","11/23')
                                    .encode()))).group(1)
    for email in ("out@example.com", "nobody@example.com"):
        refused = post_form(client, "/ramp/import/people", {
            "token": token, "source": "salesforce", "crm_name": "Zed Nobody", "email": email},
            token_from=PAGE)
        assert refused.status_code == 400
        assert f"Zed Nobody: {email} is not a rep you manage" in text(refused)
    assert db.session.scalars(select(CrmPerson)).all() == []


def test_an_ambiguous_name_is_a_bad_row_never_a_guess(client, manager, people):
    make_cohort(reps=[make_user(Role.REP, email="ana.two@example.com", name="Ana  rep")])
    page = text(check(client, SALESFORCE.encode()))
    assert ("Assigned 'Ana Rep': 2 people have this name; match it to a rep on the check page"
            in page)
    assert stored() == {}


def test_an_unknown_export_is_described_in_a_mapping_and_checked_again(client, manager, people):
    response = check(client, GERMAN.encode("cp1252"))
    page = text(response)
    assert response.status_code == 400
    assert "match no format cev_learn knows" in page
    [pending] = db.session.scalars(select(PendingImport)).all()
    form = text(post_form(client, "/ramp/import/mappings/new", {
        "token": pending.token, "kind": "activities", "describe": "1"}, token_from=PAGE))
    assert "<code>Mitarbeiter</code>, <code>Datum</code>, <code>Art</code>" in form
    saved = post_form(client, "/ramp/import/mappings/new", {
        "token": pending.token, "name": "Acme CRM", "kind": "activities", "source": "acme",
        "person": "email", "dates": "DD.MM.YYYY", "decimal": ",",
        "column_rep": "Mitarbeiter", "column_occurred_on": "Datum", "column_type": "Art",
        "column_amount": "Betrag", "types": "Anruf = call\nTermin = meeting",
        "won_stages": "Closed Won"}, token_from="/ramp/import/mappings/new")
    page = text(saved)
    assert saved.status_code == 200, page
    assert "The checked file is ready to import" in page
    assert "<dt>Format</dt><dd>Acme CRM</dd>" in page and "<dd>Windows-1252</dd>" in page
    assert "<td>ana@example.com</td><td>2026-11-21</td><td>meeting</td><td>—</td><td>1250.50</td>" \
        in page
    assert db.session.scalar(select(ImportMapping.name)) == "Acme CRM"
    # The next file of that source is recognised by its columns.
    again = text(check(client, GERMAN.encode("cp1252")))
    assert "<dt>Format</dt><dd>Acme CRM</dd>" in again


def test_a_mapping_with_a_bad_type_line_or_a_preset_name_is_refused(client, manager):
    for fields, message in (
            ({"name": "salesforce-activities"}, "is a built-in format; choose another name"),
            ({"types": "Anruf call"}, "Activity types, line 1: write it as"),
            ({"types": "Anruf = lunch"}, "'lunch' is not an activity type"),
            ({"column_type": ""}, "choose the column of Activity type")):
        response = post_form(client, "/ramp/import/mappings/new", {
            "name": "Acme CRM", "kind": "activities", "source": "acme", "person": "email",
            "dates": "auto", "decimal": "auto", "column_rep": "Mitarbeiter",
            "column_occurred_on": "Datum", "column_type": "Art", **fields},
            token_from="/ramp/import/mappings/new")
        assert response.status_code == 400
        assert message in text(response)
    assert db.session.scalars(select(ImportMapping)).all() == []


def test_the_command_line_reads_exports_with_or_without_a_mapping(app, tmp_path, people):
    ana, ben = people
    path = tmp_path / "report.csv"
    path.write_text(SALESFORCE.replace("Bo Unknown", "Ben Rep"), encoding="utf-8-sig")
    runner = app.test_cli_runner()
    wrong = runner.invoke(args=["import", "activities", str(path), "--mapping", "hubspot-deals"])
    assert wrong.exit_code == 1
    assert ("the columns match no format; the closest is HubSpot deals export, which also "
            "needs 'Deal owner', 'Deal Stage', 'Close Date', 'Amount'") in wrong.stderr
    done = runner.invoke(args=["import", "activities", str(path)])
    assert done.exit_code == 0, done.output
    assert done.stdout == "activities: 3 created, 0 updated, 0 unchanged\n"
    assert ("Read as Salesforce activity report (UTF-8 with byte order mark, comma-separated, "
            "header on line 1, dates MM/DD/YYYY (11/20/2026))") in done.stderr
    assert "left out: 1 row of Activity Type: Task (not counted)" in done.stderr
    assert len(stored()) == 3
    listed = runner.invoke(args=["import", "mappings"])
    assert "salesforce-opportunities\tSalesforce opportunity report" in listed.stdout


def test_the_command_line_matches_a_crm_name_to_a_rep(app, tmp_path, people):
    _, ben = people
    runner = app.test_cli_runner()
    path = tmp_path / "report.csv"
    path.write_text(SALESFORCE)
    refused = runner.invoke(args=["import", "activities", str(path)])
    assert refused.exit_code == 1 and "Names that match no account (salesforce): Bo Unknown" \
        in refused.stderr
    matched = runner.invoke(args=["import", "match", "salesforce", "Bo Unknown",
                                  "ben@example.com"])
    assert matched.exit_code == 0 and matched.stdout == "salesforce: 'Bo Unknown' is ben@example.com\n"
    assert runner.invoke(args=["import", "activities", str(path)]).exit_code == 0
    assert sum(1 for user, *_ in stored().values() if user == ben.id) == 1


def test_the_api_takes_the_export_itself(client, people):
    admin = make_user(Role.ADMIN)
    headers = {"Authorization": f"Bearer {token_for(admin, Scope.WRITE)}"}
    body = SALESFORCE.replace("Bo Unknown", "Ben Rep").encode()
    json_body = client.post("/api/v1/imports/activities", json={"x": 1}, headers=headers)
    assert json_body.status_code == 415
    done = client.post("/api/v1/imports/activities", data=body, content_type="text/csv",
                       headers=headers)
    assert done.status_code == 200, done.json
    assert done.json == {
        "received": 3, "created": 3, "updated": 0, "unchanged": 0,
        "skipped": {"Activity Type: Task (not counted)": 1}, "achievements_changed": 0,
        "shape": {"encoding": "UTF-8", "delimiter": "comma", "header_line": 1,
                  "mapping": "salesforce-activities", "dates": "MM/DD/YYYY (11/20/2026)",
                  "footer_lines": 2}}
    again = client.post("/api/v1/imports/activities?mapping=salesforce-activities", data=body,
                        content_type="text/csv", headers=headers)
    assert (again.json["created"], again.json["unchanged"]) == (0, 3)


def test_the_api_refuses_a_bad_export_and_stores_nothing(client, people):
    admin = make_user(Role.ADMIN)
    headers = {"Authorization": f"Bearer {token_for(admin, Scope.WRITE)}"}
    bad = client.post("/api/v1/imports/activities", data=SALESFORCE.encode(),
                      content_type="text/csv", headers=headers)
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert bad.json["errors"] == [{"pointer": "/lines/5/rep_email", "detail": (
        "Assigned 'Bo Unknown': no account has this name; match it to a rep on the check page "
        "or with `cev-learn import match`")}]
    unknown = client.post("/api/v1/imports/activities?mapping=nope", data=SALESFORCE.encode(),
                          content_type="text/csv", headers=headers)
    assert unknown.status_code == 422
    assert unknown.json["detail"] == "there is no mapping called 'nope' for activities"
    assert stored() == {}
