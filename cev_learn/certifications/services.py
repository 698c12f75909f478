"""Earning certificates: when a service announces that reps' quiz results or sign-offs
changed, the certificates they now earn are written in the same transaction."""
import datetime as dt
import secrets
from collections.abc import Iterable

from sqlalchemy import func, select

from cev_learn.certifications.models import Certificate
from cev_learn.certifications.validity import Holding, expires_on, is_earned
from cev_learn.cohorts.models import Signoff
from cev_learn.content.models import Certification, Quiz, Rubric
from cev_learn.platform import events, outbox
from cev_learn.platform.db import db
from cev_learn.quizzes.models import Attempt, AttemptState

MEASURED = frozenset({events.QUIZZES, events.SIGNOFFS})


def listen() -> None:
    """Earn certificates whenever a service announces changed quiz results or sign-offs
    (events.records_changed), in the same transaction."""
    events.rep_records_changed.connect(_on_records_changed)


def _on_records_changed(_sender, *, rep_ids: list[int], today: dt.date,
                        records: frozenset[str]) -> int:
    return len(earn_certificates(rep_ids, today)) if records & MEASURED else 0


def earn_certificates(rep_ids: Iterable[int], today: dt.date,
                      dated_by_passes: bool = False) -> list[Certificate]:
    """Write the certificates these reps earn on `today` (a first one, or a renewal that
    supersedes the one they hold); returns them, flushed. `dated_by_passes`: a first
    certificate is dated the day its last requirement was passed, as when a certification is
    added to a track whose reps already passed what it requires (`cev-learn certifications
    award`)."""
    rep_ids = list(rep_ids)
    certifications = list(db.session.scalars(
        select(Certification).where(Certification.retired_at.is_(None))))
    if not rep_ids or not certifications:
        return []
    passed = last_passes(rep_ids, {c.track_id for c in certifications})
    held = current_certificates(rep_ids, [c.id for c in certifications])
    earned = []
    for rep_id in rep_ids:
        for certification in certifications:
            certificate = _earn(rep_id, certification, passed, held.get((rep_id, certification.id)),
                                today, dated_by_passes)
            if certificate is not None:
                earned.append(certificate)
    db.session.flush()
    return earned


def _earn(rep_id: int, certification: Certification, passed: dict, current: Certificate | None,
          today: dt.date, dated_by_passes: bool) -> Certificate | None:
    passed_on = {(kind, slug): day for (rep, track, kind, slug), day in passed.items()
                 if rep == rep_id and track == certification.track_id}
    holding = None if current is None else Holding(
        current.expires_on, current.revoked_at.date() if current.revoked_at else None)
    requires = [tuple(r) for r in certification.requires]
    if not is_earned(requires, passed_on, holding, certification.remind_days_before, today):
        return None
    if current is not None:
        current.superseded_on = today
    earned_on = max(passed_on[r] for r in requires) if dated_by_passes and current is None \
        else today
    certificate = Certificate(user_id=rep_id, certification_id=certification.id,
                              earned_on=earned_on,
                              expires_on=expires_on(earned_on, certification.valid_for_days),
                              code=secrets.token_urlsafe(32))
    certificate.certification = certification
    db.session.add(certificate)
    outbox.emit("certification.earned", rep_id, {
        "certification": {"slug": certification.slug, "title": certification.title},
        "certificate": {"earned_on": earned_on.isoformat(),
                        "expires_on": certificate.expires_on.isoformat(),
                        "renewal": current is not None}})
    return certificate


def last_passes(rep_ids: list[int], track_ids: set[int]) -> dict[tuple, dt.date]:
    """(rep id, track id, "quiz" | "signoff", slug) -> the day last passed, for these reps
    on these tracks: quizzes by their graded passing attempts, rubrics by passing sign-offs."""
    quizzes = db.session.execute(
        select(Attempt.user_id, Quiz.track_id, Quiz.slug, func.max(Attempt.graded_at))
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(Attempt.user_id.in_(rep_ids), Quiz.track_id.in_(track_ids),
               Attempt.state == AttemptState.GRADED, Attempt.passed.is_(True))
        .group_by(Attempt.user_id, Quiz.track_id, Quiz.slug))
    signoffs = db.session.execute(
        select(Signoff.user_id, Rubric.track_id, Rubric.slug, func.max(Signoff.signed_on))
        .join(Rubric, Rubric.id == Signoff.rubric_id)
        .where(Signoff.user_id.in_(rep_ids), Rubric.track_id.in_(track_ids),
               Signoff.passed.is_(True))
        .group_by(Signoff.user_id, Rubric.track_id, Rubric.slug))
    passed = {(rep, track, "quiz", slug): graded_at.date() for rep, track, slug, graded_at in quizzes}
    passed.update({(rep, track, "signoff", slug): day for rep, track, slug, day in signoffs})
    return passed


def current_certificates(rep_ids: list[int], certification_ids: list[int]) -> dict:
    """(rep id, certification id) -> the certificate not yet superseded (valid, expired or
    revoked)."""
    rows = db.session.scalars(select(Certificate).where(
        Certificate.user_id.in_(rep_ids), Certificate.certification_id.in_(certification_ids),
        Certificate.superseded_on.is_(None)))
    return {(c.user_id, c.certification_id): c for c in rows}
