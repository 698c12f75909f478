"""/ramp/import: managers and admins check a quotas.csv or activities.csv file, see what it
would change and every bad row, then import it; checking stores nothing, and the checked file
waits for its uploader only, for an hour, once."""
import datetime as dt
import html
import io
import re

import pytest
from sqlalchemy import func, select, update
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from cev_learn.accounts.models import Role, User
from cev_learn.content.models import Milestone
from cev_learn.platform.db import db, utcnow
from cev_learn.ramp.import_service import import_activities, import_quotas
from cev_learn.ramp.models import Achievement, ActivityRecord, Quota
from cev_learn.ramp.pending_imports import PendingImport
from tests.helpers import csrf_token, login, make_user, post_form
from tests.content.trees import good_track
from tests.factories import make_cohort

PAGE = "/ramp/import"
CONFIRM = "/ramp/import/confirm"
ACTIVITIES = "external_id,rep_email,occurred_on,type,quantity,amount"
QUOTAS = "rep_email,month,amount"
STORED = f"{ACTIVITIES}\ncrm-1,ana@example.com,2026-02-27,email,5,0\n"
# Against STORED: crm-1 changes, crm-2 is new, crm-3 is new for Ben.
VALID = "\n".join([
    ACTIVITIES,
    "crm-1,ana@example.com,2026-03-02,call,3,",
    "crm-2,Ana@Example.com,2026-03-03,deal_won,1,12500.50",
    "crm-3,ben@example.com,2026-03-04,Meeting,,",
]) + "\n"
TOKEN = re.compile(r'name="token" type="hidden" value="([^"]+)"')


@pytest.fixture
def reps(app):
    """Two reps, Ana and Ben, and a coach whose email is not a rep's."""
    ana = make_user(Role.REP, email="ana@example.com")
    ben = make_user(Role.REP, email="ben@example.com")
    make_user(Role.COACH, email="kim.coach@example.com")
    return ana, ben


@pytest.fixture
def manager(client):
    user = make_user(Role.MANAGER, email="mia.manager@example.com")
    login(client, user.email)
    return user


def check(client, content, kind="activities", filename=None, **fields):
    content = content.encode() if isinstance(content, str) else content
    data = {"kind": kind, "file": (io.BytesIO(content), filename or f"{kind}.csv"), **fields}
    return post_form(client, PAGE, data, token_from=PAGE)


def confirm(client, token):
    return post_form(client, CONFIRM, {"token": token}, token_from=PAGE)


def checked_token(client, content, kind="activities", **fields) -> str:
    response = check(client, content, kind, **fields)
    assert response.status_code == 200, response.get_data(as_text=True)
    return TOKEN.search(response.get_data(as_text=True)).group(1)


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def records() -> dict[str, tuple]:
    db.session.rollback()
    return {r.external_id: (r.user_id, r.occurred_on, r.type, r.quantity, r.amount)
            for r in db.session.scalars(select(ActivityRecord))}


def quotas() -> dict[tuple, float]:
    db.session.rollback()
    return {(q.user_id, q.month): q.amount for q in db.session.scalars(select(Quota))}


def store(content: str, kind="activities"):
    """Put rows in the database with the import service, as the command line does."""
    importer = import_activities if kind == "activities" else import_quotas
    assert importer(content, skip_invalid=False, today=dt.date.today()).imported
    db.session.commit()


def flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as cookie:
        return cookie.get("_flashes", [])


def bad_row(line_and_message: str) -> str:
    line, message = line_and_message.split(": ", 1)
    return f"<tr><td>{line}</td><td>{message}</td></tr>"


# --- The page ----------------------------------------------------------------------------

def test_the_page_explains_both_formats_and_offers_to_check_a_file(client, manager):
    response = client.get(PAGE)
    page = page_text(response)
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in page and 'action="/ramp/import"' in page
    assert ">Check file</button>" in page
    assert '<a class="button button--secondary" href="/ramp">Cancel</a>' in page
    assert "Skip invalid rows" in page
    assert ACTIVITIES in page and QUOTAS in page
    assert "crm-10442,ana.rep@example.com,2026-03-04,meeting,1," in page
    assert "ana.rep@example.com,2026-03,50000" in page
    assert "YYYY-MM" in page and "blank or left out means 1" in page
    assert "blank or left out means 0" in page and "at most 16 MiB" in page
    assert "<code>deal_won</code>" in page


def test_admins_may_use_it_too(client, reps):
    login(client, make_user(Role.ADMIN).email)
    assert client.get(PAGE).status_code == 200
    assert confirm(client, checked_token(client, VALID)).status_code == 302
    assert len(records()) == 3


