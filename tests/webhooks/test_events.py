"""Events are written by the services that own each change, in the change's transaction: a
module completed, a quiz result becoming final or changing, a sign-off, a milestone reached
(by the engine or by hand) and the productivity milestone, and reps turning at risk. One
statement writes a transaction's events; a rollback leaves none."""
import datetime as dt

import pytest
from sqlalchemy import event as sql_event
from sqlalchemy import select

from cev_learn.accounts.models import Role
from cev_learn.platform import outbox
from cev_learn.platform.db import db, utcnow
from cev_learn.platform.outbox import OutboxEvent
from cev_learn.quizzes.models import Attempt
from cev_learn.quizzes.services import version_questions
from cev_learn.webhooks import dispatch
from cev_learn.webhooks.standing_watch import check_standings
from tests.factories import make_cohort
from tests.helpers import make_user, post_form
from tests.webhooks.helpers import register

TODAY = dt.date.today()
DAYS_FROM_TODAY = ()  # TODAY moves to the day each test runs (conftest)
MODULE = "/tracks/test-track/modules/intro"


def stored(event_type: str | None = None) -> list[OutboxEvent]:
    db.session.rollback()
    query = select(OutboxEvent).order_by(OutboxEvent.id)
    if event_type:
        query = query.where(OutboxEvent.type == event_type)
    return list(db.session.scalars(query))


def outbox_statements(app, send) -> tuple[int, list[str]]:
    """The response of `send()` and the statements it ran that wrote the outbox."""
    with app.app_context():
        engine = db.engine
    seen = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sql_event.listen(engine, "before_cursor_execute", note)
    try:
        response = send()
    finally:
        sql_event.remove(engine, "before_cursor_execute", note)
    return response, [s for s in seen if "outbox_event" in s]


def test_completing_a_module_writes_its_event_in_one_statement_with_the_request(
        app, synced_track, signed_in):
    rep = make_user(Role.REP)
    make_cohort(reps=[rep], start_on=TODAY - dt.timedelta(days=3))
    client = signed_in(rep)
    client.get(MODULE)
    response, writes = outbox_statements(app, lambda: post_form(
        client, MODULE + "/complete", token_from=MODULE))
    assert response.status_code == 302 and len(writes) == 1
    assert writes[0].startswith("INSERT INTO outbox_event")
    [completed] = stored()
    assert (completed.type, completed.rep_id) == ("module.completed", rep.id)
    assert completed.data["module"] == {"slug": "intro", "title": "Introduction"}
    assert completed.data["track"] == {"slug": "test-track", "title": "Test Track"}
    assert completed.data["first_completion"] is True
    assert completed.public_id.startswith("evt_") and completed.dispatched_at is None
    post_form(client, MODULE + "/complete", token_from=MODULE)  # already complete: nothing
    assert len(stored()) == 1


def test_every_event_of_a_transaction_is_written_by_one_statement(app, synced_track,
                                                                  count_queries):
    rep_id = make_user(Role.REP).id  # read here: the test's own session stays out
    with app.app_context():
        with count_queries() as counted:
            for number in range(50):
                outbox.emit("module.completed", rep_id, {"n": number})
            db.session.commit()
        assert counted["n"] <= 3  # BEGIN, the INSERT (and nothing per event)
    assert [e.data["n"] for e in stored()] == list(range(50))


def test_a_rolled_back_change_leaves_no_event(app, synced_track):
    rep_id = make_user(Role.REP).id
    with app.app_context():
        outbox.emit("module.completed", rep_id, {"n": 1})
        assert len(outbox.pending_events()) == 1
        db.session.rollback()
        assert outbox.pending_events() == []
        db.session.commit()
    assert stored() == []
    with pytest.raises(ValueError, match="unknown event type"):
        outbox.emit("module.read", rep_id, {})


def test_quiz_results_are_announced_when_final_and_when_passing_changes(
        app, make_quiz, signed_in):
    make_quiz(pass_mark=0.6)
    rep, coach = make_user(Role.REP), make_user(Role.COACH)
    make_cohort(reps=[rep], coaches=[coach])
    client = signed_in(rep)
    start = post_form(client, "/tracks/test-track/quizzes/check/start",
                      token_from="/tracks/test-track/quizzes/check")
    attempt_id = int(start.headers["Location"].rsplit("/", 1)[1])
    post_form(client, f"/attempts/{attempt_id}/submit", {"confirm": "yes"},
              token_from=f"/attempts/{attempt_id}")
    [failed] = stored()
    assert failed.type == "quiz.failed"
    assert failed.data["quiz"] == {"slug": "check", "title": "Check yourself", "pass_mark": 0.6}
    assert failed.data["attempt"]["score"] == 0 and failed.data["attempt"]["number"] == 1
    attempt = db.session.get(Attempt, attempt_id)
    questions = version_questions(attempt.version)
    grader = signed_in(coach)
    for entry in attempt.layout:  # full marks, one question after another
        question = questions[entry["key"]]
        if question.type.graded:
            post_form(grader, f"/quizzes/attempts/{attempt_id}/grade/{entry['key']}",
                      {"points": f"{question.points:g}"}, token_from=f"/attempts/{attempt_id}")
    events = stored()
    assert [e.type for e in events] == ["quiz.failed", "quiz.passed"]  # once it flips
    assert events[1].data["attempt"]["score"] >= 0.6


