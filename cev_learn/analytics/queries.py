"""Reads for ramp reports and pages: stored achievements, quotas and the ramp facts
(ramp.facts), not the activity records; and the learning events of the xAPI feed (modules
completed, quizzes graded, milestones achieved). Every function costs a fixed number of
statements however many reps or records there are."""
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import (Boolean, ColumnElement, Date, Select, String, and_, case, cast, false,
                        func, literal_column, not_, null, or_, select, true, type_coerce,
                        union_all)
from sqlalchemy.orm import InstrumentedAttribute, aliased, joinedload

from cev_learn.accounts.models import Role, User
from cev_learn.analytics.forecast import RepHistory
from cev_learn.certifications.models import Certificate
from cev_learn.cohorts.access import visible_rep_filter
from cev_learn.cohorts.models import Cohort, Membership
from cev_learn.content.models import (Certification, Exercise, Milestone, Module, ModuleProgress,
                                      Quiz, Track)
from cev_learn.content.track_data import track_data
from cev_learn.platform.db import column_rows, db
from cev_learn.practice.models import Review, Submission
from cev_learn.quizzes.models import Attempt, AttemptState
from cev_learn.ramp import engine, facts
from cev_learn.ramp.achievements import AUTO
from cev_learn.ramp.engine import BOOKING_TYPE
from cev_learn.ramp.models import Achievement, Quota, RepEarlyActivity
from cev_learn.ramp.sql import month_of


@dataclass
class RampData:
    """What ramp reports need about some cohorts, as seen on `as_of`."""

    as_of: dt.date
    cohorts: list[Cohort]
    members: dict[int, list[Membership]]            # cohort id -> memberships (or Member rows)
    milestones: dict[int, list[Milestone]]          # track id -> milestones by due day
    achieved: dict[int, dict[int, dt.date]]         # milestone id -> user id -> achieved_on
    bookings: dict[tuple[int, dt.date], float]      # (user id, month) -> won amount
    quotas: dict[int, dict[dt.date, float]]         # user id -> month -> quota
    weekly: dict[int, dict[str, dict[int, int]]] = field(default_factory=dict)
    # user id -> activity type -> tenure week -> quantity (loaded on request)
    early: dict[int, dict[str, tuple[int, ...]]] = field(default_factory=dict)
    # user id -> activity type -> quantities of tenure weeks 1..EARLY_WEEKS, 0 for none
    # (`load_outcomes` with early_weeks, instead of `weekly`)

    def starts(self, cohort_id: int) -> dict[int, dt.date]:
        return {m.user_id: m.effective_start_on for m in self.members[cohort_id]}

    def productivity_milestone(self, cohort: Cohort) -> Milestone | None:
        wanted = cohort.track.productivity_milestone
        return next((m for m in self.milestones[cohort.track_id] if m.slug == wanted), None)


def load_ramp(cohorts: Iterable[Cohort], as_of: dt.date, *, weekly_until: int | None = None,
              rep_id: int | None = None, members: list[Membership] | None = None) -> RampData:
    """Memberships, achievements, monthly bookings and quotas of some cohorts (two
    statements; one when the caller has the `members` already); milestones come with the
    tracks. With `weekly_until` also the activity of tenure weeks up to that one (one more).
    `rep_id` narrows everything to one rep."""
    cohorts = list(cohorts)
    cohort_ids = [c.id for c in cohorts]
    data = RampData(as_of, cohorts, {c.id: [] for c in cohorts}, defaultdict(list),
                    defaultdict(dict), defaultdict(float), defaultdict(dict))
    if not cohorts:
        return data
    if members is None:
        stmt = select(Membership).options(joinedload(Membership.user),
                                          joinedload(Membership.cohort)).where(
            Membership.cohort_id.in_(cohort_ids), Membership.moved_out_at.is_(None))
        members = db.session.scalars(stmt if rep_id is None
                                     else stmt.where(Membership.user_id == rep_id))
    for membership in members:
        data.members[membership.cohort_id].append(membership)
    for track_id, shared in track_data({c.track for c in cohorts}).items():
        data.milestones[track_id] = shared.milestones
    in_cohorts = _members_of(cohort_ids, rep_id)
    measures = {m.id: m.measure for track in data.milestones.values() for m in track}
    for kind, user_id, milestone_id, day, amount in db.session.execute(
            _ramp_facts(cohort_ids, in_cohorts, rep_id, as_of)):
        if kind == "achieved":
            _keep_achievement(data, measures, user_id, milestone_id,
                              dt.date.fromisoformat(day), automatic=amount == 1)
        elif kind == "booked":
            data.bookings[(user_id, month_start(day))] = amount
        else:
            data.quotas[user_id][month_start(day)] = amount
    if weekly_until is not None:
        data.weekly = weekly_activity(cohort_ids, as_of, until_week=weekly_until, rep_id=rep_id)
    return data


