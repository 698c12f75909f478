"""A rep's certificates, for the staff who may see the rep's page."""
import datetime as dt

from flask import current_app, url_for

from cev_learn.accounts.policy import STAFF_ROLES
from cev_learn.api import people_schemas as schemas
from cev_learn.api.auth import api_access
from cev_learn.api.blueprint import respond
from cev_learn.api.rep_views import rep_for
from cev_learn.api.spec import operation
from cev_learn.certifications import queries
from cev_learn.certifications.models import Certificate
from cev_learn.content.models import Certification


@api_access(*STAFF_ROLES)
@operation("A rep's certificates, newest first, with their status", tag="Reps",
           response=schemas.CertificateList, problems=(404,),
           description="Every certificate the rep earned, renewed ones (superseded) and "
                       "revoked ones included, as on the rep's Certificates page.")
def rep_certificates(user_id: int):
    rep = rep_for(user_id)
    today = dt.date.today()
    return respond(schemas.CertificateList, {"items": [
        _certificate(*row, today) for row in queries.certificates_with_tracks(rep.id)]})


def _certificate(certificate: Certificate, certification: Certification, track: str,
                 today: dt.date) -> dict:
    verify = url_for("certifications.verify", code=certificate.code)
    return {"id": certificate.id, "certification": certification.slug,
            "title": certification.title, "track": track, "earned_on": certificate.earned_on,
            "expires_on": certificate.expires_on,
            "status": queries.status_of(certificate, today).value,
            "renewal_assigned_on": certificate.renewal_assigned_on,
            "verification_url": current_app.config["BASE_URL"].rstrip("/") + verify}