@pytest.mark.parametrize("role", [Role.COACH, Role.REP])
def test_coaches_and_reps_may_not_use_it(client, reps, role):
    login(client, make_user(role).email)
    assert client.get(PAGE).status_code == 403
    assert check(client, VALID).status_code == 403
    assert confirm(client, "any").status_code == 403
    assert records() == {} and count(PendingImport) == 0


# --- Checking stores nothing ---------------------------------------------------------------

def test_checking_shows_what_the_file_would_change_and_stores_nothing(client, manager, reps):
    store(STORED)
    before, quota_rows = records(), count(Quota)
    response = check(client, VALID)
    page = page_text(response)
    assert response.status_code == 200
    assert "activities.csv is ready to import" in page
    facts = dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", page))
    assert facts == {"Rows to create": "2", "Rows to update": "1", "Rows unchanged": "0",
                     "Reps touched": "2"}
    assert ">Import 3 rows</button>" in page
    assert '<a class="button button--secondary" href="/ramp/import">Check another file</a>' in page
    assert records() == before and count(Quota) == quota_rows
    [pending] = db.session.scalars(select(PendingImport)).all()
    assert (pending.user_id, pending.kind, pending.skip_invalid) == (manager.id, "activities",
                                                                     False)
    assert TOKEN.search(page).group(1) == pending.token and len(pending.token) >= 40


def test_a_file_already_stored_has_nothing_to_import(client, manager, reps):
    store(VALID)
    response = check(client, VALID.replace("ben@example.com", "BEN@example.com"))
    page = page_text(response)
    assert response.status_code == 200
    assert "Everything in activities.csv is stored already (3 rows unchanged)" in page
    assert "ready to import" not in page and count(PendingImport) == 0


def test_checking_again_replaces_the_older_checked_file(client, manager, reps):
    first = checked_token(client, VALID)
    second = checked_token(client, VALID)
    assert first != second and count(PendingImport) == 1
    assert confirm(client, first).status_code == 404
    assert records() == {}


# --- Confirming --------------------------------------------------------------------------

def test_confirming_imports_the_rows_and_recomputes_milestones(app, client, manager, reps,
                                                               tmp_path):
    ana, _ = reps
    result = app.test_cli_runner().invoke(
        args=["content", "sync", str(good_track(tmp_path / "courses"))])
    assert result.exit_code == 0, result.output
    make_cohort(reps=[ana])  # started ten days ago; first-meeting needs one meeting
    met_on = dt.date.today() - dt.timedelta(days=3)
    token = checked_token(client, f"{ACTIVITIES}\ncrm-9,ana@example.com,{met_on},meeting,,\n")
    assert count(Achievement) == 0

    response = confirm(client, token)
    assert response.status_code == 302 and response.headers["Location"] == "/ramp"
    assert flashes(client) == [("success", "Imported 1 row: 1 created, 0 updated, 0 unchanged.")]
    assert records() == {"crm-9": (ana.id, met_on, "meeting", 1, 0.0)}
    meeting = db.session.scalar(select(Milestone).where(Milestone.slug == "first-meeting"))
    [achievement] = db.session.scalars(select(Achievement)).all()
    assert (achievement.user_id, achievement.milestone_id, achievement.achieved_on) == (
        ana.id, meeting.id, met_on)
    assert count(PendingImport) == 0


def test_confirming_a_quotas_file_stores_each_month(client, manager, reps):
    ana, ben = reps
    store(f"{QUOTAS}\nana@example.com,2026-03,40000\n", kind="quotas")
    content = f"{QUOTAS}\nana@example.com,2026-03,50000\nBEN@example.com,2026-04,0\n"
    response = check(client, content, kind="quotas")
    assert ">Import 2 rows</button>" in page_text(response)
    assert quotas() == {(ana.id, dt.date(2026, 3, 1)): 40000.0}
    assert confirm(client, TOKEN.search(page_text(response)).group(1)).status_code == 302
    assert flashes(client) == [("success", "Imported 2 rows: 1 created, 1 updated, 0 unchanged.")]
    assert quotas() == {(ana.id, dt.date(2026, 3, 1)): 50000.0,
                        (ben.id, dt.date(2026, 4, 1)): 0.0}


