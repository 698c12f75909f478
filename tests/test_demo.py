"""cev-learn demo seed: a small organisation on an empty database, never on top of data."""
import datetime as dt

from sqlalchemy import func, select

from cev_learn.accounts.models import Role, User
from cev_learn.db import db
from cev_learn.demo import DEMO_PASSWORD, demo_people
from tests.conftest import login, make_user


def test_demo_people_are_deterministic_for_a_seed():
    today = dt.date(2026, 11, 27)
    assert demo_people(12, 7, today) == demo_people(12, 7, today)
    assert demo_people(12, 7, today) != demo_people(12, 8, today)


def test_seed_creates_staff_and_reps_who_can_sign_in(app):
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert "admin@example.com" in result.output and DEMO_PASSWORD in result.output
    roles = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    assert roles == {Role.ADMIN: 1, Role.MANAGER: 1, Role.COACH: 2, Role.REP: 12}
    for email, home in [("admin@example.com", "/admin/users"), ("manager@example.com", "/ramp"),
                        ("coach.sam@example.com", "/coach"), ("rep01@example.com", "/week")]:
        client = app.test_client()
        assert login(client, email, DEMO_PASSWORD).status_code == 302
        assert client.get("/").headers["Location"] == home


def test_seed_refuses_a_database_with_users(app):
    make_user(Role.ADMIN)
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 1
    assert "already has users" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_seed_if_empty_is_a_quiet_no_op_on_existing_data(app):
    make_user(Role.ADMIN)
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--if-empty"])
    assert result.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_seed_with_content_makes_two_cohorts_at_different_stages(app):
    from pathlib import Path

    from cev_learn.cohorts.models import Cohort, Membership
    from cev_learn.content.models import ModuleProgress
    from cev_learn.quizzes.models import Attempt

    courses = Path(__file__).resolve().parents[1] / "courses"
    assert app.test_cli_runner().invoke(args=["content", "sync", str(courses)]).exit_code == 0
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    cohorts = db.session.scalars(select(Cohort).order_by(Cohort.start_on)).all()
    assert len(cohorts) == 2 and cohorts[0].start_on < cohorts[1].start_on
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 12
    assert db.session.scalar(select(func.count()).select_from(ModuleProgress)) > 20
    assert db.session.scalar(select(func.count()).select_from(Attempt)) > 3
    client = app.test_client()
    login(client, "coach.sam@example.com", DEMO_PASSWORD)
    page = client.get("/coach").get_data(as_text=True)
    assert cohorts[0].name in page and "Behind" in page
