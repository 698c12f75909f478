"""Certificates are earned by the write that completes their last requirement, in its
transaction, as of the day that write passes in; a renewal supersedes the certificate held."""
import datetime as dt

import pytest
from sqlalchemy import select

from cev_learn.accounts.models import Role
from cev_learn.certifications.models import Certificate
from cev_learn.certifications.renewal import assign_renewals
from cev_learn.certifications.services import reps_records
from cev_learn.certifications.validity import renewal_opens_on
from cev_learn.cohorts.coaching import record_signoff
from cev_learn.cohorts.models import Cohort, Membership, Signoff
from cev_learn.cohorts.services import place_rep
from cev_learn.content.models import Quiz, Rubric
from cev_learn.notifications.models import Notification
from cev_learn.platform.db import db, utcnow
from cev_learn.practice.services import peer_review_submission, review_submission
from cev_learn.quizzes.layout import field_name
from cev_learn.quizzes.services import start_attempt, submit_attempt, version_questions
from tests.certifications.tracks import CERTIFIED_YAML, QUIZ, certified_track
from tests.content.trees import good_track
from tests.factories import make_cohort
from tests.helpers import csrf_token, make_user, sync_content
from tests.practice.recordings import make_submission

NOW = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)  # a frozen clock: every write is passed it
GRACE = dt.timedelta(seconds=30)


@pytest.fixture
def track(app, tmp_path):
    sync_content(app, certified_track(tmp_path))
    return (db.session.scalar(select(Quiz).where(Quiz.slug == "check")),
            db.session.scalar(select(Rubric).where(Rubric.slug == "pitch")))


def pass_quiz(rep, quiz, now, right=True):
    attempt = start_attempt(rep, quiz, now, GRACE)
    form = {field_name(key): ["true" if right else "false"]
            for key in version_questions(attempt.version)}
    return submit_attempt(attempt.id, form, now, GRACE)


def sign_off(rep, rubric, coach, today, scores=(5, 5)):
    return record_signoff(rep=rep, rubric=rubric, coach=coach, scores=list(scores),
                          comments=["", ""], today=today)


def certificates(rep):
    return list(db.session.scalars(select(Certificate).where(Certificate.user_id == rep.id)
                                   .order_by(Certificate.id)))


def test_the_last_requirement_earns_the_certificate_in_its_own_transaction(track):
    quiz, rubric = track
    rep, coach = make_user(Role.REP), make_user(Role.COACH)
    pass_quiz(rep, quiz, NOW)
    db.session.commit()
    assert certificates(rep) == []  # the sign-off is still missing
    sign_off(rep, rubric, coach, dt.date(2026, 3, 9))
    (certificate,) = certificates(rep)  # flushed by the sign-off, before any commit
    assert certificate.earned_on == dt.date(2026, 3, 9)
    assert certificate.expires_on == dt.date(2027, 3, 9)
    assert len(certificate.code) >= 40


def test_failing_or_a_failed_sign_off_earns_nothing(track):
    quiz, rubric = track
    rep, coach = make_user(Role.REP), make_user(Role.COACH)
    pass_quiz(rep, quiz, NOW, right=False)
    sign_off(rep, rubric, coach, NOW.date())
    sign_off(rep, rubric, coach, NOW.date(), scores=(1, 1))
    db.session.commit()
    assert certificates(rep) == []


def test_a_second_pass_while_certified_earns_no_second_certificate(track):
    quiz, rubric = track
    rep, coach = make_user(Role.REP), make_user(Role.COACH)
    sign_off(rep, rubric, coach, NOW.date())
    pass_quiz(rep, quiz, NOW)
    sign_off(rep, rubric, coach, NOW.date() + dt.timedelta(days=3))
    db.session.commit()
    assert len(certificates(rep)) == 1


def test_passing_again_once_renewal_opens_supersedes_the_certificate(track):
    quiz, rubric = track
    rep, coach = make_user(Role.REP), make_user(Role.COACH)
    sign_off(rep, rubric, coach, NOW.date())
    pass_quiz(rep, quiz, NOW)
    db.session.commit()
    (first,) = certificates(rep)
    renewal = dt.datetime.combine(first.expires_on - dt.timedelta(days=10), dt.time(9), dt.UTC)
    pass_quiz(rep, quiz, renewal)
    db.session.commit()
    old, new = certificates(rep)
    assert old.superseded_on == renewal.date()
    assert new.earned_on == renewal.date() and new.superseded_on is None
    assert new.expires_on == renewal.date() + dt.timedelta(days=365)
    assert new.code != old.code


