"""One JSON log line per request, with its duration and number of SQL statements."""
import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

logger = logging.getLogger("cev_learn.request")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@event.listens_for(Engine, "before_cursor_execute")
def _count_statement(*_args, **_kwargs):
    if has_request_context() and "sql_count" in g:
        g.sql_count += 1


def init_app(app: Flask) -> None:
    if app.config["REQUEST_LOG"] and not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False

    @app.before_request
    def start_request_clock():
        g.request_started = time.perf_counter()
        g.sql_count = 0
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex

    @app.after_request
    def log_request(response):
        if "request_started" not in g:  # failed before our before_request ran
            return response
        response.headers["X-Request-ID"] = g.request_id
        if app.config["REQUEST_LOG"]:
            logger.info(json.dumps(request_log_fields(response.status_code)))
        return response


def request_log_fields(status: int) -> dict:
    # Only report a user already loaded by the request: never query just to log.
    user = g.get("_login_user")
    user_id = user.id if user is not None and user.is_authenticated else None
    return {
        "method": request.method,
        "path": request.path,
        "status": status,
        "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 2),
        "sql_count": g.sql_count,
        "user_id": user_id,
        "request_id": g.request_id,
    }
