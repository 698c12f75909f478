"""cev-learn import quotas|activities: rows become quotas and activity records, matched by
(rep, month) and by external_id, every bad row is named by line, nothing is half-imported,
and an unchanged file writes nothing."""
import datetime as dt
import re

import pytest
from sqlalchemy import event, select

from cev_learn.accounts.models import Role
from cev_learn.cohorts.user_import import ImportFileError
from cev_learn.platform.db import db
from cev_learn.ramp import csv_imports, import_cli
from cev_learn.ramp.import_service import BATCH, import_activities, import_quotas
from cev_learn.ramp.models import ActivityRecord, Quota
from tests.helpers import make_user

ACTIVITIES = "external_id,rep_email,occurred_on,type,quantity,amount"
QUOTAS = "rep_email,month,amount"
TODAY = dt.date(2026, 6, 1)
VALID_ACTIVITIES = "\n".join([
    ACTIVITIES,
    "crm-1,ana@example.com,2026-03-02,call,3,",
    "crm-2,Ana@Example.com,2026-03-03,deal_won,1,12500.50",
    "crm-3,ben@example.com,2026-03-04,Meeting,,",
]) + "\n"
VALID_QUOTAS = "\n".join([
    QUOTAS,
    "ana@example.com,2026-03,50000",
    "ana@example.com,2026-04,55000.5",
    "BEN@example.com,2026-03,0",
]) + "\n"


@pytest.fixture
def reps(app):
    """Two reps, Ana and Ben, and a coach whose email is not a rep's."""
    ana = make_user(Role.REP, email="ana@example.com")
    ben = make_user(Role.REP, email="ben@example.com")
    make_user(Role.COACH, email="kim.coach@example.com")
    return ana, ben


def run_import(app, tmp_path, kind: str, text, *options, encoding="utf-8"):
    """Run the command in the app's own context, as `cev-learn` does (not the test's twin)."""
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    with app.app_context():
        return app.test_cli_runner().invoke(args=["import", kind, str(path), *options])


def records() -> dict[str, tuple]:
    db.session.rollback()
    return {r.external_id: (r.user_id, r.occurred_on, r.type, r.quantity, r.amount, r.source)
            for r in db.session.scalars(select(ActivityRecord))}


def record_ids() -> dict[str, int]:
    db.session.rollback()
    return dict(db.session.execute(select(ActivityRecord.external_id, ActivityRecord.id)).all())


def quotas() -> dict[tuple, float]:
    db.session.rollback()
    return {(q.user_id, q.month): q.amount for q in db.session.scalars(select(Quota))}


class Writes:
    """The INSERT/UPDATE/DELETE statements the app's engine runs inside the block on the
    imported records (activity records and quotas), not on what is worked out from them; an
    INSERT … ON CONFLICT DO UPDATE reads UPSERT."""

    TABLES = re.compile(r"^(INSERT INTO|UPDATE|DELETE FROM) \"?(activity_record|quota)\"?\s",
                        re.I)

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.statements = []

    def _spy(self, _conn, _cursor, statement, *_args):
        if self.TABLES.match(statement.lstrip()):
            self.statements.append("UPSERT" if " ON CONFLICT " in statement.upper()
                                   else statement.split(None, 1)[0].upper())

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._spy)
        return self.statements

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self._spy)


# --- Valid files -------------------------------------------------------------------------

def test_a_valid_activities_file_creates_records_with_defaults(app, tmp_path, reps):
    ana, ben = reps
    result = run_import(app, tmp_path, "activities", VALID_ACTIVITIES, encoding="utf-8-sig")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["activities: 3 created, 0 updated, 0 unchanged"]
    assert result.stderr == ""
    assert records() == {
        "crm-1": (ana.id, dt.date(2026, 3, 2), "call", 3, 0.0, "import"),
        "crm-2": (ana.id, dt.date(2026, 3, 3), "deal_won", 1, 12500.5, "import"),
        "crm-3": (ben.id, dt.date(2026, 3, 4), "meeting", 1, 0.0, "import"),
    }


