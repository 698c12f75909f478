"""Materialized achievements: recomputed for the reps an event touches, never per page view.

Automatic results come from the pure engine; a coach's (or an import's) entry for a milestone
wins over the engine until it is cleared. Every change is kept in AchievementChange (a date
set or moved, and a measured one cleared, by the database itself as it is written; a hand
entry cleared by the service that clears it). A
milestone a rep had not reached before goes to the outbox (`milestone.achieved`, and
`rep.productive` for the track's productivity milestone) in the same transaction.
"""
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import (Date, Float, Integer, String, and_, case, cast, exists,
                        literal, select, union_all)
from sqlalchemy.orm import contains_eager

from cev_learn.accounts.models import User
from cev_learn.cohorts.models import Cohort, Membership, Signoff
from cev_learn.content.models import Milestone, Module, ModuleProgress, Quiz, Rubric, Track
from cev_learn.platform import caching, events, outbox
from cev_learn.platform.db import UTCDateTime, db, upsert, utcnow
from cev_learn.quizzes.models import Attempt, AttemptState
from cev_learn.ramp import engine
from cev_learn.ramp.models import (Achievement, AchievementChange, ActivityRecord, Quota,
                                   RepMonthActivity)

AUTO = "auto"
CHUNK = 500


def recompute_for(rep_ids: Iterable[int], as_of: dt.date,
                  records: Iterable[str] = events.ALL_RECORDS) -> int:
    """Recompute the achievements of these reps whose milestones are measured from records
    of these kinds (all of them by default); returns how many rows changed."""
    records = frozenset(records)
    return recompute(rep_ids, as_of, records).changed if records else 0


@dataclass(frozen=True)
class Recomputed:
    changed: int          # achievements changed
    cohort_ids: set[int]  # the cohorts the reps are in now
    # (rep, milestone) → the day the engine finds it reached (None: not reached), for each
    # milestone judged; a coach's date, where there is one, stays what is stored
    measured: dict[tuple[int, int], dt.date | None] = field(default_factory=dict)
    # When asked for (`activity_held`): rep in a cohort → (has activity records, has
    # activity facts), what summing their facts again needs to know
    activity: dict[int, tuple[bool, bool]] = field(default_factory=dict)


def recompute(rep_ids: Iterable[int], as_of: dt.date, records: frozenset[str], *,
              activity_held: bool = False) -> Recomputed:
    """`recompute_for`, also saying which cohorts the reps are in (read with their
    milestones, so with no kinds of records it costs that one statement) and, with
    `activity_held`, which of them hold activity records and facts (read in that statement
    too)."""
    ids, changed, cohort_ids, measured, activity = sorted(set(rep_ids)), 0, set(), {}, {}
    for start in range(0, len(ids), CHUNK):
        done = _recompute_chunk(ids[start:start + CHUNK], as_of, records, activity_held)
        changed += done.changed
        cohort_ids |= done.cohort_ids
        measured |= done.measured
        activity |= done.activity
    db.session.flush()
    return Recomputed(changed, cohort_ids, measured, activity)


def judge_again(rep_ids: Iterable[int], as_of: dt.date, records: frozenset[str], *,
                activity_held: bool = False) -> Recomputed:
    """`recompute`, then tell the page cache which reps and cohorts changed (their pages and
    the organisation's summary are built again): what follows any change to a rep's ramp."""
    ids = sorted(set(rep_ids))
    done = recompute(ids, as_of, records, activity_held=activity_held)
    caching.changed([*map(caching.rep_scope, ids), *map(caching.cohort_scope, done.cohort_ids)])
    return done


def _held(model):
    """Whether the membership's rep has rows in `model` (a correlated EXISTS)."""
    return exists().where(model.user_id == Membership.user_id)


