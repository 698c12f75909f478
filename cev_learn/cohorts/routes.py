"""Every URL of cohorts: the rep's week, the coach's reps and a rep's page, cohort admin and
imports of people. One place to find the view of a URL; each view declares who may call it where
it is defined, and a page's section in the top bar is its view module's (navigation.in_section)."""
from flask import Blueprint

from cev_learn.cohorts import import_views, manage_views, views
from cev_learn.platform.routing import add_routes

bp = Blueprint("cohorts", __name__)

ROUTES = [  # (path, view, methods[, endpoint when not the view's name])
    ("/week", views.rep_home, ["GET"]),
    ("/coach", views.coach_home, ["GET"]),
    ("/reps/<int:user_id>", views.rep_page, ["GET"]),
    ("/reps/<int:user_id>/assignments", views.assign, ["POST"]),
    ("/reps/<int:user_id>/notes", views.add_note, ["POST"]),
    ("/reps/<int:user_id>/signoffs/<rubric_slug>", views.signoff, ["GET", "POST"]),
    ("/reps/<int:user_id>/milestones/<milestone_slug>", views.record_milestone, ["POST"]),
    ("/cohorts", manage_views.index, ["GET"], "cohort_list"),
    ("/cohorts/new", manage_views.create, ["GET", "POST"], "create_cohort"),
    ("/cohorts/<int:cohort_id>", manage_views.detail, ["GET", "POST"], "cohort_detail"),
    ("/cohorts/<int:cohort_id>/members", manage_views.add_member, ["POST"]),
    ("/cohorts/<int:cohort_id>/members/<int:membership_id>/remove",
     manage_views.remove_member, ["POST"]),
    ("/admin/import/users", import_views.users, ["GET", "POST"], "import_users"),
]

add_routes(bp, ROUTES)