def test_earning_follows_the_certifications_as_last_synced(app, track, tmp_path):
    """Earning reads certifications with the track's shared data, kept between syncs: a sync
    that changes what a certification requires changes what earns it at once."""
    quiz, _rubric = track
    rep = make_user(Role.REP)
    pass_quiz(rep, quiz, NOW)
    db.session.commit()
    assert certificates(rep) == []  # the sign-off is still required
    resync(app, tmp_path, CERTIFIED_YAML.replace("      - {signoff: pitch}\n", ""))
    pass_quiz(rep, quiz, NOW)
    db.session.commit()
    (certificate,) = certificates(rep)
    assert certificate.certification.slug == "pitch-ready"
    assert certificate.earned_on == NOW.date()


def test_a_certification_removed_by_a_sync_is_earned_no_more(app, track, tmp_path):
    quiz, rubric = track
    rep, coach = make_user(Role.REP), make_user(Role.COACH)
    sign_off(rep, rubric, coach, NOW.date())
    db.session.commit()
    resync(app, tmp_path, CERTIFIED_YAML[:CERTIFIED_YAML.index("certifications:")])
    pass_quiz(rep, quiz, NOW)
    db.session.commit()
    assert certificates(rep) == []


def test_a_practice_review_that_records_the_sign_off_completes_a_certification(
        app, track, tmp_path):
    """A passing review of an exercise that completes the rubric's sign-off counts as the
    {signoff: RUBRIC} requirement: the review earns the certificate."""
    quiz, rubric = track
    resync(app, tmp_path, CERTIFIED_YAML + (
        "exercises:\n  value-pitch: {title: Value pitch, rubric: pitch, max_seconds: 60,\n"
        "                completes_signoff: true, prompt: Pitch in a minute.}\n"))
    rep, coach = make_user(Role.REP), make_user(Role.COACH)
    make_cohort(reps=[rep], coaches=[coach])
    pass_quiz(rep, quiz, NOW)
    submission = make_submission(rep, slug="value-pitch", app=app)
    review_submission(submission=submission, rubric=rubric, coach=coach, scores=[5, 4],
                      summary="Clear", comments_text="", resubmit=False, now=NOW)
    db.session.commit()
    (certificate,) = certificates(rep)
    assert certificate.earned_on == NOW.date()


def resync(app, tmp_path, track_yaml: str) -> None:
    sync_content(app, good_track(tmp_path / "again", **{"track.yaml": track_yaml,
                                                          "quizzes/check.gift": QUIZ}))


def test_earning_announces_certification_earned_to_webhooks(track):
    from cev_learn.platform.outbox import OutboxEvent
    quiz, rubric = track
    rep, coach = make_user(Role.REP), make_user(Role.COACH)
    sign_off(rep, rubric, coach, NOW.date())
    pass_quiz(rep, quiz, NOW)
    db.session.commit()
    (event,) = db.session.scalars(select(OutboxEvent).where(
        OutboxEvent.rep_id == rep.id, OutboxEvent.type == "certification.earned"))
    assert event.data == {"certification": {"slug": "pitch-ready", "title": "Pitch ready"},
                          "certificate": {"earned_on": "2026-03-02", "expires_on": "2027-03-02",
                                          "renewal": False}}


EXERCISE_REQUIRED_YAML = CERTIFIED_YAML.replace("      - {signoff: pitch}\n",
                                                "      - {exercise: value-pitch}\n") + (
    "exercises:\n  value-pitch: {title: Value pitch, rubric: pitch, max_seconds: 60,\n"
    "                peer_review: true, prompt: Pitch in a minute.}\n")


@pytest.fixture
def exercise_required(app, track, tmp_path):
    """The certification requires the quiz and the exercise value-pitch (which records no
    sign-off); a rep who passed the quiz, with a submission of the exercise waiting."""
    quiz, rubric = track
    resync(app, tmp_path, EXERCISE_REQUIRED_YAML)
    rep, coach = make_user(Role.REP), make_user(Role.COACH)
    make_cohort(reps=[rep], coaches=[coach])
    pass_quiz(rep, quiz, NOW)
    db.session.commit()
    return rep, coach, rubric, make_submission(rep, slug="value-pitch", app=app)


def review_of(submission, rubric, coach, now, scores=(5, 4), resubmit=False):
    review = review_submission(submission=submission, rubric=rubric, coach=coach,
                               scores=list(scores), summary="", comments_text="",
                               resubmit=resubmit, now=now)
    db.session.commit()
    return review


def test_a_passing_coach_review_of_a_required_exercise_earns_the_certificate(
        exercise_required):
    rep, coach, rubric, submission = exercise_required
    assert certificates(rep) == []
    later = NOW + dt.timedelta(days=4)
    review_of(submission, rubric, coach, later)
    (certificate,) = certificates(rep)
    assert certificate.earned_on == later.date()
    assert db.session.scalar(select(Signoff.id)) is None  # the exercise records none


