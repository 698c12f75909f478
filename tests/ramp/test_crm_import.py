"""CRM exports as they come (crm_import.import_file): the realistic Salesforce and HubSpot
exports of tests/ramp/samples (made by make_samples.py, quirks and all) import unedited, and
store exactly the records worked out by hand for them, row for row; importing one again changes
nothing. A name that matches no account, or several, is a bad row and never a guess; a file
whose columns fit no format, or not the mapping asked for, is refused saying what it lacks; a
manager of a territory reaches its reps only, with one answer for every other name; a saved
mapping reads the files it describes. Whenever a file is refused, nothing is stored."""
import csv
import datetime as dt
import importlib.util
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from cev_learn.accounts.models import Role, User
from cev_learn.platform.csv_files import ImportFileError
from cev_learn.platform.db import db
from cev_learn.ramp import crm_import
from cev_learn.ramp.models import ActivityRecord
from tests.factories import make_cohort
from tests.helpers import make_user

SAMPLES = Path(__file__).resolve().parent / "samples"
MANIFEST = json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))
REPS = MANIFEST["reps"]  # name -> email
TODAY = dt.date(2026, 11, 30)
START = dt.date(2026, 1, 5)


def sample(name: str) -> dict:
    return next(entry for entry in MANIFEST["samples"] if entry["file"] == name)


def sample_bytes(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def expected_records(entry: dict) -> list[tuple]:
    with (SAMPLES / entry["expected"]).open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    return sorted((row["external_id"], row["rep_email"], row["occurred_on"], row["type"],
                   int(row["quantity"]), float(row["amount"])) for row in rows)


def stored_records() -> list[tuple]:
    db.session.rollback()
    return sorted(tuple(row) for row in db.session.execute(
        select(ActivityRecord.external_id, User.email, ActivityRecord.occurred_on,
               ActivityRecord.type, ActivityRecord.quantity, ActivityRecord.amount)
        .join(User, User.id == ActivityRecord.user_id)))


def as_text(records: list[tuple]) -> list[tuple]:
    return [(ext, email, day.isoformat(), *rest) for ext, email, day, *rest in records]


def run_import(app, data: bytes, *, mapping_name: str | None = None,
               uploader_id: int | None = None, skip_invalid: bool = False):
    """import_file as the command line and the upload page run it, in the app's own context:
    one commit after it (nothing to commit when the file was refused)."""
    with app.app_context():
        uploader = db.session.get(User, uploader_id) if uploader_id else None
        found = crm_import.import_file(data, "activities", skip_invalid=skip_invalid,
                                       today=TODAY, mapping_name=mapping_name,
                                       uploader=uploader, types=app.config["ACTIVITY_TYPES"])
        db.session.commit()
    return found


def refused(app, data: bytes, **options) -> str:
    """The message of a file refused as a whole; nothing may have been stored."""
    with pytest.raises(ImportFileError) as raised:
        run_import(app, data, **options)
    assert stored_records() == []
    return str(raised.value)


def save_matches(app, source: str, matches: dict[str, int], actor_id: int) -> None:
    with app.app_context():
        crm_import.save_matches(source, matches, db.session.get(User, actor_id))
        db.session.commit()


@pytest.fixture
def admin_id(app):
    """An admin's id (an id, not the object: it would be read again in another context)."""
    return make_user(Role.ADMIN, email="admin@example.com", name="Dana Whitfield").id


@pytest.fixture
def sample_reps(app, synced_track):
    """The samples' reps, in one cohort: email -> id."""
    reps = [make_user(Role.REP, email=email, name=name) for name, email in REPS.items()]
    make_cohort(name="2026 AEs", reps=reps, start_on=START)
    return {rep.email: rep.id for rep in reps}


# --- The samples ---------------------------------------------------------------------------

def _load_generator():
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generator_reproduces_the_samples_byte_for_byte():
    built = _load_generator().build()
    here = {path.name for path in SAMPLES.iterdir()
            if path.is_file() and path.name != "make_samples.py"}
    assert set(built) == here
    for name, data in built.items():
        assert data == (SAMPLES / name).read_bytes(), f"{name} differs: run make_samples.py"


@pytest.mark.parametrize("entry", MANIFEST["samples"], ids=lambda entry: entry["file"])
def test_each_sample_is_a_realistic_size(entry):
    assert entry["data_rows"] >= 1000
    assert len(sample_bytes(entry["file"])) < 200_000
    assert set(REPS.values()) == {record[1] for record in expected_records(entry)}


def _cases():
    for entry in MANIFEST["samples"]:
        # detected by its columns (the opportunity report's Type and Amount are also two of
        # cev_learn's own column names), and named
        yield pytest.param(entry, None, id=f"{entry['file']}-detected")
        yield pytest.param(entry, entry["preset"], id=f"{entry['file']}-named")


@pytest.mark.parametrize("entry,mapping_name", list(_cases()))
def test_a_sample_export_imports_unedited_row_for_row_and_again_without_a_change(
        app, sample_reps, entry, mapping_name):
    data = sample_bytes(entry["file"])
    expected = expected_records(entry)

    found = run_import(app, data, mapping_name=mapping_name)
    report = found.report
    assert report.errors == [] and report.imported
    assert (report.created, report.updated, report.unchanged) == (len(expected), 0, 0)
    assert as_text(stored_records()) == expected
    shape = found.shape
    assert (shape.encoding, shape.delimiter, shape.mapping_name, shape.header_line,
            shape.footer_lines) == (entry["encoding"], entry["delimiter"], entry["preset"],
                                    entry["header_line"], entry["footer_lines"])
    assert shape.dates.split()[0] == entry["dates"]
    column = entry.get("skipped_column")
    assert found.skipped == {f"{column}: {label} (not counted)": count
                             for label, count in entry["skipped"].items()}
    assert found.unmatched == []
    assert len(found.preview) == min(10, len(expected))
    assert report.touched_rep_ids == set(sample_reps.values())

    again = run_import(app, data, mapping_name=mapping_name).report
    assert again.imported and again.errors == []
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(expected))
    assert again.touched_rep_ids == set()
    assert as_text(stored_records()) == expected


