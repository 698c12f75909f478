"""cev-learn demo seed: a small organisation on an empty database, never on top of data."""
import datetime as dt
import random
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cev_learn.accounts.models import Role, User
from cev_learn.certifications.models import Certificate
from cev_learn.analytics.reports import cohort_ramp
from cev_learn.cohorts.models import Cohort, CohortCoach, Membership
from cev_learn.content.models import Certification, Milestone, Module, ModuleProgress, Quiz
from cev_learn.demo import DEMO_PASSWORD, demo_people, history_plan
from cev_learn.demo.crm import activity_rows, quota_rows, rep_profile
from cev_learn.platform.db import db
from cev_learn.practice.models import Review
from cev_learn.quizzes.models import Attempt
from cev_learn.ramp.models import Achievement, ActivityRecord, CrmPerson, ImportMapping, Quota
from tests.helpers import empty_tables, login, make_user

COURSES = Path(__file__).resolve().parents[1] / "courses"
TODAY = dt.date(2026, 11, 27)


def seed(app, *args: str):
    """Sync the shipped courses and seed the demo with them, as `make run` does."""
    assert app.test_cli_runner().invoke(args=["content", "sync", str(COURSES)]).exit_code == 0
    result = app.test_cli_runner().invoke(args=["demo", "seed", *args])
    assert result.exit_code == 0, result.output
    return result


def cohorts_by_start() -> list[Cohort]:
    return list(db.session.scalars(select(Cohort).order_by(Cohort.start_on)))


def member_emails(cohort: Cohort) -> list[str]:
    return list(db.session.scalars(select(User.email).join(Membership).where(
        Membership.cohort_id == cohort.id).order_by(User.email)))


def coach_emails(cohort: Cohort) -> list[str]:
    return list(db.session.scalars(select(User.email).join(
        CohortCoach, CohortCoach.coach_id == User.id).where(CohortCoach.cohort_id == cohort.id)))


# --- Pure parts -----------------------------------------------------------------------------

def test_demo_people_are_deterministic_for_a_seed():
    assert demo_people(12, 7, TODAY) == demo_people(12, 7, TODAY)
    assert demo_people(12, 7, TODAY) != demo_people(12, 8, TODAY)


def test_history_is_five_earlier_cohorts_with_a_few_leavers():
    plan = history_plan(1, TODAY)
    assert plan == history_plan(1, TODAY) and plan != history_plan(2, TODAY)
    ages = [(TODAY - c.start_on).days for c in plan]
    assert ages == sorted(ages, reverse=True) and 6 * 30 <= ages[-1] and ages[0] <= 14 * 31
    assert all(6 <= len(c.members) <= 16 for c in plan)
    assert all(any(a.end_on for a in c.members) for c in plan)
    assert all(a.end_on < TODAY for c in plan for a in c.members if a.end_on)
    emails = [a.person.email for c in plan for a in c.members]
    assert len(set(emails)) == len(emails)


def test_earlier_reps_never_share_a_current_reps_name():
    # Pages and browser journeys find a current rep by name among the coach's reps.
    current = [p.name.lower() for p in demo_people(200, 1, TODAY) if p.role is Role.REP]
    earlier = [a.person.name.lower() for c in history_plan(1, TODAY) for a in c.members]
    assert not [(c, e) for c in current for e in earlier if c in e]


@pytest.mark.parametrize("kind", ["typical", "slipping", "struggling", "never"])
def test_activity_lies_between_start_and_today_or_leaving(kind):
    start, left = TODAY - dt.timedelta(days=200), TODAY - dt.timedelta(days=30)
    for end_on in (None, left):
        profile = rep_profile(random.Random(3), "rep07", start, median_ttp=60, end_on=end_on,
                              kind=kind)
        rows = activity_rows(random.Random(4), profile, TODAY)
        days = [row["occurred_on"] for row in rows]
        assert rows and min(days) >= start and max(days) <= (end_on or TODAY)
        assert all(day.weekday() < 5 for day in days)
        ids = [row["external_id"] for row in rows]
        assert len(set(ids)) == len(ids) and all(i.startswith("demo-rep07-") for i in ids)
        assert activity_rows(random.Random(4), profile, TODAY) == rows
        deals = [row for row in rows if row["type"] == "deal_won"]
        assert all(row["amount"] > 0 for row in deals)
        assert bool(deals) is (kind != "never")