class Member(NamedTuple):
    """What time to productivity needs of a current membership: a row, not an ORM object
    (a named tuple: thousands are made at once)."""

    user_id: int
    cohort_id: int
    effective_start_on: dt.date
    end_on: dt.date | None


def load_outcomes(cohorts: Iterable[Cohort], as_of: dt.date, *,
                  early_weeks: bool = False) -> RampData:
    """Only what time to productivity needs of some cohorts, as seen on `as_of`: members as
    rows with their achievement of their track's productivity milestone and, with
    `early_weeks`, the activity of tenure weeks 1..EARLY_WEEKS of the reps who reached it (two
    statements; no bookings, quotas or other milestones: `reports.cohort_summary` needs
    none)."""
    cohorts = list(cohorts)
    data = RampData(as_of, cohorts, {c.id: [] for c in cohorts}, defaultdict(list),
                    defaultdict(dict), {}, {})
    if not cohorts:
        return data
    for track_id, shared in track_data({c.track for c in cohorts}).items():
        data.milestones[track_id] = shared.milestones
    productivity = {c.track_id: m for c in cohorts if (m := data.productivity_milestone(c))}
    measures = {m.id: m.measure for m in productivity.values()}
    # Pairs of track and milestone, not a CASE on the track: a planner can tell how many
    # achievements they match (PostgreSQL took the CASE for a handful, and chose nested loops).
    reached = and_(Achievement.user_id == Membership.user_id,
                   or_(false(), *(and_(Cohort.track_id == track, Achievement.milestone_id == m.id)
                                  for track, m in productivity.items())),
                   Achievement.achieved_on <= as_of)
    current = (Membership.cohort_id.in_(data.members), Membership.moved_out_at.is_(None))
    for user_id, cohort_id, start_on, end_on, milestone_id, reached_on, source in (
            column_rows(
                select(Membership.user_id, Membership.cohort_id,
                       func.coalesce(Membership.start_on, Cohort.start_on, type_=Date),
                       Membership.end_on, Achievement.milestone_id, Achievement.achieved_on,
                       Achievement.source)
                .join(Cohort, Cohort.id == Membership.cohort_id)
                .outerjoin(Achievement, reached).where(*current))):
        data.members[cohort_id].append(Member(user_id, cohort_id, start_on, end_on))
        if reached_on is not None:
            _keep_achievement(data, measures, user_id, milestone_id, reached_on, source == AUTO)
    if early_weeks and productivity:
        targeted = {kind for c in cohorts for kind in (c.track.activity_targets or {})}
        productive = (select(Membership.user_id).join(Cohort, Cohort.id == Membership.cohort_id)
                      .join(Achievement, reached).where(*current))
        data.early = _early_weeks(productive, targeted)
    return data


@dataclass(frozen=True)
class TrackHistory:
    """What the productivity forecast and its backtest read of one track (analytics.forecast):
    every current member of its cohorts (cohorts by start), with their productivity
    achievement and early weeks."""

    reps: list[RepHistory]
    starts: dict[int, dt.date]   # cohort id -> start day
    cohorts: dict[int, str]      # cohort id -> name
    names: dict[int, str]        # rep id -> name


