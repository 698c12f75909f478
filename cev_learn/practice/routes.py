"""Every URL of practice: a rep's exercises, recordings and the coaches' reviews."""
from flask import Blueprint
from werkzeug.exceptions import RequestEntityTooLarge

from cev_learn.platform.routing import add_routes
from cev_learn.practice import peer_views, review_views, views
from cev_learn.practice.comments import format_time

bp = Blueprint("practice", __name__)

ROUTES = [  # (path, view, methods[, endpoint when not the view's name])
    ("/practice", views.index, ["GET"]),
    ("/practice/<exercise_slug>", views.exercise, ["GET"]),
    ("/practice/<exercise_slug>/submissions", views.submit, ["POST"]),
    ("/practice/submissions/<int:submission_id>", views.submission, ["GET"]),
    ("/practice/submissions/<int:submission_id>/recording", views.recording, ["GET"]),
    ("/practice/submissions/<int:submission_id>/peer-review", peer_views.peer_review,
     ["GET", "POST"]),
    ("/practice/reviews", review_views.queue, ["GET"]),
    ("/practice/submissions/<int:submission_id>/review", review_views.review,
     ["GET", "POST"]),
]

add_routes(bp, ROUTES)
bp.add_app_template_filter(format_time, "clock")
bp.register_error_handler(RequestEntityTooLarge, views.too_large_page)
