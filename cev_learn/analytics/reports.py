"""The cohort ramp report (DESIGN.md §9): read stored achievements and aggregates, then let
the pure metrics do the arithmetic. A fixed number of statements per cohort."""
import datetime as dt
from collections import defaultdict
from dataclasses import asdict

from sqlalchemy import select

from cev_learn.analytics import metrics
from cev_learn.cohorts.models import Cohort, Membership
from cev_learn.db import db
from cev_learn.ramp.models import Achievement, ActivityRecord, Milestone, Quota


def cohort_ramp(cohort: Cohort, as_of: dt.date) -> dict:
    members = list(db.session.scalars(select(Membership).where(
        Membership.cohort_id == cohort.id, Membership.moved_out_at.is_(None))))
    starts = {m.user_id: m.effective_start_on for m in members}
    counted = [m for m in members if m.effective_start_on <= as_of]
    milestones = list(db.session.scalars(select(Milestone).where(
        Milestone.track_id == cohort.track_id, Milestone.retired_at.is_(None))
        .order_by(Milestone.due_day, Milestone.slug)))
    reached = defaultdict(dict)  # milestone id -> user id -> achieved_on
    for user_id, milestone_id, achieved_on in db.session.execute(
            select(Achievement.user_id, Achievement.milestone_id, Achievement.achieved_on)
            .where(Achievement.user_id.in_(list(starts)), Achievement.achieved_on <= as_of)):
        reached[milestone_id][user_id] = achieved_on
    productivity = next((m for m in milestones if m.slug == cohort.track.productivity_milestone),
                        None)
    summary = metrics.cohort_summary(_outcomes(counted, reached[productivity.id]
                                               if productivity else {}), as_of)
    return {"cohort": cohort.name, "as_of": as_of.isoformat(), "track": cohort.track.slug,
            **asdict(summary),
            "milestones": [_milestone_entry(m, counted, reached[m.id], as_of) for m in milestones],
            "ramp_curve": _ramp_curve(starts, as_of)}


def _outcomes(members: list[Membership], reached: dict) -> list[metrics.RepOutcome]:
    return [metrics.RepOutcome(m.effective_start_on, m.end_on, reached.get(m.user_id))
            for m in members]


def _milestone_entry(milestone: Milestone, members, reached: dict, as_of: dt.date) -> dict:
    observations = [o for o in (metrics.time_to_productivity(outcome, as_of)
                                for outcome in _outcomes(members, reached)) if o is not None]
    return {"slug": milestone.slug,
            "achieved": sum(1 for o in observations if o.event),
            "median_days": metrics.median_days(metrics.kaplan_meier(observations))}


def _ramp_curve(starts: dict[int, dt.date], as_of: dt.date) -> list[dict]:
    """p25/median/p75 of monthly attainment by tenure month, over reps with a quota."""
    if not starts:
        return []
    bookings = defaultdict(float)
    for user_id, occurred_on, amount in db.session.execute(
            select(ActivityRecord.user_id, ActivityRecord.occurred_on, ActivityRecord.amount)
            .where(ActivityRecord.user_id.in_(list(starts)), ActivityRecord.type == "deal_won",
                   ActivityRecord.occurred_on <= as_of)):
        if occurred_on >= starts[user_id]:
            bookings[(user_id, occurred_on.replace(day=1))] += amount
    points = []
    for user_id, month, amount in db.session.execute(
            select(Quota.user_id, Quota.month, Quota.amount)
            .where(Quota.user_id.in_(list(starts)), Quota.month <= as_of)):
        start_month = starts[user_id].replace(day=1)
        if amount and month >= start_month:
            points.append((metrics.tenure_month(starts[user_id], month),
                           bookings[(user_id, month)] / amount))
    return metrics.ramp_curve(points)
