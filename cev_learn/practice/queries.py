"""Reads for practice pages: exercises of a rep's track, their submissions with reviews, the
coaches' review queue. Every read of a submission carries the access rule in its SQL."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from cev_learn.accounts.models import User
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


def visible_submission(viewer: User, submission_id: int) -> Submission | None:
    """The submission if the viewer may see whose it is (`policy.can_view_rep` in SQL: the rep
    themselves, or staff who see the rep), with its exercise, rep and reviews; else None."""
    return db.session.scalar(
        select(Submission)
        .options(joinedload(Submission.exercise), joinedload(Submission.user),
                 selectinload(Submission.reviews).joinedload(Review.reviewer))
        .where(Submission.id == submission_id,
               visible_rep_filter(viewer, Submission.user_id)))


def review_queue(coach: User) -> list[Submission]:
    """Recordings waiting for review of reps the coach sees, oldest first (one statement)."""
    return list(db.session.scalars(
        select(Submission).options(joinedload(Submission.exercise), joinedload(Submission.user))
        .where(Submission.state == SubmissionState.WAITING,
               visible_rep_filter(coach, Submission.user_id))
        .order_by(Submission.submitted_at, Submission.id)))
