"""One JSON log line per request, with its time, duration, number of SQL statements and
the security event it was, if any (sign-ins, refusals, password and account changes)."""
import datetime as dt
import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine

logger = logging.getLogger("cev_learn.request")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# A refusal is a security event even where no view names one.
EVENT_OF_STATUS = {401: "unauthenticated", 403: "access_denied", 429: "rate_limited"}


def security_event(name: str, **details: str | int | None) -> None:
    """Name what this request was for the security record (its log line), e.g.
    security_event("sign_in_failed", account=email). Never pass a secret."""
    g.security_event = {"event": name, **details}


def counted(statement: str) -> bool:
    """Whether a statement counts towards a request's SQL statements: all but a transaction's
    BEGIN, which PostgreSQL's driver sends by itself (never seen here) and which cev_learn
    sends on SQLite only to choose its lock mode (platform.db), so both count alike."""
    return not statement.startswith("BEGIN")


@event.listens_for(Engine, "before_cursor_execute")
def _count_statement(_connection, _cursor, statement, *_args):
    if has_request_context() and "sql_count" in g and counted(statement):
        g.sql_count += 1


def init_app(app: Flask) -> None:
    if app.config["REQUEST_LOG"] and not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False

    def start_request_clock():
        g.request_started = time.perf_counter()
        g.sql_count = 0
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex

    # First of all: requests refused by an earlier check (a CSRF failure) are logged too.
    app.before_request_funcs.setdefault(None, []).insert(0, start_request_clock)

    @app.after_request
    def log_request(response):
        if "request_started" not in g:  # failed before our before_request ran
            return response
        response.headers["X-Request-ID"] = g.request_id
        if app.config["REQUEST_LOG"]:
            logger.info(json.dumps(request_log_fields(response.status_code)))
        return response


def request_log_fields(status: int) -> dict:
    # Only report a user already loaded by the request, and by their identity alone: never
    # query just to log (after a commit the loaded user's attributes are expired).
    state = inspect(g.get("_login_user"), raiseerr=False)
    user_id = state.identity[0] if state is not None and state.identity else None
    fields = {
        "ts": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        "method": request.method,
        "path": request.path,
        "status": status,
        "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 2),
        "sql_count": g.sql_count,
        "user_id": user_id,
        "request_id": g.request_id,
    }
    event = g.get("security_event") or (
        {"event": EVENT_OF_STATUS[status]} if status in EVENT_OF_STATUS else None)
    return fields | (event or {})
