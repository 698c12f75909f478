"""The write that causes a notification creates it, in its own transaction: a coach assigning
work, sharing a note or grading written answers; a rep submitting an attempt that needs
grading; a content sync changing a module reps completed; a rep falling behind. A refused
write notifies nobody."""
import datetime as dt

import pytest
from sqlalchemy import select

from cev_learn.accounts.models import Role
from cev_learn.cohorts import coaching
from cev_learn.cohorts.models import AssignmentKind
from cev_learn.content.models import Module
from cev_learn.content.questions import QuestionType
from cev_learn.content.services import complete_module
from cev_learn.platform.db import db, utcnow
from cev_learn.quizzes.models import Attempt
from cev_learn.quizzes.services import version_questions
from cev_learn.webhooks.standing_watch import check_standings
from tests.factories import make_cohort
from tests.helpers import make_user, post_form, sync_content
from tests.notifications.helpers import stored
from tests.quizzes.fixtures import quiz_track
from tests.test_query_plans import captured

TODAY = dt.date.today()
DAYS_FROM_TODAY = ()  # TODAY moves to the day each test runs (conftest)


def module(slug: str) -> Module:
    return db.session.scalar(select(Module).where(Module.slug == slug))


def test_assigning_work_tells_each_rep_with_a_link_to_it(app, synced_track, signed_in):
    coach = make_user(Role.COACH, name="Cora Coach")
    rep, other, elsewhere = make_user(Role.REP), make_user(Role.REP), make_user(Role.REP)
    make_cohort(reps=[rep, other], coaches=[coach])
    make_cohort(reps=[elsewhere])
    due = TODAY + dt.timedelta(days=3)
    response = post_form(signed_in(coach), f"/reps/{rep.id}/assignments",
                         {"item": f"module:{module('discovery').id}", "due_on": due.isoformat(),
                          "whole_cohort": "y"}, token_from=f"/reps/{rep.id}")
    assert response.status_code == 302
    told = stored()
    assert sorted(n.recipient_id for n in told) == sorted([rep.id, other.id])
    assert {(n.kind, n.text, n.link, n.read_at) for n in told} == {(
        "assigned", f"Cora Coach assigned you “Discovery”, due {due:%d %b %Y}",
        "/tracks/test-track/modules/discovery", None)}


def test_work_refused_tells_nobody(app, synced_track):
    coach, rep, not_theirs = make_user(Role.COACH), make_user(Role.REP), make_user(Role.REP)
    make_cohort(reps=[rep], coaches=[coach])
    make_cohort(reps=[not_theirs])
    with app.app_context():
        coach, rep, not_theirs = (db.session.merge(u) for u in (coach, rep, not_theirs))
        item = module("intro").id
        for reps, due in (([rep], TODAY - dt.timedelta(days=1)), ([rep, not_theirs], TODAY)):
            with pytest.raises(coaching.CoachingError):
                coaching.assign(reps=reps, kind=AssignmentKind.MODULE, item_id=item,
                                due_on=due, note=None, coach=coach, today=TODAY)
            db.session.rollback()
    assert stored() == []


def test_a_shared_note_tells_the_rep_and_a_private_one_nobody(app, synced_track, signed_in):
    coach, rep = make_user(Role.COACH, name="Cora Coach"), make_user(Role.REP)
    make_cohort(reps=[rep], coaches=[coach])
    client = signed_in(coach)
    post_form(client, f"/reps/{rep.id}/notes", {"body": "Coaches only"},
              token_from=f"/reps/{rep.id}")
    assert stored() == []
    post_form(client, f"/reps/{rep.id}/notes", {"body": "Well done", "shared": "y"},
              token_from=f"/reps/{rep.id}")
    [note] = stored()
    assert (note.recipient_id, note.kind, note.text, note.link) == (
        rep.id, "note", "Cora Coach shared a note with you", "/week#notes")


