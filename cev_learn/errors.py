"""Error pages: a plain explanation for every status, never a traceback."""
from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from cev_learn.api.problems import from_http_exception
from cev_learn.api.spec import API_PREFIX
from cev_learn.db import db

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Check what you sent and try again."),
    403: ("Not allowed", "Your account does not have access to this page."),
    404: ("Page not found", "There is nothing at this address. It may have moved or been removed."),
    405: ("Method not allowed", "This address does not accept that kind of request."),
    409: ("Conflict", "That could not be done because something changed meanwhile. "
                      "Reload the page and try again."),
    413: ("Too large", "What you sent is larger than cev_learn accepts."),
    429: ("Too many requests", "You have made too many requests. Wait a few minutes, then try again."),
    500: ("Something went wrong", "An unexpected error happened on our side. It has been logged; "
                                  "try again in a moment."),
}


def render_error(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title,
                           message=detail or message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_error(400, "This form has expired or did not come from cev_learn. "
                                 "Go back, reload the page and submit it again.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if _is_api_request():  # e.g. an address under /api/v1 that matches no route
            return from_http_exception(exc)
        if exc.code in MESSAGES:
            return render_error(exc.code)
        return exc

    @app.errorhandler(InternalServerError)
    def server_error(exc):
        db.session.rollback()
        if _is_api_request():
            return from_http_exception(InternalServerError())
        return render_error(500)


def _is_api_request() -> bool:
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")