def test_activity_columns_come_in_any_order_and_quantity_and_amount_may_be_left_out(
        app, tmp_path, reps):
    ana, _ = reps
    text = "TYPE, occurred_on ,rep_email,external_id\ndemo,2026-05-01,ana@example.com,x-9\n"
    result = run_import(app, tmp_path, "activities", text)
    assert result.exit_code == 0, result.output
    assert records() == {"x-9": (ana.id, dt.date(2026, 5, 1), "demo", 1, 0.0, "import")}


def test_a_valid_quotas_file_stores_each_month_on_its_first_day(app, tmp_path, reps):
    ana, ben = reps
    result = run_import(app, tmp_path, "quotas", VALID_QUOTAS, encoding="utf-8-sig")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["quotas: 3 created, 0 updated, 0 unchanged"]
    assert quotas() == {(ana.id, dt.date(2026, 3, 1)): 50000.0,
                        (ana.id, dt.date(2026, 4, 1)): 55000.5,
                        (ben.id, dt.date(2026, 3, 1)): 0.0}


def test_amounts_up_to_the_maximum_are_imported_and_minus_zero_is_zero(app, tmp_path, reps):
    ana, _ = reps
    activities = f"{ACTIVITIES}\nbig,ana@example.com,2026-03-02,deal_won,1,1e12\n" \
                 "nil,ana@example.com,2026-03-02,deal_won,1,-0\n"
    assert run_import(app, tmp_path, "activities", activities).exit_code == 0
    assert {key: str(row[4]) for key, row in records().items()} == {"big": "1000000000000.0",
                                                                    "nil": "0.0"}
    quota = f"{QUOTAS}\nana@example.com,2026-03,1000000000000\n"
    assert run_import(app, tmp_path, "quotas", quota).exit_code == 0
    assert quotas() == {(ana.id, dt.date(2026, 3, 1)): 1e12}


def test_quotas_are_upserted_by_rep_and_month(app, tmp_path, reps):
    ana, ben = reps
    assert run_import(app, tmp_path, "quotas", VALID_QUOTAS).exit_code == 0
    text = "\n".join(["amount,month,rep_email",   # any column order
                      "60000,2026-03,ana@example.com",
                      "55000.5,2026-04,ana@example.com",
                      "1000,2026-05,ben@example.com"])
    result = run_import(app, tmp_path, "quotas", text)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["quotas: 1 created, 1 updated, 1 unchanged"]
    assert quotas() == {(ana.id, dt.date(2026, 3, 1)): 60000.0,
                        (ana.id, dt.date(2026, 4, 1)): 55000.5,
                        (ben.id, dt.date(2026, 3, 1)): 0.0,
                        (ben.id, dt.date(2026, 5, 1)): 1000.0}


# --- Bad rows ----------------------------------------------------------------------------

GOOD_ACTIVITY = "crm-1,ana@example.com,2026-03-02,call,1,0"


