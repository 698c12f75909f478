"""cev-learn demo seed --cohorts: a large organisation, built in bulk, the same for a seed."""
import datetime as dt
import hashlib
import html
import re
from pathlib import Path

import pytest
from sqlalchemy import bindparam, func, select, text

from cev_learn.accounts.models import Role, User
from cev_learn.cohorts.models import Cohort, CohortCoach, Membership
from cev_learn.content.models import Milestone, Module, ModuleProgress, Quiz
from cev_learn.demo import DEMO_PASSWORD, large as demo_large
from cev_learn.demo.large import DETAIL_DAYS, LEAVES_AFTER, WHOLE_TENURE_TYPES, large_plan
from cev_learn.platform.db import db
from cev_learn.quizzes.models import Attempt, AttemptAnswer
from cev_learn.ramp.achievements import recompute_for
from cev_learn.ramp.models import Achievement, AchievementChange, ActivityRecord, Quota
from tests.helpers import empty_tables, login

COURSES = Path(__file__).resolve().parents[2] / "courses"
TODAY = dt.date(2026, 11, 27)
SEEDED_TABLES = ("user", "cohort", "cohort_coach", "membership", "module_progress", "attempt",
                 "attempt_answer", "signoff", "coaching_note", "assignment", "activity_record",
                 "quota", "achievement", "achievement_change", "booster", "booster_answer")


def sync_content(app):
    assert app.test_cli_runner().invoke(args=["content", "sync", str(COURSES)]).exit_code == 0


