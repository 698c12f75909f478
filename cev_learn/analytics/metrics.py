"""Ramp metrics over plain data: tenure, time to productivity (Kaplan–Meier), status, pace. Pure.

Definitions are docs/metrics.md. Every function takes its dates (`as_of`, `day`) as arguments and
never reads the clock, so a report for a given as_of is reproducible.

Fractions meant for reports (% productive by day, ramp percentiles, correlations) are rounded to
ROUND_PLACES decimal places so JSON output is stable; survival values on the curve are not.
"""
import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import NamedTuple

from cev_learn.cohorts.schedule import tenure_day  # days since the start date (day 0)

ROUND_PLACES = 4
REPORT_DAYS = (30, 60, 90, 180)
WEEK = 7


# --- Tenure ---------------------------------------------------------------------------------

def tenure_week(start_on: dt.date, day: dt.date) -> int:
    """Week 1 is tenure days 0–6, week 2 is days 7–13, and so on."""
    return tenure_day(start_on, day) // WEEK + 1


def tenure_month(start_on: dt.date, day: dt.date) -> int:
    """Calendar months since the start: the start's own calendar month is month 1."""
    return (day.year - start_on.year) * 12 + (day.month - start_on.month) + 1


# --- Time to productivity -------------------------------------------------------------------

class RepOutcome(NamedTuple):  # named tuples: reports make them by the thousand
    start_on: dt.date
    end_on: dt.date | None        # leavers only
    productive_on: dt.date | None  # achieved_on of the productivity milestone


class Observation(NamedTuple):
    day: int     # tenure day of the event, or of the last day the rep was observed
    event: bool  # False: censored


def time_to_productivity(rep: RepOutcome, as_of: dt.date) -> Observation | None:
    """The rep's TTP as seen on as_of: an event, or censored at min(as_of, end date).

    None for a rep who starts after as_of (left out of the cohort).
    """
    if rep.start_on > as_of:
        return None
    observed_until = min(as_of, rep.end_on) if rep.end_on else as_of
    if rep.productive_on is not None and rep.productive_on <= observed_until:
        return Observation(tenure_day(rep.start_on, rep.productive_on), event=True)
    return Observation(tenure_day(rep.start_on, observed_until), event=False)


class Step(NamedTuple):
    day: int
    survival: float  # S(day): share of reps not yet productive after this day
    at_risk: int     # nᵢ: reps still observed and not productive at the start of the day
    events: int      # dᵢ
    censored: int


def kaplan_meier(observations: Iterable[Observation]) -> list[Step]:
    """One step per day with an event or a censoring, in day order.

    Events are counted before censorings on the same day: a rep censored on day t is still at
    risk at t. The product is kept exact, as a numerator and a denominator in integers, and
    each S(t) is their quotient rounded once (S(t) = 0.5 comes out exactly 0.5).
    """
    observations = list(observations)
    events = Counter(o.day for o in observations if o.event)
    censorings = Counter(o.day for o in observations if not o.event)
    at_risk, numerator, denominator, curve = len(observations), 1, 1, []
    for day in sorted(events.keys() | censorings.keys()):
        reached, left = events.get(day, 0), censorings.get(day, 0)
        numerator *= at_risk - reached
        denominator *= at_risk
        curve.append(Step(day, numerator / denominator, at_risk, reached, left))
        at_risk -= reached + left
    return curve


def survival_at(curve: Sequence[Step], day: int) -> float:
    """S(day); 1.0 before the first step, and the last value holds after the last one."""
    survival = 1.0
    for step in curve:
        if step.day > day:
            break
        survival = step.survival
    return survival


def median_days(curve: Sequence[Step]) -> int | None:
    """The smallest day with S ≤ 0.5; None while fewer than half are known to be productive."""
    return next((step.day for step in curve if step.survival <= 0.5), None)


def pct_productive_by(curve: Sequence[Step], days: Iterable[int] = REPORT_DAYS) -> dict[str, float]:
    """1 − S(D) for each day D, keyed by str(D) as in the ramp JSON (docs/formats.md)."""
    return {str(d): round(1 - survival_at(curve, d), ROUND_PLACES) for d in days}


@dataclass(frozen=True)
class CohortSummary:
    reps: int  # started on or before as_of
    productive: int
    censored: int
    median_days_to_productivity: int | None
    pct_productive_by_day: dict[str, float]


def cohort_summary(outcomes: Iterable[RepOutcome], as_of: dt.date) -> CohortSummary:
    """Headline TTP numbers for a cohort; field names match the ramp JSON keys."""
    observed = (time_to_productivity(r, as_of) for r in outcomes)
    return observed_summary([o for o in observed if o is not None])


