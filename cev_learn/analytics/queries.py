"""Reads for ramp reports and pages: stored achievements and SQL aggregates, never raw
activity rows per rep. Every function costs a fixed number of statements however many reps
or records there are."""
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import String, and_, case, cast, func, literal_column, null, select, union_all
from sqlalchemy.orm import joinedload

from cev_learn.analytics.sql import days_after, month_of, tenure_week
from cev_learn.cohorts.models import Cohort, Membership
from cev_learn.content.track_data import track_data
from cev_learn.db import db
from cev_learn.ramp.csv_imports import MAX_AMOUNT
from cev_learn.ramp.engine import BOOKING_TYPE
from cev_learn.ramp.models import Achievement, ActivityRecord, Milestone, Quota


@dataclass
class RampData:
    """What ramp reports need about some cohorts, as seen on `as_of`."""

    as_of: dt.date
    cohorts: list[Cohort]
    members: dict[int, list[Membership]]            # cohort id -> current memberships
    milestones: dict[int, list[Milestone]]          # track id -> milestones by due day
    achieved: dict[int, dict[int, dt.date]]         # milestone id -> user id -> achieved_on
    bookings: dict[tuple[int, dt.date], float]      # (user id, month) -> won amount
    quotas: dict[int, dict[dt.date, float]]         # user id -> month -> quota
    weekly: dict[int, dict[str, dict[int, int]]] = field(default_factory=dict)
    # user id -> activity type -> tenure week -> quantity (loaded on request)

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
    for kind, user_id, milestone_id, day, amount in db.session.execute(
            _ramp_facts(cohort_ids, in_cohorts, rep_id, as_of)):
        if kind == "achieved":
            data.achieved[milestone_id][user_id] = dt.date.fromisoformat(day)
        elif kind == "booked":
            data.bookings[(user_id, month_start(day))] = amount
        else:
            data.quotas[user_id][month_start(day)] = amount
    if weekly_until is not None:
        data.weekly = weekly_activity(cohort_ids, as_of, until_week=weekly_until, rep_id=rep_id)
    return data


def _ramp_facts(cohort_ids: list[int], in_cohorts, rep_id: int | None, as_of: dt.date):
    """(kind, rep, milestone, day or month as text, amount) of stored achievements, monthly
    bookings and quotas up to as_of, in one statement."""
    month = month_of(ActivityRecord.occurred_on)
    return union_all(
        select(literal_column("'achieved'"), Achievement.user_id, Achievement.milestone_id,
               cast(Achievement.achieved_on, String), null())
        .where(Achievement.user_id.in_(in_cohorts), Achievement.achieved_on <= as_of),
        counted_activity(literal_column("'booked'"), ActivityRecord.user_id, null(), month,
                         func.sum(counted_amount()), cohort_ids=cohort_ids,
                         rep_ids=_reps(rep_id), as_of=as_of)
        .where(ActivityRecord.type == BOOKING_TYPE).group_by(ActivityRecord.user_id, month),
        select(literal_column("'quota'"), Quota.user_id, null(), month_of(Quota.month),
               Quota.amount)
        .where(Quota.user_id.in_(in_cohorts), Quota.month <= as_of))


def weekly_activity(cohort_ids: list[int], as_of: dt.date, *, until_week: int | None = None,
                    rep_id: int | None = None) -> dict[int, dict[str, dict[int, int]]]:
    """Quantity per rep, activity type and tenure week, from the start date to as_of."""
    week = tenure_week(ActivityRecord.occurred_on, _start())
    stmt = (counted_activity(ActivityRecord.user_id, ActivityRecord.type, week,
                             func.sum(ActivityRecord.quantity), cohort_ids=cohort_ids,
                             rep_ids=_reps(rep_id), as_of=as_of)
            .group_by(ActivityRecord.user_id, ActivityRecord.type, week))
    if until_week is not None:  # the date bound lets the index stop at the last week
        stmt = stmt.where(week <= until_week,
                          ActivityRecord.occurred_on < days_after(_start(), until_week * 7))
    result: dict[int, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for user_id, kind, week_number, quantity in db.session.execute(stmt):
        result[user_id][kind][int(week_number)] = int(quantity)
    return result


def _start():
    return func.coalesce(Membership.start_on, Cohort.start_on)


def _members_of(cohort_ids: list[int], rep_id: int | None):
    stmt = select(Membership.user_id).where(Membership.cohort_id.in_(cohort_ids),
                                            Membership.moved_out_at.is_(None))
    return stmt if rep_id is None else stmt.where(Membership.user_id == rep_id)


def counted_activity(*columns, cohort_ids: list[int] | None = None,
                     rep_ids: list[int] | None = None, as_of: dt.date | None = None):
    """SELECT `columns` over the activity records that count for ramp: those of reps in a
    cohort now, from each one's start date (to as_of). Narrowed to cohorts and/or reps."""
    stmt = (select(*columns)
            .join(Membership, and_(Membership.user_id == ActivityRecord.user_id,
                                   Membership.moved_out_at.is_(None)))
            .join(Cohort, Cohort.id == Membership.cohort_id)
            .where(ActivityRecord.occurred_on >= _start()))
    if cohort_ids is not None:
        stmt = stmt.where(Membership.cohort_id.in_(cohort_ids))
    if rep_ids is not None:
        stmt = stmt.where(ActivityRecord.user_id.in_(rep_ids))
    if as_of is not None:
        stmt = stmt.where(ActivityRecord.occurred_on <= as_of)
    return stmt


def counted_amount():
    """An activity's amount as sums count it, from 0 to MAX_AMOUNT. Every way in refuses other
    amounts, but a record stored before they were bounded must not make a sum overflow:
    PostgreSQL refuses the whole statement, SQLite answers infinity."""
    amount = ActivityRecord.amount
    return case((amount > MAX_AMOUNT, float(MAX_AMOUNT)), (amount > 0, amount), else_=0.0)


def month_start(month_text: str) -> dt.date:
    """The first day of a month_of() value ('YYYY-MM')."""
    return dt.date.fromisoformat(month_text + "-01")


def _reps(rep_id: int | None) -> list[int] | None:
    return None if rep_id is None else [rep_id]