# --- People --------------------------------------------------------------------------------

SF_ACTIVITIES = "salesforce-activities.csv"


def rows_of(entry: dict, email: str) -> int:
    return sum(1 for record in expected_records(entry) if record[1] == email)


def test_a_name_no_account_has_is_a_bad_row_until_it_is_matched(app, admin_id, synced_track):
    """Quinn's account is under her new name: the export's name finds nobody, and each of
    her rows says so, naming the column and the name; once matched, the file imports."""
    reps = [make_user(Role.REP, email=email, name="Quinn Byrne" if name == "Quinn Walsh"
                      else name) for name, email in REPS.items()]
    make_cohort(reps=reps, start_on=START)
    quinn = next(rep for rep in reps if rep.email == "quinn.walsh@example.com")
    entry, data = sample(SF_ACTIVITIES), sample_bytes(SF_ACTIVITIES)

    found = run_import(app, data)
    assert not found.report.imported
    assert {error.field for error in found.report.errors} == {"rep_email"}
    assert len({error.message for error in found.report.errors}) == 1
    assert found.report.errors[0].message.startswith(
        "Assigned 'Quinn Walsh': no account has this name; match it")
    assert found.report.bad_rows == rows_of(entry, quinn.email) > 0
    assert found.unmatched == ["Quinn Walsh"] and found.source == "salesforce"
    assert stored_records() == []

    save_matches(app, "salesforce", {"Quinn Walsh": quinn.id}, admin_id)
    found = run_import(app, data)
    assert found.report.imported and found.report.errors == [] and found.unmatched == []
    assert as_text(stored_records()) == expected_records(entry)


