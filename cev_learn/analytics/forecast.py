"""Projected productivity date per rep, over plain data. Pure: no Flask, no database.

Definitions are docs/metrics.md ("Projected productivity date"). From the reps of a track
observed on as_of (productive: an event on their TTP day; the others censored, as
`metrics.time_to_productivity` says), a Cox proportional-hazards model on each rep's early
pace p gives S(t | p) = S0(t)^exp(β·(log2 p − m)), m the history's mean log2 pace; a rep not productive on tenure day t0 has
S(t | x, T > t0) = S(t | x) ÷ S(t0 | x), whose 10th, 50th and 90th percentiles are the 80%
interval and the median. statsmodels fits the model (PHReg, Breslow ties); when it cannot, or
too few reps have a pace, the plain Kaplan–Meier curve of the history stands in (β = 0).
"""
import bisect
import datetime as dt
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from cev_learn.analytics import metrics

MIN_HISTORY = 15          # productive reps the track's history needs before any forecast
PACE_WEEKS = 4            # the early pace: mean weekly pace over tenure weeks 1–4
PACE_FLOOR, PACE_CAP = 0.05, 3.0   # the pace counts between 5% and 300% (log(0) is no number,
                                   # and one huge week must not rule)
INTERVAL = (0.1, 0.9)     # the 80% interval's percentiles
COX, KAPLAN_MEIER, NO_FORECAST = "cox", "kaplan-meier", "not enough history"


class RepHistory(NamedTuple):
    """What the forecast knows of one rep, from the stored ramp facts."""

    rep_id: int
    cohort_id: int
    start_on: dt.date
    end_on: dt.date | None                     # left the company
    productive_on: dt.date | None              # achieved_on of the productivity milestone
    known_on: dt.date | None                   # the day that achievement could be known
    weekly: Mapping[str, Mapping[int, int]]    # activity type -> tenure week (1–8) -> quantity


