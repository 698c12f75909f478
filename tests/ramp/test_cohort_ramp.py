"""`cev-learn ramp cohort --json` on a small organisation worked out by hand."""
import json

from sqlalchemy import func, select

from cev_learn.accounts.models import Role
from cev_learn.content.models import Milestone
from cev_learn.platform.db import db
from cev_learn.ramp.achievements import recompute_for, record_by_hand, stored_achievement
from cev_learn.ramp.models import Achievement, AchievementChange, ActivityRecord
from tests.helpers import make_user
from tests.factories import make_cohort
from tests.ramp.helpers import D

EXPECTED = {
    "cohort": "2026-Q1 AEs", "as_of": "2026-03-31", "track": "test-track",
    # KM: day 10 n=4 d=1 -> 0.75; day 20 C censored; day 30 n=2 d=1 -> 0.375.
    "reps": 4, "productive": 2, "censored": 2,
    "median_days_to_productivity": 30,
    "pct_productive_by_day": {"30": 0.625, "60": 0.625, "90": 0.625, "180": 0.625},
    "milestones": [{"slug": "first-meeting", "achieved": 2, "median_days": 30}],
    "ramp_curve": [{"month": 1, "n": 3, "p25": 0.0, "median": 0.0, "p75": 0.2},
                   {"month": 2, "n": 2, "p25": 0.675, "median": 0.85, "p75": 1.025}],
}


def test_ramp_cohort_json_matches_the_hand_worked_report(app, organisation):
    with app.app_context():
        result = app.test_cli_runner().invoke(
            args=["ramp", "cohort", "2026-Q1 AEs", "--as-of", "2026-03-31", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == EXPECTED


def test_achievements_follow_the_engine_and_keep_history(app, organisation):
    meeting = db.session.scalar(select(Milestone).where(Milestone.slug == "first-meeting"))
    rows = {a.user_id: a.achieved_on for a in db.session.scalars(select(Achievement))}
    reps = organisation
    assert rows == {reps["A"].id: D(2026, 1, 15), reps["B"].id: D(2026, 2, 4),
                    reps["D"].id: D(2026, 4, 10)}
    # Recomputing without changes writes nothing new.
    before = db.session.scalar(select(func.count()).select_from(AchievementChange))
    assert recompute_for([r.id for r in reps.values()], D(2026, 11, 27)) == 0
    # A coach's correction wins over the engine and is kept in the history.
    coach = make_user(Role.COACH)
    record_by_hand(rep=reps["C"], milestone=meeting, achieved_on=D(2026, 1, 20),
                   note="Met Harbor & Pine; not logged in the CRM.", actor=coach,
                   current=stored_achievement(reps["C"], meeting))
    db.session.commit()
    assert recompute_for([reps["C"].id], D(2026, 11, 27)) == 0
    stored = db.session.scalar(select(Achievement).where(Achievement.user_id == reps["C"].id))
    assert (stored.achieved_on, stored.source, stored.recorded_by_id) == (
        D(2026, 1, 20), "coach", coach.id)
    assert db.session.scalar(select(func.count()).select_from(AchievementChange)) == before + 1


def test_ramp_cohort_errors(app, organisation):
    with app.app_context():
        runner = app.test_cli_runner()
        missing = runner.invoke(args=["ramp", "cohort", "Nope"])
        bad_date = runner.invoke(args=["ramp", "cohort", "2026-Q1 AEs", "--as-of", "March"])
        table = runner.invoke(args=["ramp", "cohort", "2026-Q1 AEs", "--as-of", "2026-03-31"])
    assert missing.exit_code == 1 and "no cohort named 'Nope'" in missing.output
    assert bad_date.exit_code == 2 and "is not a date" in bad_date.output
    assert "median time to productivity: 30 days" in table.output


def test_an_activity_import_updates_the_touched_reps_achievements(app, tmp_path, synced_track):
    rep, other = make_user(Role.REP), make_user(Role.REP)
    make_cohort(reps=[rep, other], start_on=D(2026, 3, 2))
    csv_file = tmp_path / "activities.csv"
    csv_file.write_text("external_id,rep_email,occurred_on,type,quantity,amount\n"
                        f"crm-1,{rep.email},2026-03-10,meeting,1,0\n")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["import", "activities", str(csv_file)])
    assert result.exit_code == 0, result.output
    assert "achievements: 1 changed" in result.output
    stored = db.session.scalars(select(Achievement)).all()
    assert [(a.user_id, a.achieved_on, a.source) for a in stored] == [
        (rep.id, D(2026, 3, 10), "auto")]


def test_ramp_recompute_records_what_no_event_triggered(app, synced_track):
    rep = make_user(Role.REP)
    make_cohort(reps=[rep], start_on=D(2026, 3, 2))
    # Written straight to the table (as a month closing would), so nothing recomputed yet.
    db.session.add(ActivityRecord(external_id="m", user_id=rep.id, occurred_on=D(2026, 3, 9),
                                  type="meeting"))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Achievement)) == 0
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["ramp", "recompute", "--as-of", "2026-03-31"])
    assert result.exit_code == 0, result.output
    assert "achievements: 1 changed for 1 reps" in result.output
    stored = db.session.scalar(select(Achievement))
    assert (stored.user_id, stored.achieved_on) == (rep.id, D(2026, 3, 9))