def test_a_rep_ramps_up_over_the_first_weeks():
    profile = rep_profile(random.Random(5), "rep03", TODAY - dt.timedelta(days=140),
                          median_ttp=60)
    calls = [0] * 21
    for row in activity_rows(random.Random(6), profile, TODAY):
        if row["type"] == "call":
            calls[(row["occurred_on"] - profile.start_on).days // 7] += row["quantity"]
    assert calls[0] < calls[2] < sum(calls[10:15]) / 5


def test_quotas_ramp_up_on_the_first_of_each_month():
    profile = rep_profile(random.Random(1), "rep01", dt.date(2026, 6, 17), median_ttp=50)
    rows = quota_rows(profile, TODAY)
    assert [row["month"] for row in rows] == [dt.date(2026, m, 1) for m in range(6, 12)]
    shares = [row["amount"] / rows[-1]["amount"] for row in rows]
    assert shares == [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]


# --- The seeded organisation ----------------------------------------------------------------

def test_seed_creates_staff_and_reps_who_can_sign_in(app):
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert "admin@example.com" in result.output and DEMO_PASSWORD in result.output
    roles = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    assert roles == {Role.ADMIN: 1, Role.MANAGER: 1, Role.COACH: 2, Role.REP: 12 + 3}
    for email, home in [("admin@example.com", "/admin/users"), ("manager@example.com", "/ramp"),
                        ("coach.sam@example.com", "/coach"), ("rep01@example.com", "/week")]:
        client = app.test_client()
        assert login(client, email, DEMO_PASSWORD).status_code == 302
        assert client.get("/").headers["Location"] == home


def test_seed_shows_people_who_have_not_joined_in_each_state(app):
    assert app.test_cli_runner().invoke(args=["demo", "seed", "--no-history"]).exit_code == 0
    client = app.test_client()
    assert login(client, "admin@example.com", DEMO_PASSWORD).status_code == 302
    page = client.get("/admin/users?q=newcomer").get_data(as_text=True)
    for name, state in (("Ines Newcomer", "Invited"), ("Jon Newcomer", "Invitation expired"),
                        ("Kim Newcomer", "Never joined")):
        assert re.search(name + r".*?>" + state + "<", page, re.S), name
    assert login(app.test_client(), "new.ines@example.com", DEMO_PASSWORD).status_code == 400


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


def test_seed_with_content_keeps_the_two_current_cohorts_people_rely_on(app, demo_organisation):
    output = demo_organisation()
    cohorts = cohorts_by_start()
    assert [c.name for c in cohorts] == [line.split("cohort", 1)[1].strip()
                                         for line in output.splitlines()
                                         if line.strip().startswith("cohort")]
    north, dach = cohorts[-2:]
    assert north.name.endswith("AEs · EMEA North") and dach.name.endswith("AEs · DACH")
    assert (dt.date.today() - north.start_on).days == 60
    assert (dt.date.today() - dach.start_on).days == 12
    assert member_emails(north) == [f"rep{n:02d}@example.com" for n in range(1, 7)]
    assert member_emails(dach) == [f"rep{n:02d}@example.com" for n in range(7, 13)]
    assert coach_emails(north) == ["coach.sam@example.com"]
    assert coach_emails(dach) == ["coach.rita@example.com"]
    names = {p.email: p.name for p in demo_people(12, 1, dt.date.today())}
    for rep in db.session.scalars(select(User).where(User.email.like("rep%"))):
        assert rep.name == names[rep.email]
    assert sum(1 for c in cohorts if "EMEA North" in c.name) == 1  # found by that name
    reps = select(User.id).where(User.email.like("rep%"))
    assert db.session.scalar(select(func.count()).select_from(ModuleProgress)
                             .where(ModuleProgress.user_id.in_(reps))) > 20
    assert db.session.scalar(select(func.count()).select_from(Attempt)
                             .where(Attempt.user_id.in_(reps))) > 3
    client = app.test_client()
    login(client, "coach.sam@example.com", DEMO_PASSWORD)
    page = client.get("/coach").get_data(as_text=True)
    assert north.name in page and "Behind" in page


def test_earlier_cohorts_took_longer_to_get_productive(app, demo_organisation):
    demo_organisation()
    cohorts = cohorts_by_start()
    assert len(cohorts) == 7
    today = dt.date.today()
    medians = [cohort_ramp(c, today)["median_days_to_productivity"] for c in cohorts[:5]]
    assert None not in medians
    assert medians == sorted(medians, reverse=True) and medians[0] > medians[-1]
    oldest = cohort_ramp(cohorts[0], today)
    assert oldest["censored"] >= 1  # leavers and reps who never closed a deal are counted
    assert 120 <= medians[0] <= 170 and 45 <= medians[-1] <= 75
    current = cohort_ramp(cohorts[-2], today)["median_days_to_productivity"]
    assert current is None or current < medians[-1]


def test_crm_data_is_dated_up_to_today_with_unique_ids_and_monthly_quotas(app, demo_organisation):
    demo_organisation()
    today = dt.date.today()
    records = select(func.count()).select_from(ActivityRecord)
    assert db.session.scalar(records) > 1000
    assert db.session.scalar(records.where(ActivityRecord.occurred_on > today)) == 0
    assert db.session.scalar(select(func.count(func.distinct(ActivityRecord.external_id)))) \
        == db.session.scalar(records)
    assert db.session.scalar(records.join(Membership, Membership.user_id == ActivityRecord.user_id)
                             .where(ActivityRecord.occurred_on > Membership.end_on)) == 0
    months = list(db.session.scalars(select(Quota.month).distinct()))
    assert months and all(m.day == 1 and m <= today for m in months)
    reps_with_quota = select(func.count(func.distinct(Quota.user_id)))
    assert db.session.scalar(reps_with_quota) == db.session.scalar(
        select(func.count()).select_from(Membership))
    streak = select(func.count()).select_from(Achievement).join(Milestone).where(
        Milestone.slug == "quota-streak")
    assert db.session.scalar(streak) >= 3  # some reps reach two months at quota


def test_the_struggling_rep_is_well_behind_on_meetings(app, demo_organisation):
    demo_organisation()
    meetings = dict(db.session.execute(
        select(User.email, func.sum(ActivityRecord.quantity)).join(ActivityRecord)
        .where(ActivityRecord.type == "meeting", User.email.in_(
            [f"rep{n:02d}@example.com" for n in range(1, 7)])).group_by(User.email)).all())
    peers = sorted(v for k, v in meetings.items() if k != "rep01@example.com")
    assert meetings.get("rep01@example.com", 0) * 3 < peers[0]
    first_meeting = db.session.scalar(
        select(Achievement.achieved_on).join(Milestone).join(User, User.id == Achievement.user_id)
        .where(Milestone.slug == "first-meeting", User.email == "rep01@example.com"))
    rep01 = db.session.scalar(select(User).where(User.email == "rep01@example.com"))
    assert first_meeting is None or (first_meeting - rep01.start_on).days > 21


def _snapshot() -> dict:
    activity = set(db.session.execute(
        select(User.email, ActivityRecord.external_id, ActivityRecord.occurred_on,
               ActivityRecord.type, ActivityRecord.quantity, ActivityRecord.amount)
        .join(User, User.id == ActivityRecord.user_id)))
    quotas = set(db.session.execute(select(User.email, Quota.month, Quota.amount)
                                    .join(User, User.id == Quota.user_id)))
    achieved = set(db.session.execute(
        select(User.email, Milestone.slug, Achievement.achieved_on)
        .join(User, User.id == Achievement.user_id).join(Milestone)))
    reading = set(db.session.execute(
        select(User.email, Module.slug, ModuleProgress.completed_at)
        .join(User, User.id == ModuleProgress.user_id).join(Module)))
    quizzes = {(email, quiz, number, score, repr(layout)) for email, quiz, number, score, layout
               in db.session.execute(select(User.email, Quiz.slug, Attempt.attempt_no,
                                            Attempt.score, Attempt.layout)
                                     .join(User, User.id == Attempt.user_id).join(Quiz))}
    return {"activity": activity, "quotas": quotas, "achieved": achieved, "reading": reading,
            "quizzes": quizzes}


def _start_over() -> None:
    db.session.rollback()
    empty_tables()


def _current_reps_only(snapshot: dict) -> dict:
    return {name: {row for row in rows if row[0].startswith("rep")}
            for name, rows in snapshot.items()}


def test_the_same_seed_gives_the_same_data(app):
    seed(app, "--seed", "5")
    first = _snapshot()
    _start_over()
    seed(app, "--seed", "5")
    assert _snapshot() == first
    _start_over()
    seed(app, "--seed", "6")
    assert _snapshot()["activity"] != first["activity"]


def test_history_does_not_change_the_current_reps(app):
    seed(app)
    with_history = _current_reps_only(_snapshot())
    _start_over()
    seed(app, "--no-history")
    assert len(cohorts_by_start()) == 2
    assert _current_reps_only(_snapshot()) == with_history


def test_the_demo_crm_exports_import_once_their_stranger_is_matched(app, demo_organisation,
                                                                    tmp_path):
    """The demo keeps a saved mapping and the names its CRMs use for two reps; its exports of
    this week import unedited once the one name that is no account is matched."""
    demo_organisation()
    assert db.session.scalar(select(ImportMapping.name)) == "Pipedrive activities"
    runner = app.test_cli_runner()
    for fmt in ("salesforce-activities", "hubspot-activities"):
        source = fmt.split("-")[0]
        [(label, rep_id)] = db.session.execute(select(CrmPerson.label, CrmPerson.user_id)
                                               .where(CrmPerson.source == source)).all()
        path = tmp_path / f"{fmt}.csv"
        written = runner.invoke(args=["demo", "crm-export", str(path), "--format", fmt])
        assert written.exit_code == 0, written.output
        assert label in path.read_bytes().decode("utf-8-sig")  # the CRM's own name for a rep
        before = db.session.scalar(select(func.count()).select_from(ActivityRecord))
        refused = runner.invoke(args=["import", "activities", str(path)])
        assert refused.exit_code == 1 and "'Jordan Blake': no account has this name" \
            in refused.stderr
        rep = db.session.scalars(select(User).where(User.role == Role.REP, User.active.is_(True))
                                 .order_by(User.id)).first()
        assert runner.invoke(args=["import", "match", source, "Jordan Blake",
                                   rep.email]).exit_code == 0
        imported = runner.invoke(args=["import", "activities", str(path)])
        assert imported.exit_code == 0, imported.output
        db.session.rollback()
        added = db.session.scalar(select(func.count()).select_from(ActivityRecord)) - before
        assert added > 10 and f"activities: {added} created" in imported.stdout
        assert db.session.scalar(select(func.count()).select_from(ActivityRecord).where(
            ActivityRecord.user_id == rep_id,
            ActivityRecord.external_id.like(f"{source}%:%"))) >= 3  # a call each weekday


def test_demo_reps_read_their_own_coach_and_have_ticked_checklists(app, demo_organisation):
    demo_organisation()
    rita = db.session.scalar(select(User).where(User.email == "coach.rita@example.com"))
    welcome = db.session.scalar(select(Module).where(Module.slug == "welcome"))
    readers = db.session.scalars(select(User.email).join(
        ModuleProgress, ModuleProgress.user_id == User.id).where(
        ModuleProgress.module_id == welcome.id, User.email.in_(
            [f"rep{n:02d}@example.com" for n in range(7, 13)])).order_by(User.email)).all()
    assert readers, "some DACH reps have read the welcome module"
    client = app.test_client()
    login(client, readers[0], DEMO_PASSWORD)
    page = client.get(f"/tracks/{welcome.track.slug}/modules/welcome").get_data(as_text=True)
    assert f"Meet {rita.name}, who coaches" in page and "Sam" not in page.split("<footer")[0]
    assert page.count('type="checkbox"') == 6 and " checked>" in page


def test_demo_recordings_have_peer_reviews_and_a_passing_review_earns_a_certification(
        app, demo_organisation):
    demo_organisation()
    peer_reviews = db.session.scalars(select(Review).where(Review.peer.is_(True))).all()
    assert peer_reviews and all(r.reviewer_id != r.submission.user_id for r in peer_reviews)
    coach_review = db.session.scalar(select(Review).where(Review.peer.is_(False)))
    holders = db.session.scalars(select(Certificate.user_id).join(Certification).where(
        Certification.slug == "practised-pitch")).all()
    assert holders == [coach_review.submission.user_id]
