"""Materialized achievements: recomputed for the reps an event touches, never per page view.

Automatic results come from the pure engine; a coach's (or an import's) entry for a milestone
wins over the engine until it is cleared. Every change is kept in AchievementChange. A
milestone a rep had not reached before goes to the outbox (`milestone.achieved`, and
`rep.productive` for the track's productivity milestone) in the same transaction.
"""
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import and_, select
from sqlalchemy.orm import contains_eager

from cev_learn.accounts.models import User
from cev_learn.cohorts.models import Cohort, Membership, Signoff
from cev_learn.content.models import Milestone, Module, ModuleProgress, Quiz, Rubric, Track
from cev_learn.platform import events, outbox
from cev_learn.platform.db import db, utcnow
from cev_learn.quizzes.models import Attempt, AttemptState
from cev_learn.ramp import engine
from cev_learn.ramp.models import Achievement, AchievementChange, ActivityRecord, Quota

AUTO = "auto"
CHUNK = 500


def recompute_for(rep_ids: Iterable[int], as_of: dt.date,
                  records: Iterable[str] = events.ALL_RECORDS) -> int:
    """Recompute the achievements of these reps whose milestones are measured from records
    of these kinds (all of them by default); returns how many rows changed."""
    ids, records = sorted(set(rep_ids)), frozenset(records)
    if not records:
        return 0
    changed = 0
    for start in range(0, len(ids), CHUNK):
        changed += _recompute_chunk(ids[start:start + CHUNK], as_of, records)
    db.session.flush()
    return changed


def _recompute_chunk(rep_ids: list[int], as_of: dt.date, records: frozenset[str]) -> int:
    memberships, milestones = {}, defaultdict(dict)
    # The reps' memberships, cohorts, milestones and tracks (which the outbox names): one
    # statement, a row per rep and milestone.
    for membership, milestone, _track in db.session.execute(
            select(Membership, Milestone, Track)
            .join(Membership.cohort).options(contains_eager(Membership.cohort))
            .outerjoin(Milestone, and_(Milestone.track_id == Cohort.track_id,
                                       Milestone.retired_at.is_(None)))
            .outerjoin(Track, Track.id == Milestone.track_id)
            .where(Membership.user_id.in_(rep_ids), Membership.moved_out_at.is_(None))):
        memberships[membership.user_id] = membership
        if milestone is not None and engine.measured_from(milestone.measure) & records:
            milestones[milestone.track_id][milestone.id] = milestone
    milestones = {track_id: list(by_id.values()) for track_id, by_id in milestones.items()}
    track_ids = {m.cohort.track_id for m in memberships.values()}
    if not milestones:
        return 0
    facts = _facts(memberships, track_ids, frozenset().union(*(
        engine.measured_from(m.measure) for track in milestones.values() for m in track)))
    existing = {(a.user_id, a.milestone_id): a for a in db.session.scalars(
        select(Achievement).where(Achievement.user_id.in_(list(memberships)),
                                  Achievement.milestone_id.in_(
                                      [m.id for track in milestones.values() for m in track])))}
    changed = 0
    for user_id, membership in memberships.items():
        for milestone in milestones.get(membership.cohort.track_id, ()):
            reached = engine.achieved_on(milestone.measure, facts[user_id], as_of)
            changed += _apply(user_id, milestone, reached,
                              existing.get((user_id, milestone.id)))
    return changed


def _apply(user_id: int, milestone: Milestone, reached: dt.date | None,
           current: Achievement | None) -> int:
    if current is not None and current.source != AUTO:
        return 0  # a coach's or an import's word stands until it is cleared
    if current is None and reached is None:
        return 0
    if current is not None and current.achieved_on == reached:
        return 0
    now = utcnow()  # the achievement and its history entry: one moment
    if reached is None:
        db.session.delete(current)
    elif current is None:
        db.session.add(Achievement(user_id=user_id, milestone_id=milestone.id,
                                   achieved_on=reached, source=AUTO, updated_at=now))
        _announce(user_id, milestone, reached, AUTO, now)
    else:
        current.achieved_on, current.updated_at = reached, now
    db.session.add(AchievementChange(user_id=user_id, milestone_id=milestone.id,
                                     achieved_on=reached, source=AUTO, created_at=now))
    return 1


def _announce(rep_id: int, milestone: Milestone, achieved_on: dt.date, source: str,
              now: dt.datetime) -> None:
    """Tell the outbox a rep reached a milestone they had not reached before; reaching the
    track's productivity milestone is also the rep becoming productive."""
    track = db.session.get(Track, milestone.track_id)  # loaded already, as a rule
    about = {"milestone": {"slug": milestone.slug, "title": milestone.title,
                           "due_day": milestone.due_day},
             "track": {"slug": track.slug, "title": track.title},
             "achieved_on": achieved_on.isoformat(), "source": source}
    outbox.emit("milestone.achieved", rep_id, about, now)
    if track.productivity_milestone == milestone.slug:
        outbox.emit("rep.productive", rep_id, about, now)


