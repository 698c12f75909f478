"""Every URL of ramp: uploading CRM files (activities and quotas). One place to find the view of a
URL; each view declares who may call it where it is defined, and a page's section in the top bar
is its view module's (navigation.in_section)."""
from flask import Blueprint
from werkzeug.exceptions import RequestEntityTooLarge

from cev_learn.platform.routing import add_routes
from cev_learn.ramp import mapping_views, upload_views

bp = Blueprint("ramp", __name__)

ROUTES = [  # (path, view, methods[, endpoint when not the view's name])
    ("/ramp/import", upload_views.upload, ["GET", "POST"]),
    ("/ramp/import/confirm", upload_views.confirm, ["POST"], "confirm_upload"),
    ("/ramp/import/people", upload_views.match_people, ["POST"]),
    ("/ramp/import/mappings", mapping_views.mappings, ["GET"]),
    ("/ramp/import/mappings/new", mapping_views.new_mapping, ["GET", "POST"]),
    ("/ramp/import/mappings/<int:mapping_id>", mapping_views.edit_mapping, ["GET", "POST"]),
    ("/ramp/import/mappings/<int:mapping_id>/delete", mapping_views.delete_mapping, ["POST"]),
]

add_routes(bp, ROUTES)
bp.register_error_handler(RequestEntityTooLarge, upload_views.file_too_large)