def test_a_name_two_accounts_have_is_a_bad_row_never_a_guess(app, admin_id, sample_reps):
    other = make_user(Role.REP, email="sam.carter2@example.com", name="Sam  CARTER")
    make_cohort(reps=[other], start_on=START)
    entry, data = sample(SF_ACTIVITIES), sample_bytes(SF_ACTIVITIES)

    found = run_import(app, data)
    assert not found.report.imported
    messages = {error.message for error in found.report.errors}
    assert len(messages) == 1
    assert messages.pop().startswith("Assigned 'Sam Carter': 2 people have this name")
    assert found.report.bad_rows == rows_of(entry, "sam.carter@example.com") > 0
    assert found.unmatched == ["Sam Carter"]
    assert stored_records() == []

    save_matches(app, "salesforce", {"Sam Carter": sample_reps["sam.carter@example.com"]},
                 admin_id)
    assert run_import(app, data).report.imported
    assert as_text(stored_records()) == expected_records(entry)


def test_a_name_matched_for_one_crm_is_not_taken_for_another(app, admin_id, sample_reps):
    """Matches belong to the CRM whose exports use the name (its source)."""
    quinn_id = sample_reps.pop("quinn.walsh@example.com")
    with app.app_context():
        db.session.get(User, quinn_id).name = "Quinn Byrne"
        db.session.commit()
    save_matches(app, "hubspot", {"Quinn Walsh": quinn_id}, admin_id)
    found = run_import(app, sample_bytes(SF_ACTIVITIES))
    assert not found.report.imported and found.unmatched == ["Quinn Walsh"]
    assert run_import(app, sample_bytes("hubspot-activities.csv")).report.imported


def test_a_crm_user_id_matched_to_a_rep_is_found_as_written(app, admin_id, sample_reps):
    with app.app_context():
        crm_import.save_mapping(
            name="Owner ids", kind="activities", actor=db.session.get(User, admin_id),
            types=app.config["ACTIVITY_TYPES"],
            definition={"source": "sfids", "person": "crm_id",
                        "columns": {"rep": "Owner ID", "occurred_on": "When", "type": "Kind"}})
        db.session.commit()
    data = b"Owner ID,When,Kind\n005Ab000001XyZq,2026-11-20,call\n"
    assert run_import(app, data).unmatched == ["005Ab000001XyZq"]
    save_matches(app, "sfids", {"005Ab000001XyZq": sample_reps["ava.thompson@example.com"]},
                 admin_id)
    assert run_import(app, data).report.imported


# --- Files that fit no format, or not the mapping asked for --------------------------------

def test_a_file_whose_header_matches_nothing_names_the_closest_format_and_what_it_lacks(
        app, sample_reps):
    data = sample_bytes(SF_ACTIVITIES).replace(b'"Activity Type"', b'"Kind"', 1)
    message = refused(app, data)
    assert "the closest is Salesforce activity report" in message
    assert "'Activity Type'" in message
    assert "'Assigned', 'Kind', 'Date', 'Subject'" in message  # the file's own columns

    message = refused(app, b"Name,When,What\nAna,2026-11-20,call\n")
    assert "match no format" in message
    assert "external_id, rep_email, occurred_on, type, quantity, amount" in message


@pytest.mark.parametrize("file,mapping_name,title,missing", [
    ("hubspot-activities.csv", "salesforce-opportunities", "Salesforce opportunity report",
     ["Opportunity Owner", "Stage", "Close Date", "Amount"]),
    (SF_ACTIVITIES, "hubspot-activities", "HubSpot activities export",
     ["Activity Assigned To", "Activity Date"]),
])
def test_a_mapping_that_does_not_fit_the_file_is_refused_saying_what_it_lacks(
        app, sample_reps, file, mapping_name, title, missing):
    message = refused(app, sample_bytes(file), mapping_name=mapping_name)
    assert f"the closest is {title}, which also needs" in message
    for column in missing:
        assert repr(column).lower() in message.lower()


