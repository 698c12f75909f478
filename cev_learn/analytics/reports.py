"""Ramp reports from loaded data (analytics.queries.RampData): the cohort report of
docs/formats.md, Kaplan–Meier curves, the trend by cohort start, territories, weekly pace and
correlations. No statements here: the pure metrics do the arithmetic."""
import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from operator import truediv

from cev_learn.analytics import metrics
from cev_learn.analytics.queries import RampData, load_ramp
from cev_learn.cohorts.models import Cohort, Membership
from cev_learn.ramp.models import EARLY_WEEKS

CORRELATION_WEEKS = EARLY_WEEKS
NO_TERRITORY = "No territory"


def cohort_ramp(cohort: Cohort, as_of: dt.date) -> dict:
    """The ramp JSON of one cohort (docs/formats.md)."""
    return cohort_report(load_ramp([cohort], as_of), cohort)


def cohort_report(data: RampData, cohort: Cohort) -> dict:
    counted = _counted(data, cohort)
    return {"cohort": cohort.name, "as_of": data.as_of.isoformat(), "track": cohort.track.slug,
            **cohort_summary(data, cohort),
            "milestones": [_milestone_entry(data, counted, m)
                           for m in data.milestones[cohort.track_id]],
            "ramp_curve": metrics.ramp_curve(attainment_points(data, cohort))}


def cohort_summary(data: RampData, cohort: Cohort) -> dict:
    """The report's time-to-productivity figures (reps, productive, censored, median, share
    productive by day): all that needs is the members and the productivity milestone."""
    outcomes = _outcomes(data, _counted(data, cohort), data.productivity_milestone(cohort))
    return asdict(metrics.cohort_summary(outcomes, data.as_of))


def observations(data: RampData, cohorts: Iterable[Cohort]) -> list[metrics.Observation]:
    """TTP observations of the reps of some cohorts (for one pooled curve)."""
    return [o for cohort in cohorts for _, o in observed_reps(data, cohort)]


def observed_reps(data: RampData, cohort: Cohort) -> list[tuple[Membership, metrics.Observation]]:
    """The cohort's reps counted on as_of, each with their TTP observation (what
    `observations` and `early_paces` read, for a caller that needs both to read it once)."""
    members = _counted(data, cohort)
    observed = (metrics.time_to_productivity(outcome, data.as_of)
                for outcome in _outcomes(data, members, data.productivity_milestone(cohort)))
    return [(m, o) for m, o in zip(members, observed) if o is not None]


def km_points(curve: Sequence[metrics.Step]) -> list[tuple[int, float]]:
    """% productive by day as chart points: (0, 0) then 1 − S at every step."""
    return [(0, 0.0)] + [(step.day, round(1 - step.survival, metrics.ROUND_PLACES))
                         for step in curve]


@dataclass(frozen=True)
class GroupSummary:
    label: str
    reps: int
    productive: int
    median_days: int | None
    pct_by_day: dict[str, float]


def group_summaries(pooled: Mapping[str, list[metrics.Observation]]) -> list[GroupSummary]:
    """TTP of each group of observations, by label."""
    result = []
    for label in sorted(pooled):
        curve = metrics.kaplan_meier(pooled[label])
        result.append(GroupSummary(label, len(pooled[label]),
                                   sum(o.event for o in pooled[label]),
                                   metrics.median_days(curve), metrics.pct_productive_by(curve)))
    return result


def attainment_points(data: RampData, cohort: Cohort) -> list[tuple[int, float]]:
    """(tenure month, bookings ÷ quota) for every rep-month with a quota, from the start month."""
    points = []
    for user_id, start_on in data.starts(cohort.id).items():
        for month, amount in sorted(data.quotas.get(user_id, {}).items()):
            if amount and month >= start_on.replace(day=1):
                points.append((metrics.tenure_month(start_on, month),
                               data.bookings.get((user_id, month), 0.0) / amount))
    return points


def rep_attainment(data: RampData, membership: Membership) -> list[dict]:
    """Month by month for one rep: quota, bookings and attainment (None without a quota)."""
    start_on = membership.effective_start_on
    months = sorted({m for m in data.quotas.get(membership.user_id, {})
                     if m >= start_on.replace(day=1)}
                    | {m for (user_id, m) in data.bookings if user_id == membership.user_id})
    rows = []
    for month in months:
        quota = data.quotas.get(membership.user_id, {}).get(month)
        booked = data.bookings.get((membership.user_id, month), 0.0)
        rows.append({"month": metrics.tenure_month(start_on, month), "calendar": month,
                     "quota": quota, "bookings": booked,
                     "attainment": booked / quota if quota else None})
    return rows


# --- Weekly pace ----------------------------------------------------------------------------