@pytest.mark.parametrize("scores,resubmit", [((1, 2), False), ((5, 5), True)])
def test_a_failing_review_or_a_request_for_another_take_earns_nothing(
        exercise_required, scores, resubmit):
    rep, coach, rubric, submission = exercise_required
    review_of(submission, rubric, coach, NOW, scores=scores, resubmit=resubmit)
    assert certificates(rep) == []


def test_renewing_a_certification_that_requires_an_exercise_needs_a_new_passing_review(
        app, track, exercise_required):
    """From the day renewal opens the holder is asked for a new recording as well as the
    quiz: passing the quiz again renews nothing until a coach passes a new take."""
    quiz, _rubric = track
    rep, coach, rubric, submission = exercise_required
    review_of(submission, rubric, coach, NOW)
    (held,) = certificates(rep)
    opens = renewal_opens_on(held.expires_on, held.certification.remind_days_before)
    opening = dt.datetime.combine(opens, dt.time(9), dt.UTC)
    assign_renewals(opens, opening)
    db.session.commit()
    (notice,) = db.session.scalars(select(Notification).where(Notification.recipient_id == rep.id))
    assert "its quizzes are assigned again" in notice.text
    assert "record its practice exercises again" in notice.text
    pass_quiz(rep, quiz, opening)
    db.session.commit()
    assert certificates(rep) == [held]  # the old recording's review does not renew it
    again = make_submission(rep, slug="value-pitch", app=app)
    review_of(again, rubric, coach, opening + dt.timedelta(days=1))
    old, renewed = certificates(rep)
    assert old.superseded_on == renewed.earned_on == opens + dt.timedelta(days=1)


def test_a_peer_review_earns_nothing(exercise_required):
    rep, _coach, rubric, submission = exercise_required
    peer = make_user(Role.REP)  # of the rep's cohort
    place_rep(peer, db.session.get(Cohort, rep_cohort_id(rep)), start_on=None, end_on=None,
              now=NOW)
    peer_review_submission(submission=submission, rubric=rubric, peer=peer, scores=[5, 5],
                           summary="", comments_text="", now=NOW)
    db.session.commit()
    assert certificates(rep) == []


def rep_cohort_id(rep) -> int:
    return db.session.scalar(select(Membership.cohort_id).where(
        Membership.user_id == rep.id, Membership.moved_out_at.is_(None)))


def test_the_exercise_counts_from_its_last_passing_review(app, exercise_required):
    """What earning reads: the day of the last passing review, as of a quiz's last pass (a
    renewal needs one from the day it opens)."""
    rep, coach, rubric, submission = exercise_required
    review_of(submission, rubric, coach, NOW + dt.timedelta(days=1))
    second = make_submission(rep, slug="value-pitch", app=app)
    review_of(second, rubric, coach, NOW + dt.timedelta(days=9))
    (passed,) = reps_records([rep.id]).passed.values()
    assert passed[("exercise", "value-pitch")] == (NOW + dt.timedelta(days=9)).date()


def test_a_review_posted_by_the_coach_earns_the_certificate_within_the_budget(
        exercise_required, signed_in):
    """The review page's POST: the review, the sign-off it may record, the certificate and
    their events within the statement budget of every request."""
    rep, coach, _rubric, submission = exercise_required
    client = signed_in(coach)
    url = f"/practice/submissions/{submission.id}/review"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "score_0": "5",
                                      "score_1": "5", "summary": "Ready."})
    assert response.status_code == 302
    (certificate,) = certificates(rep)
    assert certificate.earned_on == utcnow().date()


def test_a_posted_review_that_signs_off_and_earns_two_certificates_keeps_the_budget(
        app, track, tmp_path, signed_in):
    """The costliest review: it records the sign-off (milestones judged again) and completes
    two certifications, one by the sign-off, one by the exercise."""
    quiz, _rubric = track
    resync(app, tmp_path, CERTIFIED_YAML + """\
  practised:
    title: Practised
    requires:
      - {exercise: value-pitch}
    valid_for_days: 365
exercises:
  value-pitch: {title: Value pitch, rubric: pitch, completes_signoff: true, prompt: Pitch.}
""")
    rep, coach = make_user(Role.REP), make_user(Role.COACH)
    make_cohort(reps=[rep], coaches=[coach])
    pass_quiz(rep, quiz, NOW)
    db.session.commit()
    submission = make_submission(rep, slug="value-pitch", app=app)
    client = signed_in(coach)
    url = f"/practice/submissions/{submission.id}/review"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "score_0": "5",
                                      "score_1": "5"})
    assert response.status_code == 302
    assert sorted(c.certification.slug for c in certificates(rep)) == ["pitch-ready",
                                                                         "practised"]
