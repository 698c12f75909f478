"""cev-learn import users and /admin/import/users: rows in users.csv become users and
memberships, every bad row is named by line, and nothing is half-imported."""
import datetime as dt
import html
import io

import pytest
from sqlalchemy import event, func, select

from cev_learn.accounts.models import Role, User
from cev_learn.cohorts.models import CohortCoach, Membership
from cev_learn.cohorts.services import create_cohort, find_track, place_rep
from cev_learn.platform.db import db, utcnow
from tests.helpers import login, make_user, post_form
from tests.content.trees import good_track

HEADER = "email,name,role,cohort,start_date,end_date,territory,coach_email"
VALID = "\n".join([
    HEADER,
    "kim.coach@example.com,Kim Coach,coach,,,,EMEA North,",
    "Ana.Rep@Example.com,Ana Rep,rep,Spring 2026,,,EMEA North,kim.coach@example.com",
    "ben.rep@example.com,Ben Rep,rep,Spring 2026,2026-03-09,,EMEA North,kim.coach@example.com",
    "cy.rep@example.com,Cy Rep,rep,Spring 2026,2026-03-02,2026-05-29,,",
    "mia.manager@example.com,Mia Manager,manager,,,,DACH,",
]) + "\n"
VALID_SUMMARY = ("users: 5 created, 0 updated, 0 unchanged; memberships: 3 changed; "
                 "coaches: 1 linked; 5 new users have no password yet")
SPRING_START = dt.date(2026, 3, 2)


@pytest.fixture
def cohorts(app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["content", "sync", str(good_track(tmp_path / "courses"))])
    assert result.exit_code == 0, result.output
    track = find_track("test-track")
    spring = create_cohort(name="Spring 2026", track=track, start_on=SPRING_START,
                           territory=None, coaches=[])
    autumn = create_cohort(name="Autumn 2026", track=track, start_on=dt.date(2026, 9, 7),
                           territory=None, coaches=[])
    db.session.commit()
    return spring, autumn


def run_import(app, tmp_path, text: str, *options, encoding="utf-8"):
    """Run the command in the app's own context, as `cev-learn` does (not the test's twin)."""
    path = tmp_path / "users.csv"
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    with app.app_context():
        return app.test_cli_runner().invoke(args=["import", "users", str(path), *options])


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def user(email: str) -> User:
    db.session.rollback()
    return db.session.scalar(select(User).where(User.email == email))


def memberships(email: str) -> list[Membership]:
    return list(db.session.scalars(select(Membership).where(
        Membership.user_id == user(email).id).order_by(Membership.id)))


def coach_emails(cohort) -> set[str]:
    db.session.rollback()
    return set(db.session.scalars(select(User.email).join(
        CohortCoach, CohortCoach.coach_id == User.id).where(CohortCoach.cohort_id == cohort.id)))


def snapshot() -> tuple:
    return count(User), count(Membership), count(CohortCoach)


# --- A valid file ------------------------------------------------------------------------

def test_a_valid_file_creates_users_places_reps_and_links_the_coach(app, tmp_path, cohorts):
    spring, _ = cohorts
    result = run_import(app, tmp_path, VALID, encoding="utf-8-sig")  # with a byte order mark
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [VALID_SUMMARY]
    assert result.stderr == ""

    ana = user("ana.rep@example.com")
    assert (ana.name, ana.role, ana.territory, ana.active) == ("Ana Rep", Role.REP,
                                                               "EMEA North", True)
    assert all(user(e).password_hash is None for e in ("ana.rep@example.com",
                                                       "kim.coach@example.com"))
    assert user("kim.coach@example.com").role is Role.COACH
    assert user("mia.manager@example.com").role is Role.MANAGER
    assert memberships("mia.manager@example.com") == []
    [ana_in] = memberships("ana.rep@example.com")
    [ben_in] = memberships("ben.rep@example.com")
    [cy_in] = memberships("cy.rep@example.com")
    assert ana_in.cohort_id == spring.id and ana_in.start_on is None
    assert ana_in.effective_start_on == SPRING_START
    assert ben_in.start_on == dt.date(2026, 3, 9) and ben_in.end_on is None
    assert (cy_in.start_on, cy_in.end_on) == (SPRING_START, dt.date(2026, 5, 29))
    assert coach_emails(spring) == {"kim.coach@example.com"}


