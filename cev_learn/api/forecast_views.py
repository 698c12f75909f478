"""Projected productivity dates: a rep's and a cohort's, as their pages show them."""
import datetime as dt

from flask_login import current_user

from cev_learn.accounts.policy import STAFF_ROLES
from cev_learn.analytics import forecast, forecasts
from cev_learn.api import forecast_schemas as schemas
from cev_learn.api.auth import api_access
from cev_learn.api.blueprint import query_date, respond
from cev_learn.api.cohort_views import visible_cohort
from cev_learn.api.rep_views import placed_rep_for
from cev_learn.api.spec import Param, operation
from cev_learn.platform.problems import ApiProblem

AS_OF = Param("as_of", {"type": "string", "format": "date"},
              "Forecast as on this day (records after it are ignored); default today")


def _model(model: forecast.Model) -> dict:
    return {"method": model.method, "note": model.note,
            "productive_in_history": model.productive, "min_history": forecast.MIN_HISTORY}


def rep_entry(rep_id: int, made: forecast.RepForecast | None) -> dict:
    """A rep's forecast as the API writes it."""
    if made is None:
        return {"rep_id": rep_id, "state": "not started", "tenure_day": None,
                "early_pace": None, **dict.fromkeys(
                    ("median_on", "median_day", "low_on", "low_day", "high_on", "high_day",
                     "beyond_on"))}
    return {"rep_id": rep_id, "state": made.state, "tenure_day": made.tenure,
            "early_pace": None if made.pace is None else round(made.pace, 4),
            "median_on": made.median_on, "median_day": made.median, "low_on": made.low_on,
            "low_day": made.low, "high_on": made.high_on, "high_day": made.high,
            "beyond_on": made.on(made.beyond)}


@api_access(*STAFF_ROLES)
@operation("A rep's projected productivity date", tag="Reps",
           response=schemas.RepForecastReport, problems=(400, 404), params=(AS_OF,),
           description="The median and 80% interval of the day the rep reaches the track's "
                       "productivity milestone, as on their pages (docs/metrics.md). A rep "
                       "productive by as_of has their actual date; below the minimum history "
                       "the state is `not enough history`.")
def rep_forecast(user_id: int):
    rep, membership = placed_rep_for(user_id)
    if membership is None:
        raise ApiProblem(404, f"rep {user_id} is in no cohort: no track to forecast on")
    today = dt.date.today()
    as_of = query_date("as_of", today)
    track = membership.cohort.track
    found = forecasts.track_forecast(track, as_of, today)
    return respond(schemas.RepForecastReport, {
        "track": track.slug, "as_of": as_of, "model": _model(found.model),
        "forecast": rep_entry(rep.id, found.rep(rep.id))})


@api_access(*STAFF_ROLES)
@operation("A cohort's projected median and its reps' projected productivity dates",
           tag="Cohorts", response=schemas.CohortForecastReport, problems=(400, 404),
           params=(AS_OF,),
           description="Every current rep of the cohort who started by as_of, with the "
                       "cohort's projected median (docs/metrics.md).")
def cohort_forecast(cohort_id: int):
    cohort = visible_cohort(cohort_id)
    today = dt.date.today()
    as_of = query_date("as_of", today)
    found = forecasts.track_forecast(cohort.track, as_of, today)
    reps = sorted((rep_id for rep_id, c in found.cohort_of.items() if c == cohort.id))
    return respond(schemas.CohortForecastReport, {
        "cohort": cohort.name, "track": cohort.track.slug, "as_of": as_of,
        "model": _model(found.model),
        "projected_median_day": found.cohort_medians.get(cohort.id),
        "projected_median_on": found.cohort_median_on(cohort.id),
        "reps": [rep_entry(rep_id, found.rep(rep_id)) for rep_id in reps]})
