"""Earning certificates: when a service announces that reps' quiz results, sign-offs or
practice reviews changed, the certificates they now earn are written in the same
transaction."""
import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Date, Integer, cast, func, literal, null, select, union_all, update

from cev_learn.certifications.models import Certificate
from cev_learn.certifications.validity import Holding, expires_on, is_earned
from cev_learn.cohorts.models import Signoff
from cev_learn.content.models import Certification, Exercise, Quiz, Rubric, Track
from cev_learn.content.track_data import VERSION_COLUMNS, track_data_at
from cev_learn.platform import events, outbox
from cev_learn.platform.db import db
from cev_learn.practice.models import Review, Submission
from cev_learn.quizzes.models import Attempt, AttemptState

MEASURED = frozenset({events.QUIZZES, events.SIGNOFFS, events.EXERCISES})


def listen() -> None:
    """Earn certificates whenever a service announces changed quiz results, sign-offs or
    practice reviews (events.records_changed), in the same transaction."""
    events.rep_records_changed.connect(_on_records_changed)


def _on_records_changed(_sender, *, rep_ids: list[int], today: dt.date,
                        records: frozenset[str]) -> int:
    """Passes are announced by name (a quiz result, a sign-off, a coach's practice review);
    an announcement of every kind is a change of what reps are measured against (a placement,
    a start date, a milestone), which earns nothing: certificates depend on neither."""
    if records == events.ALL_RECORDS or not records & MEASURED:
        return 0
    return len(earn_certificates(rep_ids, today))


def earn_certificates(rep_ids: Iterable[int], today: dt.date,
                      dated_by_passes: bool = False) -> list[Certificate]:
    """Write the certificates these reps earn on `today` (a first one, or a renewal that
    supersedes the one they hold); returns them, flushed. `dated_by_passes`: a first
    certificate is dated the day its last requirement was passed, as when a certification is
    added to a track whose reps already passed what it requires (`cev-learn certifications
    award`). One read, whatever the number of reps and certifications: the certifications
    come with their tracks' shared data (content.track_data), kept between syncs."""
    rep_ids = list(rep_ids)
    if not rep_ids:
        return []
    records = reps_records(rep_ids)
    certifications = [c for data in track_data_at(records.track_versions).values()
                      for c in data.certifications.values()]
    earned = [certificate for rep_id in rep_ids for certification in certifications
              if (certificate := _earn(rep_id, certification, records, today,
                                       dated_by_passes)) is not None]
    _supersede([records.held[c.user_id, c.certification_id].id for c in earned
                if (c.user_id, c.certification_id) in records.held], today)
    db.session.flush()
    return earned


def _earn(rep_id: int, certification: Certification, records: "RepsRecords", today: dt.date,
          dated_by_passes: bool) -> Certificate | None:
    passed_on = records.passed.get((rep_id, certification.track_id), {})
    current = records.held.get((rep_id, certification.id))
    holding = None if current is None else Holding(
        current.expires_on, current.revoked_at.date() if current.revoked_at else None)
    requires = [tuple(r) for r in certification.requires]
    if not is_earned(requires, passed_on, holding, certification.remind_days_before, today):
        return None
    earned_on = max(passed_on[r] for r in requires) if dated_by_passes and current is None \
        else today
    certificate = Certificate(user_id=rep_id, certification_id=certification.id,
                              earned_on=earned_on,
                              expires_on=expires_on(earned_on, certification.valid_for_days),
                              code=secrets.token_urlsafe(32))
    db.session.add(certificate)
    outbox.emit("certification.earned", rep_id, {
        "certification": {"slug": certification.slug, "title": certification.title},
        "certificate": {"earned_on": earned_on.isoformat(),
                        "expires_on": certificate.expires_on.isoformat(),
                        "renewal": current is not None}})
    return certificate


def _supersede(certificate_ids: list[int], today: dt.date) -> None:
    """Mark the certificates that renewals replace (one statement, none without renewals)."""
    if certificate_ids:
        db.session.execute(update(Certificate).where(Certificate.id.in_(certificate_ids))
                           .values(superseded_on=today))


@dataclass(frozen=True)
class Held:
    """A certificate a rep holds (not superseded: valid, expired or revoked), as earning
    needs it."""

    id: int
    expires_on: dt.date
    revoked_at: dt.datetime | None


