"""Every URL of content: the playbook: tracks, modules, assets and search. One place to find the
view of a URL; each view declares who may call it where it is defined, and a page's section in
the top bar is its view module's (navigation.in_section)."""
from flask import Blueprint

from cev_learn.content import views
from cev_learn.platform.routing import add_routes

bp = Blueprint("content", __name__)

ROUTES = [  # (path, view, methods[, endpoint when not the view's name])
    ("/tracks", views.tracks, ["GET"]),
    ("/tracks/<track_slug>", views.track, ["GET"]),
    ("/tracks/<track_slug>/modules/<module_slug>", views.module, ["GET"]),
    ("/tracks/<track_slug>/modules/<module_slug>/complete", views.complete_module, ["POST"]),
    ("/tracks/<track_slug>/modules/<module_slug>/next", views.next_after_module, ["GET"]),
    ("/tracks/<track_slug>/modules/<module_slug>/checklist", views.tick_checklist, ["POST"]),
    ("/tracks/<track_slug>/assets/<path:path>", views.asset, ["GET"]),
    ("/search", views.search, ["GET"]),
]

add_routes(bp, ROUTES)