def early_pace(rep: RepHistory, targets: Mapping[str, Sequence[float]],
               as_of: dt.date) -> float | None:
    """Mean over activity types of the mean weekly pace in the first PACE_WEEKS tenure weeks
    that are over by as_of (and by the day the rep left); None before week 1 is over or
    without targets."""
    last_day = min(as_of, rep.end_on) if rep.end_on else as_of
    weeks = min(PACE_WEEKS, max(0, (metrics.tenure_day(rep.start_on, last_day) + 1)
                                // metrics.WEEK))
    paces = []
    for kind, values in targets.items():
        weekly = rep.weekly.get(kind, {})
        by_week = [weekly.get(w, 0) / target for w in range(1, weeks + 1)
                   if (target := metrics.weekly_target(values, w))]
        if by_week:
            paces.append(sum(by_week) / len(by_week))
    return min(PACE_CAP, max(PACE_FLOOR, sum(paces) / len(paces))) if paces else None


def observed(rep: RepHistory, as_of: dt.date) -> metrics.Observation | None:
    """The rep's TTP as known on as_of (an achievement counts once it could be known)."""
    known = rep.productive_on if rep.known_on is None or rep.known_on <= as_of else None
    return metrics.time_to_productivity(
        metrics.RepOutcome(rep.start_on, rep.end_on, known), as_of)


# --- The model ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Model:
    """A fitted forecast: the baseline survival S0 as steps (day, S0(day)) at the mean pace,
    and β per doubling of the pace (0 for Kaplan–Meier). Plain values, so it caches as it is."""

    method: str                                # COX | KAPLAN_MEIER | NO_FORECAST
    reps: int                                  # reps in the history
    productive: int                            # of them productive (the events)
    steps: tuple[tuple[int, float], ...] = ()
    beta: float = 0.0
    centre: float = 0.0
    standard_error: float | None = None
    note: str = ""

    @property
    def hazard_ratio(self) -> float:
        """How many times the rate of becoming productive a rep at twice the pace has."""
        return math.exp(self.beta)

    def survival(self, day: int, pace: float | None) -> float:
        """S(day | pace); the average rep's when the pace is not known yet."""
        index = bisect.bisect_right(self.steps, (day, math.inf)) - 1
        base = self.steps[index][1] if index >= 0 else 1.0
        x = self.centre if pace is None else covariate(pace)
        return base ** math.exp(self.beta * (x - self.centre))


def covariate(pace: float) -> float:
    """The model's covariate: log2 of the early pace (twice the pace is one unit more)."""
    return math.log2(pace)


def fit(history: Iterable[tuple[metrics.Observation, float | None]]) -> Model:
    """The model from (observation, early pace) pairs of the reps observed on as_of."""
    history = list(history)
    productive = sum(1 for o, _ in history if o.event)
    if productive < MIN_HISTORY:
        return Model(NO_FORECAST, len(history), productive,
                     note=f"fewer than {MIN_HISTORY} productive reps in the track's history")
    paced = [(o, covariate(x)) for o, x in history if x is not None]
    if sum(1 for o, _ in paced if o.event) >= MIN_HISTORY and len({x for _, x in paced}) > 1:
        model = _cox(paced, len(history), productive)
        if model is not None:
            return model
        note = "the pace model did not converge: Kaplan–Meier of the history"
    else:
        note = f"fewer than {MIN_HISTORY} productive reps with an early pace: Kaplan–Meier"
    curve = metrics.kaplan_meier(o for o, _ in history)
    return Model(KAPLAN_MEIER, len(history), productive,
                 tuple((s.day, s.survival) for s in curve), note=note)


def hazard_regression():
    """statsmodels' proportional-hazards model, imported on first use: it adds seconds to the
    start of every command that never fits one. A serving worker imports it as it starts
    (`ops.serving`), so that its objects join what the worker keeps out of the garbage
    collector's view instead of making every full collection walk them."""
    from statsmodels.duration.hazard_regression import PHReg
    return PHReg


def _cox(paced: list[tuple[metrics.Observation, float]], reps: int, productive: int
         ) -> Model | None:
    """statsmodels' PHReg on the centred pace; None when it fails or warns (no convergence)."""
    import numpy as np

    PHReg = hazard_regression()
    centre = sum(x for _, x in paced) / len(paced)
    days = np.array([o.day for o, _ in paced], dtype=float)
    status = np.array([1 if o.event else 0 for o, _ in paced])
    exog = np.array([[x - centre] for _, x in paced])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result = PHReg(days, exog, status=status, ties="breslow").fit(disp=0)
            times, _, survival = result.baseline_cumulative_hazard[0]
    except Exception:  # noqa: BLE001 — any failure of the fit falls back to Kaplan–Meier
        return None
    beta, error = float(result.params[0]), float(result.bse[0])
    if not (math.isfinite(beta) and math.isfinite(error)):
        return None
    steps = tuple((int(t), float(s)) for t, s in zip(times, survival))
    return Model(COX, reps, productive, steps, beta, centre, error,
                 note="proportional hazards on early pace")


# --- Projections ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Projection:
    """Tenure days: the median and the 80% interval (None: beyond what the history shows,
    `beyond` being the last day it shows)."""

    low: int | None
    median: int | None
    high: int | None
    beyond: int | None = None


def project(model: Model, tenure: int, pace: float | None) -> Projection | None:
    """The percentiles of S(t | pace, T > tenure); None without a forecast."""
    if model.method == NO_FORECAST:
        return None
    now = model.survival(tenure, pace)
    last = model.steps[-1][0] if model.steps else tenure
    days = [day for day, _ in model.steps if day > tenure]

    def percentile(q: float) -> int | None:
        if now <= 0:
            return None
        # The tolerance: S = 0.1 must count as reaching 0.1, whatever the float rounding.
        return next((day for day in days
                     if model.survival(day, pace) <= (1 - q) * now + 1e-12), None)

    low, high = INTERVAL
    return Projection(percentile(low), percentile(0.5), percentile(high), max(last, tenure))


def conditional_cdf(model: Model, tenure: int, pace: float | None, day: int) -> float:
    """P(T ≤ day | pace, T > tenure)."""
    now = model.survival(tenure, pace)
    if day <= tenure or now <= 0:
        return 0.0
    return 1 - model.survival(day, pace) / now


# --- Per rep and per cohort -----------------------------------------------------------------

@dataclass(frozen=True)
class RepForecast:
    """One rep's forecast on as_of: `state` is productive (the actual day), left, forecast
    or "not enough history"."""

    rep_id: int
    state: str
    tenure: int
    pace: float | None
    start_on: dt.date
    median: int | None = None
    low: int | None = None
    high: int | None = None
    beyond: int | None = None

    def on(self, days: int | None) -> dt.date | None:
        return None if days is None else self.start_on + dt.timedelta(days=days)

    @property
    def median_on(self) -> dt.date | None:
        return self.on(self.median)

    @property
    def low_on(self) -> dt.date | None:
        return self.on(self.low)

    @property
    def high_on(self) -> dt.date | None:
        return self.on(self.high)


PRODUCTIVE, LEFT, FORECAST = "productive", "left", "forecast"


def forecast_rep(model: Model, rep: RepHistory, targets: Mapping[str, Sequence[float]],
                 as_of: dt.date) -> RepForecast | None:
    """The rep's forecast on as_of; None for a rep who starts after it."""
    observation = observed(rep, as_of)
    if observation is None:
        return None
    pace = early_pace(rep, targets, as_of)
    base = dict(rep_id=rep.rep_id, tenure=metrics.tenure_day(rep.start_on, as_of), pace=pace,
                start_on=rep.start_on)
    if observation.event:
        return RepForecast(state=PRODUCTIVE, median=observation.day, low=observation.day,
                           high=observation.day, **base)
    if rep.end_on is not None and rep.end_on <= as_of:
        return RepForecast(state=LEFT, **base)
    projection = project(model, base["tenure"], pace)
    if projection is None:
        return RepForecast(state=NO_FORECAST, **base)
    return RepForecast(state=FORECAST, median=projection.median, low=projection.low,
                       high=projection.high, beyond=projection.beyond, **base)


def cohort_median(model: Model, forecasts: Sequence[RepForecast]) -> int | None:
    """The projected cohort median: the first tenure day by which, on average over its reps
    (productive ones at their day, ramping ones by their forecast; leavers left out, as
    Kaplan–Meier censors them), half are productive. None without a forecast for every
    ramping rep, or when the history does not reach that far."""
    counted = [f for f in forecasts if f.state in (PRODUCTIVE, FORECAST)]
    if not counted or any(f.state == NO_FORECAST for f in forecasts):
        return None
    days = sorted({day for day, _ in model.steps} | {f.median for f in counted
                                                       if f.state == PRODUCTIVE})
    for day in days:
        share = sum((1.0 if f.median <= day else 0.0) if f.state == PRODUCTIVE
                    else conditional_cdf(model, f.tenure, f.pace, day)
                    for f in counted) / len(counted)
        if share >= 0.5:
            return day
    return None


def fit_track(reps: Sequence[RepHistory], targets: Mapping[str, Sequence[float]],
              as_of: dt.date) -> Model:
    """The model of a track on as_of, from every rep of it observed by then."""
    return fit((o, early_pace(rep, targets, as_of)) for rep in reps
               if (o := observed(rep, as_of)) is not None)
