"""The productivity forecast of a track, fitted once per track, as_of and version of the ramp
data, and cached: pages, the API and the command line read one cached object
(analytics.forecast does the arithmetic; analytics.backtest scores it)."""
import datetime as dt
import hashlib
from dataclasses import dataclass

from cev_learn.analytics import backtest, forecast, queries
from cev_learn.content.models import Track
from cev_learn.platform import caching

MAX_LISTED = 50  # ramping reps a cohort's forecast lists, soonest first


@dataclass(frozen=True)
class TrackForecast:
    """Every current rep's forecast on one track as of a day, and each cohort's median."""

    track_id: int
    as_of: dt.date
    model: forecast.Model
    reps: dict[int, forecast.RepForecast]
    cohort_of: dict[int, int]                  # rep id -> cohort id
    cohort_medians: dict[int, int | None]      # cohort id -> projected median (tenure day)
    cohort_starts: dict[int, dt.date]
    names: dict[int, str]

    def rep(self, rep_id: int) -> forecast.RepForecast | None:
        return self.reps.get(rep_id)

    def cohort_median_on(self, cohort_id: int) -> dt.date | None:
        median = self.cohort_medians.get(cohort_id)
        start = self.cohort_starts.get(cohort_id)
        return None if median is None or start is None else start + dt.timedelta(days=median)

    def ramping(self, cohort_id: int) -> list[forecast.RepForecast]:
        """The cohort's reps still ramping (forecast or not), soonest forecast first."""
        found = [f for rep_id, f in self.reps.items() if self.cohort_of[rep_id] == cohort_id
                 and f.state in (forecast.FORECAST, forecast.NO_FORECAST)]
        return sorted(found, key=lambda f: (f.median_on is None, f.median_on or f.start_on,
                                            self.names.get(f.rep_id, ""), f.rep_id))


def track_forecast(track: Track, as_of: dt.date, today: dt.date,
                   known: dict[str, int] | None = None) -> TrackForecast:
    """The cached forecast (on a hit one statement, the versions, or none when the page read
    them already: `known`; any rep's ramp change or any change of people and cohorts builds
    it again, in one statement, from the model of the day: `fitted_model`)."""
    if known is None:  # read once, for the forecast and for the model of the day
        known = caching.read_versions([caching.ORGANISATION])
    return caching.cached("forecast", (track.id, as_of.isoformat()),
                          lambda: build_forecast(track, as_of, today, known), today=today,
                          known=known)


def build_forecast(track: Track, as_of: dt.date, today: dt.date | None = None,
                   known: dict[str, int] | None = None) -> TrackForecast:
    """Every current rep's forecast from their data as it is now, with the track's model as
    `fitted_model` keeps it (fitted here when `today` is None)."""
    history = queries.track_history(track, as_of)
    targets = track.activity_targets or {}
    model = (forecast.fit_track(history.reps, targets, as_of) if today is None
             else fitted_model(track, history, as_of, today, known))
    reps, cohort_of = {}, {}
    for rep in history.reps:
        made = forecast.forecast_rep(model, rep, targets, as_of)
        if made is not None:
            reps[rep.rep_id], cohort_of[rep.rep_id] = made, rep.cohort_id
    medians = {cohort_id: forecast.cohort_median(
        model, [f for rep_id, f in reps.items() if cohort_of[rep_id] == cohort_id])
        for cohort_id, start in history.starts.items() if start <= as_of}
    return TrackForecast(track.id, as_of, model, reps, cohort_of, medians, history.starts,
                         history.names)


def fitted_model(track: Track, history: queries.TrackHistory, as_of: dt.date, today: dt.date,
                 known: dict[str, int] | None = None) -> forecast.Model:
    """The track's model as of a day, fitted once a day (a second at 5,000 reps): kept while
    only ramp data changes — a CRM activity a second must not refit it each time — and fitted
    again the next day or after a change of people, cohorts or content. Each rep's projection
    is made from their data as it is now, with this model."""
    return caching.cached(
        "forecast-model", (track.id, as_of.isoformat()),
        lambda: forecast.fit_track(history.reps, track.activity_targets or {}, as_of),
        today=today, scopes=(), known=known)


@dataclass(frozen=True)
class TrackBacktest:
    track_id: int
    result: backtest.Backtest
    cohorts: dict[int, str]
    json: dict


def track_backtest(track: Track, as_of: dt.date, today: dt.date) -> TrackBacktest:
    """The backtest of a track as of a day, made once a day like the model
    (`fitted_model`): it replays finished cohorts, which the day's CRM activity hardly
    touches, and takes up to a minute at 5,000 reps."""
    return caching.cached("forecast-backtest", (track.id, as_of.isoformat()),
                          lambda: build_backtest(track, as_of), today=today, scopes=())


def build_backtest(track: Track, as_of: dt.date) -> TrackBacktest:
    history = queries.track_history(track, as_of)
    result = backtest.backtest(history.reps, history.starts, history.cohorts,
                               track.activity_targets or {}, as_of)
    return TrackBacktest(track.id, result, history.cohorts,
                         backtest.as_json(result, track.slug, history.cohorts))


@dataclass(frozen=True)
class RepForecastView:
    """What a rep's pages show of their forecast (plain values: a key part of cached HTML)."""

    forecast: forecast.RepForecast | None   # None: the rep had not started on as_of
    method: str
    note: str
    productive_in_history: int | None
    as_of: dt.date

    @property
    def key(self) -> str:
        return fingerprint(self)


@dataclass(frozen=True)
class CohortForecastView:
    """What a cohort's page shows: the projected median and the ramping reps' forecasts."""

    cohort_id: int
    median: int | None
    median_on: dt.date | None
    ramping: tuple[tuple[str, forecast.RepForecast], ...]   # (rep name, forecast), soonest first
    more: int                                               # ramping reps not listed
    method: str
    note: str
    productive_in_history: int | None
    as_of: dt.date

    @property
    def key(self) -> str:
        return fingerprint(self)


def fingerprint(value) -> str:
    """A short stable digest of plain values (dates, numbers, text), for a cache key."""
    return hashlib.sha256(repr(value).encode()).hexdigest()[:16]


def rep_view(track: Track, rep_id: int, as_of: dt.date, today: dt.date,
             known: dict[str, int] | None = None) -> RepForecastView:
    found = track_forecast(track, as_of, today, known)
    model = found.model
    return RepForecastView(found.rep(rep_id), model.method, model.note, _shown_count(model),
                           as_of)


def _shown_count(model: forecast.Model) -> int | None:
    """The productive reps a page names: none without a forecast, so that the pages of a
    track still short of history stay as they are (and cached) while it grows."""
    return None if model.method == forecast.NO_FORECAST else model.productive


def cohort_view(track: Track, cohort_id: int, as_of: dt.date, today: dt.date,
                known: dict[str, int] | None = None) -> CohortForecastView:
    found = track_forecast(track, as_of, today, known)
    model, ramping = found.model, found.ramping(cohort_id)
    return CohortForecastView(
        cohort_id, found.cohort_medians.get(cohort_id), found.cohort_median_on(cohort_id),
        tuple((found.names.get(f.rep_id, ""), f) for f in ramping[:MAX_LISTED]),
        max(0, len(ramping) - MAX_LISTED), model.method, model.note, _shown_count(model),
        as_of)
