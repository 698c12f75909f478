"""A generated organisation whose true effect of early pace is known, to check the forecast
and its backtest against the truth (`cev-learn ramp backtest --generated`). Pure.

Each rep works at a steady pace p (a share of the weekly targets, log-normal around 100%) and
becomes productive on a day drawn from a Weibull proportional-hazards model, hazard
h(t | p) = h0(t)·exp(TRUE_BETA·log2 p): twice the pace multiplies the rate by exp(TRUE_BETA).
Some reps leave before they get there (censored).
"""
import datetime as dt
import math
import random
from dataclasses import dataclass

from cev_learn.analytics.forecast import RepHistory

TRUE_BETA = 1.5         # log hazard ratio per doubling of early pace (×4.5)
MEDIAN_DAYS = 75        # the median rep's (p = 1) days to productivity
WEIBULL_SHAPE = 3.0
LEAVER_SHARE = 0.1
TARGETS = {"call": [20, 40, 60, 80], "email": [30, 60, 90, 120]}


@dataclass(frozen=True)
class GeneratedOrganisation:
    reps: list[RepHistory]
    starts: dict[int, dt.date]     # cohort id -> start day
    names: dict[int, str]
    targets: dict[str, list[int]]
    as_of: dt.date


def generate(seed: int = 1, cohorts: int = 12, reps_per_cohort: int = 25,
             as_of: dt.date = dt.date(2026, 12, 1), every_days: int = 30) -> GeneratedOrganisation:
    """Cohorts every `every_days` days up to as_of, the newest still ramping."""
    rng = random.Random(f"generated-organisation:{seed}")
    scale = MEDIAN_DAYS / math.log(2) ** (1 / WEIBULL_SHAPE)
    starts, names, reps = {}, {}, []
    for number in range(1, cohorts + 1):
        start_on = as_of - dt.timedelta(days=every_days * (cohorts - number) + 20)
        starts[number], names[number] = start_on, f"Generated cohort {number:02d}"
        for _ in range(reps_per_cohort):
            reps.append(_rep(rng, len(reps) + 1, number, start_on, scale, as_of))
    return GeneratedOrganisation(reps, starts, names, TARGETS, as_of)


def _rep(rng: random.Random, rep_id: int, cohort_id: int, start_on: dt.date, scale: float,
         as_of: dt.date) -> RepHistory:
    pace = min(2.0, max(0.3, math.exp(rng.gauss(0, 0.3))))
    # Inverse of S(t | p) = exp(−(t/scale)^k · exp(β·log2 p)) at a uniform draw.
    draw = -math.log(1 - rng.random()) / math.exp(TRUE_BETA * math.log2(pace))
    days = max(1, round(scale * draw ** (1 / WEIBULL_SHAPE)))
    leaves = rng.randint(20, 240) if rng.random() < LEAVER_SHARE else None
    end_on = start_on + dt.timedelta(days=leaves) if leaves is not None else None
    productive_on = start_on + dt.timedelta(days=days)
    if leaves is not None and leaves < days:
        productive_on = None
    if productive_on is not None and productive_on > as_of:
        productive_on = None
    weekly = {kind: {week: round(values[min(week, len(values)) - 1] * pace
                                 * rng.uniform(0.85, 1.15)) for week in range(1, 9)}
              for kind, values in TARGETS.items()}
    return RepHistory(rep_id, cohort_id, start_on, end_on, productive_on, productive_on, weekly)