def test_existing_users_are_matched_by_email_and_keep_password_status_and_coaches(
        app, tmp_path, cohorts):
    spring, _ = cohorts
    sam = make_user(Role.COACH, email="sam@example.com")
    spring.coach_links.append(CohortCoach(coach_id=sam.id))
    db.session.commit()
    old_admin = make_user(Role.ADMIN, email="old.admin@example.com", territory="DACH")
    gone = make_user(Role.REP, email="gone@example.com", name="Gone Rep", active=False)
    hashes = {u.email: u.password_hash for u in (old_admin, gone)}
    text = "\n".join([
        "role,email,name,coach_email,cohort,territory",  # any column order, some left out
        "manager,OLD.Admin@example.com,Olga Admin,,,",
        "rep,gone@example.com,Gone Rep,old.admin@example.com,Spring 2026,",
        "coach,new.coach@example.com,New Coach,,,Nordics",
    ])
    result = run_import(app, tmp_path, text)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "users: 1 created, 1 updated, 1 unchanged; memberships: 1 changed; coaches: 1 linked; "
        "1 new user has no password yet"]
    admin = user("old.admin@example.com")
    assert (admin.name, admin.role, admin.territory) == ("Olga Admin", Role.MANAGER, "DACH")
    assert admin.active and admin.password_hash == hashes["old.admin@example.com"]
    gone_now = user("gone@example.com")
    assert not gone_now.active and gone_now.password_hash == hashes["gone@example.com"]
    assert coach_emails(spring) == {"sam@example.com", "old.admin@example.com"}
    assert user("new.coach@example.com").territory == "Nordics"


# --- Bad rows ----------------------------------------------------------------------------

GOOD_ROW = "ok.rep@example.com,Ok Rep,rep,Spring 2026,,,,"


@pytest.mark.parametrize("rows,message", [
    ([",Nobody,rep,,,,,"], "line 3: email is required"),
    (["x@example.com,,rep,,,,,"], "line 3: name is required"),
    (["x@example.com,X,,,,,,"], "line 3: role is required"),
    (["not-an-email,X,rep,,,,,"], "line 3: 'not-an-email' is not a valid email address"),
    (["x@example.com,X,boss,,,,,"],
     "line 3: unknown role 'boss'; use rep, coach, manager or admin"),
    ([f"x@example.com,{'n' * 121},rep,,,,,"], "line 3: name is longer than 120 characters"),
    ([f"x@example.com,X,rep,,,,{'t' * 81},"], "line 3: territory is longer than 80 characters"),
    (["x@example.com,Evil\u202egnp.exe,rep,,,,,"], "line 3: name contains an invisible "
     "text-direction character (U+202E) that can make it read as something else; type it "
     "again without it"),
    (["x@example.com,X,rep,,,,EMEA\u061c,"], "line 3: territory contains an invisible "
     "text-direction character (U+061C) that can make it read as something else; type it "
     "again without it"),
    (["x@example.com,X,rep,Spring 2026,2026-02-30,,,"],
     "line 3: start_date '2026-02-30' is not a date; use YYYY-MM-DD"),
    (["x@example.com,X,rep,Spring 2026,,30/05/2026,,"],
     "line 3: end_date '30/05/2026' is not a date; use YYYY-MM-DD"),
    (["x@example.com,X,rep,Spring 2026,2026-04-01,2026-03-31,,"],
     "line 3: end_date is before start_date"),
    (["x@example.com,X,rep,Spring 2026,,2026-03-01,,"],
     "line 3: end_date is before the cohort's start date 2026-03-02"),
    (["x@example.com,X,coach,Spring 2026,,,,"],
     "line 3: cohort applies to reps only, not to a coach"),
    (["x@example.com,X,manager,,2026-03-02,,,kim@example.com"],
     "line 3: start_date, coach_email apply to reps only, not to a manager"),
    (["x@example.com,X,rep,,2026-03-02,,,"], "line 3: start_date needs a cohort"),
    (["x@example.com,X,rep,Winter 2030,,,,"], "line 3: no cohort named 'Winter 2030'"),
    (["x@example.com,X,rep,Spring 2026,,,,ghost@example.com"],
     "line 3: unknown coach ghost@example.com"),
    (["x@example.com,X,rep,Spring 2026,,,,later@example.com", "later@example.com,L,coach,,,,,"],
     "line 3: unknown coach later@example.com"),  # a coach must come before their reps
    (["x@example.com,X,rep,Spring 2026,,,,ok.rep@example.com"],
     "line 3: ok.rep@example.com is a rep, not a coach, manager or admin"),
    (["x@example.com,X,rep,Spring 2026,,,,kim"],
     "line 3: coach_email 'kim' is not a valid email address"),
    (["OK.Rep@example.com,Again,rep,,,,,"],
     "line 3: duplicate email ok.rep@example.com, already on line 2"),
])
def test_each_bad_row_is_named_by_line_and_nothing_is_imported(app, tmp_path, cohorts, rows,
                                                               message):
    before = snapshot()
    result = run_import(app, tmp_path, "\n".join([HEADER, GOOD_ROW, *rows]) + "\n")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [message, "Error: 1 bad row; nothing imported"]
    assert snapshot() == before


