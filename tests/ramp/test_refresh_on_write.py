"""Every write keeps the achievements it affects current by itself: each test calls one
service (or runs one command) and nothing else, then reads the stored achievement rows."""
import datetime as dt

from sqlalchemy import select

from cev_learn.accounts.models import Role
from cev_learn.cohorts import coaching
from cev_learn.cohorts.services import current_membership, place_rep, remove_rep, update_cohort
from cev_learn.content import services as content_services
from cev_learn.content.models import Milestone, Module, Rubric
from cev_learn.content.questions import QuestionType
from cev_learn.platform import events
from cev_learn.platform.db import db
from cev_learn.quizzes import services as quiz_services
from cev_learn.quizzes.grading import Response
from cev_learn.quizzes.models import AttemptState
from cev_learn.ramp import achievements, facts
from cev_learn.ramp.achievements import hand_date_problem
from cev_learn.ramp.import_service import import_activities, import_quotas
from cev_learn.ramp.models import ActivityRecord
from tests.helpers import make_user
from tests.ramp.measure_track import (D, NO_GRACE, START, at, auto, cohort, member,  # noqa: F401
                                      quiz, ramp_track, reached, sync, take_basics, track)

ACTIVITIES = "external_id,rep_email,occurred_on,type,quantity,amount"
QUOTAS = "rep_email,month,amount"


def meeting(rep, external_id: str, on: dt.date) -> None:
    """An activity record stored as it is, without any service: nothing refreshes."""
    db.session.add(ActivityRecord(external_id=external_id, user_id=rep.id, occurred_on=on,
                                  type="meeting", quantity=1))
    db.session.commit()


# --- CRM data ------------------------------------------------------------------------------

def test_an_activity_import_records_the_milestone_it_completes(cohort):
    ana = member(cohort, "ana@example.com")
    report = import_activities(f"{ACTIVITIES}\ncrm-1,ana@example.com,2026-03-09,meeting,1,\n",
                               skip_invalid=False, today=D(2026, 3, 20))
    db.session.commit()
    assert report.achievements_changed == 1
    assert reached(ana) == {"first-meeting": auto(D(2026, 3, 9))}


def test_an_activity_moved_to_another_rep_takes_the_milestone_from_its_old_owner(cohort):
    ana, ben = member(cohort, "ana@example.com"), member(cohort, "ben@example.com")
    import_activities(f"{ACTIVITIES}\ncrm-1,ana@example.com,2026-03-09,meeting,1,\n",
                      skip_invalid=False, today=D(2026, 3, 20))
    db.session.commit()
    report = import_activities(f"{ACTIVITIES}\ncrm-1,ben@example.com,2026-03-10,meeting,1,\n",
                               skip_invalid=False, today=D(2026, 3, 20))
    db.session.commit()
    assert report.touched_rep_ids == {ana.id, ben.id}
    assert report.achievements_changed == 2
    assert reached(ana) == {}
    assert reached(ben) == {"first-meeting": auto(D(2026, 3, 10))}


def test_a_quota_import_records_the_month_at_quota(cohort):
    ana = member(cohort, "ana@example.com")
    db.session.add(ActivityRecord(external_id="deal-1", user_id=ana.id, occurred_on=D(2026, 3, 20),
                                  type="deal_won", quantity=1, amount=12_000))
    db.session.commit()
    assert reached(ana) == {}  # no quota yet: no month can be at quota
    report = import_quotas(f"{QUOTAS}\nana@example.com,2026-03,10000\n", skip_invalid=False,
                           today=D(2026, 4, 2))
    db.session.commit()
    assert report.achievements_changed == 1
    assert reached(ana) == {"quota-month": auto(D(2026, 3, 31))}


# --- Learning ------------------------------------------------------------------------------

def test_submitting_a_quiz_records_the_quiz_milestone(cohort):
    ana = member(cohort)
    take_basics(ana, right=1, when=at(5))  # 25%: below min_score
    assert reached(ana) == {}
    take_basics(ana, right=2, when=at(6))  # 50%: min_score, though not the pass mark
    assert reached(ana) == {"basics-half": auto(D(2026, 3, 6))}


def test_grading_an_essay_records_the_quiz_milestone(cohort):
    ana, coach = member(cohort), make_user(Role.COACH)
    attempt = quiz_services.start_attempt(ana, quiz("pitch"), at(5), NO_GRACE)
    essay = next(key for key, question in quiz_services.version_questions(attempt.version)
                 .items() if question.type is QuestionType.ESSAY)
    quiz_services.store_responses(attempt, {essay: Response(text="Cut late penalties.")}, at(5))
    quiz_services.submit_attempt(attempt.id, None, at(5), NO_GRACE)
    db.session.commit()
    assert attempt.state is AttemptState.NEEDS_GRADING and reached(ana) == {}
    quiz_services.grade_answer(attempt.id, essay, 1.0, "Crisp.", coach, at(9))
    db.session.commit()
    assert reached(ana) == {"pitch-written": auto(D(2026, 3, 5))}  # the day it was submitted


def test_completing_the_last_module_records_the_modules_milestone(cohort):
    ana = member(cohort)
    modules = {m.slug: m for m in db.session.scalars(select(Module))}
    assert content_services.complete_module(ana, modules["intro"], at(3))
    db.session.commit()
    assert reached(ana) == {}
    assert content_services.complete_module(ana, modules["discovery"], at(4))
    db.session.commit()
    assert reached(ana) == {"all-read": auto(D(2026, 3, 4))}