def test_a_mapping_that_does_not_exist_is_refused(app, sample_reps):
    message = refused(app, sample_bytes(SF_ACTIVITIES), mapping_name="Pipedrive")
    assert message == "there is no mapping called 'Pipedrive' for activities"


@pytest.mark.parametrize("data,message", [
    (b"", "the file is empty"),
    (b"\r\n \r\n", "the file is empty"),
    ("Assigned,Date\r\n".encode("cp1252") + b"\x81\x8d\x8f", "not readable as Windows-1252"),
    (b"\xff\xfe" + "Assigned\tDate".encode("utf-16-le") + b"\x00\xdc",
     "not readable as UTF-16"),
])
def test_a_file_that_cannot_be_read_is_refused_with_a_reason(app, sample_reps, data, message):
    assert message in refused(app, data)


def test_a_file_ending_inside_a_quoted_cell_is_refused_not_cut_short(app, sample_reps):
    data = ("Record ID,Activity date,Activity type,Activity assigned to,Associated Company\n"
            '1,2026-11-20 14:03,Call,Ava Thompson,"Contoso\n'
            "2,2026-11-21 14:03,Call,Ava Thompson,Litware\n"
            "3,2026-11-22 14:03,Call,Ava Thompson,Proseware\n").encode()
    assert "line 2" in refused(app, data)


def with_cell(data: bytes, encoding: str, line: int, column: int, value: str) -> bytes:
    """A quoted export (as Salesforce writes them) with one cell of one line changed."""
    lines = data.decode(encoding).split("\r\n")
    cells = next(csv.reader([lines[line - 1]]))
    cells[column] = value
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="").writerow(cells)
    lines[line - 1] = out.getvalue()
    return "\r\n".join(lines).encode(encoding)


def test_bad_cells_are_named_by_line_and_column_and_nothing_is_stored(app, sample_reps):
    data = sample_bytes(SF_ACTIVITIES)
    lines = data.decode("cp1252").split("\r\n")
    counted = [n for n, line in enumerate(lines[1:1001], 2)
               if next(csv.reader([line]))[1] != "Task"]
    date_line, type_line = counted[8], counted[19]
    data = with_cell(data, "cp1252", date_line, 2, "2/30/2026")
    data = with_cell(data, "cp1252", type_line, 1, "Webinar")
    found = run_import(app, data)
    assert not found.report.imported
    assert [(e.line, e.message, e.field) for e in found.report.errors] == [
        (date_line, "Date '2/30/2026' is not a date written MM/DD/YYYY (11/20/2026)",
         "occurred_on"),
        (type_line, "Activity Type 'Webinar' is not an activity type cev_learn counts; map it "
                    "to one in a custom mapping", "type")]
    assert stored_records() == []

    good = run_import(app, data, skip_invalid=True)
    assert good.report.imported and good.report.bad_rows == 2
    assert len(stored_records()) == len(expected_records(sample(SF_ACTIVITIES))) - 2


def test_a_bad_amount_in_a_deal_export_is_named_and_nothing_is_stored(app, sample_reps):
    data = with_cell(sample_bytes("salesforce-opportunities.csv"), "utf-8", 2, 5, "TBD")
    found = run_import(app, data, mapping_name="salesforce-opportunities")
    assert [(e.line, e.message, e.field) for e in found.report.errors] == [
        (2, "Amount 'TBD' is not an amount", "amount")]
    assert stored_records() == []


def test_a_report_s_title_lines_before_the_header_are_passed_over(app, sample_reps):
    """A Salesforce report saved from its formatted export: the title and filters first."""
    data = ('"Team activities 2026"\r\n"Filtered By:"\r\n"  Date equals THIS YEAR"\r\n\r\n'
            + sample_bytes(SF_ACTIVITIES).decode("cp1252")).encode("utf-16")
    found = run_import(app, data)
    assert (found.shape.header_line, found.shape.footer_lines) == (5, 5)
    assert found.report.imported
    assert as_text(stored_records()) == expected_records(sample(SF_ACTIVITIES))