def track_history(track: Track, as_of: dt.date) -> TrackHistory:
    """The forecast's plain data for a track, as seen on as_of, in one statement: every
    current member with their productivity achievement (by as_of) and a row per activity
    type of their first weeks (`_early_weeks`: whole weeks as stored; the forecast reads
    only the weeks over by as_of)."""
    early = RepEarlyActivity
    kinds = sorted(track.activity_targets or {})
    rows = column_rows(
        select(Membership.user_id, Membership.cohort_id, Cohort.name, Cohort.start_on,
               func.coalesce(Membership.start_on, Cohort.start_on, type_=Date),
               Membership.end_on, User.name, Milestone.measure, Achievement.achieved_on,
               Achievement.source, early.type, *early.week_columns())
        .join(Cohort, Cohort.id == Membership.cohort_id)
        .join(User, User.id == Membership.user_id)
        .outerjoin(Milestone, and_(Milestone.track_id == Cohort.track_id,
                                   Milestone.slug == (track.productivity_milestone or "")))
        .outerjoin(Achievement, and_(Achievement.user_id == Membership.user_id,
                                     Achievement.milestone_id == Milestone.id,
                                     Achievement.achieved_on <= as_of))
        .outerjoin(early, and_(early.user_id == Membership.user_id, early.type.in_(kinds)))
        # The track's cohorts first, then their members by cohort (not every membership).
        .where(Membership.cohort_id.in_(select(Cohort.id).where(Cohort.track_id == track.id)),
               Cohort.track_id == track.id, Membership.moved_out_at.is_(None))
        .order_by(Cohort.start_on, Cohort.id, Membership.user_id))
    history, weekly, known = TrackHistory([], {}, {}, {}), defaultdict(dict), {}
    for (user_id, cohort_id, cohort_name, cohort_start, start_on, end_on, name, measure,
         reached_on, source, kind, *quantities) in rows:
        if kind is not None:
            weekly[user_id][kind] = {n: q for n, q in enumerate(quantities, 1) if q is not None}
        if user_id in known:
            continue
        known_on = None
        if reached_on is not None:
            known_on = engine.known_on(measure, reached_on) if source == AUTO else reached_on
        known[user_id] = (cohort_id, start_on, end_on, reached_on, known_on)
        history.starts[cohort_id], history.cohorts[cohort_id] = cohort_start, cohort_name
        history.names[user_id] = name
    history.reps.extend(RepHistory(user_id, cohort_id, start_on, end_on, reached_on, known_on,
                                   weekly.get(user_id, {}))
                        for user_id, (cohort_id, start_on, end_on, reached_on, known_on)
                        in known.items())
    return history


def _early_weeks(rep_ids, kinds: set[str]) -> dict[int, dict[str, tuple[int, ...]]]:
    """Quantities per rep and activity type of tenure weeks 1..EARLY_WEEKS (0 for a week
    without any), from the early-weeks facts (one row per rep and type, the weeks side by
    side, kept as they are read). Whole weeks, read as stored: a week over by as_of holds no
    record after it, and `reports.cohort_early_paces` reads only those."""
    result: dict[int, dict[str, tuple[int, ...]]] = defaultdict(dict)
    if not kinds:
        return result
    early = RepEarlyActivity
    for row in column_rows(
            select(early.user_id, early.type,
                   *(func.coalesce(week, 0) for week in early.week_columns()))
            .where(early.user_id.in_(rep_ids), early.type.in_(sorted(kinds)))):
        result[row[0]][row[1]] = tuple(row[2:])
    return result


def _keep_achievement(data: RampData, measures: dict[int, dict], user_id: int,
                      milestone_id: int, reached_on: dt.date, automatic: bool) -> None:
    """Count an achievement dated on or before as_of if it was known by then: the engine's
    are known once their measure could be read (a month's attainment once the month is
    over); a coach's date stands as they typed it."""
    if milestone_id in measures and (
            not automatic or engine.known_on(measures[milestone_id], reached_on) <= data.as_of):
        data.achieved[milestone_id][user_id] = reached_on


