"""Every URL of certifications: a rep's certificates, one certificate and its PDF, the public
verification page, and the managers' overview with its CSV."""
from flask import Blueprint

from cev_learn.certifications import views
from cev_learn.platform.routing import add_routes

bp = Blueprint("certifications", __name__)
ROUTES = [  # (path, view, methods[, endpoint when not the view's name])
    ("/certificates", views.mine, ["GET"]),
    ("/certificates/<int:certificate_id>", views.certificate, ["GET"]),
    ("/certificates/<int:certificate_id>.pdf", views.certificate_pdf_view, ["GET"],
     "certificate_pdf"),
    ("/verify/<code>", views.verify, ["GET"]),
    ("/certifications", views.overview, ["GET"]),
    ("/certifications.csv", views.overview_csv, ["GET"]),
]
add_routes(bp, ROUTES)
