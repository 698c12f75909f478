"""Every URL of the xAPI admin page. One place to find the view of a URL; each view declares
who may call it where it is defined (admins only). The statements feed is the API's."""
from flask import Blueprint

from cev_learn.platform.routing import add_routes
from cev_learn.xapi import views

bp = Blueprint("xapi", __name__)

ROUTES = [  # (path, view, methods[, endpoint when not the view's name])
    ("/admin/lrs", views.lrs_status, ["GET"]),
]

add_routes(bp, ROUTES)
