"""Error pages: a plain explanation for every status, never a traceback."""
import sqlite3

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, InternalServerError

from cev_learn.platform.db import db
from cev_learn.platform.extensions import login_manager
from cev_learn.platform.observability import security_event
from cev_learn.platform.problems import API_PREFIX, from_http_exception, problem_response

try:
    import psycopg
except ImportError:  # installed without PostgreSQL support
    psycopg = None

# How long to tell clients to wait when the database is locked, restarting or out of reach.
RETRY_AFTER_SECONDS = 5

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
    503: ("Database busy", "The database is busy or restarting, so this could not be done just "
                           "now. Wait a few seconds, then try again."),
}


def render_error(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title,
                           message=detail or message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        security_event("csrf_refused")
        return render_error(400, "This form has expired or did not come from cev_learn. "
                                 "Go back, reload the page and submit it again.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if _is_api_request():  # e.g. an address under /api/v1 that matches no route
            return from_http_exception(exc)
        if exc.code in MESSAGES:
            return render_error(exc.code)
        return exc

    @app.errorhandler(DBAPIError)
    def database_error(exc: DBAPIError):
        if not database_unavailable(exc):
            raise exc  # a real fault: logged and answered as a 500 like any other
        app.logger.warning("database unavailable, answered 503: %s", exc.orig)
        return _database_busy()

    @app.errorhandler(PoolTimeoutError)
    def no_free_connection(exc: PoolTimeoutError):
        """Every pooled connection stayed busy past pool_timeout: the server is overloaded."""
        app.logger.warning("no database connection free, answered 503: %s", exc)
        return _database_busy()

    @app.errorhandler(InternalServerError)
    def server_error(exc):
        db.session.rollback()
        if _is_api_request():
            return from_http_exception(InternalServerError())
        return render_error(500)


def _database_busy():
    """503 with Retry-After: the same request may well succeed a few seconds later."""
    _abandon_request_data()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if _is_api_request():
        return problem_response(503, MESSAGES[503][1], headers=headers)
    page, code = render_error(503)
    return page, code, headers


def database_unavailable(exc: DBAPIError) -> bool:
    """Whether the database is out of reach for a moment (locked by another writer,
    restarting, connection lost), so the same request may well succeed a few seconds later."""
    if exc.connection_invalidated:
        return True
    if isinstance(exc.orig, sqlite3.OperationalError):
        return getattr(exc.orig, "sqlite_errorname", "").startswith(("SQLITE_BUSY",
                                                                      "SQLITE_LOCKED"))
    # Connection refused or lost, server shutting down or starting, lock or statement timeout.
    return psycopg is not None and isinstance(exc.orig, psycopg.OperationalError)


def _abandon_request_data() -> None:
    """Roll back the request's writes and show its page as to a visitor: loading (or
    refreshing) the signed-in user would need the database again."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        pass  # the connection is gone already; the pool discards it
    g._login_user = login_manager.anonymous_user()


def _is_api_request() -> bool:
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")