def test_a_rep_removed_after_the_check_stops_the_import(client, manager, reps):
    _, ben = reps
    token = checked_token(client, VALID)
    db.session.delete(db.session.get(User, ben.id))
    db.session.commit()
    response = confirm(client, token)
    page = page_text(response)
    assert response.status_code == 400
    assert "The data changed since the file was checked: it now has 1 bad row" in page
    assert bad_row("line 4: unknown rep ben@example.com") in page
    assert records() == {}


# --- Bad rows ----------------------------------------------------------------------------

GOOD_ACTIVITY = "crm-1,ana@example.com,2026-03-02,call,1,0"
GOOD_QUOTA = "ana@example.com,2026-03,50000"
BAD_ACTIVITIES = [
    (",ana@example.com,2026-03-02,call,1,0", "line 3: external_id is required"),
    ("crm-2,,2026-03-02,call,1,0", "line 3: rep_email is required"),
    ("crm-2,ana@example.com,,call,1,0", "line 3: occurred_on is required"),
    ("crm-2,ana@example.com,2026-03-02,,1,0", "line 3: type is required"),
    (f"{'x' * 201},ana@example.com,2026-03-02,call,1,0",
     "line 3: external_id is longer than 200 characters"),
    ("crm-1,ana@example.com,2026-03-09,email,1,0",
     "line 3: duplicate external_id 'crm-1', already on line 2"),
    ("crm-2,ghost@example.com,2026-03-02,call,1,0", "line 3: unknown rep ghost@example.com"),
    ("crm-2,Kim.Coach@example.com,2026-03-02,call,1,0",
     "line 3: kim.coach@example.com is a coach, not a rep"),
    ("crm-2,ana@example.com,2026-02-30,call,1,0",
     "line 3: occurred_on '2026-02-30' is not a date; use YYYY-MM-DD"),
    ("crm-2,ana@example.com,2026-03-02,visit,1,0",
     "line 3: unknown type 'visit'; use call, email, meeting, demo, opportunity or deal_won"),
    ("crm-2,ana@example.com,2026-03-02,call,2.5,0",
     "line 3: quantity '2.5' must be a whole number of 0 or more"),
    ("crm-2,ana@example.com,2026-03-02,call,1,-10",
     "line 3: amount '-10' must be a number of 0 or more"),
    ("crm-2,ana@example.com,2026-03-02,call,1,0,extra", "line 3: 7 fields but the header has 6"),
]
BAD_QUOTAS = [
    (",2026-04,100", "line 3: rep_email is required"),
    ("ana@example.com,,100", "line 3: month is required"),
    ("ana@example.com,2026-04,", "line 3: amount is required"),
    ("ana@example.com,2026-13,100", "line 3: month '2026-13' is not a month; use YYYY-MM"),
    ("ana@example.com,2026-04,lots", "line 3: amount 'lots' must be a number of 0 or more"),
    ("ghost@example.com,2026-04,100", "line 3: unknown rep ghost@example.com"),
    ("kim.coach@example.com,2026-04,100", "line 3: kim.coach@example.com is a coach, not a rep"),
    ("ANA@example.com,2026-03,60000",
     "line 3: duplicate quota for ana@example.com in 2026-03, already on line 2"),
    ("ana@example.com,2026-04,100,x", "line 3: 4 fields but the header has 3"),
]


@pytest.mark.parametrize("kind,content,message", [
    *[("activities", f"{ACTIVITIES}\n{GOOD_ACTIVITY}\n{row}\n", message)
      for row, message in BAD_ACTIVITIES],
    *[("quotas", f"{QUOTAS}\n{GOOD_QUOTA}\n{row}\n", message) for row, message in BAD_QUOTAS],
])
def test_each_bad_row_is_listed_by_line_and_nothing_can_be_imported(client, manager, reps,
                                                                    kind, content, message):
    response = check(client, content, kind)
    page = page_text(response)
    assert response.status_code == 400
    assert f"{kind}.csv: 1 bad row; nothing can be imported." in page
    assert bad_row(message) in page
    assert "ready to import" not in page and not TOKEN.search(page)
    assert records() == {} and quotas() == {} and count(PendingImport) == 0


MIXED = "\n".join([
    ACTIVITIES,
    "crm-1,ana@example.com,2026-03-02,call,1,0",        # updates the stored crm-1
    "crm-2,ghost@example.com,2026-03-02,call,1,0",      # bad: no such rep
    "crm-3,ben@example.com,2026-03-05,demo,2,",
    "crm-4,ben@example.com,2026-3-5,lunch,1,0",         # bad: date and type
]) + "\n"
MIXED_ERRORS = ["line 3: unknown rep ghost@example.com",
                "line 5: occurred_on '2026-3-5' is not a date; use YYYY-MM-DD",
                "line 5: unknown type 'lunch'; use call, email, meeting, demo, opportunity or "
                "deal_won"]


