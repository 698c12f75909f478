"""Submitting practice recordings, reviewing them, and erasing a rep's recordings.
Flush only; callers commit. A passing review of an exercise that completes its rubric's
sign-off records that sign-off (cohorts.coaching.write_signoff); a passing review is announced
(events.records_changed: EXERCISES, and SIGNOFFS with a sign-off), which brings the rep's
milestones and certificates up to date in the same transaction."""
import datetime as dt
from typing import BinaryIO

from sqlalchemy import delete, select
from sqlalchemy.orm import aliased

from cev_learn.accounts.models import Role, User
from cev_learn.cohorts import coaching
from cev_learn.cohorts.access import coachable_rep_ids
from cev_learn.cohorts.models import Membership
from cev_learn.content.models import Exercise, Rubric
from cev_learn.platform import events, outbox
from cev_learn.platform.db import db
from cev_learn.platform.media_storage import RecordingStore
from cev_learn.platform.recordings import NotARecording
from cev_learn.practice.comments import format_time, parse_pinned_comments
from cev_learn.practice.models import Review, Submission, SubmissionState

DURATION_SLACK_SECONDS = 2  # a recorder stops a moment after its limit


class PracticeError(Exception):
    """A rule was broken; the message is fit to show, `field` the form field it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def submit_recording(*, rep: User, exercise: Exercise, stream: BinaryIO, store: RecordingStore,
                     max_bytes: int, review_days: int, now: dt.datetime) -> Submission:
    """Store the recording (refused, with nothing kept, unless it is a whole recording within
    the limits) and queue it for the coach's review."""
    try:
        stored = store.save(stream, max_bytes)
    except NotARecording as exc:
        raise PracticeError(str(exc)) from exc
    duration = stored.inspection.duration_seconds
    if duration is not None and duration > exercise.max_seconds + DURATION_SLACK_SECONDS:
        store.delete(stored.key)
        raise PracticeError(f"This recording lasts {format_time(duration)}; {exercise.title} "
                            f"allows at most {format_time(exercise.max_seconds)}.")
    submission = Submission(exercise_id=exercise.id, user_id=rep.id, storage_key=stored.key,
                            kind=stored.inspection.kind.name, size_bytes=stored.size,
                            duration_seconds=duration, state=SubmissionState.WAITING,
                            submitted_at=now,
                            review_due_on=now.date() + dt.timedelta(days=review_days))
    db.session.add(submission)
    db.session.flush()
    outbox.emit("practice.submitted", rep.id, {
        "exercise": _exercise_about(exercise),
        "submission": {"id": submission.id, "submitted_at": now.isoformat(),
                       "duration_seconds": duration,
                       "review_due_on": submission.review_due_on.isoformat()}}, now)
    return submission


def review_submission(*, submission: Submission, rubric: Rubric, coach: User, scores: list[int],
                      summary: str, comments_text: str, resubmit: bool,
                      now: dt.datetime) -> Review:
    """Score a waiting submission against the rubric, with comments pinned to times."""
    if coachable_rep_ids(coach, [submission.user_id]) != {submission.user_id}:
        raise PracticeError("You can review only recordings of reps you coach.")
    if submission.state is not SubmissionState.WAITING:
        raise PracticeError("This recording has been reviewed already.")
    review = _scored(submission, rubric, coach, scores, summary, comments_text, now)
    review.resubmit = resubmit
    passes = review.passed and not resubmit
    signs_off = passes and submission.exercise.completes_signoff
    if signs_off:
        review.signoff_id = coaching.write_signoff(
            rep=submission.user, rubric=rubric, coach=coach, scores=scores,
            comments=[""] * len(scores), today=now.date()).id
    submission.state = SubmissionState.RESUBMIT if resubmit else SubmissionState.REVIEWED
    submission.reviewed_at = now
    db.session.add(review)
    db.session.flush()
    _announce_review(submission, rubric, review, coach, now)
    if passes:  # the exercise passed (and its sign-off recorded): certificates may be earned
        events.records_changed([submission.user_id], now.date(),
                               {events.EXERCISES, events.SIGNOFFS} if signs_off
                               else {events.EXERCISES})
    return review


