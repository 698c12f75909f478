"""Demo practice recordings: a few reps of each current cohort have recorded the track's first
exercise (a short tone stands in for a pitch); the older cohort's first take is reviewed, which
earns its rep the certification requiring the exercise. Where the exercise takes peer reviews,
each take is reviewed by the next rep of the cohort."""
import datetime as dt
import io
import math
import struct

from sqlalchemy import select

from cev_learn.cohorts.models import CohortCoach, Membership
from cev_learn.content.models import Exercise, Track
from cev_learn.platform.db import db
from cev_learn.platform.media_storage import recording_store
from cev_learn.practice import queries, services

RATE = 8000
REVIEW_COMMENTS = ("0:03 Good open question: you let the buyer talk\n"
                   "0:09 Say the cost in their numbers")
PEER_COMMENTS = "0:05 I would have asked about their current process here"
PEER_SUMMARY = "Your customer story landed; I stole your opening question."


def tone_wav(seconds: int, pitch: float) -> bytes:
    """A quiet mono 8-bit WAV tone: a stand-in for a recorded pitch."""
    data = bytes(128 + int(20 * math.sin(2 * math.pi * pitch * i / RATE))
                 for i in range(seconds * RATE))
    fmt = struct.pack("<HHIIHH", 1, 1, RATE, RATE, 1, 8)
    body = (b"WAVEfmt " + struct.pack("<I", len(fmt)) + fmt + b"data"
            + struct.pack("<I", len(data)) + data)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def seed_practice(track: Track, now: dt.datetime, per_cohort: int = 2) -> int:
    """Submit takes for the first reps of each current cohort; review the oldest cohort's."""
    exercise = db.session.scalar(select(Exercise).where(
        Exercise.track_id == track.id, Exercise.retired_at.is_(None)).order_by(Exercise.id))
    if exercise is None:
        return 0
    memberships = db.session.scalars(select(Membership).where(
        Membership.moved_out_at.is_(None), Membership.end_on.is_(None))
        .order_by(Membership.cohort_id, Membership.id)).all()
    by_cohort: dict[int, list[Membership]] = {}
    for membership in memberships:
        by_cohort.setdefault(membership.cohort_id, []).append(membership)
    store, made = recording_store(), 0
    newest = sorted(by_cohort.items(), key=lambda item: item[1][0].cohort.start_on,
                    reverse=True)[:2]  # the two current cohorts
    for index, (cohort_id, members) in enumerate(newest):
        for number, membership in enumerate(members[:per_cohort]):
            submission = services.submit_recording(
                rep=membership.user, exercise=exercise,
                stream=io.BytesIO(tone_wav(12, 220 + 40 * number)), store=store,
                max_bytes=10_000_000, review_days=2,
                now=now - dt.timedelta(days=number + 1, hours=index))
            made += 1
            if index == 0 and number == 0:
                _review(submission, cohort_id, now)
            if exercise.peer_review and len(members) > 1:
                _peer_review(submission, members[(number + 1) % len(members)], now)
    return made


def _review(submission, cohort_id: int, now: dt.datetime) -> None:
    coach = db.session.scalar(select(CohortCoach).where(CohortCoach.cohort_id == cohort_id))
    rubric = queries.rubric_of(submission.exercise)
    if coach is None or rubric is None:
        return
    services.review_submission(submission=submission, rubric=rubric, coach=coach.coach,
                               scores=[4] * len(rubric.criteria),
                               summary="A clear story; book the next step on the call.",
                               comments_text=REVIEW_COMMENTS, resubmit=False, now=now)


def _peer_review(submission, reviewer: Membership, now: dt.datetime) -> None:
    rubric = queries.rubric_of(submission.exercise)
    if rubric is None:
        return
    services.peer_review_submission(submission=submission, rubric=rubric, peer=reviewer.user,
                                    scores=[4, 3] + [4] * (len(rubric.criteria) - 2),
                                    summary=PEER_SUMMARY, comments_text=PEER_COMMENTS,
                                    now=now - dt.timedelta(hours=2))