@dataclass
class RepsRecords:
    """What earning reads of some reps: per (rep id, track id), the day each requirement
    ("quiz" | "signoff" | "exercise", slug) was last passed; the certificates they hold,
    keyed (rep id, certification id); and the version of each track they passed something
    of."""

    passed: dict[tuple[int, int], dict[tuple[str, str], dt.date]] = field(
        default_factory=dict)
    held: dict[tuple[int, int], Held] = field(default_factory=dict)
    track_versions: dict[int, tuple] = field(default_factory=dict)


def reps_records(rep_ids: list[int]) -> RepsRecords:
    """The reps' passes (quizzes by their graded passing attempts, rubrics by passing
    sign-offs, exercises by passing coach reviews, on tracks in force) and the certificates
    they hold: one statement, a UNION."""
    records = RepsRecords()
    for kind, rep, ref, slug, at, on, held_id, *version in db.session.execute(union_all(
            _quiz_passes(rep_ids), _signoff_passes(rep_ids), _exercise_passes(rep_ids),
            _held(rep_ids))):
        if kind == "held":
            records.held[rep, ref] = Held(held_id, on, at)
        else:
            records.passed.setdefault((rep, ref), {})[kind, slug] = \
                on if kind == "signoff" else at.date()
            records.track_versions[ref] = tuple(version)
    return records


def _quiz_passes(rep_ids: list[int]):
    """("quiz", rep, track, slug, last passed at, -, -, *the track's version); its columns
    name and type the UNION's."""
    return (select(literal("quiz").label("kind"), Attempt.user_id, Quiz.track_id, Quiz.slug,
                   func.max(Attempt.graded_at).label("at"), cast(null(), Date).label("on"),
                   cast(null(), Integer).label("held_id"), *VERSION_COLUMNS)
            .join(Quiz, Quiz.id == Attempt.quiz_id).join(Track, Track.id == Quiz.track_id)
            .where(Attempt.user_id.in_(rep_ids), Track.retired_at.is_(None),
                   Attempt.state == AttemptState.GRADED, Attempt.passed.is_(True))
            .group_by(Attempt.user_id, Quiz.track_id, Quiz.slug, *VERSION_COLUMNS))


def _signoff_passes(rep_ids: list[int]):
    """("signoff", rep, track, rubric slug, -, last passed on, -, *the track's version)."""
    return (select(literal("signoff"), Signoff.user_id, Rubric.track_id, Rubric.slug, null(),
                   func.max(Signoff.signed_on), null(), *VERSION_COLUMNS)
            .join(Rubric, Rubric.id == Signoff.rubric_id)
            .join(Track, Track.id == Rubric.track_id)
            .where(Signoff.user_id.in_(rep_ids), Track.retired_at.is_(None),
                   Signoff.passed.is_(True))
            .group_by(Signoff.user_id, Rubric.track_id, Rubric.slug, *VERSION_COLUMNS))


def _exercise_passes(rep_ids: list[int]):
    """("exercise", rep, track, exercise slug, last passed at, -, -, *the track's version):
    the last passing review by a coach that did not ask for another take (a peer's review
    counts for nothing), as a quiz's last pass: a renewal needs one from its opening day."""
    return (select(literal("exercise"), Submission.user_id, Exercise.track_id, Exercise.slug,
                   func.max(Review.created_at), null(), null(), *VERSION_COLUMNS)
            .join(Submission, Submission.id == Review.submission_id)
            .join(Exercise, Exercise.id == Submission.exercise_id)
            .join(Track, Track.id == Exercise.track_id)
            .where(Submission.user_id.in_(rep_ids), Track.retired_at.is_(None),
                   Review.passed.is_(True), Review.resubmit.is_(False),
                   Review.peer.is_(False))
            .group_by(Submission.user_id, Exercise.track_id, Exercise.slug, *VERSION_COLUMNS))


def _held(rep_ids: list[int]):
    """("held", rep, certification, -, revoked at, expires on, certificate id, -, -, -): the
    certificates the reps hold (not superseded)."""
    return (select(literal("held"), Certificate.user_id, Certificate.certification_id, null(),
                   Certificate.revoked_at, Certificate.expires_on, Certificate.id,
                   null(), null(), null())
            .where(Certificate.user_id.in_(rep_ids), Certificate.superseded_on.is_(None)))