@pytest.mark.parametrize("row,message", [
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
    ("crm-2,ana@example.com,02/03/2026,call,1,0",
     "line 3: occurred_on '02/03/2026' is not a date; use YYYY-MM-DD"),
    ("crm-2,ana@example.com,2026-03-02,visit,1,0",
     "line 3: unknown type 'visit'; use call, email, meeting, demo, opportunity or deal_won"),
    ("crm-2,ana@example.com,2026-03-02,call,-1,0",
     "line 3: quantity '-1' must be a whole number of 0 or more"),
    ("crm-2,ana@example.com,2026-03-02,call,2.5,0",
     "line 3: quantity '2.5' must be a whole number of 0 or more"),
    ("crm-2,ana@example.com,2026-03-02,call,two,0",
     "line 3: quantity 'two' must be a whole number of 0 or more"),
    ("crm-2,ana@example.com,2026-03-02,call,1,-10",
     "line 3: amount '-10' must be a number of 0 or more"),
    ("crm-2,ana@example.com,2026-03-02,call,1,$100",
     "line 3: amount '$100' must be a number of 0 or more"),
    ("crm-2,ana@example.com,2026-03-02,call,1,nan",
     "line 3: amount 'nan' must be a number of 0 or more"),
    ("crm-2,ana@example.com,2026-03-02,deal_won,1,1e308",
     "line 3: amount '1e308' is above the maximum of 1,000,000,000,000"),
    ("crm-2,ana@example.com,2026-03-02,deal_won,1,1000000000000.01",
     "line 3: amount '1000000000000.01' is above the maximum of 1,000,000,000,000"),
    ("crm-2,ana@example.com,2026-03-02,deal_won,1,inf",
     "line 3: amount 'inf' is above the maximum of 1,000,000,000,000"),
    ("crm-2,ana@example.com,2026-03-02,call,1,0,extra", "line 3: 7 fields but the header has 6"),
])
def test_each_bad_activity_row_is_named_by_line_and_nothing_is_imported(app, tmp_path, reps,
                                                                        row, message):
    result = run_import(app, tmp_path, "activities", f"{ACTIVITIES}\n{GOOD_ACTIVITY}\n{row}\n")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [message, "Error: 1 bad row; nothing imported"]
    assert records() == {}


GOOD_QUOTA = "ana@example.com,2026-03,50000"


@pytest.mark.parametrize("row,message", [
    (",2026-04,100", "line 3: rep_email is required"),
    ("ana@example.com,,100", "line 3: month is required"),
    ("ana@example.com,2026-04,", "line 3: amount is required"),
    ("ana@example.com,2026-13,100", "line 3: month '2026-13' is not a month; use YYYY-MM"),
    ("ana@example.com,2026-04-01,100",
     "line 3: month '2026-04-01' is not a month; use YYYY-MM"),
    ("ana@example.com,2026-04,-5", "line 3: amount '-5' must be a number of 0 or more"),
    ("ana@example.com,2026-04,lots", "line 3: amount 'lots' must be a number of 0 or more"),
    ("ana@example.com,2026-04,1e308",
     "line 3: amount '1e308' is above the maximum of 1,000,000,000,000"),
    ("ana@example.com,2026-04,-inf", "line 3: amount '-inf' must be a number of 0 or more"),
    ("ghost@example.com,2026-04,100", "line 3: unknown rep ghost@example.com"),
    ("kim.coach@example.com,2026-04,100", "line 3: kim.coach@example.com is a coach, not a rep"),
    ("ANA@example.com,2026-03,60000",
     "line 3: duplicate quota for ana@example.com in 2026-03, already on line 2"),
    ("ana@example.com,2026-04,100,x", "line 3: 4 fields but the header has 3"),
])
def test_each_bad_quota_row_is_named_by_line_and_nothing_is_imported(app, tmp_path, reps, row,
                                                                     message):
    result = run_import(app, tmp_path, "quotas", f"{QUOTAS}\n{GOOD_QUOTA}\n{row}\n")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [message, "Error: 1 bad row; nothing imported"]
    assert quotas() == {}


def test_a_row_can_have_several_problems_and_lines_are_physical_lines(app, tmp_path, reps):
    text = "\r\n".join([
        ACTIVITIES,
        GOOD_ACTIVITY,
        "",                                                      # line 3: blank, skipped
        'crm-2,ana@example.com,2026-03-02,call,1,"12',            # lines 4-5: one row
        '00"',
        "crm-3,ana@example.com,2026-3-2,chat,-1,x",              # line 6
        "crm-4,ghost@example.com,2026-03-02,call",               # line 7: short row, padded
    ])
    result = run_import(app, tmp_path, "activities", text)
    assert result.stderr.splitlines() == [
        "line 4: amount '12\\r\\n00' must be a number of 0 or more",
        "line 6: occurred_on '2026-3-2' is not a date; use YYYY-MM-DD",
        "line 6: unknown type 'chat'; use call, email, meeting, demo, opportunity or deal_won",
        "line 6: quantity '-1' must be a whole number of 0 or more",
        "line 6: amount 'x' must be a number of 0 or more",
        "line 7: unknown rep ghost@example.com",
        "Error: 3 bad rows; nothing imported"]