def _facts(memberships: dict[int, Membership], track_ids: set[int],
           records: frozenset[str]) -> dict[int, engine.RepFacts]:
    """What the engine judges these reps from: their records of these kinds (one statement
    per kind; the others are left empty)."""
    rep_ids = list(memberships)
    activities, quotas = defaultdict(list), defaultdict(dict)
    if events.ACTIVITIES in records:
        for row in db.session.execute(select(
                ActivityRecord.user_id, ActivityRecord.external_id, ActivityRecord.occurred_on,
                ActivityRecord.type, ActivityRecord.quantity, ActivityRecord.amount)
                .where(ActivityRecord.user_id.in_(rep_ids))):
            activities[row[0]].append(engine.Activity(*row[1:]))
    if events.QUOTAS in records:
        for user_id, month, amount in db.session.execute(select(
                Quota.user_id, Quota.month, Quota.amount).where(Quota.user_id.in_(rep_ids))):
            quotas[user_id][month] = amount
    quiz_results = defaultdict(list)
    if events.QUIZZES in records:
        for user_id, slug, submitted, score in db.session.execute(
                select(Attempt.user_id, Quiz.slug, Attempt.submitted_at, Attempt.score)
                .join(Quiz, Quiz.id == Attempt.quiz_id)
                .where(Attempt.user_id.in_(rep_ids), Attempt.state == AttemptState.GRADED)):
            quiz_results[user_id].append(engine.QuizResult(slug, submitted.date(), score))
    modules, all_modules = defaultdict(dict), defaultdict(list)
    if events.MODULES in records:
        for user_id, slug, completed in db.session.execute(
                select(ModuleProgress.user_id, Module.slug, ModuleProgress.completed_at)
                .join(Module, Module.id == ModuleProgress.module_id)
                .where(ModuleProgress.user_id.in_(rep_ids),
                       ModuleProgress.completed_at.is_not(None))):
            modules[user_id][slug] = completed.date()
        for track_id, slug in db.session.execute(select(Module.track_id, Module.slug).where(
                Module.track_id.in_(track_ids), Module.retired_at.is_(None))):
            all_modules[track_id].append(slug)
    signoffs = defaultdict(list)
    if events.SIGNOFFS in records:
        for user_id, slug, signed, passed in db.session.execute(
                select(Signoff.user_id, Rubric.slug, Signoff.signed_on, Signoff.passed)
                .join(Rubric, Rubric.id == Signoff.rubric_id)
                .where(Signoff.user_id.in_(rep_ids))):
            signoffs[user_id].append(engine.SignoffResult(slug, signed, passed))
    return {user_id: engine.RepFacts(
        start_on=m.effective_start_on, activities=activities[user_id], quotas=quotas[user_id],
        quiz_attempts=quiz_results[user_id], modules_completed=modules[user_id],
        all_module_slugs=all_modules[m.cohort.track_id], signoffs=signoffs[user_id])
        for user_id, m in memberships.items()}


def hand_date_problem(achieved_on: dt.date | None, start_on: dt.date,
                      today: dt.date) -> str | None:
    """Why a date typed by a coach cannot be recorded (None when it can; None clears)."""
    if achieved_on is not None and achieved_on > today:
        return f"a milestone cannot be reached in the future (today is {today})"
    if achieved_on is not None and achieved_on < start_on:
        return f"the rep started on {start_on}; a milestone cannot be reached before that"
    return None


def record_by_hand(*, rep: User, milestone: Milestone, achieved_on: dt.date | None,
                   note: str | None, actor: User, source: str = "coach") -> None:
    """A coach records or corrects a milestone (None clears it, handing back to the engine)."""
    current = db.session.scalar(select(Achievement).where(
        Achievement.user_id == rep.id, Achievement.milestone_id == milestone.id))
    now = utcnow()  # the achievement and its history entry: one moment
    if achieved_on is None:
        if current is not None:
            db.session.delete(current)
    elif current is None:
        db.session.add(Achievement(user_id=rep.id, milestone_id=milestone.id,
                                   achieved_on=achieved_on, source=source,
                                   recorded_by_id=actor.id, note=note, updated_at=now))
        _announce(rep.id, milestone, achieved_on, source, now)
    else:
        if (current.achieved_on, current.source, current.note) != (achieved_on, source, note):
            current.updated_at = now
        current.achieved_on, current.source = achieved_on, source
        current.recorded_by_id, current.note = actor.id, note
    db.session.add(AchievementChange(user_id=rep.id, milestone_id=milestone.id,
                                     achieved_on=achieved_on, source=source,
                                     recorded_by_id=actor.id, note=note, created_at=now))
    db.session.flush()


def record_milestone(*, rep: User, milestone: Milestone, achieved_on: dt.date | None,
                     note: str | None, actor: User, today: dt.date,
                     source: str = "coach") -> None:
    """Record or correct the day a rep reached a milestone (None clears the correction and
    hands the milestone back to what cev_learn measures), then bring what depends on the rep's
    records up to date as of `today`. Flush only; the caller commits, and checks the date with
    `hand_date_problem` first."""
    record_by_hand(rep=rep, milestone=milestone, achieved_on=achieved_on, note=note,
                   actor=actor, source=source)
    # No record changed, only who dates the milestone: the rep's pages are built again, and
    # a cleared entry hands the milestone back to the engine.
    events.records_changed([rep.id], today, records=())
    if achieved_on is None:
        recompute_for([rep.id], today, engine.measured_from(milestone.measure))
