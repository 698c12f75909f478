"""Every URL of analytics: the ramp dashboard, a cohort's and a rep's ramp, and their CSV
downloads. One place to find the view of a URL; each view declares who may call it where it is
defined, and a page's section in the top bar is its view module's (navigation.in_section)."""
from flask import Blueprint

from cev_learn.analytics import views
from cev_learn.platform.routing import add_routes

bp = Blueprint("analytics", __name__)

ROUTES = [  # (path, view, methods[, endpoint when not the view's name])
    ("/ramp", views.manager_home, ["GET"]),
    ("/ramp/export/<name>.csv", views.dashboard_csv, ["GET"]),
    ("/ramp/cohorts/<int:cohort_id>", views.cohort, ["GET"]),
    ("/ramp/cohorts/<int:cohort_id>/export/<name>.csv", views.cohort_csv, ["GET"]),
    ("/ramp/reps/<int:user_id>", views.rep, ["GET"]),
    ("/ramp/reps/<int:user_id>/export/<name>.csv", views.rep_csv, ["GET"]),
    ("/ramp/tracks/<track_slug>/readiness", views.track_readiness, ["GET"]),
    ("/ramp/forecasts", views.forecast_backtest, ["GET"], "forecasts"),
    ("/ramp/forecasts/export/<name>.csv", views.forecast_backtest_csv, ["GET"], "forecasts_csv"),
]

add_routes(bp, ROUTES)
bp.register_error_handler(views.BadQuery, views.bad_query)