@pytest.mark.parametrize("kind,content,message", [
    ("activities", b"external_id,rep_email,occurred_on,type\nx,caf\x81@example.com,2026-03-02,call",
     "the file is not readable as Windows-1252 text (byte 0x81 at offset 44); save it as "
     "'CSV UTF-8'"),
    ("activities", b"", "the file is empty"),
    ("quotas", b"\xef\xbb\xbf\r\n \n", "the file is empty"),
    ("activities", b"crm-1,ana@example.com,2026-03-02,call\n",
     "line 1: the columns ('crm-1', 'ana@example.com', '2026-03-02', 'call') match no format "
     "cev_learn knows: neither its own (external_id, rep_email, occurred_on, type, quantity, "
     "amount) nor a CRM export; describe them in a custom mapping"),
    ("quotas", b"ana@example.com,2026-03,100\n",
     "line 1: the columns ('ana@example.com', '2026-03', '100') match no format cev_learn "
     "knows: neither its own (rep_email, month, amount) nor a CRM export; describe them in a "
     "custom mapping"),
    ("activities", b"external_id,rep_email,occurred_on,type,notes\n",
     "unknown column 'notes'; the columns are external_id, rep_email, occurred_on, type, "
     "quantity, amount"),
    ("quotas", b"rep_email,month,amount,currency,region\n",
     "unknown columns 'currency', 'region'; the columns are rep_email, month, amount"),
    ("activities", b"external_id,rep_email,type,amount\n", "missing required column 'occurred_on'"),
    ("quotas", b"rep_email,month\n", "missing required column 'amount'"),
    ("activities", b"external_id,rep_email,occurred_on,type,Type\n", "duplicate column 'type'"),
])
def test_a_bad_file_is_rejected_with_one_reason(app, tmp_path, reps, kind, content, message):
    result = run_import(app, tmp_path, kind, content)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {kind}.csv: {message}\n"
    assert records() == {} and quotas() == {}


def test_a_file_with_too_many_rows_is_rejected(app, tmp_path, reps, monkeypatch):
    monkeypatch.setattr(csv_imports, "MAX_ACTIVITY_ROWS", 2)
    rows = [f"crm-{n},ana@example.com,2026-03-02,call,1,0" for n in range(3)]
    result = run_import(app, tmp_path, "activities", "\n".join([ACTIVITIES, *rows]))
    assert result.stderr == "Error: activities.csv: more than 2 rows; split the file\n"
    assert records() == {}


# --- All or nothing, or skip the bad rows -----------------------------------------------

MIXED = "\n".join([
    ACTIVITIES,
    "crm-1,ana@example.com,2026-03-02,call,1,0",        # updates the stored crm-1
    "crm-2,ghost@example.com,2026-03-02,call,1,0",      # bad: no such rep
    "crm-3,ben@example.com,2026-03-05,demo,2,",
    "crm-4,ben@example.com,2026-03-05,lunch,1,0",       # bad: type
]) + "\n"
MIXED_ERRORS = ["line 3: unknown rep ghost@example.com",
                "line 5: unknown type 'lunch'; use call, email, meeting, demo, opportunity or "
                "deal_won"]
STORED = f"{ACTIVITIES}\ncrm-1,ana@example.com,2026-02-27,email,5,0\n"


def test_by_default_one_bad_row_rejects_the_whole_file(app, tmp_path, reps):
    assert run_import(app, tmp_path, "activities", STORED).exit_code == 0
    before = records()
    result = run_import(app, tmp_path, "activities", MIXED)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [*MIXED_ERRORS, "Error: 2 bad rows; nothing imported"]
    assert records() == before