def test_a_row_can_have_several_problems_and_lines_are_physical_lines(app, tmp_path, cohorts):
    text = "\r\n".join([
        HEADER,
        GOOD_ROW,
        "",                                                  # line 3: blank, skipped
        'quoted@example.com,Quoted Rep,rep,,,,"EMEA',         # lines 4-5: one row
        'North",',
        "bad,X,boss,,,,,",                                   # line 6
    ])
    result = run_import(app, tmp_path, text)
    assert result.stderr.splitlines() == [
        "line 6: 'bad' is not a valid email address",
        "line 6: unknown role 'boss'; use rep, coach, manager or admin",
        "Error: 1 bad row; nothing imported"]


@pytest.mark.parametrize("content,message", [
    (b"email,name,role\nan\xe9@example.com,Ana,rep\n",
     "the file is not UTF-8 text (byte 0xe9 at offset 18); save it as 'CSV UTF-8'"),
    (b"", "the file is empty"),
    (b"\xef\xbb\xbf\n  \n", "the file is empty"),
    (b"ana@example.com,Ana,rep\n",
     "line 1: no header row; the first line must name the columns, e.g. email,name,role"),
    (b"email,name,role,phone\n",
     "unknown column 'phone'; the columns are email, name, role, cohort, start_date, end_date, "
     "territory, coach_email"),
    (b"email,name,cohort\n", "missing required column 'role'"),
    (b"email,name,role,Email\n", "duplicate column 'email'"),
    (b"email,name,role\na@example.com,A,rep\nb@example.com,B,rep,,\n",
     "line 3: 5 fields but the header has 3"),
    (b"email,name,role\n" + b"r@example.com,R,rep\n" * 50_001,
     "more than 50,000 rows; split the file"),
])
def test_a_bad_file_is_rejected_with_one_reason(app, tmp_path, cohorts, content, message):
    before = snapshot()
    result = run_import(app, tmp_path, content)
    assert result.exit_code == 1
    assert result.stderr == f"Error: users.csv: {message}\n"
    assert snapshot() == before


def test_fifty_thousand_rows_are_not_too_many(app, tmp_path):
    rows = [f",Rep {n},rep" for n in range(50_000)]  # bad rows: cheap to check, not stored
    result = run_import(app, tmp_path, "email,name,role\n" + "\n".join(rows))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "Error: 50000 bad rows; nothing imported"


# --- All or nothing, or skip the bad rows -----------------------------------------------

