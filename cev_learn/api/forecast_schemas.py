"""Bodies of the forecast endpoints: a rep's projected productivity date and a cohort's
projected median (docs/formats.md; conventions as in schemas.py)."""
import datetime as dt
from typing import Literal

from cev_learn.api.schemas import Out

ForecastState = Literal["forecast", "productive", "left", "not enough history", "not started"]
Method = Literal["cox", "kaplan-meier", "not enough history"]


class RepForecastOut(Out):
    """One rep's forecast as of a day: days count from the rep's start date (day 0); null
    where there is none (an open interval end is null, `beyond_on` the last day the history
    shows)."""

    rep_id: int
    state: ForecastState
    tenure_day: int | None
    early_pace: float | None
    median_on: dt.date | None
    median_day: int | None
    low_on: dt.date | None
    low_day: int | None
    high_on: dt.date | None
    high_day: int | None
    beyond_on: dt.date | None


class ModelOut(Out):
    method: Method
    note: str
    productive_in_history: int
    min_history: int


class RepForecastReport(Out):
    track: str
    as_of: dt.date
    model: ModelOut
    forecast: RepForecastOut


class CohortForecastReport(Out):
    cohort: str
    track: str
    as_of: dt.date
    model: ModelOut
    projected_median_day: int | None
    projected_median_on: dt.date | None
    reps: list[RepForecastOut]
