"""Certificates: a rep's own, one certificate's page and PDF, its public verification page,
and the managers' counts per cohort and territory with their CSV."""
import datetime as dt

from flask import Response, abort, current_app, render_template
from flask_login import current_user

from cev_learn.accounts import policy
from cev_learn.accounts.decorators import public, role_required, signed_in
from cev_learn.accounts.models import Role
from cev_learn.certifications import queries
from cev_learn.certifications.pdf import certificate_pdf
from cev_learn.cohorts.access import allows
from cev_learn.platform.csv_safety import csv_text
from cev_learn.platform.extensions import limiter

CSV_HEADER = ["rep", "email", "cohort", "territory", "certification", "earned_on", "expires_on",
              "status"]


@role_required(Role.REP)
def mine():
    today = dt.date.today()
    certificates = queries.own_certificates(current_user.id)
    return render_template("certifications/mine.html", today=today,
                           rows=[(c, queries.status_of(c, today)) for c in certificates])


def _visible_certificate(certificate_id: int):
    """The certificate if the viewer holds it or may see its holder; 404 otherwise, so
    nobody learns which ids exist."""
    certificate = queries.certificate_by_id(certificate_id)
    if certificate is None:
        abort(404)
    holder = certificate.holder
    if holder.id != current_user.id and not (
            policy.is_staff(current_user) and allows(policy.can_view_rep, current_user, holder)):
        abort(404)
    return certificate


@signed_in
def certificate(certificate_id: int):
    found = _visible_certificate(certificate_id)
    today = dt.date.today()
    return render_template("certifications/certificate.html", certificate=found,
                           status=queries.status_of(found, today), today=today)


@signed_in
def certificate_pdf_view(certificate_id: int):
    found = _visible_certificate(certificate_id)
    today = dt.date.today()
    html = render_template("certifications/certificate_pdf.html", certificate=found,
                           status=queries.status_of(found, today))
    return Response(certificate_pdf(html), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="certificate-{found.id}.pdf"'})


@public
@limiter.limit(lambda: current_app.config["VERIFY_RATE_LIMIT"])
def verify(code: str):
    """What anyone holding the link may know: the certification, the holder's name, whether
    it is valid and its dates. An unknown code and a malformed one answer the same 404."""
    found = queries.verification(code, dt.date.today())
    if found is None:
        abort(404)
    return render_template("certifications/verify.html", found=found)


@role_required(Role.MANAGER, Role.ADMIN)
def overview():
    today = dt.date.today()
    cohorts = queries.cohort_counts(current_user, today)
    return render_template("certifications/overview.html", cohorts=cohorts, today=today,
                           territories=queries.territory_counts(cohorts))


@role_required(Role.MANAGER, Role.ADMIN)
def overview_csv():
    today = dt.date.today()
    text = csv_text(CSV_HEADER, queries.holder_rows(current_user, today))
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="certificates-{today}.csv"'})
