"""Every URL of api: the JSON API under /api/v1 (its blueprint, errors and limits: api.blueprint).
One place to find the view of a URL; each view declares who may call it where it is defined."""
from cev_learn.api import (certificate_views, cohort_views, doc_views, forecast_views,
                           milestone_views, outcome_views, practice_views, rep_views,
                           user_views, xapi_views)
from cev_learn.api.blueprint import bp
from cev_learn.platform.routing import add_routes

ROUTES = [  # (path, view, methods[, endpoint when not the view's name])
    ("/openapi.json", doc_views.openapi, ["GET"]),
    ("/docs", doc_views.reference, ["GET"]),
    ("/users", user_views.users, ["GET"]),
    ("/users/<int:user_id>", user_views.user, ["GET"]),
    ("/users", user_views.upsert_user, ["PUT"]),
    ("/reps/<int:user_id>/progress", rep_views.rep_progress, ["GET"]),
    ("/reps/<int:user_id>/readiness", rep_views.rep_readiness, ["GET"]),
    ("/reps/<int:user_id>/attempts", rep_views.rep_attempts, ["GET"]),
    ("/reps/<int:user_id>/certificates", certificate_views.rep_certificates, ["GET"]),
    ("/reps/<int:user_id>/submissions", practice_views.rep_submissions, ["GET"]),
    ("/cohorts", cohort_views.cohorts, ["GET"]),
    ("/cohorts/<int:cohort_id>", cohort_views.cohort, ["GET"]),
    ("/cohorts/<int:cohort_id>/ramp", cohort_views.cohort_ramp_report, ["GET"]),
    ("/cohorts/<int:cohort_id>/forecast", forecast_views.cohort_forecast, ["GET"]),
    ("/reps/<int:user_id>/forecast", forecast_views.rep_forecast, ["GET"]),
    ("/reps/<int:user_id>/achievements", milestone_views.rep_achievements, ["GET"]),
    ("/reps/<int:user_id>/achievements/<milestone_slug>",
     milestone_views.record_achievement, ["PUT"]),
    ("/activities", outcome_views.post_activities, ["POST"]),
    ("/quotas", outcome_views.post_quotas, ["POST"]),
    ("/imports/activities", outcome_views.import_activities_file, ["POST"]),
    ("/imports/quotas", outcome_views.import_quotas_file, ["POST"]),
    ("/xapi/statements", xapi_views.xapi_statements, ["GET"]),
]

add_routes(bp, ROUTES)
