"""Expiry on a frozen clock: the day a certificate held expires, the webhooks hear of it
once (certification.expired), however often the check runs; a renewed or revoked certificate
never expires this way."""
import datetime as dt

from sqlalchemy import select

from cev_learn.certifications.expiry import announce_expired
from cev_learn.platform.db import db, utcnow
from cev_learn.platform.outbox import OutboxEvent
from tests.certifications.test_earning import certificates, pass_quiz, track  # noqa: F401
from tests.certifications.test_renewal import EXPIRES, at, certified_rep


def expired_events(rep) -> list[OutboxEvent]:
    return list(db.session.scalars(select(OutboxEvent).where(
        OutboxEvent.rep_id == rep.id, OutboxEvent.type == "certification.expired")))


def test_the_day_a_certificate_expires_it_is_announced_once(track):
    rep = certified_rep(*track)
    day_before = EXPIRES - dt.timedelta(days=1)
    assert announce_expired(day_before, at(day_before)) == []
    (certificate,) = announce_expired(EXPIRES, at(EXPIRES))
    db.session.commit()
    assert certificate.expiry_announced_on == EXPIRES
    (event,) = expired_events(rep)
    assert event.data == {"certification": {"slug": "pitch-ready", "title": "Pitch ready"},
                          "certificate": {"earned_on": "2026-03-02", "expires_on": "2027-03-02",
                                          "renewal_assigned_on": None}}
    assert event.created_at == at(EXPIRES)
    assert announce_expired(EXPIRES, at(EXPIRES, 19)) == []
    assert announce_expired(EXPIRES + dt.timedelta(days=5), at(EXPIRES)) == []
    db.session.commit()
    assert len(expired_events(rep)) == 1


def test_a_check_missed_for_days_still_announces_it(track):
    rep = certified_rep(*track)
    late = EXPIRES + dt.timedelta(days=3)
    assert len(announce_expired(late, at(late))) == 1
    db.session.commit()
    assert [e.data["certificate"]["expires_on"] for e in expired_events(rep)] == ["2027-03-02"]


def test_a_certificate_renewed_in_time_or_revoked_never_expires_this_way(track):
    quiz, rubric = track
    renewed, revoked = certified_rep(quiz, rubric), certified_rep(quiz, rubric)
    renewal = dt.datetime.combine(EXPIRES - dt.timedelta(days=10), dt.time(9), dt.UTC)
    pass_quiz(renewed, quiz, renewal)
    certificates(revoked)[0].revoked_at = utcnow()
    db.session.commit()
    assert announce_expired(EXPIRES, at(EXPIRES)) == []
    db.session.commit()
    assert expired_events(renewed) == [] and expired_events(revoked) == []


def test_the_renew_command_announces_what_expired_by_today(app, track):
    rep = certified_rep(*track)
    (certificate,) = certificates(rep)
    certificate.expires_on = dt.date.today() - dt.timedelta(days=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["certifications", "renew"])
    assert result.exit_code == 0, result.output
    assert "1 expired certificate(s) announced" in result.output
    assert len(expired_events(rep)) == 1
    again = app.test_cli_runner().invoke(args=["certifications", "renew"])
    assert "0 expired certificate(s) announced" in again.output