def _ramp_facts(cohort_ids: list[int], in_cohorts, rep_id: int | None, as_of: dt.date):
    """(kind, rep, milestone, day or month as text, amount) of stored achievements (amount 1
    for the engine's, 0 for a person's), monthly bookings (from the ramp facts) and quotas up
    to as_of, in one statement."""
    bookings = facts.monthly(in_cohorts, as_of, kind=BOOKING_TYPE).subquery()
    return union_all(
        select(literal_column("'achieved'"), Achievement.user_id, Achievement.milestone_id,
               cast(Achievement.achieved_on, String),
               case((Achievement.source == AUTO, 1.0), else_=0.0))
        .where(Achievement.user_id.in_(in_cohorts), Achievement.achieved_on <= as_of),
        select(literal_column("'booked'"), bookings.c.user_id, null(),
               month_of(bookings.c.month), bookings.c.amount),
        select(literal_column("'quota'"), Quota.user_id, null(), month_of(Quota.month),
               Quota.amount)
        .where(Quota.user_id.in_(in_cohorts), Quota.month <= as_of))


def weekly_activity(cohort_ids: list[int], as_of: dt.date, *, until_week: int | None = None,
                    rep_id: int | None = None) -> dict[int, dict[str, dict[int, int]]]:
    """Quantity per rep, activity type and tenure week, from the start date to as_of (from
    the ramp facts)."""
    result: dict[int, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for user_id, kind, week_number, quantity in db.session.execute(
            facts.weekly(_members_of(cohort_ids, rep_id), as_of, until_week=until_week)).all():
        result[user_id][kind][int(week_number)] = int(quantity)
    return result


def _members_of(cohort_ids: list[int], rep_id: int | None):
    stmt = select(Membership.user_id).where(Membership.cohort_id.in_(cohort_ids),
                                            Membership.moved_out_at.is_(None))
    return stmt if rep_id is None else stmt.where(Membership.user_id == rep_id)


def month_start(month_text: str) -> dt.date:
    """The first day of a month_of() value ('YYYY-MM')."""
    return dt.date.fromisoformat(month_text + "-01")


# --- Learning events, as the xAPI feed publishes them -----------------------------------------

# The rep an event is about, aliased: the visibility rule has a subquery on User of its own.
Rep = aliased(User, name="rep")


@dataclass(frozen=True)
class EventSource:
    """Where one kind of learning event is stored. `query` selects: row id, when it happened,
    when it was stored, rep name, rep email, track slug, slug, title (and, for quizzes, score
    and passed)."""

    query: Select
    stored: InstrumentedAttribute  # the column saying when it was stored (indexed)
    id: InstrumentedAttribute
    user_id: InstrumentedAttribute
    dates: bool = False  # when it happened is a date, not a moment
    passed: ColumnElement | None = None  # what the verbs passed and failed tell apart


# A coach's review passes the exercise when it reaches the pass mark and asks for no other take.
_REVIEW_PASSED = type_coerce(
    and_(Review.passed.is_(True), Review.resubmit.is_(False)).self_group(), Boolean)


# By kind: modules completed, quiz attempts graded, milestones achieved, certificates earned,
# practice recordings submitted, coaches' reviews of them (not peers').
LEARNING_EVENTS = {
    "module": EventSource(select(
        ModuleProgress.id, ModuleProgress.completed_at, ModuleProgress.completed_at, Rep.name,
        Rep.email, Track.slug, Module.slug, Module.title)
        .join(Module, Module.id == ModuleProgress.module_id)
        .join(Track, Track.id == Module.track_id).join(Rep, Rep.id == ModuleProgress.user_id)
        .where(ModuleProgress.completed_at.is_not(None)),
        ModuleProgress.completed_at, ModuleProgress.id, ModuleProgress.user_id),
    "quiz": EventSource(select(
        Attempt.id, Attempt.submitted_at, Attempt.graded_at, Rep.name, Rep.email, Track.slug,
        Quiz.slug, Quiz.title, Attempt.score, Attempt.passed)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .join(Track, Track.id == Quiz.track_id).join(Rep, Rep.id == Attempt.user_id)
        .where(Attempt.state == AttemptState.GRADED, Attempt.submitted_at.is_not(None),
               Attempt.graded_at.is_not(None)),
        Attempt.graded_at, Attempt.id, Attempt.user_id, passed=Attempt.passed),
    "milestone": EventSource(select(
        Achievement.id, Achievement.achieved_on, Achievement.updated_at, Rep.name, Rep.email,
        Track.slug, Milestone.slug, Milestone.title)
        .join(Milestone, Milestone.id == Achievement.milestone_id)
        .join(Track, Track.id == Milestone.track_id).join(Rep, Rep.id == Achievement.user_id),
        Achievement.updated_at, Achievement.id, Achievement.user_id, dates=True),
    "certificate": EventSource(select(
        Certificate.id, Certificate.earned_on, Certificate.created_at, Rep.name, Rep.email,
        Track.slug, Certification.slug, Certification.title)
        .join(Certification, Certification.id == Certificate.certification_id)
        .join(Track, Track.id == Certification.track_id).join(Rep, Rep.id == Certificate.user_id),
        Certificate.created_at, Certificate.id, Certificate.user_id, dates=True),
    "submission": EventSource(select(
        Submission.id, Submission.submitted_at, Submission.submitted_at, Rep.name, Rep.email,
        Track.slug, Exercise.slug, Exercise.title)
        .join(Exercise, Exercise.id == Submission.exercise_id)
        .join(Track, Track.id == Exercise.track_id).join(Rep, Rep.id == Submission.user_id),
        Submission.submitted_at, Submission.id, Submission.user_id),
    "review": EventSource(select(
        Review.id, Review.created_at, Review.created_at, Rep.name, Rep.email, Track.slug,
        Exercise.slug, Exercise.title, Review.score, _REVIEW_PASSED)
        .join(Submission, Submission.id == Review.submission_id)
        .join(Exercise, Exercise.id == Submission.exercise_id)
        .join(Track, Track.id == Exercise.track_id).join(Rep, Rep.id == Submission.user_id)
        .where(Review.peer.is_(False)),
        Review.created_at, Review.id, Submission.user_id, passed=_REVIEW_PASSED),
}

Position = tuple[dt.datetime, str, int]  # (stored, kind, row id): the order events come in


def learning_events(kind: str, viewer: User | None, since: dt.datetime | None,
                    after: Position | None, until: dt.datetime, limit: int, *,
                    email: str | None = None, passed: bool | None = None) -> list:
    """The first `limit` events of one kind (a key of LEARNING_EVENTS) of the reps `viewer`
    may see (every rep: None), stored after `since` and sorting after the position `after`,
    and at the latest `until`, in position order: one statement. `email`: only the rep with
    this (normalised) email; `passed`: only quiz attempts or reviews passed (True) or failed
    (False)."""
    source = LEARNING_EVENTS[kind]
    stmt = source.query.where(Rep.role == Role.REP, source.stored <= until)
    if viewer is not None:
        stmt = stmt.where(visible_rep_filter(viewer, source.user_id))
    if since is not None:
        stmt = stmt.where(source.stored > since)
    if email is not None:
        stmt = stmt.where(Rep.email == email)
    if passed is not None and source.passed is not None:
        stmt = stmt.where(source.passed if passed else not_(source.passed))
    if after is not None:
        stmt = stmt.where(_after(kind, source, after))
    return db.session.execute(stmt.order_by(source.stored, source.id).limit(limit)).all()


def _after(kind: str, source: EventSource, position: Position):
    """SQL: the events of `source` (of this kind) that sort after `position`."""
    stored, position_kind, row_id = position
    if kind == position_kind:
        tie = source.id > row_id
    else:
        tie = true() if kind > position_kind else false()
    return or_(source.stored > stored, and_(source.stored == stored, tie))