def _announce_review(submission: Submission, rubric: Rubric, review: Review, coach: User,
                     now: dt.datetime) -> None:
    outbox.emit("practice.reviewed", submission.user_id, {
        "exercise": _exercise_about(submission.exercise),
        "submission": {"id": submission.id, "state": submission.state.value},
        "review": {"id": review.id, "score": round(review.score, 4), "passed": review.passed,
                   "resubmit": review.resubmit, "pass_mark": rubric.pass_mark,
                   "signoff_recorded": review.signoff_id is not None,
                   "reviewed_at": now.isoformat()},
        "coach": {"id": coach.id, "name": coach.name, "email": coach.email}}, now)


def _exercise_about(exercise: Exercise) -> dict:
    return {"slug": exercise.slug, "title": exercise.title, "rubric": exercise.rubric_slug}


def peer_review_submission(*, submission: Submission, rubric: Rubric, peer: User,
                           scores: list[int], summary: str, comments_text: str,
                           now: dt.datetime) -> Review:
    """A cohort mate's review of a recording of an exercise that takes peer reviews, scored
    and commented as a coach's is. It counts for nothing: no pass, sign-off or certificate,
    and the submission waits for (or keeps) its coach's review. One per peer."""
    if not submission.exercise.peer_review:
        raise PracticeError(f"{submission.exercise.title} does not take peer reviews.")
    if submission.user_id == peer.id:
        raise PracticeError("You cannot review your own recording; your cohort does.")
    if not _cohort_mates(peer, submission.user_id):
        raise PracticeError("You can review only recordings of reps in your cohort.")
    if any(r.reviewer_id == peer.id for r in submission.reviews):
        raise PracticeError("You have reviewed this recording already.")
    review = _scored(submission, rubric, peer, scores, summary, comments_text, now)
    review.peer = True
    db.session.add(review)
    db.session.flush()
    return review


def _cohort_mates(peer: User, rep_id: int) -> bool:
    """Both are current members of one cohort and the peer is an active rep (one
    statement)."""
    theirs = aliased(Membership)  # the author's placement, apart from the peer's
    mine = select(Membership.cohort_id).where(Membership.user_id == peer.id,
                                             Membership.moved_out_at.is_(None))
    return peer.role is Role.REP and peer.active and db.session.scalar(
        select(theirs.id).where(theirs.user_id == rep_id, theirs.moved_out_at.is_(None),
                                theirs.cohort_id.in_(mine))) is not None


def _scored(submission: Submission, rubric: Rubric, reviewer: User, scores: list[int],
            summary: str, comments_text: str, now: dt.datetime) -> Review:
    """A review of the submission by the reviewer, its scores and comments checked."""
    if len(scores) != len(rubric.criteria) or not all(1 <= s <= coaching.MAX_SCORE
                                                      for s in scores):
        raise PracticeError(f"Score each of the {len(rubric.criteria)} criteria from 1 to 5.")
    try:
        comments = parse_pinned_comments(comments_text, submission.duration_seconds)
    except ValueError as exc:
        raise PracticeError(str(exc), field="comments") from exc
    score = coaching.signoff_score(scores)
    return Review(submission_id=submission.id, reviewer_id=reviewer.id, scores=scores,
                  score=score, passed=score >= rubric.pass_mark - 1e-9,
                  summary=(summary or "").strip(), comments=comments, resubmit=False,
                  peer=False, created_at=now)


def erase_recordings(rep: User, store: RecordingStore) -> int:
    """Delete the rep's submissions, every review of them (their coach's and their peers')
    and their files, and the peer reviews the rep wrote of others' recordings (their words
    about a colleague are the rep's data too); returns how many recordings. Sign-offs
    recorded from reviews stay: they are the coach's record, not the rep's."""
    submissions = list(db.session.scalars(select(Submission).where(Submission.user_id == rep.id)))
    ids = [s.id for s in submissions]
    db.session.execute(delete(Review).where(Review.reviewer_id == rep.id,
                                            Review.peer.is_(True)))
    if ids:
        db.session.execute(delete(Review).where(Review.submission_id.in_(ids)))
        db.session.execute(delete(Submission).where(Submission.id.in_(ids)))
    db.session.flush()
    for submission in submissions:
        store.delete(submission.storage_key)
    return len(submissions)