def _recompute_chunk(rep_ids: list[int], as_of: dt.date, records: frozenset[str],
                     activity_held: bool) -> Recomputed:
    memberships, milestones, existing, activity = {}, defaultdict(dict), {}, {}
    # The reps' memberships, cohorts, milestones, tracks (which the outbox names) and stored
    # achievements: one statement, a row per rep and milestone.
    held = ((_held(ActivityRecord), _held(RepMonthActivity)) if activity_held
            else (literal(False), literal(False)))
    for membership, milestone, _track, achievement, *holds in db.session.execute(
            select(Membership, Milestone, Track, Achievement, *held)
            .join(Membership.cohort).options(contains_eager(Membership.cohort))
            .outerjoin(Milestone, and_(Milestone.track_id == Cohort.track_id,
                                       Milestone.retired_at.is_(None)))
            .outerjoin(Track, Track.id == Milestone.track_id)
            .outerjoin(Achievement, and_(Achievement.user_id == Membership.user_id,
                                         Achievement.milestone_id == Milestone.id))
            .where(Membership.user_id.in_(rep_ids), Membership.moved_out_at.is_(None))):
        memberships[membership.user_id] = membership
        activity[membership.user_id] = (bool(holds[0]), bool(holds[1]))
        if milestone is not None and engine.measured_from(milestone.measure) & records:
            milestones[milestone.track_id][milestone.id] = milestone
            if achievement is not None:
                existing[membership.user_id, milestone.id] = achievement
    cohort_ids = {m.cohort_id for m in memberships.values()}
    milestones = {track_id: list(by_id.values()) for track_id, by_id in milestones.items()}
    track_ids = {m.cohort.track_id for m in memberships.values()}
    if not activity_held:
        activity = {}
    if not milestones:
        return Recomputed(0, cohort_ids, activity=activity)
    facts = _facts(memberships, track_ids, frozenset().union(*(
        engine.measured_from(m.measure) for track in milestones.values() for m in track)))
    changes, measured = _Changes(utcnow()), {}
    for user_id, membership in memberships.items():
        for milestone in milestones.get(membership.cohort.track_id, ()):
            reached = engine.achieved_on(milestone.measure, facts[user_id], as_of)
            measured[user_id, milestone.id] = reached
            changes.apply(user_id, milestone, reached, existing.get((user_id, milestone.id)))
    return Recomputed(changes.write(), cohort_ids, measured, activity)


class _Changes:
    """What a recompute changes in the stored achievements, written together: the new and
    the moved ones in one statement, however many milestones the reps reached, the cleared
    ones in one more (their history is written by the database as they are: see
    AchievementChange)."""

    def __init__(self, now: dt.datetime):
        self.now = now  # the achievements (and so their history entries): one moment
        self.dated: list[dict] = []  # new or moved
        self.changed = 0

    def apply(self, user_id: int, milestone: Milestone, reached: dt.date | None,
              current: Achievement | None) -> None:
        if current is not None and current.source != AUTO:
            return  # a coach's or an import's word stands until it is cleared
        if current is None and reached is None:
            return
        if current is not None and current.achieved_on == reached:
            return
        self.changed += 1
        if reached is None:
            db.session.delete(current)
            return
        self.dated.append({"user_id": user_id, "milestone_id": milestone.id,
                           "achieved_on": reached, "source": AUTO, "updated_at": self.now})
        if current is None:
            _announce(user_id, milestone, reached, AUTO, self.now)
        else:
            db.session.expire(current)  # moved by the statement below

    def write(self) -> int:
        """Store the changes (flushed); returns how many achievements changed."""
        db.session.flush()  # the cleared ones first
        if self.dated:
            table = Achievement.__table__
            stmt = upsert(table)
            db.session.execute(stmt.on_conflict_do_update(
                index_elements=[table.c.user_id, table.c.milestone_id],
                set_={"achieved_on": stmt.excluded.achieved_on,
                      "updated_at": stmt.excluded.updated_at}), self.dated)
        return self.changed


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
    """What the engine judges these reps from: their records of these kinds, read in one
    statement (the others are left empty)."""
    activities, quotas = defaultdict(list), defaultdict(dict)
    quiz_results, signoffs = defaultdict(list), defaultdict(list)
    modules, all_modules = defaultdict(dict), defaultdict(list)
    parts = _record_parts(list(memberships), track_ids, records)
    for kind, owner, name, activity_type, day, moment, quantity, amount in (
            db.session.execute(union_all(*parts)) if parts else ()):
        if kind == events.ACTIVITIES:
            activities[owner].append(engine.Activity(name, day, activity_type, quantity, amount))
        elif kind == events.QUOTAS:
            quotas[owner][day] = amount
        elif kind == events.QUIZZES:
            quiz_results[owner].append(engine.QuizResult(name, moment.date(), amount))
        elif kind == events.MODULES:
            modules[owner][name] = moment.date()
        elif kind == _TRACK_MODULE:
            all_modules[owner].append(name)
        else:
            signoffs[owner].append(engine.SignoffResult(name, day, bool(quantity)))
    return {user_id: engine.RepFacts(
        start_on=m.effective_start_on, activities=activities[user_id], quotas=quotas[user_id],
        quiz_attempts=quiz_results[user_id], modules_completed=modules[user_id],
        all_module_slugs=all_modules[m.cohort.track_id], signoffs=signoffs[user_id])
        for user_id, m in memberships.items()}