def test_written_answers_tell_the_coaches_and_their_grading_tells_the_rep_once(
        app, synced_track, signed_in):
    coach, second_coach = make_user(Role.COACH), make_user(Role.COACH, name="Kim Coach")
    other_coach, gone_coach = make_user(Role.COACH), make_user(Role.COACH, active=False)
    rep = make_user(Role.REP, name="Rae Rep")
    make_cohort(reps=[rep], coaches=[coach, second_coach, gone_coach])
    make_cohort(reps=[make_user(Role.REP)], coaches=[other_coach])
    client = signed_in(rep)
    start = post_form(client, "/tracks/test-track/quizzes/check/start",
                      token_from="/tracks/test-track/quizzes/check")
    attempt_id = int(start.headers["Location"].rsplit("/", 1)[1])
    attempt = db.session.get(Attempt, attempt_id)
    questions = version_questions(attempt.version)
    essay = next(e["key"] for e in attempt.layout
                 if questions[e["key"]].type is QuestionType.ESSAY)
    post_form(client, f"/attempts/{attempt_id}/submit",  # confirmed, as from its summary
              {f"q-{essay}": "Cut penalties.", "confirm": "yes"},
              token_from=f"/attempts/{attempt_id}")
    told = stored()
    assert sorted(n.recipient_id for n in told) == sorted([coach.id, second_coach.id])
    assert {(n.kind, n.text, n.link) for n in told} == {(
        "to_grade", "Rae Rep submitted “Check yourself”: written answers to grade",
        f"/attempts/{attempt_id}")}
    grader = signed_in(second_coach)
    points = f"{questions[essay].points:g}"
    post_form(grader, f"/quizzes/attempts/{attempt_id}/grade/{essay}", {"points": points},
              token_from=f"/attempts/{attempt_id}")
    [graded] = stored(rep)
    assert (graded.kind, graded.link) == ("graded", f"/attempts/{attempt_id}")
    score = round(100 * db.session.get(Attempt, attempt_id).score)
    assert graded.text == (f"Kim Coach graded your answers to “Check yourself”: not passed, "
                           f"{score}%")
    # a score changed that leaves the result as it was tells nobody again
    post_form(grader, f"/quizzes/attempts/{attempt_id}/grade/{essay}", {"points": "0"},
              token_from=f"/attempts/{attempt_id}")
    assert len(stored(rep)) == 1


def test_a_changed_module_tells_each_rep_who_completed_it_in_one_insert(app, tmp_path):
    """One INSERT … SELECT writes every notification of a sync, however many reps (after one
    SELECT of the changed modules' titles); reps who only opened the module, deactivated
    accounts and the modules that did not change tell nobody."""
    root = quiz_track(tmp_path / "courses")
    sync_content(app, root)
    readers = [make_user(Role.REP) for _ in range(5)]
    opened_only, gone = make_user(Role.REP), make_user(Role.REP, active=False)
    make_cohort(reps=[*readers, opened_only, gone])
    with app.app_context():
        for rep in [*readers, gone]:
            complete_module(db.session.merge(rep), module("intro"), utcnow())
            complete_module(db.session.merge(rep), module("discovery"), utcnow())
        db.session.commit()
    intro = root / "test-track" / "modules" / "01-intro.md"
    intro.write_text(intro.read_text() + "\nA paragraph added since.\n")
    with app.app_context():
        engine = db.engine
    with captured(engine) as statements:
        report = sync_content(app, root)
    assert report.counts["modules"].updated == 1
    told = stored()
    assert sorted(n.recipient_id for n in told) == sorted(r.id for r in readers)
    assert {(n.kind, n.text, n.link) for n in told} == {(
        "module_updated", "“Introduction” was updated since you completed it",
        "/tracks/test-track/modules/intro")}
    [insert] = [s for s, _ in statements if "notification" in s]
    assert insert.lstrip().upper().startswith("INSERT INTO NOTIFICATION") and "SELECT" in insert


def test_a_rep_falling_behind_tells_their_coaches_once_per_turn(app, synced_track):
    """The worker's standing check: not on its first run (it only takes note), then for each
    rep who turned worse, whether or not a webhook endpoint listens."""
    coach, other_coach = make_user(Role.COACH), make_user(Role.COACH)
    already = make_user(Role.REP)
    make_cohort(reps=[already], coaches=[coach], start_on=TODAY - dt.timedelta(days=6))
    with app.app_context():
        check_standings(TODAY, utcnow())
        db.session.commit()
    assert stored() == []
    rep = make_user(Role.REP, name="Ben Behind")
    make_cohort(reps=[rep], coaches=[coach], start_on=TODAY - dt.timedelta(days=6))
    make_cohort(reps=[make_user(Role.REP)], coaches=[other_coach], start_on=TODAY)
    for _ in range(2):  # the same standing the second time: not again
        with app.app_context():
            check_standings(TODAY, utcnow())
            db.session.commit()
    [behind] = stored()
    assert (behind.recipient_id, behind.kind, behind.text, behind.link) == (
        coach.id, "falling_behind", "Ben Behind is now behind", f"/reps/{rep.id}")


def test_long_names_and_titles_are_cut_to_fit_the_stored_text():
    from cev_learn.notifications.models import TEXT_LENGTH
    from cev_learn.notifications.services import fitted

    assert fitted("short") == "short"
    long = fitted("x" * (TEXT_LENGTH + 50))
    assert len(long) == TEXT_LENGTH and long.endswith("…")
