"""What coaches do for a rep: assignments, sign-offs and notes (a milestone recorded by hand is
the ramp's: ramp.achievements.record_milestone).
Flush only; callers commit. What changes a rep's milestones brings their achievements up to
date as of `today`; a sign-off goes to the outbox (`signoff.recorded`). Work assigned and notes
shared with a rep are announced (`events.work_assigned`, `events.note_shared`): the rep is
notified in the same transaction."""
import datetime as dt

from cev_learn.accounts.models import User
from cev_learn.cohorts.access import coachable_rep_ids
from cev_learn.cohorts.models import Assignment, AssignmentKind, CoachingNote, Signoff
from cev_learn.content.models import Rubric
from cev_learn.platform import events, outbox
from cev_learn.platform.db import db

MAX_SCORE = 5


class CoachingError(Exception):
    """A rule was broken; the message is fit to show."""


def assign(*, reps: list[User], kind: AssignmentKind, item_id: int, due_on: dt.date,
           note: str | None, coach: User, today: dt.date) -> list[Assignment]:
    """Give each rep an extra item; every one of them must be a rep the coach coaches."""
    if due_on < today:
        raise CoachingError("The due date is in the past.")
    if coachable_rep_ids(coach, [rep.id for rep in reps]) != {rep.id for rep in reps}:
        raise CoachingError("You can assign work only to reps you coach.")
    assignments = [Assignment(user_id=rep.id, kind=kind, due_on=due_on,
                              module_id=item_id if kind is AssignmentKind.MODULE else None,
                              quiz_id=item_id if kind is AssignmentKind.QUIZ else None,
                              note=(note or "").strip() or None, assigned_by_id=coach.id)
                   for rep in reps]
    db.session.add_all(assignments)
    db.session.flush()
    events.work_assigned.send(assignments=assignments, coach=coach)
    return assignments


def signoff_score(scores: list[int]) -> float:
    """The share of the maximum: every criterion scored 1-5, 1 counting as nothing."""
    return sum(s - 1 for s in scores) / ((MAX_SCORE - 1) * len(scores)) if scores else 0.0


def record_signoff(*, rep: User, rubric: Rubric, coach: User, scores: list[int],
                   comments: list[str], today: dt.date) -> Signoff:
    signoff = write_signoff(rep=rep, rubric=rubric, coach=coach, scores=scores,
                            comments=comments, today=today)
    events.records_changed([rep.id], today, {events.SIGNOFFS})
    return signoff


def write_signoff(*, rep: User, rubric: Rubric, coach: User, scores: list[int],
                  comments: list[str], today: dt.date) -> Signoff:
    """record_signoff without announcing it: for a caller that announces it together with
    the other records of the rep it changes in the same write (a practice review)."""
    if len(scores) != len(rubric.criteria) or not all(1 <= s <= MAX_SCORE for s in scores):
        raise CoachingError(f"Score each of the {len(rubric.criteria)} criteria from 1 to 5.")
    score = signoff_score(scores)
    signoff = Signoff(user_id=rep.id, rubric_id=rubric.id, coach_id=coach.id, scores=scores,
                      comments=[(c or "").strip() for c in comments], score=score,
                      passed=score >= rubric.pass_mark - 1e-9, signed_on=today)
    db.session.add(signoff)
    db.session.flush()
    outbox.emit("signoff.recorded", rep.id, {
        "rubric": {"slug": rubric.slug, "title": rubric.title, "pass_mark": rubric.pass_mark},
        "signoff": {"id": signoff.id, "score": round(score, 4), "passed": signoff.passed,
                    "signed_on": today.isoformat()},
        "coach": {"id": coach.id, "name": coach.name, "email": coach.email}})
    return signoff


def add_note(*, rep: User, author: User, body: str, shared: bool) -> CoachingNote:
    body = body.strip()
    if not body:
        raise CoachingError("A note cannot be empty.")
    note = CoachingNote(user_id=rep.id, author_id=author.id, body=body, shared=shared)
    db.session.add(note)
    db.session.flush()
    if shared:
        events.note_shared.send(note=note)
    return note