def completed_weeks(start_on: dt.date, as_of: dt.date) -> int:
    """Tenure weeks fully over by as_of (week 1 is over on day 6)."""
    return max(0, (metrics.tenure_day(start_on, as_of) + 1) // metrics.WEEK)


def pace_by_week(actuals: Mapping[int, int], targets: Sequence[float],
                 weeks: int) -> list[float | None]:
    """Pace of one activity for weeks 1..weeks (None where there is no target)."""
    return [metrics.pace(actuals.get(w, 0), metrics.weekly_target(targets, w))
            for w in range(1, weeks + 1)]


def mean_early_pace(actuals: Mapping[int, int], targets: Sequence[float], start_on: dt.date,
                    as_of: dt.date, weeks: int = CORRELATION_WEEKS) -> float | None:
    """Mean weekly pace over the first `weeks` tenure weeks that are over by as_of."""
    observed = min(weeks, completed_weeks(start_on, as_of))
    return mean_pace(actuals, weekly_targets(targets, observed))


def weekly_targets(targets: Sequence[float], weeks: int) -> list[float | None]:
    """The targets of tenure weeks 1..weeks."""
    return [metrics.weekly_target(targets, w) for w in range(1, weeks + 1)]


def mean_pace(actuals: Mapping[int, int], targets: Sequence[float | None]) -> float | None:
    """Mean weekly pace (actual ÷ target, as metrics.pace) over the tenure weeks whose targets
    are given (week 1 first), the weeks without a target left out."""
    return _mean_pace_over(actuals, _targeted_weeks(targets))


def _targeted_weeks(targets: Sequence[float | None]) -> list[tuple[int, float]]:
    """(tenure week, target) of the weeks that have a target, week 1 first."""
    return [(week, target) for week, target in enumerate(targets, 1) if target]


def _mean_pace_over(actuals: Mapping[int, int], weeks: list[tuple[int, float]]) -> float | None:
    """`mean_pace` over (week, target) pairs: actual ÷ target averaged; None without any."""
    if not weeks:
        return None
    return sum([actuals.get(week, 0) / target for week, target in weeks]) / len(weeks)


def correlations(data: RampData, cohorts: Iterable[Cohort]) -> dict[str, dict]:
    """Spearman's rho between a rep's mean pace in weeks 1–8 and TTP, per activity type
    (only types with at least 15 productive reps; see metrics.activity_correlations)."""
    return metrics.activity_correlations(early_paces(data, cohorts))


def early_paces(data: RampData, cohorts: Iterable[Cohort]) -> list[tuple[dict, int]]:
    """Each productive rep's mean pace in weeks 1–8 by activity type, with their TTP (the
    reps still ramping have no TTP to correlate with, so they are left out)."""
    return [pace for cohort in cohorts
            for pace in cohort_early_paces(data, cohort, observed_reps(data, cohort))]


def cohort_early_paces(data: RampData, cohort: Cohort,
                       observed: list[tuple[Membership, metrics.Observation]]
                       ) -> list[tuple[dict, int]]:
    """`early_paces` of one cohort, from its `observed_reps`: each mean pace is `mean_pace`'s,
    summed over whole weeks at C speed (thousands of reps on a cold dashboard)."""
    targets = _early_targets(cohort.track.activity_targets or {})
    reps = []
    for membership, observation in observed:
        if not observation.event:
            continue
        quantities = _early_quantities(data, membership.user_id)
        observed_weeks = min(CORRELATION_WEEKS,
                             completed_weeks(membership.effective_start_on, data.as_of))
        paces = {}
        for kind, (divisors, counts) in targets.items():
            count = counts[observed_weeks]
            # The first `observed_weeks` weeks: zip stops at the shorter of the two.
            paces[kind] = sum(map(truediv, quantities.get(kind, NO_WEEKS),
                                  divisors[:observed_weeks])) / count if count else None
        reps.append((paces, observation.day))
    return reps


NO_WEEKS = (0,) * CORRELATION_WEEKS


def _early_targets(targets: Mapping[str, Sequence[float]]
                   ) -> dict[str, tuple[tuple[float, ...], list[int]]]:
    """For each activity type, the target of each early week as a divisor (infinity for a
    week without one, which adds an exact 0 to a sum), and for each number of weeks a rep
    may have had so far (0 to CORRELATION_WEEKS) how many of them have a target."""
    result = {}
    for kind, values in targets.items():
        early = weekly_targets(values, CORRELATION_WEEKS)
        result[kind] = (tuple(target or math.inf for target in early),
                        [len(_targeted_weeks(early[:observed]))
                         for observed in range(CORRELATION_WEEKS + 1)])
    return result


def _early_quantities(data: RampData, user_id: int) -> Mapping[str, Sequence[int]]:
    """A rep's quantities of tenure weeks 1..CORRELATION_WEEKS by activity type: as
    `load_outcomes` read them, else from the weekly activity `load_ramp` read."""
    if data.early:
        return data.early.get(user_id, {})
    return {kind: tuple(weeks.get(week, 0) for week in range(1, CORRELATION_WEEKS + 1))
            for kind, weeks in data.weekly.get(user_id, {}).items()}


# --- Helpers --------------------------------------------------------------------------------

def _counted(data: RampData, cohort: Cohort) -> list[Membership]:
    return [m for m in data.members[cohort.id] if m.effective_start_on <= data.as_of]


def _outcomes(data: RampData, members: list[Membership], milestone) -> list[metrics.RepOutcome]:
    reached = data.achieved.get(milestone.id, {}) if milestone else {}
    return [metrics.RepOutcome(m.effective_start_on, m.end_on, reached.get(m.user_id))
            for m in members]


def _milestone_entry(data: RampData, members: list[Membership], milestone) -> dict:
    observed = [o for o in (metrics.time_to_productivity(outcome, data.as_of)
                            for outcome in _outcomes(data, members, milestone)) if o is not None]
    return {"slug": milestone.slug,
            "achieved": sum(1 for o in observed if o.event),
            "median_days": metrics.median_days(metrics.kaplan_meier(observed))}


@dataclass(frozen=True)
class PaceLine:
    activity: str
    actual: int
    target: float | None
    pace: float | None


def week_pace(targets: Mapping[str, Sequence[float]], actuals: Mapping[str, Mapping[int, int]],
              week: int) -> list[PaceLine]:
    """Actual vs target for each activity with a target, in tenure week `week`."""
    lines = []
    for kind, values in targets.items():
        actual = actuals.get(kind, {}).get(week, 0)
        target = metrics.weekly_target(values, week)
        lines.append(PaceLine(kind, actual, target, metrics.pace(actual, target)))
    return lines
