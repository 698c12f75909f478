"""Every URL of webhooks: the admin pages. One place to find the view of a URL; each view
declares who may call it where it is defined (admins only)."""
from flask import Blueprint

from cev_learn.platform.routing import add_routes
from cev_learn.webhooks import views

bp = Blueprint("webhooks", __name__)

ROUTES = [  # (path, view, methods[, endpoint when not the view's name])
    ("/admin/webhooks", views.index, ["GET", "POST"]),
    ("/admin/webhooks/settings", views.save_settings, ["POST"]),
    ("/admin/webhooks/<int:endpoint_id>", views.endpoint, ["GET", "POST"]),
    ("/admin/webhooks/<int:endpoint_id>/enable", views.enable_endpoint, ["POST"]),
    ("/admin/webhooks/<int:endpoint_id>/disable", views.disable_endpoint, ["POST"]),
    ("/admin/webhooks/<int:endpoint_id>/secret", views.replace_secret, ["POST"]),
    ("/admin/webhooks/<int:endpoint_id>/remove", views.remove_endpoint, ["POST"]),
    ("/admin/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/send-again",
     views.send_again, ["POST"]),
]

add_routes(bp, ROUTES)
