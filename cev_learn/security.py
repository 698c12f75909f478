"""Security headers on every response, and trust in proxies only when configured."""
from flask import Flask, abort, request
from werkzeug.middleware.proxy_fix import ProxyFix

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


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
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config["HTTPS"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if response.mimetype == "text/html":
            headers.setdefault("Cache-Control", "no-store")
        return response
