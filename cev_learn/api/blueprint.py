"""The API blueprint: JSON in and out, problem details for every error, no CSRF (no cookies:
requests authenticate with a bearer token), per-token rate limits."""
import datetime as dt
from typing import TypeVar

from flask import Blueprint, current_app, json, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from cev_learn.api.auth import rate_limit_key
from cev_learn.api.problems import ApiProblem, from_http_exception, from_problem
from cev_learn.api.spec import API_PREFIX
from cev_learn.extensions import limiter

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)
bp.register_error_handler(ApiProblem, from_problem)
bp.register_error_handler(HTTPException, from_http_exception)
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=rate_limit_key)(bp)

Model = TypeVar("Model", bound=BaseModel)


@bp.after_request
def no_caching(response):
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def json_body(model: type[Model]) -> Model:
    """The request body validated against `model`; 415, 400 or 422 problems otherwise."""
    if request.mimetype != "application/json":
        raise ApiProblem(415, "send the body as JSON with 'Content-Type: application/json'")
    try:
        data = json.loads(request.get_data(cache=False) or b"null")
    except ValueError as exc:
        raise ApiProblem(400, f"the body is not valid JSON: {exc}") from None
    if nul_at := list(_nul_pointers(data, "")):
        raise ApiProblem(422, "text may not contain NUL characters",
                         errors=[{"pointer": p or "/", "detail": f"{_field(p)} contains a NUL "
                                                                 "character"} for p in nul_at])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiProblem(422, f"the body does not match {model.__name__}; see errors",
                         errors=validation_errors(exc)) from None


def _field(pointer: str) -> str:
    """The field a JSON pointer ends at ('text' for a list item or the whole body)."""
    last = pointer.rsplit("/", 1)[-1]
    return last if last and not last.isdigit() else "text"


def _nul_pointers(value, pointer: str):
    """JSON pointers of every string (key or value) holding a NUL character."""
    if isinstance(value, str):
        if "\0" in value:
            yield pointer
    elif isinstance(value, dict):
        for key, item in value.items():
            if "\0" in key:
                yield pointer
            yield from _nul_pointers(item, f"{pointer}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_pointers(item, f"{pointer}/{index}")


def validation_errors(exc: ValidationError) -> list[dict]:
    """Pydantic's errors as JSON pointers into the body, e.g. /records/3/occurred_on."""
    return [{"pointer": "/" + "/".join(str(part) for part in error["loc"]),
             "detail": error["msg"]} for error in exc.errors(include_url=False)]


def query_date(name: str, default: dt.date) -> dt.date:
    value = request.args.get(name, "").strip()
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ApiProblem(400, f"{name} {value!r} is not a date like 2026-06-30") from None


def respond(model: type[BaseModel], data, status: int = 200):
    """Serialize through the response model, so what is sent is what the document says."""
    body = model.model_validate(data).model_dump(mode="json")
    return current_app.response_class(json.dumps(body), status=status,
                                      mimetype="application/json")
