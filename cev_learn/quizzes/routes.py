"""Every URL of quizzes: taking quizzes, and the coach's quiz results and grading. One place to
find the view of a URL; each view declares who may call it where it is defined, and a page's
section in the top bar is its view module's (navigation.in_section)."""
from flask import Blueprint

from cev_learn.platform.routing import add_routes
from cev_learn.quizzes import booster_views, coach_views, views

bp = Blueprint("quizzes", __name__)

ROUTES = [  # (path, view, methods[, endpoint when not the view's name])
    ("/tracks/<track_slug>/quizzes/<quiz_slug>", views.quiz, ["GET"]),
    ("/tracks/<track_slug>/quizzes/<quiz_slug>/start", views.start, ["POST"]),
    ("/attempts/<int:attempt_id>", views.attempt, ["GET"]),
    ("/attempts/<int:attempt_id>/save", views.save, ["POST"]),
    ("/attempts/<int:attempt_id>/summary", views.summary, ["GET"]),
    ("/attempts/<int:attempt_id>/submit", views.submit, ["POST"]),
    ("/boosters", booster_views.due, ["GET"], "boosters"),
    ("/boosters/<int:booster_id>", booster_views.answer, ["POST"], "answer_booster"),
    ("/boosters/<int:booster_id>/answers/<int:seq>", booster_views.result, ["GET"],
     "booster_result"),
    ("/quizzes", coach_views.index, ["GET"], "results_overview"),
    ("/quizzes/retention", coach_views.retention, ["GET"]),
    ("/quizzes/<int:quiz_id>/results", coach_views.results, ["GET"], "quiz_results"),
    ("/quizzes/<int:quiz_id>/results.csv", coach_views.results_csv, ["GET"], "quiz_results_csv"),
    ("/quizzes/<int:quiz_id>/analysis", coach_views.analysis, ["GET"], "quiz_analysis"),
    ("/quizzes/attempts/<int:attempt_id>/grade/<key>", coach_views.grade, ["POST"]),
]

add_routes(bp, ROUTES)