def observed_summary(observations: Sequence[Observation],
                     curve: Sequence[Step] | None = None) -> CohortSummary:
    """`cohort_summary` from the reps' observations, and their curve when already drawn."""
    curve = kaplan_meier(observations) if curve is None else curve
    productive = sum(o.event for o in observations)
    return CohortSummary(len(observations), productive, len(observations) - productive,
                         median_days(curve), pct_productive_by(curve))


# --- Milestone status -----------------------------------------------------------------------

# --- Attainment and the ramp curve ----------------------------------------------------------

def monthly_attainment(bookings_by_month: Mapping, quota_by_month: Mapping) -> dict:
    """bookings ÷ quota for each month with a (non-zero) quota; no bookings counts as 0."""
    return {month: bookings_by_month.get(month, 0) / quota
            for month, quota in quota_by_month.items() if quota}


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The q-th quantile (0 ≤ q ≤ 1), interpolating linearly between the closest ranks.

    Same as numpy's default method="linear": position h = (n − 1)·q in the sorted values,
    result = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
    """
    if not sorted_values:
        raise ValueError("percentile of no values")
    position = (len(sorted_values) - 1) * q
    below = math.floor(position)
    above = min(below + 1, len(sorted_values) - 1)
    fraction = position - below
    return sorted_values[below] + fraction * (sorted_values[above] - sorted_values[below])


def ramp_curve(points: Iterable[tuple[int, float]]) -> list[dict]:
    """p25/median/p75 of attainment per tenure month, from (month, attainment) points.

    Points come only from reps with a quota that month, so n can differ month to month.
    """
    by_month: dict[int, list[float]] = defaultdict(list)
    for month, attainment in points:
        by_month[month].append(attainment)
    curve = []
    for month in sorted(by_month):
        values = sorted(by_month[month])
        curve.append({"month": month, "n": len(values),
                      **{key: round(percentile(values, q), ROUND_PLACES)
                         for key, q in (("p25", 0.25), ("median", 0.5), ("p75", 0.75))}})
    return curve


# --- Weekly pace ----------------------------------------------------------------------------

def weekly_target(targets: Sequence[float], week: int) -> float | None:
    """The target for tenure week `week` (week 1 = first value; the last value repeats)."""
    if week < 1:
        raise ValueError(f"tenure weeks start at 1, got {week}")
    if not targets:
        return None
    return targets[min(week, len(targets)) - 1]


def pace(actual: float, target: float | None) -> float | None:
    """actual ÷ target; None when there is no target to measure against."""
    return actual / target if target else None


# --- Correlations ---------------------------------------------------------------------------

def average_ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks; tied values share the mean of the ranks they span."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    start = 0
    for _, tied in groupby(order, key=values.__getitem__):
        tied = list(tied)
        end = start + len(tied) - 1
        for i in tied:
            ranks[i] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Spearman's rho: Pearson correlation of the average ranks.

    None with fewer than 3 pairs or when either side is constant.
    """
    if len(xs) != len(ys):
        raise ValueError("spearman needs pairs: xs and ys differ in length")
    if len(xs) < 3:
        return None
    mean = (len(xs) + 1) / 2  # the mean of ranks 1..n, ties or not
    dx = [rank - mean for rank in average_ranks(xs)]
    dy = [rank - mean for rank in average_ranks(ys)]
    # Ranks and their mean are multiples of ½: these products and sums are exact (below
    # some 200,000 reps), whatever their order.
    sxy = sum([a * b for a, b in zip(dx, dy)])
    sxx = sum([a * a for a in dx])
    syy = sum([b * b for b in dy])
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def activity_correlations(reps: Iterable[tuple[Mapping[str, float | None], int | None]],
                          min_reps: int = 15) -> dict[str, dict]:
    """Spearman's rho between early pace per activity type and observed TTP days.

    Each rep is (mean weekly pace in weeks 1–8 by activity type, TTP days or None if censored).
    Censored reps are left out (their TTP is unknown); so is any type with fewer than
    min_reps usable reps, since rho on a handful of reps is noise.
    """
    pairs: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for pace_by_type, ttp_days in reps:
        if ttp_days is None:
            continue
        for activity, value in pace_by_type.items():
            if value is not None:
                pairs[activity].append((value, ttp_days))
    result = {}
    for activity in sorted(pairs):
        if len(pairs[activity]) < min_reps:
            continue
        xs, ys = zip(*pairs[activity])
        rho = spearman(xs, ys)
        result[activity] = {"rho": None if rho is None else round(rho, ROUND_PLACES),
                            "n": len(xs)}
    return result
