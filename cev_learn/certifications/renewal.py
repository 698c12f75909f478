"""Re-certification: from the day a certificate's renewal opens (`remind_days_before` its
expiry), its holder is reminded and given the certification's quizzes again, once."""
import datetime as dt

from sqlalchemy import select

from cev_learn.certifications.models import Certificate
from cev_learn.certifications.validity import renewal_opens_on
from cev_learn.cohorts.models import Assignment, AssignmentKind
from cev_learn.content.models import Certification, Quiz
from cev_learn.platform import events
from cev_learn.platform.db import db

RENEWAL_NOTE = "Re-certification: pass this again to renew your certificate “{title}”."


def renewals_due(today: dt.date) -> list[Certificate]:
    """Certificates held (neither renewed nor revoked) whose renewal has opened by `today`
    and whose holders were not yet given the work; locked against a second worker."""
    certifications = {c.id: c for c in db.session.scalars(
        select(Certification).where(Certification.retired_at.is_(None)))}
    if not certifications:
        return []
    latest = today + dt.timedelta(days=max(c.remind_days_before for c in certifications.values()))
    candidates = db.session.scalars(
        select(Certificate).where(Certificate.certification_id.in_(list(certifications)),
                                  Certificate.superseded_on.is_(None),
                                  Certificate.revoked_at.is_(None),
                                  Certificate.renewal_assigned_on.is_(None),
                                  Certificate.expires_on <= latest)
        .order_by(Certificate.id).with_for_update(skip_locked=True))
    due = []
    for certificate in candidates:
        certification = certifications[certificate.certification_id]
        if renewal_opens_on(certificate.expires_on, certification.remind_days_before) <= today:
            certificate.certification = certification
            due.append(certificate)
    return due


def assign_renewals(today: dt.date, now: dt.datetime) -> list[Certificate]:
    """Give each holder whose renewal opened the certification's quizzes again (due the
    last day the certificate is valid, or today when that has passed) and announce it, so
    they are notified; mark each certificate so that a second run assigns nothing. Flushes."""
    due = renewals_due(today)
    if not due:
        return []
    quizzes = _required_quizzes({c.certification for c in due})
    for certificate in due:
        certification = certificate.certification
        due_on = max(today, certificate.expires_on - dt.timedelta(days=1))
        note = RENEWAL_NOTE.format(title=certification.title)
        db.session.add_all(
            Assignment(user_id=certificate.user_id, kind=AssignmentKind.QUIZ, quiz_id=quiz_id,
                       due_on=due_on, note=note, assigned_by_id=None)
            for quiz_id in quizzes[certification.id])
        certificate.renewal_assigned_on = today
    db.session.flush()
    events.certificates_renewing.send(certificates=due, now=now)
    return due


def _required_quizzes(certifications: set[Certification]) -> dict[int, list[int]]:
    """Certification id -> the ids of the quizzes it requires, in the order it lists them."""
    track_ids = {c.track_id for c in certifications}
    ids = {(q.track_id, q.slug): q.id for q in db.session.execute(
        select(Quiz.id, Quiz.track_id, Quiz.slug).where(Quiz.track_id.in_(track_ids),
                                                        Quiz.retired_at.is_(None)))}
    return {c.id: [ids[(c.track_id, slug)] for kind, slug in c.requires
                   if kind == "quiz" and (c.track_id, slug) in ids]
            for c in certifications}
