"""Managers import their own reps: the users CSV page (reached from Cohorts) and the API's
user upsert take a manager's rows for new reps and the reps they manage, in cohorts they work
with and their own territory; any other row is a bad row, named by line, and nothing of the
file is stored."""
import datetime as dt
import html
import io

import pytest
from sqlalchemy import func, select

from cev_learn.accounts.api_tokens import Scope
from cev_learn.accounts.models import Role, User
from cev_learn.cohorts.models import Cohort, CohortCoach, Membership
from cev_learn.platform.db import db
from tests.factories import make_cohort
from tests.helpers import login, make_user, post_form


@pytest.fixture
def org(app, synced_track):
    """Mo manages EMEA (cohort Spring, coached by Kim, with Ana; Eli waits in EMEA with no
    cohort); Autumn is DACH's (Cy); Ada is an admin."""
    mo = make_user(Role.MANAGER, email="mo@example.com", territory="EMEA")
    kim = make_user(Role.COACH, email="kim@example.com")
    ana = make_user(Role.REP, email="ana@example.com", name="Ana Rep")
    eli = make_user(Role.REP, email="eli@example.com", name="Eli Rep", territory="EMEA")
    cy = make_user(Role.REP, email="cy@example.com", name="Cy Rep")
    make_user(Role.ADMIN, email="ada@example.com", name="Ada Admin")
    make_cohort(name="Spring", reps=[ana], coaches=[kim], territory="EMEA",
                start_on=dt.date(2026, 3, 2))
    make_cohort(name="Autumn", reps=[cy], territory="DACH", start_on=dt.date(2026, 9, 7))
    return mo


@pytest.fixture
def manager(client, org):
    login(client, org.email)
    return client


def upload(client, text: str):
    return post_form(client, "/admin/import/users",
                     {"file": (io.BytesIO(text.encode()), "reps.csv")},
                     token_from="/admin/import/users")


def stored() -> tuple:
    """Everything an import may change."""
    db.session.rollback()
    return (db.session.execute(select(User.email, User.name, User.role, User.territory)
                               .order_by(User.email)).all(),
            db.session.execute(select(Membership.user_id, Membership.cohort_id,
                                      Membership.moved_out_at).order_by(Membership.id)).all(),
            db.session.scalar(select(func.count()).select_from(CohortCoach)))


def bad_rows(response) -> list[tuple[str, str]]:
    page = html.unescape(response.get_data(as_text=True))
    rows = page.split("Rows that were not imported", 1)[1].split("</table>", 1)[0]
    return [tuple(cell.split("</td>", 1)[0] for cell in row.split("<td>")[1:3])
            for row in rows.split("<tr>")[2:]]


def test_a_manager_finds_the_import_on_cohorts_and_adds_reps_to_their_territory(manager):
    cohorts_page = manager.get("/cohorts").get_data(as_text=True)
    assert 'href="/admin/import/users">Import reps from CSV</a>' in cohorts_page
    page = manager.get("/admin/import/users").get_data(as_text=True)
    assert "<h1>Import reps from CSV</h1>" in page and '<a href="/cohorts">Cohorts</a>' in page
    assert "a blank territory means EMEA" in page

    response = upload(manager, "email,name,role,cohort,coach_email\n"
                               "nia@example.com,Nia New,rep,Spring,kim@example.com\n"
                               "ole@example.com,Ole New,rep,,\n"
                               "Eli@example.com,Eli Renamed,rep,Spring,\n")
    assert response.status_code == 302 and response.headers["Location"] == "/cohorts"
    db.session.rollback()
    users = {u.email: u for u in db.session.scalars(select(User))}
    assert (users["nia@example.com"].territory, users["ole@example.com"].territory) == (
        "EMEA", "EMEA")
    assert users["eli@example.com"].name == "Eli Renamed"
    spring = db.session.scalar(select(Cohort).where(Cohort.name == "Spring"))
    placed = set(db.session.scalars(select(Membership.user_id).where(
        Membership.cohort_id == spring.id, Membership.moved_out_at.is_(None))))
    assert {users[e].id for e in ("ana@example.com", "nia@example.com",
                                  "eli@example.com")} == placed
    # The new reps are theirs: the manager sees them where they see their reps.
    rep_page = manager.get(f"/reps/{users['ole@example.com'].id}")
    assert rep_page.status_code == 200 and "Ole New" in rep_page.get_data(as_text=True)


