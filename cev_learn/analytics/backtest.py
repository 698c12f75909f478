"""How good the productivity forecasts were: the forecast replayed for every finished cohort
as it would have been made on tenure days 30, 60 and 90, with only what was known then. Pure.

Definitions are docs/metrics.md ("Backtest"). Calibration is the share of reps whose actual
productivity day fell inside the 80% interval (target 70–90%); error is the median absolute
difference in days between the forecast median and the actual day, against a naive baseline:
the median of the latest earlier cohort that had one on that day (no earlier than the day
itself).
"""
import datetime as dt
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cev_learn.analytics import forecast, metrics

REPLAY_DAYS = (30, 60, 90)
FOLLOW_DAYS = 180       # a cohort is finished once each rep is productive, gone or this far in
RECENT_COHORTS = 12     # the finished cohorts replayed: the most recent ones (a fit each day)
CALIBRATION_TARGET = (0.7, 0.9)


@dataclass(frozen=True)
class Outcome:
    """One rep's forecast made on one replay day, against what happened."""

    cohort_id: int
    day: int                  # the replay day (30, 60, 90)
    rep_id: int
    actual: int               # tenure day the rep became productive
    median: int | None
    low: int | None
    high: int | None
    baseline: int | None

    @property
    def inside(self) -> bool:
        """The actual day fell inside the 80% interval (an open end holds every later day)."""
        return ((self.low is None or self.low <= self.actual)
                and (self.high is None or self.actual <= self.high))


@dataclass(frozen=True)
class Score:
    """Figures over some outcomes."""

    label: str
    reps: int
    calibration: float | None
    error: float | None            # median absolute error of the forecast median, days
    baseline_error: float | None   # the same for the baseline
    no_history: int = 0            # reps who could not get a forecast then

    @property
    def within_target(self) -> bool:
        low, high = CALIBRATION_TARGET
        return self.calibration is not None and low <= self.calibration <= high


@dataclass(frozen=True)
class Backtest:
    as_of: dt.date
    finished: list[int]                            # cohort ids, oldest first
    outcomes: list[Outcome]
    by_day: list[Score] = field(default_factory=list)
    by_cohort: list[Score] = field(default_factory=list)
    overall: Score | None = None
    no_history: dict[tuple[int, int], int] = field(default_factory=dict)


def finished_cohorts(reps: Sequence[forecast.RepHistory], starts: Mapping[int, dt.date],
                     as_of: dt.date) -> list[int]:
    """Cohorts, oldest first, none of whose reps is still ramping within FOLLOW_DAYS."""
    ramping = set()
    for rep in reps:
        observation = forecast.observed(rep, as_of)
        if observation is None or (not observation.event and observation.day < FOLLOW_DAYS
                                   and not (rep.end_on and rep.end_on <= as_of)):
            ramping.add(rep.cohort_id)
    return [c for c in sorted(starts, key=lambda c: (starts[c], c))
            if c not in ramping and starts[c] <= as_of]


def backtest(reps: Sequence[forecast.RepHistory], starts: Mapping[int, dt.date],
             names: Mapping[int, str], targets: Mapping[str, Sequence[float]],
             as_of: dt.date, days: Sequence[int] = REPLAY_DAYS) -> Backtest:
    """Replay the forecast for the RECENT_COHORTS latest finished cohorts of one track
    (`starts`: its cohorts' start days) on each replay day, and score it."""
    finished = finished_cohorts(reps, starts, as_of)[-RECENT_COHORTS:]
    outcomes, no_history = [], {}
    for cohort_id in finished:
        for day in days:
            cut = starts[cohort_id] + dt.timedelta(days=day)
            if cut > as_of:
                continue
            made, missing = _replay(reps, starts, cohort_id, targets, cut, as_of, day)
            outcomes += made
            no_history[(cohort_id, day)] = missing
    return Backtest(
        as_of, finished, outcomes,
        [score(f"Day {d}", [o for o in outcomes if o.day == d],
               sum(n for (_, dd), n in no_history.items() if dd == d)) for d in days],
        [score(names.get(c, str(c)), [o for o in outcomes if o.cohort_id == c],
               sum(n for (cc, _), n in no_history.items() if cc == c)) for c in finished],
        score("All", outcomes, sum(no_history.values())), no_history)


def _replay(reps, starts, cohort_id, targets, cut: dt.date, as_of: dt.date,
            day: int) -> tuple[list[Outcome], int]:
    """The forecasts of the cohort's reps made on `cut`, with only what was known then, for
    the reps not productive by then whose actual day is known on as_of; and how many of them
    had no forecast for want of history."""
    known = [rep for rep in reps if rep.start_on <= cut]
    model = forecast.fit_track(known, targets, cut)
    baseline = _previous_median(reps, starts, cohort_id, cut)
    outcomes, missing = [], 0
    for rep in known:
        if rep.cohort_id != cohort_id:
            continue
        final = forecast.observed(rep, as_of)
        made = forecast.forecast_rep(model, rep, targets, cut)
        if final is None or not final.event or made is None or made.state in (
                forecast.PRODUCTIVE, forecast.LEFT):
            continue
        if made.state == forecast.NO_FORECAST:
            missing += 1
            continue
        outcomes.append(Outcome(cohort_id, day, rep.rep_id, final.day, made.median, made.low,
                                made.high, None if baseline is None
                                else max(baseline, made.tenure)))
    return outcomes, missing


def _previous_median(reps, starts, cohort_id, cut: dt.date) -> int | None:
    """The naive baseline: the Kaplan–Meier median, as seen on `cut`, of the latest cohort
    that started before this one and had a median by then."""
    earlier = sorted((c for c in starts if (starts[c], c) < (starts[cohort_id], cohort_id)),
                     key=lambda c: (starts[c], c), reverse=True)
    for previous in earlier:
        observations = [o for rep in reps if rep.cohort_id == previous
                        if (o := forecast.observed(rep, cut)) is not None]
        median = metrics.median_days(metrics.kaplan_meier(observations))
        if median is not None:
            return median
    return None


def score(label: str, outcomes: Sequence[Outcome], no_history: int = 0) -> Score:
    """Calibration and median absolute errors of some outcomes (None without any)."""
    if not outcomes:
        return Score(label, 0, None, None, None, no_history)
    errors = [abs(o.median - o.actual) for o in outcomes if o.median is not None]
    baseline = [abs(o.baseline - o.actual) for o in outcomes if o.baseline is not None]
    return Score(label, len(outcomes),
                 round(sum(o.inside for o in outcomes) / len(outcomes), metrics.ROUND_PLACES),
                 statistics.median(errors) if errors else None,
                 statistics.median(baseline) if baseline else None, no_history)


def as_json(result: Backtest, track: str, names: Mapping[int, str]) -> dict:
    """The backtest as `cev-learn ramp backtest --json` prints it (docs/formats.md)."""
    def figures(s: Score) -> dict:
        return {"label": s.label, "reps": s.reps, "calibration": s.calibration,
                "median_abs_error_days": s.error,
                "baseline_median_abs_error_days": s.baseline_error,
                "no_history": s.no_history}
    return {"track": track, "as_of": result.as_of.isoformat(),
            "finished_cohorts": [names.get(c, str(c)) for c in result.finished],
            "calibration_target": list(CALIBRATION_TARGET),
            "overall": figures(result.overall) if result.overall else None,
            "by_day": [figures(s) for s in result.by_day],
            "by_cohort": [figures(s) for s in result.by_cohort]}
