"""Earning certificates: when a service announces that reps' quiz results or sign-offs
changed, the certificates they now earn are written in the same transaction."""
import datetime as dt
import secrets
from collections.abc import Iterable

from sqlalchemy import Date, and_, cast, func, literal, null, select, union_all

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
    award`). Two reads, whatever the number of reps and certifications."""
    rep_ids = list(rep_ids)
    if not rep_ids:
        return []
    held = held_certificates(rep_ids)
    certifications = {c.id: c for c, _ in held}
    if not certifications:
        return []
    passed = last_passes(rep_ids, {c.track_id for c in certifications.values()})
    current = {(c.user_id, c.certification_id): c for _, c in held if c is not None}
    earned = []
    for rep_id in rep_ids:
        for certification in certifications.values():
            certificate = _earn(rep_id, certification, passed,
                                current.get((rep_id, certification.id)), today, dated_by_passes)
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
    on these tracks: quizzes by their graded passing attempts, rubrics by passing sign-offs
    (one statement)."""
    quizzes = (select(Attempt.user_id, Quiz.track_id, literal("quiz"), Quiz.slug,
                      func.max(Attempt.graded_at), cast(null(), Date))
               .join(Quiz, Quiz.id == Attempt.quiz_id)
               .where(Attempt.user_id.in_(rep_ids), Quiz.track_id.in_(track_ids),
                      Attempt.state == AttemptState.GRADED, Attempt.passed.is_(True))
               .group_by(Attempt.user_id, Quiz.track_id, Quiz.slug))
    signoffs = (select(Signoff.user_id, Rubric.track_id, literal("signoff"), Rubric.slug,
                       null(), func.max(Signoff.signed_on))
                .join(Rubric, Rubric.id == Signoff.rubric_id)
                .where(Signoff.user_id.in_(rep_ids), Rubric.track_id.in_(track_ids),
                       Signoff.passed.is_(True))
                .group_by(Signoff.user_id, Rubric.track_id, Rubric.slug))
    return {(rep, track, kind, slug): graded_at.date() if kind == "quiz" else signed_on
            for rep, track, kind, slug, graded_at, signed_on
            in db.session.execute(union_all(quizzes, signoffs))}


def held_certificates(rep_ids: list[int]) -> list[tuple[Certification, Certificate | None]]:
    """Every certification in force, each with a certificate of these reps not yet
    superseded (valid, expired or revoked), or None where none of them holds one (one
    statement)."""
    rows = db.session.execute(
        select(Certification, Certificate)
        .outerjoin(Certificate, and_(Certificate.certification_id == Certification.id,
                                     Certificate.user_id.in_(rep_ids),
                                     Certificate.superseded_on.is_(None)))
        .where(Certification.retired_at.is_(None)))
    return [(certification, certificate) for certification, certificate in rows]