def test_rows_outside_the_managers_scope_are_bad_rows_and_nothing_is_stored(manager):
    before = stored()
    response = upload(manager, "email,name,role,territory,cohort\n"
                               "new.one@example.com,New One,rep,,Spring\n"
                               "kai@example.com,Kai Coach,coach,EMEA,\n"
                               "cy@example.com,Cy Taken,rep,,\n"
                               "ada@example.com,Ada Taken,rep,,\n"
                               "zed@example.com,Zed Dach,rep,DACH,\n"
                               "uma@example.com,Uma Autumn,rep,,Autumn\n"
                               "mo@example.com,Mo Manager,rep,,\n")
    assert response.status_code == 400
    assert bad_rows(response) == [
        ("line 3", "managers add and change reps only; an admin adds coaches, managers and "
                   "admins"),
        ("line 4", "cy@example.com is someone you do not manage; their manager or an admin "
                   "can change them"),
        ("line 5", "ada@example.com is someone you do not manage; their manager or an admin "
                   "can change them"),
        ("line 6", "you manage EMEA; reps of DACH are added by their manager or an admin"),
        ("line 7", "no cohort named 'Autumn'"),  # another territory's reads as none
        ("line 8", "mo@example.com is someone you do not manage; their manager or an admin "
                   "can change them"),
        ("line 8", "you cannot change your own role; ask another admin"),
    ]
    assert stored() == before


def test_skipping_invalid_rows_imports_only_the_managers_own(manager):
    response = upload(manager, "email,name,role\n"
                               "pia@example.com,Pia New,rep\n"
                               "cy@example.com,Cy Taken,rep\n")
    assert response.status_code == 400  # without "skip invalid rows": nothing
    response = post_form(manager, "/admin/import/users",
                         {"file": (io.BytesIO(b"email,name,role\npia@example.com,Pia New,rep\n"
                                               b"cy@example.com,Cy Taken,rep\n"), "reps.csv"),
                          "skip_invalid": "y"}, token_from="/admin/import/users")
    assert response.status_code == 200  # the page lists the skipped row
    db.session.rollback()
    names = dict(db.session.execute(select(User.email, User.name)).all())
    assert names["pia@example.com"] == "Pia New" and names["cy@example.com"] == "Cy Rep"


def test_a_manager_of_every_territory_adds_reps_anywhere_but_nobody_else(client, org):
    boss = make_user(Role.MANAGER, email="boss@example.com")
    login(client, boss.email)
    before = stored()
    refused = upload(client, "email,name,role,cohort\nada@example.com,Ada,admin,\n")
    assert bad_rows(refused)[0][0] == "line 2" and stored() == before
    response = upload(client, "email,name,role,cohort\ncy@example.com,Cy Moved,rep,Spring\n"
                              "rae@example.com,Rae New,rep,Autumn\n")
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(User.name).where(User.email == "cy@example.com")) \
        == "Cy Moved"


# --- The API's upsert: the same rules --------------------------------------------------------

def test_a_managers_token_upserts_their_reps_and_nobody_else(org, api):
    client = api(org, Scope.WRITE)
    created = client.put("/api/v1/users", json={"email": "vic@example.com", "name": "Vic New",
                                                "role": "rep", "cohort": "Spring"})
    assert created.status_code == 201, created.json
    assert (created.json["territory"], created.json["cohort"]) == ("EMEA", "Spring")

    before = stored()
    for body, pointer, detail in [
        ({"email": "cy@example.com", "name": "Cy", "role": "rep"}, "/email",
         "cy@example.com is someone you do not manage; their manager or an admin can change "
         "them"),
        ({"email": "kai@example.com", "name": "Kai", "role": "coach"}, "/role",
         "managers add and change reps only; an admin adds coaches, managers and admins"),
        ({"email": "zed@example.com", "name": "Zed", "role": "rep", "territory": "DACH"},
         "/territory", "you manage EMEA; reps of DACH are added by their manager or an admin"),
        ({"email": "uma@example.com", "name": "Uma", "role": "rep", "cohort": "Autumn"},
         "/cohort", "no cohort named 'Autumn'"),
    ]:
        response = client.put("/api/v1/users", json=body)
        assert response.status_code == 422, response.json
        assert [(e["pointer"], e["detail"]) for e in response.json["errors"]] == [
            (pointer, detail)]
    assert stored() == before
