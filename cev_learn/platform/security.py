"""Security headers on every response, trust in proxies only when configured, and the
endpoint browsers report Content-Security-Policy violations to."""
import json

from flask import Blueprint, Flask, abort, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

from cev_learn.platform.access import public
from cev_learn.platform.extensions import csrf, limiter
from cev_learn.platform.strict_json import RefusedJson, loads

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
PRIVATE_TYPES = ("text/html", "text/csv", "application/json", "application/problem+json")
CSP_REPORT_PATH = "/csp-report"
CSP_REPORT_TYPES = ("application/csp-report", "application/json")
CSP_REPORT_MAX_BYTES = 16 * 1024
CSP_REPORT_FIELDS = ("blocked-uri", "violated-directive", "document-uri")
CSP_REPORT_FIELD_CHARS = 500
# A page breaking the policy reports each blocked item on every view; more than this from
# one address is someone filling the log.
CSP_REPORTS_PER_ADDRESS = "30 per minute"
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    f"report-uri {CSP_REPORT_PATH}",
])

bp = Blueprint("security", __name__)
# On the blueprint (its one route is the report endpoint), so the limit is counted before any
# other request hook runs: a signed-in browser's report loads its user, and on SQLite a count
# written after that would wait for the write lock the request's own session then holds.
limiter.limit(CSP_REPORTS_PER_ADDRESS, key_func=lambda: "csp:" + (request.remote_addr or ""))(bp)


def init_app(app: Flask) -> None:
    proxies = int(app.config["PROXY_COUNT"])
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    @app.before_request
    def reject_nul_characters():
        """No database stores text with NUL in it (PostgreSQL refuses it): refuse it at the
        door, for addresses, query strings and form fields alike."""
        fields = [request.path, *request.args.values()]
        if request.mimetype in FORM_TYPES:
            fields += request.form.values()
        if any("\0" in value for value in fields):
            abort(400, "The request contains a NUL character, which cev_learn does not accept.")

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        for name, value in security_headers(https=app.config["HTTPS"]).items():
            headers.setdefault(name, value)
        if response.mimetype in PRIVATE_TYPES:  # pages, exports, API answers: never kept
            headers.setdefault("Cache-Control", "no-store")
        return response


def security_headers(*, https: bool) -> dict[str, str]:
    """The headers every response carries, whether the app or gunicorn (`serving`) wrote it."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    if https:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


@bp.post(CSP_REPORT_PATH)
@public
@csrf.exempt  # the browser posts it on its own, with no form and no token
def csp_report():
    """Log a violation a browser reports under the policy's report-uri; answer 204."""
    if request.mimetype not in CSP_REPORT_TYPES:
        abort(415)
    request.max_content_length = CSP_REPORT_MAX_BYTES  # beyond it, reading the body is a 413
    try:
        body = loads(request.get_data(cache=False))
    except RefusedJson as exc:
        abort(400, exc.detail)
    report = body.get("csp-report") if isinstance(body, dict) else None
    if not isinstance(report, dict):
        abort(400)
    # Quoted as JSON strings and cut short: whatever a page or an attacker puts in a report
    # stays on one line of the log, at a bounded length.
    fields = " ".join(f"{name}={json.dumps(str(report.get(name, ''))[:CSP_REPORT_FIELD_CHARS])}"
                      for name in CSP_REPORT_FIELDS)
    current_app.logger.warning("CSP violation: %s", fields)
    return "", 204