# --- A manager of a territory ---------------------------------------------------------------

@pytest.fixture
def territories(app, synced_track):
    """The samples' first ten reps in an EMEA cohort, the others in an AMER one, and the EMEA
    manager: (manager id, EMEA names, AMER names)."""
    names = list(REPS)
    emea, amer = names[:10], names[10:]
    for territory, group in (("EMEA", emea), ("AMER", amer)):
        make_cohort(reps=[make_user(Role.REP, email=REPS[name], name=name) for name in group],
                    territory=territory, start_on=START)
    manager = make_user(Role.MANAGER, email="emea.manager@example.com", name="Erin Blake",
                        territory="EMEA")
    return manager.id, emea, amer


def _with_rows(data: bytes, encoding: str, keep, extra: list[str] = ()) -> bytes:
    """The export with only the data rows `keep` returns true for (header and footer kept),
    and `extra` rows after them."""
    lines = data.decode(encoding).split("\r\n")
    end = lines.index("")
    body = [line for line in lines[1:end] if keep(next(csv.reader([line]))[0])]
    return "\r\n".join([lines[0], *body, *extra, *lines[end:]]).encode(encoding)


def test_a_territory_manager_reaches_its_reps_only_and_learns_nothing_of_others(
        app, territories):
    manager_id, emea, amer = territories
    data = sample_bytes(SF_ACTIVITIES)
    ghost = ('"Gil Ghost","Logged Call","11/20/2026","Call","Litware","Wei Chen","Completed",'
             '"Normal"')
    found = run_import(app, _with_rows(data, "cp1252", lambda name: True, [ghost]),
                       uploader_id=manager_id)
    assert not found.report.imported
    said = {}  # name -> the message of its rows, the name left out
    for error in found.report.errors:
        name = next(name for name in [*REPS, "Gil Ghost"]
                    if error.message.startswith(f"Assigned {name!r}: "))
        said.setdefault(name, set()).add(error.message.replace(repr(name), "NAME", 1))
    counted = {name for name in amer if rows_of(sample(SF_ACTIVITIES), REPS[name])}
    assert set(said) == counted | {"Gil Ghost"}
    # One answer whether the name is an account outside the territory or nobody's.
    answers = set().union(*said.values())
    assert len(answers) == 1 and answers.pop().startswith(
        "Assigned NAME: no account has this name")
    assert stored_records() == []

    theirs = run_import(app, _with_rows(data, "cp1252", lambda name: name in emea),
                        uploader_id=manager_id)
    assert theirs.report.imported and theirs.report.errors == []
    assert {record[1] for record in stored_records()} == {REPS[name] for name in emea}


def test_a_territory_manager_gets_one_answer_for_every_email_outside_it(app, territories):
    manager_id, emea, amer = territories
    rows = [("31000000001", REPS[emea[0]]), ("31000000002", REPS[amer[0]]),
            ("31000000003", "nobody@example.com")]
    data = ("Record ID,Activity date,Activity type,Activity assigned to\n" + "".join(
        f"{record_id},2026-11-20 14:03,Call,{email}\n" for record_id, email in rows)).encode()
    found = run_import(app, data, uploader_id=manager_id)
    assert [(error.line, error.message) for error in found.report.errors] == [
        (3, f"{REPS[amer[0]]} is not a rep in a cohort or territory you manage"),
        (4, "nobody@example.com is not a rep in a cohort or territory you manage")]
    assert stored_records() == []


def test_a_territory_manager_cannot_match_a_name_to_a_rep_outside_it(app, territories):
    manager_id, emea, amer = territories
    with app.app_context():
        rep_id = db.session.scalar(select(User.id).where(User.email == REPS[amer[0]]))
    with pytest.raises(ValueError, match="can only be matched to a rep you manage"):
        save_matches(app, "salesforce", {"Someone Else": rep_id}, manager_id)


