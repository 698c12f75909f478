"""What "How good are the forecasts?" shows: the backtest of one track (analytics.backtest),
its figures by replay day and by cohort, two charts and the tables behind them (also as CSV).
The figures over all reps come from the whole track's history; the rows by cohort list only
the cohorts the viewer may see."""
import datetime as dt
from dataclasses import dataclass, field

from markupsafe import Markup
from sqlalchemy import select

from cev_learn.accounts.models import User
from cev_learn.analytics import backtest, charts, forecast, forecasts
from cev_learn.analytics.pages import Column, Table
from cev_learn.cohorts.access import visible_cohorts
from cev_learn.cohorts.models import Cohort
from cev_learn.content.models import Track
from cev_learn.platform.db import db


@dataclass
class BacktestPage:
    as_of: dt.date
    tracks: list[Track]
    track: Track | None
    overall: backtest.Score | None
    by_day: list[backtest.Score]
    by_cohort: list[backtest.Score]
    finished: int
    charts: dict[str, Markup] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    min_history: int = forecast.MIN_HISTORY
    target: tuple[float, float] = backtest.CALIBRATION_TARGET
    replay_days: tuple[int, ...] = backtest.REPLAY_DAYS


def visible_tracks(viewer: User) -> list[Track]:
    """Tracks of the cohorts the viewer may see, by title (one statement)."""
    cohorts = visible_cohorts(viewer).with_only_columns(Cohort.track_id).scalar_subquery()
    return list(db.session.scalars(select(Track).where(Track.id.in_(cohorts))
                                   .order_by(Track.title, Track.id)))


def backtest_page(viewer: User, tracks: list[Track], track: Track | None, as_of: dt.date,
                  today: dt.date) -> BacktestPage:
    if track is None:
        page = BacktestPage(as_of, tracks, None, None, [], [], 0)
        page.tables, page.charts = _tables(page), _charts(page)
        return page
    found = forecasts.track_backtest(track, as_of, today)
    shown = set(db.session.scalars(visible_cohorts(viewer).with_only_columns(Cohort.id)
                                   .where(Cohort.track_id == track.id)))
    result = found.result
    page = BacktestPage(as_of, tracks, track, result.overall, result.by_day,
                        [score for cohort_id, score in zip(result.finished, result.by_cohort)
                         if cohort_id in shown], len(result.finished))
    page.tables, page.charts = _tables(page), _charts(page)
    return page


def _score_row(score: backtest.Score) -> list:
    return [score.label, score.reps, score.calibration, score.error, score.baseline_error,
            score.no_history]


def _columns(first: str) -> list[Column]:
    return [Column(first), Column("Reps scored", "int"), Column("Inside the 80% interval", "pct"),
            Column("Median error, days", "num"), Column("Baseline's median error, days", "num"),
            Column("Not enough history", "int")]


def _tables(page: BacktestPage) -> dict[str, Table]:
    overall = [_score_row(page.overall)] if page.overall and page.overall.reps else []
    return {
        "by-day": Table("by-day", "Forecasts made on day 30, 60 and 90, against what happened",
                        _columns("Forecast made on"),
                        [_score_row(s) for s in page.by_day] + overall),
        "by-cohort": Table("by-cohort", "By finished cohort", _columns("Cohort"),
                           [_score_row(s) for s in page.by_cohort]),
    }


def _charts(page: BacktestPage) -> dict[str, Markup]:
    scored = [s for s in page.by_day if s.reps]
    errors = []
    for s in scored:
        errors += [(f"{s.label}: forecast", s.error), (f"{s.label}: baseline", s.baseline_error)]
    return {
        "calibration": charts.bar_chart(
            [(s.label, s.calibration) for s in scored], id="forecast-calibration",
            title="Share of reps productive inside their 80% interval",
            x_label="Forecast made on", value_label="Share inside (target 70–90%)",
            value_max=1.0, value_format="percent"),
        "error": charts.bar_chart(
            [(label, value) for label, value in errors if value is not None],
            id="forecast-error", title="Median error in days: forecast and baseline",
            x_label="Forecast made on", value_label="Median absolute error, days",
            value_format="days"),
    }