def seed(app, *args: str):
    sync_content(app)
    result = app.test_cli_runner().invoke(args=["demo", "seed", *args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def organisation(app, stored_once):
    """The organisation `seed(app, "--reps", "60", "--cohorts", "6")` makes, seeded once per
    run: `organisation()` -> the seed command's result."""
    return lambda: stored_once("60 reps in 6 cohorts",
                               lambda: seed(app, "--reps", "60", "--cohorts", "6"))


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def start_over() -> None:
    db.session.rollback()
    empty_tables()


def digest() -> dict[str, str]:
    """A hash per seeded table of all its rows in insertion order, password hashes left out.

    Ids become the row's rank in its table (on PostgreSQL ids keep counting after a table is
    emptied), in the row itself and wherever another row points at it."""
    tables = db.metadata.tables
    ranks = {name: {row_id: rank for rank, row_id in enumerate(db.session.scalars(
        select(table.c.id).order_by(table.c.id)))} for name, table in tables.items()
        if "id" in table.c}
    digests = {}
    for name in SEEDED_TABLES:
        table = tables[name]
        columns = [c for c in table.c if c.name != "password_hash"]
        targets = [ranks[name] if c.primary_key else
                   ranks[next(iter(c.foreign_keys)).column.table.name] if c.foreign_keys else None
                   for c in columns]
        rows = hashlib.sha256()
        for row in db.session.execute(select(*columns).order_by(table.c.id)):
            rows.update(repr([value if target is None or value is None else target[value]
                              for value, target in zip(row, targets, strict=True)]).encode())
        digests[name] = rows.hexdigest()
    return digests


# --- The plan (pure) ------------------------------------------------------------------------

def test_the_plan_spreads_cohorts_over_three_years_and_the_reps_evenly():
    staff, plan = large_plan(62, 6, 1, TODAY)
    assert plan == large_plan(62, 6, 1, TODAY)[1] and plan != large_plan(62, 6, 2, TODAY)[1]
    starts = [c.start_on for c in plan]
    assert starts == sorted(starts) and all(day.weekday() == 0 for day in starts)
    assert 2.9 * 365 <= (TODAY - starts[0]).days < 3 * 365 + 7
    assert (TODAY - starts[-1]).days < 3 * 365 / 6 + 7
    assert sorted(len(c.reps) for c in plan) == [10, 10, 10, 10, 11, 11]
    emails = [r.email for c in plan for r in c.reps]
    assert len(set(emails)) == 62 and plan[-1].reps[0].email == "rep0001@example.com"
    assert [p.email for p in staff] == ["admin@example.com", "manager@example.com",
                                        "coach01@example.com", "coach02@example.com"]
    assert {c.coach_email for c in plan} == {"coach01@example.com", "coach02@example.com"}
    assert len({c.name for c in plan}) == 6


def test_leavers_are_in_older_cohorts_and_left_before_today():
    _staff, plan = large_plan(3000, 30, 4, TODAY)
    leavers = [r for c in plan for r in c.reps if r.end_on]
    assert all(r.start_on + dt.timedelta(days=LEAVES_AFTER[0]) <= r.end_on < TODAY
               for r in leavers)
    share = [sum(1 for r in c.reps if r.end_on) / len(c.reps) for c in plan]
    oldest, middle, newest = sum(share[:10]), sum(share[10:20]), sum(share[20:])
    assert oldest > middle > newest and share[-1] == 0
    kinds = {r.kind for c in plan for r in c.reps}
    assert kinds == {"typical", "slipping", "struggling", "never"}


# --- The seeded organisation ----------------------------------------------------------------

def test_seed_builds_cohorts_reps_and_their_data_in_proportion(app, organisation):
    result = organisation()
    cohorts = list(db.session.scalars(select(Cohort).order_by(Cohort.start_on)))
    assert len(cohorts) == 6
    reps = select(User.id).where(User.role == Role.REP)
    assert count(User, User.role == Role.REP) == 60
    assert count(User, User.role == Role.COACH) == 2
    assert {u.email for u in db.session.scalars(select(User).where(User.role.in_(
        [Role.ADMIN, Role.MANAGER])))} == {"admin@example.com", "manager@example.com"}
    per_rep = db.session.execute(select(Membership.user_id, func.count())
                                 .group_by(Membership.user_id)).all()
    assert len(per_rep) == 60 and {n for _, n in per_rep} == {1}
    assert {count(Membership, Membership.cohort_id == c.id) for c in cohorts} == {10}
    assert {count(CohortCoach, CohortCoach.cohort_id == c.id) for c in cohorts} == {1}

    settled = select(Membership.user_id).join(Cohort).where(
        Cohort.start_on <= dt.date.today() - dt.timedelta(days=60))
    settled_reps = count(Membership, Membership.user_id.in_(settled))
    modules, quizzes = count(Module), count(Quiz)
    reading = count(ModuleProgress, ModuleProgress.user_id.in_(settled))
    assert 0.7 * settled_reps * modules <= reading <= settled_reps * modules
    attempts = count(Attempt, Attempt.user_id.in_(settled))
    assert 0.7 * settled_reps * quizzes <= attempts <= 3 * settled_reps * quizzes
    activities = count(ActivityRecord)
    assert 250 * 60 <= activities <= 800 * 60
    assert count(ActivityRecord, ActivityRecord.user_id.not_in(reps)) == 0
    assert db.session.scalar(select(func.count(func.distinct(Quota.user_id)))) == 60

    summary = result.output
    for number, words in [(6, "cohorts"), (60, "reps"), (count(ModuleProgress),
                          "module progress rows"), (count(Attempt), "quiz attempts"),
                          (activities, "CRM activities"), (count(Quota), "monthly quotas"),
                          (count(Achievement), "achievements")]:
        assert f"{number} {words}" in summary
    assert re.search(r"created in \d+ s", summary)


def test_crm_detail_covers_the_first_weeks_and_deals_the_whole_tenure(app, organisation):
    organisation()
    # Tenure days are worked out here: date arithmetic differs between SQLite and PostgreSQL.
    rows = db.session.execute(select(ActivityRecord.type, ActivityRecord.occurred_on,
                                     User.start_on).join(User, User.id == ActivityRecord.user_id))
    late = {kind for kind, day, start in rows if (day - start).days >= DETAIL_DAYS}
    assert late and late <= WHOLE_TENURE_TYPES and "deal_won" in late
    assert count(ActivityRecord, ActivityRecord.occurred_on > dt.date.today()) == 0


def test_leavers_are_inactive_and_have_no_activity_after_leaving(app, organisation):
    organisation()
    leavers = list(db.session.execute(select(Membership.user_id, Membership.end_on, Cohort.start_on)
                                      .join(Cohort).where(Membership.end_on.is_not(None))))
    assert leavers
    for user_id, end_on, start_on in leavers:
        assert end_on < dt.date.today() and (end_on - start_on).days >= LEAVES_AFTER[0]
        assert not db.session.get(User, user_id).active
        assert count(ActivityRecord, ActivityRecord.user_id == user_id,
                     ActivityRecord.occurred_on > end_on) == 0
    assert count(User, User.role == Role.REP, User.active.is_(False)) == len(leavers)


def test_achievements_are_what_recompute_for_stores(app, organisation):
    organisation()
    achieved = select(User.email, Milestone.slug, Achievement.achieved_on, Achievement.source) \
        .join(User, User.id == Achievement.user_id).join(Milestone)
    seeded = set(db.session.execute(achieved))
    assert {slug for _, slug, _, _ in seeded} == set(db.session.scalars(select(Milestone.slug)))
    history = set(db.session.execute(select(
        AchievementChange.user_id, AchievementChange.milestone_id, AchievementChange.achieved_on,
        AchievementChange.source)))
    assert history == set(db.session.execute(select(Achievement.user_id, Achievement.milestone_id,
                                                    Achievement.achieved_on, Achievement.source)))
    assert count(AchievementChange) == len(seeded)

    db.session.execute(AchievementChange.__table__.delete())
    db.session.execute(Achievement.__table__.delete())
    rep_ids = list(db.session.scalars(select(Membership.user_id)))
    assert recompute_for(rep_ids, dt.date.today()) == len(seeded)
    assert set(db.session.execute(achieved)) == seeded
    db.session.rollback()


def test_the_same_seed_gives_the_same_rows_and_another_seed_others(app, monkeypatch):
    seed(app, "--reps", "60", "--cohorts", "6", "--seed", "5")
    first = digest()
    start_over()
    monkeypatch.setattr(demo_large, "CHUNK", 7)  # written in other batches: the same rows
    seed(app, "--reps", "60", "--cohorts", "6", "--seed", "5")
    assert digest() == first
    start_over()
    seed(app, "--reps", "60", "--cohorts", "6", "--seed", "6")
    other = digest()
    assert other["user"] != first["user"] and other["activity_record"] != first["activity_record"]
    assert other["attempt"] != first["attempt"]


def test_rep_coach_and_manager_see_the_seeded_organisation(app, organisation):
    organisation()
    rep = db.session.scalar(select(User).where(User.email == "rep0001@example.com"))
    newest = db.session.scalar(select(Cohort).order_by(Cohort.start_on.desc()))
    oldest = db.session.scalar(select(Cohort).order_by(Cohort.start_on))
    coached = set(db.session.scalars(select(Cohort.name).join(CohortCoach).join(
        User, User.id == CohortCoach.coach_id).where(User.email == "coach01@example.com")))
    assert newest.name in coached and len(coached) == 3

    client = app.test_client()
    assert login(client, rep.email, DEMO_PASSWORD).status_code == 302
    week = client.get("/week")
    assert week.status_code == 200 and html.escape(rep.name) in week.get_data(as_text=True)

    client = app.test_client()
    assert login(client, "coach01@example.com", DEMO_PASSWORD).status_code == 302
    home = client.get("/coach")
    assert home.status_code == 200
    assert all(html.escape(name) in home.get_data(as_text=True) for name in coached)
    assert client.get(f"/reps/{rep.id}").status_code == 200
    attempts = list(db.session.scalars(select(Attempt.id).join(Membership, Membership.user_id ==
                                                               Attempt.user_id)
                                       .where(Membership.cohort_id == newest.id)))
    assert attempts
    for attempt_id in attempts:
        page = client.get(f"/attempts/{attempt_id}")
        assert page.status_code == 200, attempt_id
    answered = count(AttemptAnswer, AttemptAnswer.attempt_id.in_(attempts))
    assert answered >= 5 * len(attempts)

    client = app.test_client()
    assert login(client, "manager@example.com", DEMO_PASSWORD).status_code == 302
    dashboard = client.get("/ramp")
    assert dashboard.status_code == 200 and html.escape(newest.name) in dashboard.get_data(
        as_text=True)
    assert client.get(f"/ramp/cohorts/{oldest.id}").status_code == 200


def test_postgresql_knows_the_rows_of_a_large_organisation_as_soon_as_it_is_seeded(app):
    """After the bulk load PostgreSQL's planner counts the new rows (the seed ends with
    ANALYZE): a cold dashboard is planned for them at once. SQLite keeps no statistics, as
    cev_learn's queries there are written to expect."""
    seed(app, "--reps", "24", "--cohorts", "3")
    tables = ("activity_record", "rep_early_activity", "membership")
    rows = {table: db.session.scalar(text(f'SELECT count(*) FROM "{table}"')) for table in tables}
    if db.engine.dialect.name == "postgresql":
        planned = dict(db.session.execute(text(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN :tables")
            .bindparams(bindparam("tables", expanding=True)), {"tables": list(tables)}).all())
        assert planned == rows and min(rows.values()) > 0
    else:
        assert db.session.scalar(text(
            "SELECT count(*) FROM sqlite_master WHERE name LIKE 'sqlite_stat%'")) == 0


# --- Refusals -------------------------------------------------------------------------------

@pytest.mark.parametrize("args, reason", [
    (["--cohorts", "0"], "0 is not in the range 1<=x<=1000"),
    (["--cohorts", "1001"], "1001 is not in the range 1<=x<=1000"),
    (["--reps", "5", "--cohorts", "6"], "6 is more than --reps (5)"),
    (["--cohorts", "6", "--reps", "5"], "6 is more than --reps (5)"),
    (["--cohorts", "many"], "'many' is not a valid integer"),
])
def test_bad_cohort_counts_are_refused_and_write_nothing(app, args, reason):
    sync_content(app)
    result = app.test_cli_runner().invoke(args=["demo", "seed", *args])
    assert result.exit_code == 2
    assert "--cohorts" in result.output and reason in result.output
    assert count(User) == 0 and count(Cohort) == 0 and count(ActivityRecord) == 0


def test_a_large_organisation_needs_synced_content(app):
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--reps", "10", "--cohorts", "2"])
    assert result.exit_code == 1 and "content sync" in result.output
    assert count(User) == 0