def test_skip_invalid_imports_the_good_rows_and_lists_the_bad(app, tmp_path, reps):
    ana, ben = reps
    assert run_import(app, tmp_path, "activities", STORED).exit_code == 0
    result = run_import(app, tmp_path, "activities", MIXED, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["activities: 1 created, 1 updated, 0 unchanged"]
    assert result.stderr.splitlines() == [*MIXED_ERRORS, "2 bad rows skipped"]
    assert records() == {"crm-1": (ana.id, dt.date(2026, 3, 2), "call", 1, 0.0, "import"),
                         "crm-3": (ben.id, dt.date(2026, 3, 5), "demo", 2, 0.0, "import")}


def test_skip_invalid_quotas(app, tmp_path, reps):
    ana, _ = reps
    text = f"{QUOTAS}\n{GOOD_QUOTA}\nghost@example.com,2026-03,1\nana@example.com,2026-04,x\n"
    result = run_import(app, tmp_path, "quotas", text, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["quotas: 1 created, 0 updated, 0 unchanged"]
    assert result.stderr.splitlines() == [
        "line 3: unknown rep ghost@example.com",
        "line 4: amount 'x' must be a number of 0 or more", "2 bad rows skipped"]
    assert quotas() == {(ana.id, dt.date(2026, 3, 1)): 50000.0}


def test_the_service_only_flushes_so_the_caller_can_roll_back(app, reps):
    with app.app_context():
        report = import_activities(VALID_ACTIVITIES, skip_invalid=False, today=TODAY)
        assert report.created == 3
        assert db.session.scalar(select(db.func.count(ActivityRecord.id))) == 3
        db.session.rollback()
    assert records() == {}


def test_the_service_raises_for_a_bad_file(app):
    with app.app_context(), pytest.raises(ImportFileError, match="missing required column"):
        import_quotas("rep_email,amount\n", skip_invalid=True, today=TODAY)


# --- Re-importing ------------------------------------------------------------------------

@pytest.mark.parametrize("kind,text,count", [("activities", VALID_ACTIVITIES, 3),
                                             ("quotas", VALID_QUOTAS, 3)])
def test_importing_the_same_file_again_writes_nothing(app, tmp_path, reps, kind, text, count):
    assert run_import(app, tmp_path, kind, text).exit_code == 0
    with Writes(app) as writes:
        result = run_import(app, tmp_path, kind, text.replace("ana@example.com", "ANA@example.com"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{kind}: 0 created, 0 updated, {count} unchanged",
        "Everything was already up to date; nothing written."]
    assert writes == []


def test_reimporting_an_external_id_moves_the_record_in_place(app, tmp_path, reps):
    ana, ben = reps
    assert run_import(app, tmp_path, "activities", VALID_ACTIVITIES).exit_code == 0
    ids = record_ids()
    moved = VALID_ACTIVITIES.replace("crm-1,ana@example.com,2026-03-02,call,3,",
                                     "crm-1,ben@example.com,2026-03-09,call,3,")
    with Writes(app) as writes:
        result = run_import(app, tmp_path, "activities", moved)
    assert result.stdout.splitlines() == ["activities: 0 created, 1 updated, 2 unchanged"]
    assert writes == ["UPDATE"]
    assert record_ids() == ids
    assert records()["crm-1"] == (ben.id, dt.date(2026, 3, 9), "call", 3, 0.0, "import")


def test_a_file_that_creates_and_corrects_records_writes_them_in_one_statement(app, tmp_path,
                                                                              reps):
    ana, ben = reps
    assert run_import(app, tmp_path, "activities", VALID_ACTIVITIES).exit_code == 0
    ids = record_ids()
    both = VALID_ACTIVITIES.replace("crm-1,ana@example.com,2026-03-02,call,3,",
                                    "crm-1,ben@example.com,2026-03-09,call,3,") \
        + "crm-4,ben@example.com,2026-03-10,demo,1,\n"
    with Writes(app) as writes:
        result = run_import(app, tmp_path, "activities", both)
    assert result.stdout.splitlines() == ["activities: 1 created, 1 updated, 2 unchanged"]
    assert writes == ["UPSERT"]  # by external id: the stored one corrected in place
    assert record_ids() == {**ids, "crm-4": record_ids()["crm-4"]}
    assert records()["crm-1"] == (ben.id, dt.date(2026, 3, 9), "call", 3, 0.0, "import")
    assert records()["crm-4"] == (ben.id, dt.date(2026, 3, 10), "demo", 1, 0.0, "import")


def test_the_report_names_the_reps_whose_data_changed(app, reps):
    ana_id, ben_id = (rep.id for rep in reps)
    cy_id = make_user(Role.REP, email="cy@example.com").id
    with app.app_context():
        first = import_activities(VALID_ACTIVITIES, skip_invalid=False, today=TODAY)
        db.session.commit()
        # crm-2 moves from Ana to Cy; crm-1 and crm-3 are unchanged; Ben is not touched.
        again = import_activities(VALID_ACTIVITIES.replace("crm-2,Ana@Example.com",
                                                           "crm-2,cy@example.com"),
                                  skip_invalid=False, today=TODAY)
        quota_report = import_quotas(f"{QUOTAS}\ncy@example.com,2026-03,1\n", skip_invalid=False,
                                     today=TODAY)
        db.session.rollback()
    assert first.touched_rep_ids == {ana_id, ben_id}
    assert again.touched_rep_ids == {ana_id, cy_id}
    assert quota_report.touched_rep_ids == {cy_id}


# --- The command line ---------------------------------------------------------------------

def test_a_progress_bar_shows_on_a_terminal_but_not_in_a_pipe(app, tmp_path, reps,
                                                               monkeypatch):
    result = run_import(app, tmp_path, "activities", VALID_ACTIVITIES)
    assert result.stdout.splitlines() == ["activities: 3 created, 0 updated, 0 unchanged"]
    monkeypatch.setattr(import_cli, "_on_terminal", lambda: True)
    result = run_import(app, tmp_path, "activities", VALID_ACTIVITIES)
    # The runner's stdout is no terminal, so click prints the bar's label alone.
    assert result.stdout.splitlines()[0] == "Importing activities.csv"


def test_a_large_file_is_written_in_a_few_bulk_statements(app, tmp_path, reps):
    ana, ben = reps
    rows = 25_000
    lines = [f"crm-{n:05d},{'ana' if n % 2 else 'ben'}@example.com,2026-03-{1 + n % 28:02d},"
             f"{('call', 'demo', 'deal_won')[n % 3]},{n % 4},{n % 1000}.25" for n in range(rows)]
    with Writes(app) as writes:
        result = run_import(app, tmp_path, "activities", "\n".join([ACTIVITIES, *lines]))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"activities: {rows} created, 0 updated, 0 unchanged"]
    batches = -(-rows // BATCH)
    assert writes == ["INSERT"] * batches
    stored = records()
    assert len(stored) == rows
    assert stored["crm-00000"] == (ben.id, dt.date(2026, 3, 1), "call", 0, 0.25, "import")
    assert stored["crm-24999"] == (ana.id, dt.date(2026, 3, 24), "call", 3, 999.25, "import")

    changed = [line.replace(".25", ".75") if n % 10 == 0 else line for n, line in enumerate(lines)]
    with Writes(app) as writes:
        result = run_import(app, tmp_path, "activities", "\n".join([ACTIVITIES, *changed]))
    assert result.stdout.splitlines() == ["activities: 0 created, 2500 updated, 22500 unchanged"]
    assert writes == ["UPDATE"] * batches
    assert records()["crm-00010"][4] == 10.75 and records()["crm-00011"][4] == 11.25