_TRACK_MODULE = "track module"  # a module of a track the reps are on (owner: the track)


def _record_parts(rep_ids: list[int], track_ids: set[int], records: frozenset[str]) -> list:
    """One SELECT per kind of record wanted, all of one shape for a UNION ALL: (kind, owner,
    name, activity type, day, moment, quantity, amount), the columns a kind has no use for
    NULL."""
    def row(kind, owner, *, name=None, activity_type=None, day=None, moment=None,
            quantity=None, amount=None):
        return select(literal(kind, String), owner,
                      cast(name, String) if name is None else name,
                      cast(activity_type, String) if activity_type is None else activity_type,
                      cast(day, Date) if day is None else day,
                      cast(moment, UTCDateTime()) if moment is None else moment,
                      cast(quantity, Integer) if quantity is None else quantity,
                      cast(amount, Float) if amount is None else amount)

    parts = []
    if events.ACTIVITIES in records:
        record = ActivityRecord
        parts.append(row(events.ACTIVITIES, record.user_id, name=record.external_id,
                         activity_type=record.type, day=record.occurred_on,
                         quantity=record.quantity, amount=record.amount)
                     .where(record.user_id.in_(rep_ids)))
    if events.QUOTAS in records:
        parts.append(row(events.QUOTAS, Quota.user_id, day=Quota.month, amount=Quota.amount)
                     .where(Quota.user_id.in_(rep_ids)))
    if events.QUIZZES in records:
        parts.append(row(events.QUIZZES, Attempt.user_id, name=Quiz.slug,
                         moment=Attempt.submitted_at, amount=Attempt.score)
                     .join(Quiz, Quiz.id == Attempt.quiz_id)
                     .where(Attempt.user_id.in_(rep_ids), Attempt.state == AttemptState.GRADED))
    if events.MODULES in records:
        parts.append(row(events.MODULES, ModuleProgress.user_id, name=Module.slug,
                         moment=ModuleProgress.completed_at)
                     .join(Module, Module.id == ModuleProgress.module_id)
                     .where(ModuleProgress.user_id.in_(rep_ids),
                            ModuleProgress.completed_at.is_not(None)))
        parts.append(row(_TRACK_MODULE, Module.track_id, name=Module.slug)
                     .where(Module.track_id.in_(track_ids), Module.retired_at.is_(None)))
    if events.SIGNOFFS in records:
        parts.append(row(events.SIGNOFFS, Signoff.user_id, name=Rubric.slug,
                         day=Signoff.signed_on, quantity=case((Signoff.passed, 1), else_=0))
                     .join(Rubric, Rubric.id == Signoff.rubric_id)
                     .where(Signoff.user_id.in_(rep_ids)))
    return parts


