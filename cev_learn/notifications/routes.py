"""Every URL of notifications: the list behind the bell, opening one, marking all read, and
email preferences. One place to find the view of a URL; each view declares who may call it
where it is defined."""
from flask import Blueprint

from cev_learn.notifications import views
from cev_learn.platform.routing import add_routes

bp = Blueprint("notifications", __name__)
ROUTES = [  # (path, view, methods[, endpoint when not the view's name])
    ("/notifications", views.index, ["GET"]),
    ("/notifications/<int:notification_id>", views.open_notification, ["GET"], "open"),
    ("/notifications/read", views.read_all, ["POST"]),
    ("/notifications/email", views.email_preference, ["GET", "POST"]),
]
add_routes(bp, ROUTES)