# --- Coaching ------------------------------------------------------------------------------

def test_a_passing_sign_off_records_the_sign_off_milestone(cohort):
    ana, coach = member(cohort), make_user(Role.COACH)
    rubric = db.session.scalar(select(Rubric))
    coaching.record_signoff(rep=ana, rubric=rubric, coach=coach, scores=[2, 2, 2],
                            comments=["", "", ""], today=D(2026, 3, 10))
    db.session.commit()
    assert reached(ana) == {}
    coaching.record_signoff(rep=ana, rubric=rubric, coach=coach, scores=[5, 4, 4],
                            comments=["", "", ""], today=D(2026, 3, 12))
    db.session.commit()
    assert reached(ana) == {"pitch-certified": auto(D(2026, 3, 12))}


def test_clearing_a_milestone_recorded_by_hand_hands_it_back_to_the_records(cohort):
    ana, coach = member(cohort), make_user(Role.COACH)
    milestone = db.session.scalar(select(Milestone).where(Milestone.slug == "first-meeting"))
    meeting(ana, "crm-1", D(2026, 3, 9))
    assert hand_date_problem(D(2026, 3, 5), START, D(2026, 3, 20)) is None
    achievements.record_milestone(rep=ana, milestone=milestone, achieved_on=D(2026, 3, 5),
                                  note="Met them at the fair.", actor=coach, today=D(2026, 3, 20),
                                  current=None)
    db.session.commit()
    assert reached(ana) == {"first-meeting": (D(2026, 3, 5), "coach")}
    now = achievements.record_milestone(
        rep=ana, milestone=milestone, achieved_on=None, note=None, actor=coach,
        today=D(2026, 3, 20), current=achievements.stored_achievement(ana, milestone))
    assert (now.achieved_on, now.source) == (D(2026, 3, 9), "auto")  # what is stored now
    db.session.commit()
    assert reached(ana) == {"first-meeting": auto(D(2026, 3, 9))}


# --- Cohorts -------------------------------------------------------------------------------

def test_a_rep_added_to_a_cohort_gets_what_their_records_already_reach(cohort):
    ana = make_user(Role.REP)
    meeting(ana, "crm-1", D(2026, 3, 9))
    content_services.complete_module(ana, db.session.scalar(
        select(Module).where(Module.slug == "intro")), at(3))
    db.session.commit()
    assert reached(ana) == {}
    place_rep(ana, cohort, start_on=None, end_on=None, now=at(20))
    db.session.commit()
    assert reached(ana) == {"first-meeting": auto(D(2026, 3, 9))}


def test_an_earlier_start_date_counts_the_records_before_the_old_one(cohort, track):
    ana, ben = member(cohort), member(cohort)
    meeting(ana, "crm-1", D(2026, 2, 20))  # before the cohort's start: not counted
    meeting(ben, "crm-2", D(2026, 2, 25))
    place_rep(ben, cohort, start_on=D(2026, 3, 1), end_on=None, now=at(20))  # still after it
    db.session.commit()
    assert reached(ana) == {} and reached(ben) == {}
    update_cohort(cohort, name=cohort.name, track=track, start_on=D(2026, 2, 16),
                  territory=None, coaches=[], actor=make_user(Role.ADMIN), today=D(2026, 3, 20))
    db.session.commit()
    assert reached(ana) == {"first-meeting": auto(D(2026, 2, 20))}
    assert reached(ben) == {}  # her own start date stands
    place_rep(ben, cohort, start_on=None, end_on=None, now=at(20))  # the cohort's, now
    db.session.commit()
    assert reached(ben) == {"first-meeting": auto(D(2026, 2, 25))}


def test_a_rep_taken_out_of_a_cohort_is_refreshed(cohort, monkeypatch):
    ana = member(cohort)
    refreshed = []
    monkeypatch.setattr(facts, "refresh_reps",
                        lambda rep_ids, today, records: refreshed.append(
                            (list(rep_ids), today, records)) or 0)
    remove_rep(current_membership(ana), at(20))
    # Everything is measured again: the start date every record counts from may change.
    assert refreshed == [([ana.id], D(2026, 3, 20), events.ALL_RECORDS)]


# --- Content -------------------------------------------------------------------------------

def test_a_content_sync_changing_a_measure_refreshes_the_track_s_reps(app, tmp_path, cohort):
    ana, ben = member(cohort), member(cohort)
    meeting(ana, "crm-1", D(2026, 3, 9))
    meeting(ben, "crm-2", D(2026, 3, 10))
    meeting(ben, "crm-3", D(2026, 3, 12))
    today = dt.datetime.now(dt.UTC).date()  # the sync refreshes as of its own day
    assert today > D(2026, 3, 12)
    sync(app, ramp_track(tmp_path / "v2", meetings=2))
    assert reached(ana) == {} and reached(ben) == {"first-meeting": auto(D(2026, 3, 12))}
    sync(app, ramp_track(tmp_path / "v3", meetings=1))
    assert reached(ana) == {"first-meeting": auto(D(2026, 3, 9))}
    assert reached(ben) == {"first-meeting": auto(D(2026, 3, 10))}
