"""Reads for practice pages: exercises of a rep's track, their submissions with reviews, the
coaches' review queue, the recordings a rep's cohort mates ask peers to review. Every read of
a submission carries the access rule in its SQL."""
from sqlalchemy import and_, exists, false, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from cev_learn.accounts.models import Role, User
from cev_learn.cohorts.access import visible_rep_filter
from cev_learn.cohorts.models import Cohort, Membership
from cev_learn.content.models import Exercise, Rubric
from cev_learn.platform.db import db
from cev_learn.practice.models import Review, Submission, SubmissionState


def rep_exercises(rep: User) -> list[Exercise]:
    """The active exercises of the rep's current track, by title (one statement)."""
    return list(db.session.scalars(
        select(Exercise).join(Cohort, Cohort.track_id == Exercise.track_id)
        .join(Membership, Membership.cohort_id == Cohort.id)
        .where(Membership.user_id == rep.id, Membership.moved_out_at.is_(None),
               Exercise.retired_at.is_(None)).order_by(Exercise.title)))


def rep_exercise(rep: User, slug: str) -> Exercise | None:
    return next((e for e in rep_exercises(rep) if e.slug == slug), None)


def rubric_of(exercise: Exercise) -> Rubric | None:
    return db.session.scalar(select(Rubric).where(
        Rubric.track_id == exercise.track_id, Rubric.slug == exercise.rubric_slug))


def submissions_of(rep: User, exercise: Exercise) -> list[Submission]:
    """The rep's submissions for the exercise, newest first, with their reviews."""
    return list(db.session.scalars(
        select(Submission).options(selectinload(Submission.reviews).joinedload(Review.reviewer))
        .where(Submission.user_id == rep.id, Submission.exercise_id == exercise.id)
        .order_by(Submission.submitted_at.desc(), Submission.id.desc())))


def all_submissions_of(rep: User) -> list[Submission]:
    """Every submission of the rep, newest first, with its exercise and its reviews and their
    reviewers (two statements)."""
    return list(db.session.scalars(
        select(Submission).options(joinedload(Submission.exercise),
                                   selectinload(Submission.reviews).joinedload(Review.reviewer))
        .where(Submission.user_id == rep.id)
        .order_by(Submission.submitted_at.desc(), Submission.id.desc())))


def visible_submission(viewer: User, submission_id: int) -> Submission | None:
    """The submission if the viewer may see whose it is (`policy.can_view_rep` in SQL: the rep
    themselves, or staff who see the rep), with its exercise, rep and reviews (and their
    reviewers, joined: one statement); else None."""
    return db.session.scalars(
        select(Submission)
        .options(joinedload(Submission.exercise), joinedload(Submission.user),
                 joinedload(Submission.reviews).joinedload(Review.reviewer))
        .where(Submission.id == submission_id,
               visible_rep_filter(viewer, Submission.user_id))).unique().first()


def review_queue(coach: User) -> list[Submission]:
    """Recordings waiting for review of reps the coach sees, oldest first (one statement)."""
    return list(db.session.scalars(
        select(Submission).options(joinedload(Submission.exercise), joinedload(Submission.user))
        .where(Submission.state == SubmissionState.WAITING,
               visible_rep_filter(coach, Submission.user_id))
        .order_by(Submission.submitted_at, Submission.id)))


PEER_QUEUE_LENGTH = 20
ViewerPlacement = aliased(Membership)  # the peer's cohort, apart from the author's


def peer_filter(viewer: User):
    """True on submissions the viewer may review as a peer: a rep other than its author, in
    the cohort its author is in now (both current members; the author's account active), of
    an exercise in force that takes peer reviews. Needs Exercise joined to Submission."""
    if viewer.role is not Role.REP:
        return false()
    cohort_ids = select(ViewerPlacement.cohort_id).where(
        ViewerPlacement.user_id == viewer.id, ViewerPlacement.moved_out_at.is_(None))
    return and_(Submission.user_id != viewer.id, Exercise.peer_review.is_(True),
                Exercise.retired_at.is_(None),
                exists().where(Membership.user_id == Submission.user_id,
                               Membership.moved_out_at.is_(None),
                               Membership.cohort_id.in_(cohort_ids)),
                exists().where(User.id == Submission.user_id, User.active.is_(True)))


def peer_submission(viewer: User, submission_id: int) -> Submission | None:
    """The submission if the viewer may review it as a peer (`peer_filter`), with its
    exercise, rep and reviews (one statement; none for anyone but a rep); else None."""
    if viewer.role is not Role.REP:
        return None
    return db.session.scalars(
        select(Submission).join(Exercise, Exercise.id == Submission.exercise_id)
        .options(joinedload(Submission.exercise), joinedload(Submission.user),
                 joinedload(Submission.reviews).joinedload(Review.reviewer))
        .where(Submission.id == submission_id, peer_filter(viewer))).unique().first()


def peer_queue(rep: User) -> list[Submission]:
    """Recordings the rep may review as a peer and has not reviewed yet, newest first, at
    most PEER_QUEUE_LENGTH (one statement)."""
    return list(db.session.scalars(
        select(Submission).join(Exercise, Exercise.id == Submission.exercise_id)
        .options(joinedload(Submission.exercise), joinedload(Submission.user))
        .where(peer_filter(rep), ~exists().where(Review.submission_id == Submission.id,
                                                 Review.reviewer_id == rep.id))
        .order_by(Submission.submitted_at.desc(), Submission.id.desc())
        .limit(PEER_QUEUE_LENGTH)))
