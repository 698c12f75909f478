"""The API blueprint: JSON in and out, problem details for every error, no CSRF (no cookies:
requests authenticate with a bearer token), per-token rate limits."""
import datetime as dt
from typing import TypeVar

from flask import Blueprint, current_app, json, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from cev_learn.api.auth import rate_limit_key
from cev_learn.api.spec import API_PREFIX
from cev_learn.platform.extensions import limiter
from cev_learn.platform.problems import ApiProblem, from_http_exception, from_problem
from cev_learn.platform.strict_json import NulCharacter, RefusedJson, loads
from cev_learn.xapi.statements import API_VERSION as XAPI_VERSION

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)
bp.register_error_handler(ApiProblem, from_problem)
bp.register_error_handler(HTTPException, from_http_exception)
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=rate_limit_key)(bp)

Model = TypeVar("Model", bound=BaseModel)


@bp.after_request
def no_caching(response):
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.after_request
def xapi_version(response):
    """Every answer of the xAPI resource, problems included, says which xAPI version it
    speaks (xAPI 1.0.3, Communication §3.3)."""
    if request.endpoint == "api.xapi_statements":
        response.headers["X-Experience-API-Version"] = XAPI_VERSION
    return response


def json_body(model: type[Model]) -> Model:
    """The request body read strictly (cev_learn.platform.strict_json) and validated against `model`;
    a 415, 400 (not JSON within the limits) or 422 (JSON, but not a `model`) problem else."""
    if request.mimetype != "application/json":
        raise ApiProblem(415, "send the body as JSON with 'Content-Type: application/json'")
    if request.mimetype_params.get("charset", "utf-8").lower() not in ("utf-8", "utf8"):
        raise ApiProblem(415, "send the body as UTF-8, the only encoding of JSON (RFC 8259)")
    try:
        data = loads(request.get_data(cache=False) or b"null")
    except RefusedJson as exc:
        status = 422 if isinstance(exc, NulCharacter) else 400
        raise ApiProblem(status, exc.detail, errors=[
            {"pointer": fault.pointer, "detail": fault.detail} for fault in exc.faults]) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiProblem(422, f"the body does not match {model.__name__}; see errors",
                         errors=validation_errors(exc)) from None


def validation_errors(exc: ValidationError) -> list[dict]:
    """Pydantic's errors as JSON pointers into the body, e.g. /records/3/occurred_on."""
    return [{"pointer": "/" + "/".join(str(part) for part in error["loc"]),
             "detail": error["msg"]} for error in exc.errors(include_url=False)]


def query_date(name: str, default: dt.date) -> dt.date:
    """The date in query parameter `name` (YYYY-MM-DD, nothing around it); `default` when
    it is left out, a 400 problem when it is no date."""
    value = request.args.get(name)
    if value is None:
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