def hand_date_problem(achieved_on: dt.date | None, start_on: dt.date,
                      today: dt.date) -> str | None:
    """Why a date typed by a coach cannot be recorded (None when it can; None clears)."""
    if achieved_on is not None and achieved_on > today:
        return f"a milestone cannot be reached in the future (today is {today})"
    if achieved_on is not None and achieved_on < start_on:
        return f"the rep started on {start_on}; a milestone cannot be reached before that"
    return None


def record_by_hand(*, rep: User, milestone: Milestone, achieved_on: dt.date | None,
                   note: str | None, actor: User, current: Achievement | None,
                   source: str = "coach") -> Achievement | None:
    """A coach records or corrects a milestone (None clears what was recorded by hand,
    handing the milestone back to the engine: with nothing recorded by hand, nothing changes).
    `current` is the stored achievement, read by the caller (None: there is none). Returns
    the one stored now (None when cleared)."""
    now = utcnow()  # the achievement and its history entry: one moment
    stored = current
    if achieved_on is None:
        if current is None or current.source == AUTO:
            return current  # nothing recorded by hand to clear
        db.session.delete(current)
        stored = None
    elif current is None:
        stored = Achievement(user_id=rep.id, milestone_id=milestone.id, achieved_on=achieved_on,
                             source=source, recorded_by_id=actor.id, note=note, updated_at=now)
        db.session.add(stored)
        _announce(rep.id, milestone, achieved_on, source, now)
    else:
        if (current.achieved_on, current.source, current.note) != (achieved_on, source, note):
            current.updated_at = now
        current.achieved_on, current.source = achieved_on, source
        current.recorded_by_id, current.note = actor.id, note
    if achieved_on is None:  # a date set or moved is copied to the history as it is written
        db.session.add(AchievementChange(user_id=rep.id, milestone_id=milestone.id,
                                         achieved_on=None, source=source,
                                         recorded_by_id=actor.id, note=note, created_at=now))
    db.session.flush()
    return stored


def stored_achievement(rep: User, milestone: Milestone) -> Achievement | None:
    """The rep's stored achievement of this milestone (one statement)."""
    return db.session.scalar(select(Achievement).where(
        Achievement.user_id == rep.id, Achievement.milestone_id == milestone.id))


def record_milestone(*, rep: User, milestone: Milestone, achieved_on: dt.date | None,
                     note: str | None, actor: User, today: dt.date, current: Achievement | None,
                     source: str = "coach") -> Achievement | None:
    """Record or correct the day a rep reached a milestone (None clears the correction and
    hands the milestone back to what cev_learn measures, judged again at once), then bring
    what depends on the rep's records up to date as of `today`. `current` is the stored
    achievement (`stored_achievement`). Returns what is stored for the milestone now: the
    date recorded, or when cleared what cev_learn measures (not added to the session), or
    None. Flush only; the caller commits, and checks the date with `hand_date_problem`
    first."""
    if achieved_on is None and (current is None or current.source == AUTO):
        return current  # nothing recorded by hand to clear: what is measured stands
    stored = record_by_hand(rep=rep, milestone=milestone, achieved_on=achieved_on, note=note,
                            actor=actor, source=source, current=current)
    # No record changed, only who dates the milestone: the rep's pages are built again, and
    # a cleared entry hands the milestone back to the engine.
    kinds = engine.measured_from(milestone.measure) if achieved_on is None else frozenset()
    reached = judge_again([rep.id], today, kinds).measured.get((rep.id, milestone.id))
    if achieved_on is None and reached is not None:
        return Achievement(user_id=rep.id, milestone_id=milestone.id, achieved_on=reached,
                           source=AUTO)
    return stored