MIXED = "\n".join([
    HEADER,
    f"kim.coach@example.com,{'K' * 121},coach,,,,,",                     # bad: name too long
    "ana.rep@example.com,Ana Rep,rep,Spring 2026,,,,kim.coach@example.com",  # bad: its coach
    "ben.rep@example.com,Ben Rep,rep,Spring 2026,2026-03-09,,,",
    "sam@example.com,Sam Renamed,coach,,,,,",
]) + "\n"
MIXED_ERRORS = ["line 2: name is longer than 120 characters",
                "line 3: unknown coach kim.coach@example.com"]


def test_by_default_one_bad_row_rejects_the_whole_file(app, tmp_path, cohorts):
    make_user(Role.COACH, email="sam@example.com", name="Sam Coach")
    before = snapshot()
    result = run_import(app, tmp_path, MIXED)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [*MIXED_ERRORS, "Error: 2 bad rows; nothing imported"]
    assert snapshot() == before
    assert user("sam@example.com").name == "Sam Coach"
    assert user("ben.rep@example.com") is None


def test_skip_invalid_imports_the_good_rows_and_lists_the_bad(app, tmp_path, cohorts):
    make_user(Role.COACH, email="sam@example.com", name="Sam Coach")
    result = run_import(app, tmp_path, MIXED, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [*MIXED_ERRORS, "2 bad rows skipped"]
    assert result.stdout.splitlines() == [
        "users: 1 created, 1 updated, 0 unchanged; memberships: 1 changed; coaches: 0 linked; "
        "1 new user has no password yet"]
    assert user("sam@example.com").name == "Sam Renamed"
    assert [m.start_on for m in memberships("ben.rep@example.com")] == [dt.date(2026, 3, 9)]
    assert user("kim.coach@example.com") is None and user("ana.rep@example.com") is None


# --- Re-importing ------------------------------------------------------------------------

def test_importing_the_same_file_again_writes_nothing(app, tmp_path, cohorts):
    assert run_import(app, tmp_path, VALID).exit_code == 0
    writes = []

    def spy(_conn, _cursor, statement, *_args):
        if statement.split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            writes.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", spy)
    try:
        # emails match whatever their case
        result = run_import(app, tmp_path,
                            VALID.replace("Ana.Rep@Example.com", "ana.rep@example.com"))
    finally:
        event.remove(engine, "before_cursor_execute", spy)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "users: 0 created, 0 updated, 5 unchanged; memberships: 0 changed; coaches: 0 linked; "
        "0 new users have no password yet",
        "Everything was already up to date; nothing written."]
    assert writes == []


def test_moving_a_rep_keeps_the_old_membership_and_a_leaver_is_updated_in_place(
        app, tmp_path, cohorts):
    spring, autumn = cohorts
    assert run_import(app, tmp_path, VALID).exit_code == 0
    moved = VALID.replace("Ana Rep,rep,Spring 2026,,", "Ana Rep,rep,Autumn 2026,2026-09-14,") \
                 .replace("2026-03-02,2026-05-29", "2026-03-02,2026-06-30")
    result = run_import(app, tmp_path, moved)
    assert result.exit_code == 0, result.output
    assert "memberships: 2 changed; coaches: 1 linked" in result.stdout
    old, new = memberships("ana.rep@example.com")
    assert old.cohort_id == spring.id and old.moved_out_at is not None
    assert new.cohort_id == autumn.id and new.moved_out_at is None
    assert new.start_on == dt.date(2026, 9, 14)
    [cy_in] = memberships("cy.rep@example.com")
    assert cy_in.end_on == dt.date(2026, 6, 30) and cy_in.moved_out_at is None
    assert coach_emails(autumn) == {"kim.coach@example.com"}
    assert coach_emails(spring) == {"kim.coach@example.com"}