def test_every_bad_row_is_listed_with_the_count(client, manager, reps):
    store(STORED)
    before = records()
    response = check(client, MIXED)
    page = page_text(response)
    assert response.status_code == 400
    assert "activities.csv: 2 bad rows; nothing can be imported." in page
    assert re.findall(r"<tr><td>line \d+</td><td>.*?</td></tr>", page) == [
        bad_row(error) for error in MIXED_ERRORS]
    assert records() == before and count(PendingImport) == 0


def test_skip_invalid_previews_and_imports_the_good_rows_and_lists_the_bad(client, manager,
                                                                          reps):
    ana, ben = reps
    store(STORED)
    response = check(client, MIXED, skip_invalid="y")
    page = page_text(response)
    assert response.status_code == 200
    assert "2 bad rows will be skipped" in page
    assert all(bad_row(error) in page for error in MIXED_ERRORS)
    assert ">Import 2 rows</button>" in page
    assert "<dt>Bad rows skipped</dt><dd>2</dd>" in page

    assert confirm(client, TOKEN.search(page).group(1)).status_code == 302
    assert flashes(client) == [("warning", "Imported 2 rows: 1 created, 1 updated, 0 unchanged; "
                                           "2 bad rows skipped.")]
    assert records() == {"crm-1": (ana.id, dt.date(2026, 3, 2), "call", 1, 0.0),
                         "crm-3": (ben.id, dt.date(2026, 3, 5), "demo", 2, 0.0)}


def test_skip_invalid_with_only_bad_rows_has_nothing_to_import(client, manager, reps):
    response = check(client, f"{QUOTAS}\nghost@example.com,2026-03,1\n", "quotas",
                     skip_invalid="y")
    page = page_text(response)
    assert response.status_code == 400
    assert "1 bad row, and no other row would change anything" in page
    assert bad_row("line 2: unknown rep ghost@example.com") in page
    assert count(PendingImport) == 0


# --- Bad files and forms ------------------------------------------------------------------

@pytest.mark.parametrize("kind,content,filename,field,message", [
    ("activities", None, None, "file", "Choose a file to check."),
    ("activities", b"", "", "file", "Choose a file to check."),
    ("activities", VALID.encode(), "activities.xlsx", "file", "Choose a .csv, .txt or .tsv file."),
    ("activities", b"external_id,rep_email,occurred_on,type\nx,caf\x81@example.com,2026-03-02,call",
     "crm.csv", "file", "crm.csv: the file is not readable as Windows-1252 text (byte 0x81 at "
                        "offset 44); save it as 'CSV UTF-8'"),
    ("quotas", b"\xef\xbb\xbf\r\n \n", "quotas.csv", "file", "quotas.csv: the file is empty"),
    ("activities", b"external_id,rep_email,occurred_on,type,notes\n", "activities.csv", "file",
     "activities.csv: unknown column 'notes'; the columns are external_id, rep_email, "
     "occurred_on, type, quantity, amount"),
    ("quotas", b"rep_email,month\n", "quotas.csv", "file",
     "quotas.csv: missing required column 'amount'"),
    ("quotas", VALID.encode(), "activities.csv", "file",
     "activities.csv: unknown columns 'external_id', 'occurred_on', 'type', 'quantity'; "
     "the columns are rep_email, month, amount"),
    ("users", VALID.encode(), "activities.csv", "kind", "Choose activities or quotas."),
    ("", VALID.encode(), "activities.csv", "kind", "Choose activities or quotas."),
])
def test_a_bad_upload_is_named_next_to_its_field_and_stores_nothing(client, manager, reps, kind,
                                                                    content, filename, field,
                                                                    message):
    data = {"kind": kind}
    if content is not None:
        data["file"] = (io.BytesIO(content), filename)
    response = post_form(client, PAGE, data, token_from=PAGE)
    page = page_text(response)
    assert response.status_code == 400
    assert f'id="{field}-error">{message}</p>' in page
    assert '<div class="error-summary" role="alert"' in page
    assert records() == {} and quotas() == {} and count(PendingImport) == 0


