"""Errors as JSON problem details (RFC 9457): never HTML, never a traceback."""
from flask import Response, json
from werkzeug.exceptions import HTTPException, MethodNotAllowed

PROBLEM_TYPE = "application/problem+json"
API_PREFIX = "/api/v1"  # where the JSON API is served: errors there are problem details
TITLES = {400: "Bad request", 401: "Not signed in", 403: "Not allowed", 404: "Not found",
          405: "Method not allowed", 409: "Conflict", 413: "Too large",
          415: "Unsupported media type", 422: "Invalid content", 429: "Too many requests",
          500: "Server error", 503: "Service unavailable"}


class ApiProblem(Exception):
    """Raise to answer with a problem document."""

    def __init__(self, status: int, detail: str, *, errors: list[dict] | None = None,
                 headers: dict | None = None):
        super().__init__(detail)
        self.status, self.detail = status, detail
        self.errors, self.headers = errors, headers or {}


def problem_response(status: int, detail: str, *, errors: list[dict] | None = None,
                     headers: dict | None = None) -> Response:
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status,
            "detail": detail}
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    response.headers.update(headers or {})
    return response


def from_problem(exc: ApiProblem) -> Response:
    return problem_response(exc.status, exc.detail, errors=exc.errors, headers=exc.headers)


def from_http_exception(exc: HTTPException) -> Response:
    detail = exc.description if exc.code not in (404, 405, 500) else {
        404: "There is nothing at this address.",
        405: "This address does not accept that method.",
        500: "An unexpected error happened on our side. It has been logged."}[exc.code]
    headers = {}
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        headers["Allow"] = ", ".join(exc.valid_methods)
    return problem_response(exc.code or 500, detail, headers=headers)
