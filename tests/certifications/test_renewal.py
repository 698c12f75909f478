"""Re-certification on a frozen clock: the day renewal opens the holder is notified and given
the quizzes again, once however often it runs; passing them supersedes the certificate."""
import datetime as dt

from sqlalchemy import select

from cev_learn.accounts.models import Role
from cev_learn.certifications.renewal import assign_renewals
from cev_learn.cohorts.models import Assignment
from cev_learn.notifications.models import Notification
from cev_learn.platform.db import db
from tests.certifications.test_earning import NOW, certificates, pass_quiz, sign_off, track  # noqa: F401
from tests.helpers import make_user

EXPIRES = dt.date(2027, 3, 2)  # earned on NOW's day, valid 365 days
OPENS = EXPIRES - dt.timedelta(days=30)


def at(day: dt.date, hour: int = 7) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), dt.UTC)


def certified_rep(quiz, rubric):
    rep, coach = make_user(Role.REP), make_user(Role.COACH)
    sign_off(rep, rubric, coach, NOW.date())
    pass_quiz(rep, quiz, NOW)
    db.session.commit()
    return rep


def assignments(rep):
    return list(db.session.scalars(select(Assignment).where(Assignment.user_id == rep.id)))


def notifications(rep):
    return list(db.session.scalars(select(Notification).where(Notification.recipient_id == rep.id)))


def test_nothing_is_assigned_before_renewal_opens(track):
    quiz, rubric = track
    rep = certified_rep(quiz, rubric)
    assert certificates(rep)[0].expires_on == EXPIRES
    assert assign_renewals(OPENS - dt.timedelta(days=1), at(OPENS - dt.timedelta(days=1))) == []
    assert assignments(rep) == [] and notifications(rep) == []


def test_the_day_renewal_opens_the_rep_is_told_and_given_the_quiz_once(track):
    quiz, rubric = track
    rep = certified_rep(quiz, rubric)
    (certificate,) = assign_renewals(OPENS, at(OPENS))
    db.session.commit()
    assert certificate.renewal_assigned_on == OPENS
    (assignment,) = assignments(rep)
    assert assignment.quiz_id == quiz.id and assignment.assigned_by_id is None
    assert assignment.due_on == EXPIRES - dt.timedelta(days=1)
    (notice,) = notifications(rep)
    assert "Pitch ready" in notice.text and "02 Mar 2027" in notice.text
    assert notice.text.endswith("its quizzes are assigned again")  # no exercise to record
    assert notice.link == f"/certificates/{certificate.id}"
    # run again that day (twice a day, or a second worker) and the next: nothing more
    assert assign_renewals(OPENS, at(OPENS, 19)) == []
    assert assign_renewals(OPENS + dt.timedelta(days=1), at(OPENS + dt.timedelta(days=1))) == []
    db.session.commit()
    assert len(assignments(rep)) == 1 and len(notifications(rep)) == 1


def test_passing_the_assigned_quiz_renews_and_the_new_certificate_waits_its_own_turn(track):
    quiz, rubric = track
    rep = certified_rep(quiz, rubric)
    assign_renewals(OPENS, at(OPENS))
    pass_quiz(rep, quiz, at(OPENS + dt.timedelta(days=3), 10))
    db.session.commit()
    old, new = certificates(rep)
    assert old.superseded_on == OPENS + dt.timedelta(days=3)
    assert new.expires_on == OPENS + dt.timedelta(days=3 + 365)
    assert assign_renewals(EXPIRES, at(EXPIRES)) == []


def test_an_expired_certificate_never_renewed_is_given_the_work_too(track):
    quiz, rubric = track
    rep = certified_rep(quiz, rubric)
    late = EXPIRES + dt.timedelta(days=40)
    assert len(assign_renewals(late, at(late))) == 1
    assert assignments(rep)[0].due_on == late