def test_a_rep_placed_elsewhere_by_hand_is_moved_back_by_the_file(app, tmp_path, cohorts):
    spring, autumn = cohorts
    assert run_import(app, tmp_path, VALID).exit_code == 0
    place_rep(user("ben.rep@example.com"), autumn, start_on=None, end_on=None, now=utcnow())
    db.session.commit()
    result = run_import(app, tmp_path, VALID)
    assert "memberships: 1 changed" in result.stdout
    assert [m.cohort_id for m in memberships("ben.rep@example.com")] == [
        spring.id, autumn.id, spring.id]


# --- The admin page ----------------------------------------------------------------------

@pytest.fixture
def admin_client(client):
    admin = make_user(Role.ADMIN, email="ada@example.com", name="Ada Admin")
    login(client, admin.email)
    return client


def upload(client, content: bytes, filename="users.csv", **fields):
    return post_form(client, "/admin/import/users",
                     {"file": (io.BytesIO(content), filename), **fields},
                     token_from="/admin/import/users")


def test_the_users_list_links_to_the_import_page_which_explains_the_columns(admin_client):
    users_page = admin_client.get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/import/users">Import from CSV</a>' in users_page
    response = admin_client.get("/admin/import/users")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<a href="/admin/users">Users</a>' in page and 'enctype="multipart/form-data"' in page
    assert HEADER in page and "Skip invalid rows" in page


def test_uploading_a_valid_file_imports_it_and_shows_the_summary(admin_client, cohorts):
    spring, _ = cohorts
    response = upload(admin_client, VALID.encode())
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    page = admin_client.get("/admin/users").get_data(as_text=True)
    assert f"Import done. {VALID_SUMMARY}." in page
    assert coach_emails(spring) == {"kim.coach@example.com"}
    assert len(memberships("cy.rep@example.com")) == 1


def test_uploading_a_bad_file_lists_every_bad_row_and_saves_nothing(admin_client, cohorts):
    make_user(Role.COACH, email="sam@example.com", name="Sam Coach")
    before = snapshot()
    response = upload(admin_client, MIXED.encode())
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "2 bad rows; nothing was imported" in page
    for error in MIXED_ERRORS:
        line, message = error.split(": ", 1)
        assert f"<tr><td>{line}</td><td>{message}</td></tr>" in page
    assert snapshot() == before and user("sam@example.com").name == "Sam Coach"


def test_uploading_with_skip_invalid_imports_the_good_rows(admin_client, cohorts):
    make_user(Role.COACH, email="sam@example.com", name="Sam Coach")
    response = upload(admin_client, MIXED.encode(), skip_invalid="y")
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert "2 bad rows skipped; the other rows were imported." in page
    assert "<tr><td>line 3</td><td>unknown coach kim.coach@example.com</td></tr>" in page
    assert "users: 1 created, 1 updated, 0 unchanged" in page
    assert user("sam@example.com").name == "Sam Renamed"


@pytest.mark.parametrize("content,filename,message", [
    (b"email,name,role,phone\n", "users.csv", "unknown column 'phone'"),
    (b"\xff\xfe", "users.csv", "the file is not UTF-8 text"),
    (b"email,name,role\n", "users.xlsx", "Choose a file ending in .csv."),
])
def test_an_unreadable_upload_is_named_next_to_the_field(admin_client, content, filename,
                                                         message):
    before = count(User)
    response = upload(admin_client, content, filename)
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert 'id="file-error">' + message in page
    assert count(User) == before


def test_an_admin_cannot_change_their_own_role_by_upload(admin_client):
    response = upload(admin_client, b"email,name,role\nADA@example.com,Ada Admin,rep\n")
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "<tr><td>line 2</td><td>you cannot change your own role; ask another admin</td></tr>" \
        in page
    assert user("ada@example.com").role is Role.ADMIN


@pytest.mark.parametrize("role", [Role.REP, Role.COACH])
def test_reps_and_coaches_may_not_import(client, role):
    login(client, make_user(role).email)
    assert client.get("/admin/import/users").status_code == 403
    response = post_form(client, "/admin/import/users",
                         {"file": (io.BytesIO(b"email,name,role\nx@example.com,X,admin\n"),
                                   "users.csv")})
    assert response.status_code == 403
    assert user("x@example.com") is None