def test_a_file_whose_columns_match_no_format_names_the_formats_and_offers_a_mapping(
        client, manager, reps):
    response = post_form(client, PAGE, {"kind": "activities", "file": (
        io.BytesIO(b"crm-1,ana@example.com,2026-03-02,call\n"), "activities.csv")},
        token_from=PAGE)
    page = page_text(response)
    assert response.status_code == 400
    assert ('id="file-error">activities.csv: line 1: the columns (\'crm-1\', '
            "'ana@example.com', '2026-03-02', 'call') match no format cev_learn knows: neither "
            "its own (external_id, rep_email, occurred_on, type, quantity, amount) nor a CRM "
            "export; describe them in a custom mapping</p>") in page
    [pending] = db.session.scalars(select(PendingImport)).all()  # only to describe it
    assert f'<input type="hidden" name="token" value="{pending.token}">' in page
    assert pending.token not in re.sub(r'<input type="hidden" name="token" value="[^"]+">', "",
                                       page)  # never in an address
    assert records() == {}


def test_an_export_close_to_a_preset_names_it_and_the_columns_it_lacks(client, manager, reps):
    content = b'"Assigned","Subject","Priority"\n"Ana Rep","Intro","Normal"\n'
    response = post_form(client, PAGE, {"kind": "activities",
                                        "file": (io.BytesIO(content), "report.csv")},
                         token_from=PAGE)
    page = page_text(response)
    assert response.status_code == 400
    assert ("report.csv: the columns match no format; the closest is Salesforce activity "
            "report, which also needs 'Date', 'Activity Type'") in page
    assert records() == {}


def test_a_file_over_the_size_limit_gets_the_413_page(client, manager, reps):
    limit = client.application.config["MAX_CONTENT_LENGTH"]
    assert limit == 16 * 1024 * 1024
    # Encoded in memory: the test client would spool a body this big to an unclosed file.
    boundary, body = encode_multipart({
        "csrf_token": csrf_token(client, PAGE), "kind": "activities",
        "file": FileStorage(io.BytesIO(VALID.encode() + b"x" * limit), "activities.csv")})
    response = client.post(PAGE, data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    page = page_text(response)
    assert response.status_code == 413
    assert "Too large" in page and "The file is larger than 16 MiB" in page
    assert records() == {} and count(PendingImport) == 0


# --- The checked file: whose, how long, how often -----------------------------------------

def test_another_users_token_is_not_found_and_imports_nothing(client, manager, reps):
    token = checked_token(client, VALID)
    other = client.application.test_client()
    login(other, make_user(Role.ADMIN).email)
    response = confirm(other, token)
    assert response.status_code == 404
    assert "checked by someone else" in page_text(response)
    assert records() == {}
    assert confirm(client, token).status_code == 302  # still there for its uploader


def test_a_token_works_once(client, manager, reps):
    token = checked_token(client, VALID)
    assert confirm(client, token).status_code == 302
    before = records()
    assert len(before) == 3
    assert confirm(client, token).status_code == 404
    assert records() == before


def test_a_token_expires_after_an_hour(client, manager, reps):
    token = checked_token(client, VALID)
    db.session.execute(update(PendingImport).values(
        created_at=utcnow() - dt.timedelta(minutes=61)))
    db.session.commit()
    response = confirm(client, token)
    assert response.status_code == 404
    assert "more than an hour ago" in page_text(response)
    assert records() == {}


@pytest.mark.parametrize("token", ["forged-token", ""])
def test_a_forged_or_missing_token_is_not_found(client, manager, reps, token):
    checked_token(client, VALID)
    assert confirm(client, token).status_code == 404
    assert records() == {}


def test_forms_without_a_csrf_token_are_rejected(client, manager, reps):
    response = client.post(PAGE, data={"kind": "activities",
                                       "file": (io.BytesIO(VALID.encode()), "activities.csv")})
    assert response.status_code == 400
    assert "did not come from cev_learn" in page_text(response)
    assert count(PendingImport) == 0
    token = checked_token(client, VALID)
    assert client.post(CONFIRM, data={"token": token}).status_code == 400
    assert records() == {} and count(PendingImport) == 1


def test_a_file_full_of_bad_rows_lists_the_first_500_and_counts_the_rest(app):
    manager = make_user(Role.MANAGER)
    client = app.test_client()
    login(client, manager.email)
    lines = ["external_id,rep_email,occurred_on,type,quantity,amount"]
    lines += [f"x{n},ghost@example.com,2026-01-05,call,1,0" for n in range(700)]
    response = client.post("/ramp/import", data={
        "csrf_token": csrf_token(client, "/ramp/import"), "kind": "activities",
        "file": (io.BytesIO("\n".join(lines).encode()), "activities.csv")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert page.count("<td>line ") == 500
    assert "… and 200 more bad rows" in page