# --- A saved mapping -----------------------------------------------------------------------

PIPEDRIVE = {
    "source": "pipedrive",
    "columns": {"rep": "Mitarbeiter", "occurred_on": "Datum", "type": "Aktivität",
                "external_id": "Vorgangs-ID", "amount": "Betrag", "subject": "Betreff"},
    "dates": "DD.MM.YYYY", "decimal": ",",
    "types": {"Anruf": "call", "Besprechung": "meeting", "E-Mail": "email",
              "Abschluss": "deal_won", "Notiz": ""},
}
PIPEDRIVE_FILE = """\
Vorgangs-ID;Datum;Mitarbeiter;Aktivität;Betreff;Betrag\r
A-1001;03.02.2026;zoe.mueller@example.com;Anruf;Erstgespräch;\r
A-1002;04.02.2026;Zoë Müller;Besprechung;Vor-Ort-Termin;\r
A-1003;13.02.2026;ben.okafor@example.com;Abschluss;"Lizenz; 2026";12.500,50\r
A-1004;14.02.2026;ben.okafor@example.com;Notiz;intern;\r
A-1005;28.02.2026;Ben Okafor;E-Mail;Angebot;1.234\r
A-1006;01.03.2026;Ben Okafor;anruf;Rückruf;0,5\r
"""
PIPEDRIVE_RECORDS = [
    ("pipedrive:A-1001", "zoe.mueller@example.com", "2026-02-03", "call", 1, 0.0),
    ("pipedrive:A-1002", "zoe.mueller@example.com", "2026-02-04", "meeting", 1, 0.0),
    ("pipedrive:A-1003", "ben.okafor@example.com", "2026-02-13", "deal_won", 1, 12500.5),
    ("pipedrive:A-1005", "ben.okafor@example.com", "2026-02-28", "email", 1, 1234.0),
    ("pipedrive:A-1006", "ben.okafor@example.com", "2026-03-01", "call", 1, 0.5),
]


def test_a_saved_mapping_reads_the_files_it_describes(app, admin_id, sample_reps):
    with app.app_context():
        saved = crm_import.save_mapping(name="Pipedrive (DE)", kind="activities",
                                        definition=PIPEDRIVE, types=app.config["ACTIVITY_TYPES"],
                                        actor=db.session.get(User, admin_id))
        db.session.commit()
        assert saved.name == "Pipedrive (DE)"
    data = PIPEDRIVE_FILE.encode("cp1252")

    found = run_import(app, data)
    assert found.report.imported and found.report.errors == []
    assert (found.shape.mapping_name, found.shape.delimiter, found.shape.encoding,
            found.shape.dates.split()[0]) == ("Pipedrive (DE)", "semicolon", "Windows-1252",
                                              "DD.MM.YYYY")
    assert found.skipped == {"Aktivität: Notiz (not counted)": 1}
    assert as_text(stored_records()) == PIPEDRIVE_RECORDS
    assert run_import(app, data, mapping_name="Pipedrive (DE)").report.unchanged == 5


@pytest.mark.parametrize("change,message", [
    ({"types": {"Anruf": "phone"}}, "'phone' is not an activity type"),
    ({"dates": "YYYY/DD/MM"}, "dates: "),
    ({"columns": {"rep": "Mitarbeiter", "type": "Aktivität"}}, "choose the column of Date"),
    ({"source": "Pipe Drive"}, "source: "),
])
def test_a_mapping_that_does_not_read_is_not_saved(app, admin_id, change, message):
    with app.app_context(), pytest.raises(ValueError, match=message):
        crm_import.save_mapping(name="Broken", kind="activities",
                                definition={**PIPEDRIVE, **change},
                                types=app.config["ACTIVITY_TYPES"],
                                actor=db.session.get(User, admin_id))