def test_a_signoff_is_announced_passed_or_not(app, synced_track, signed_in):
    make_quiz_track = synced_track  # noqa: F841 - the rubric `pitch`
    coach, rep = make_user(Role.COACH, name="Kim Coach"), make_user(Role.REP)
    make_cohort(reps=[rep], coaches=[coach])
    client = signed_in(coach)
    url = f"/reps/{rep.id}/signoffs/pitch"
    post_form(client, url, {"score_0": "2", "score_1": "2", "score_2": "2"}, token_from=url)
    post_form(client, url, {"score_0": "5", "score_1": "5", "score_2": "4"}, token_from=url)
    first, second = stored("signoff.recorded")
    assert first.data["signoff"]["passed"] is False and second.data["signoff"]["passed"] is True
    assert second.data["rubric"] == {"slug": "pitch", "title": "Value pitch", "pass_mark": 0.7}
    assert second.data["coach"] == {"id": coach.id, "name": "Kim Coach", "email": coach.email}


def test_a_milestone_reached_from_crm_data_is_announced_and_so_is_becoming_productive(
        app, synced_track, tmp_path):
    """The test track's productivity milestone is `first-meeting`."""
    rep = make_user(Role.REP, email="ana@example.com")
    start = TODAY - dt.timedelta(days=20)
    make_cohort(reps=[rep], start_on=start)
    met = TODAY - dt.timedelta(days=2)
    csv_file = tmp_path / "activities.csv"
    csv_file.write_text("external_id,rep_email,occurred_on,type,quantity,amount\n"
                        f"m-1,ana@example.com,{met},meeting,1,\n")
    result = app.test_cli_runner().invoke(args=["import", "activities", str(csv_file)])
    assert result.exit_code == 0, result.output
    achieved, productive = stored()
    assert (achieved.type, productive.type) == ("milestone.achieved", "rep.productive")
    assert achieved.data == productive.data == {
        "milestone": {"slug": "first-meeting", "title": "First meeting", "due_day": 21},
        "track": {"slug": "test-track", "title": "Test Track"},
        "achieved_on": met.isoformat(), "source": "auto"}
    # a second meeting changes nothing that was not reached before
    csv_file.write_text("external_id,rep_email,occurred_on,type,quantity,amount\n"
                        f"m-2,ana@example.com,{TODAY},meeting,1,\n")
    app.test_cli_runner().invoke(args=["import", "activities", str(csv_file)])
    assert len(stored()) == 2
    # the message names the rep, their cohort and how long it took
    with app.app_context():
        dispatch.dispatch(utcnow())
        db.session.commit()
    body = stored("rep.productive")[0].body
    assert f'"days_to_productive":{(met - start).days}' in body
    assert '"email":"ana@example.com"' in body and f'"start_on":"{start}"' in body


def test_a_milestone_recorded_by_hand_is_announced_once(app, synced_track, signed_in):
    coach, rep = make_user(Role.COACH), make_user(Role.REP)
    make_cohort(reps=[rep], coaches=[coach], start_on=TODAY - dt.timedelta(days=30))
    client = signed_in(coach)
    url = f"/reps/{rep.id}/milestones/first-meeting"
    day = (TODAY - dt.timedelta(days=3)).isoformat()
    post_form(client, url, {"achieved_on": day}, token_from=f"/reps/{rep.id}")
    post_form(client, url, {"achieved_on": (TODAY - dt.timedelta(days=4)).isoformat()},
              token_from=f"/reps/{rep.id}")  # a correction: reached already
    events = stored()
    assert [e.type for e in events] == ["milestone.achieved", "rep.productive"]
    assert events[0].data["source"] == "coach" and events[0].data["achieved_on"] == day


def test_reps_turning_at_risk_or_behind_are_announced_once_per_turn(app, synced_track):
    """The standing check the worker runs: a rep who was behind before anyone listened is
    not announced; a new rep behind is, then on track again (nothing announced), then behind
    again later (announced again)."""
    from bench.receiver import Receiver

    already = make_user(Role.REP)
    make_cohort(reps=[already], start_on=TODAY - dt.timedelta(days=6))
    with app.app_context():
        assert check_standings(TODAY, utcnow()) == 0  # the first check takes note only
        db.session.commit()
    with Receiver() as receiver:
        register(receiver.url, event_types=["rep.at_risk"])
    rep = make_user(Role.REP)
    on_track = make_user(Role.REP)
    make_cohort(reps=[rep], start_on=TODAY - dt.timedelta(days=6))
    make_cohort(reps=[on_track], start_on=TODAY)
    with app.app_context():
        assert check_standings(TODAY, utcnow()) == 1
        db.session.commit()
        assert check_standings(TODAY, utcnow()) == 0  # the same standing: not again
        db.session.commit()
    [behind] = stored("rep.at_risk")
    assert behind.rep_id == rep.id
    assert behind.data["standing"] == "behind" and behind.data["previous_standing"] is None
    assert behind.data["overdue_items"] == 2 and behind.data["tenure_day"] == 6
    assert behind.data["next_milestone"]["slug"] == "first-meeting"
    # the rep catches up with the reading: on track again (better: nothing announced) ...
    from cev_learn.content.models import Module
    from cev_learn.content.services import complete_module

    with app.app_context():
        for module in db.session.scalars(select(Module)):
            complete_module(db.session.merge(rep), module, utcnow())
        db.session.commit()
        assert check_standings(TODAY, utcnow()) == 0
        db.session.commit()
        # ... and behind again once the quiz due on day 7 is overdue
        assert check_standings(TODAY + dt.timedelta(days=14), utcnow()) == 2  # and on_track
        db.session.commit()
    assert [(e.data["previous_standing"], e.data["standing"])
            for e in stored("rep.at_risk") if e.rep_id == rep.id] == [
        (None, "behind"), ("on_track", "behind")]
