"""Reads of certificates for pages, the PDF and the API: a rep's own, one by id or by its
public code, and the counts managers see per cohort and territory."""
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased, joinedload

from cev_learn.accounts.models import User
from cev_learn.certifications.models import Certificate
from cev_learn.certifications.validity import EXPIRING_WITHIN_DAYS, Validity, validity
from cev_learn.cohorts.access import visible_rep_filter
from cev_learn.cohorts.models import Cohort, Membership
from cev_learn.content.models import Certification, Track
from cev_learn.platform.db import db

CODE_LENGTH = 43  # secrets.token_urlsafe(32)
# The holder's cohort now, under names of its own: the visibility filter's subqueries on
# Membership and Cohort must not correlate with it.
Placement, HolderCohort = aliased(Membership), aliased(Cohort)


def status_of(certificate: Certificate, today: dt.date) -> Validity:
    return validity(certificate.expires_on, today, revoked=certificate.revoked_at is not None,
                    superseded=certificate.superseded_on is not None)


def own_certificates(user_id: int) -> list[Certificate]:
    """A rep's certificates, newest first, with their certifications (one statement)."""
    return list(db.session.scalars(
        select(Certificate).options(joinedload(Certificate.certification))
        .where(Certificate.user_id == user_id)
        .order_by(Certificate.earned_on.desc(), Certificate.id.desc())))


def certificates_with_tracks(user_id: int) -> list[tuple[Certificate, Certification, str]]:
    """A rep's certificates, newest first, each with its certification and its track's slug
    (one statement)."""
    return [tuple(row) for row in db.session.execute(
        select(Certificate, Certification, Track.slug)
        .join(Certification, Certification.id == Certificate.certification_id)
        .join(Track, Track.id == Certification.track_id)
        .where(Certificate.user_id == user_id)
        .order_by(Certificate.earned_on.desc(), Certificate.id.desc()))]


def certificate_by_id(certificate_id: int) -> Certificate | None:
    """The certificate with its certification and holder (one statement)."""
    return db.session.scalar(
        select(Certificate).options(joinedload(Certificate.certification),
                                    joinedload(Certificate.holder))
        .where(Certificate.id == certificate_id))


@dataclass(frozen=True)
class Verification:
    """All the public verification page may show of a certificate."""

    title: str
    holder_name: str
    earned_on: dt.date
    expires_on: dt.date
    status: Validity


def verification(code: str, today: dt.date) -> Verification | None:
    """What a verification link shows, read by its code alone; None for any other text."""
    if len(code) != CODE_LENGTH:
        return None
    row = db.session.execute(
        select(Certification.title, User.name, Certificate.earned_on, Certificate.expires_on,
               Certificate.revoked_at, Certificate.superseded_on)
        .join(Certification, Certification.id == Certificate.certification_id)
        .join(User, User.id == Certificate.user_id)
        .where(Certificate.code == code)).first()
    if row is None:
        return None
    title, name, earned_on, expires_on, revoked_at, superseded_on = row
    status = validity(expires_on, today, revoked=revoked_at is not None,
                      superseded=superseded_on is not None)
    return Verification(title, name, earned_on, expires_on, status)


@dataclass(frozen=True)
class CohortCount:
    cohort_id: int
    cohort: str
    territory: str | None
    certification: str
    certified: int
    expiring: int
    expired: int


def _held(today: dt.date):
    """Columns counting current certificates: valid, valid but expiring within 30 days,
    expired (revoked ones count in none)."""
    live = and_(Certificate.revoked_at.is_(None), Certificate.expires_on > today)
    soon = today + dt.timedelta(days=EXPIRING_WITHIN_DAYS)
    return (func.sum(case((live, 1), else_=0)),
            func.sum(case((and_(live, Certificate.expires_on <= soon), 1), else_=0)),
            func.sum(case((and_(Certificate.revoked_at.is_(None),
                                Certificate.expires_on <= today), 1), else_=0)))


def _current(viewer: User, *columns):
    """Current certificates (not renewed) of the reps the viewer sees, with their cohort now."""
    return (select(*columns).select_from(Certificate)
            .join(Certification, Certification.id == Certificate.certification_id)
            .join(Placement, and_(Placement.user_id == Certificate.user_id,
                                  Placement.moved_out_at.is_(None)))
            .join(HolderCohort, HolderCohort.id == Placement.cohort_id)
            .where(Certificate.superseded_on.is_(None), Certification.retired_at.is_(None),
                   visible_rep_filter(viewer, Certificate.user_id)))


def cohort_counts(viewer: User, today: dt.date) -> list[CohortCount]:
    """Per cohort the viewer sees and certification: certified, expiring within 30 days and
    expired, in one GROUP BY."""
    rows = db.session.execute(
        _current(viewer, HolderCohort.id, HolderCohort.name, HolderCohort.territory,
                 Certification.title, *_held(today))
        .group_by(HolderCohort.id, HolderCohort.name, HolderCohort.territory, Certification.title)
        .order_by(HolderCohort.territory, HolderCohort.name, Certification.title))
    return [CohortCount(*row) for row in rows]


def territory_counts(counts: list[CohortCount]) -> list[CohortCount]:
    """The cohort counts summed per territory and certification (cohorts without one: "—")."""
    totals: dict[tuple, list[int]] = {}
    for c in counts:
        total = totals.setdefault((c.territory or "—", c.certification), [0, 0, 0])
        for i, n in enumerate((c.certified, c.expiring, c.expired)):
            total[i] += int(n or 0)
    return [CohortCount(0, "", territory, title, *numbers)
            for (territory, title), numbers in sorted(totals.items())]


def holder_rows(viewer: User, today: dt.date) -> list[tuple]:
    """One row per current certificate of the reps the viewer sees, for the CSV."""
    rows = db.session.execute(
        _current(viewer, User.name, User.email, HolderCohort.name, HolderCohort.territory,
                 Certification.title, Certificate.earned_on, Certificate.expires_on,
                 Certificate.revoked_at)
        .join(User, User.id == Certificate.user_id)
        .order_by(HolderCohort.name, User.name))
    return [(name, email, cohort, territory or "", title, earned_on.isoformat(),
             expires_on.isoformat(),
             validity(expires_on, today, revoked=revoked_at is not None).value)
            for name, email, cohort, territory, title, earned_on, expires_on, revoked_at in rows]
