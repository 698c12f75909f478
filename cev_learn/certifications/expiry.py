"""Expiry: a certificate held (neither renewed nor revoked) expires on its `expires_on` by
time passing alone, so nothing is written that day; the worker's hourly check announces it
to the webhooks (`certification.expired`), once per certificate."""
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cev_learn.certifications.models import Certificate
from cev_learn.platform import outbox
from cev_learn.platform.db import db


def expired_unannounced(today: dt.date) -> list[Certificate]:
    """Certificates held that expired by `today` and were not announced yet, with their
    certifications; locked against a second worker."""
    return list(db.session.scalars(
        select(Certificate).options(selectinload(Certificate.certification))
        .where(Certificate.superseded_on.is_(None), Certificate.revoked_at.is_(None),
               Certificate.expiry_announced_on.is_(None), Certificate.expires_on <= today)
        .order_by(Certificate.id).with_for_update(skip_locked=True)))


def announce_expired(today: dt.date, now: dt.datetime) -> list[Certificate]:
    """Announce each certificate that expired by `today` (`certification.expired`) and mark
    it, so that a second run announces nothing. Flushes."""
    expired = expired_unannounced(today)
    for certificate in expired:
        certification = certificate.certification
        outbox.emit("certification.expired", certificate.user_id, {
            "certification": {"slug": certification.slug, "title": certification.title},
            "certificate": {"earned_on": certificate.earned_on.isoformat(),
                            "expires_on": certificate.expires_on.isoformat(),
                            "renewal_assigned_on": _iso(certificate.renewal_assigned_on)}},
            now=now)
        certificate.expiry_announced_on = today
    db.session.flush()
    return expired


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()
