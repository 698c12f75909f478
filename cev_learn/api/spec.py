"""The OpenAPI 3.1 document, built from the routes themselves.

Each API view declares its operation with `@operation(...)`: summary, query parameters, the
pydantic models of its request and response bodies and the problems it may answer with. The
document walks the app's URL map, so a route and its description cannot drift apart.
"""
import re
from dataclasses import dataclass, field
from functools import wraps

from flask import Flask, request
from pydantic import BaseModel

from cev_learn.api.text_patterns import text, visible_text
from cev_learn.platform.db import MAX_ID  # the largest id routes accept
from cev_learn.platform.problems import API_PREFIX, TITLES, ApiProblem

PROBLEM_SCHEMA = {
    "type": "object", "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"},
        "status": {"type": "integer"}, "detail": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["pointer", "detail"],
            "properties": {"pointer": {"type": "string"}, "detail": {"type": "string"}}}}}}
# 503: the database is busy, restarting or out of reach; send again after Retry-After.
ALWAYS = (401, 429, 503)


@dataclass(frozen=True)
class Param:
    name: str
    schema: dict
    description: str
    required: bool = False


@dataclass(frozen=True)
class Operation:
    summary: str
    tag: str
    response: type[BaseModel] | None = None
    request: type[BaseModel] | None = None
    params: tuple[Param, ...] = ()
    problems: tuple[int, ...] = ()
    status: int = 200
    also: tuple[int, ...] = ()  # further success statuses with the same body (e.g. 200 and 201)
    description: str = ""
    extra: dict = field(default_factory=dict)


def operation(summary: str, *, tag: str, **details):
    """Describe an API view for the OpenAPI document; its query parameters, when sent, must
    have a value (`refuse_blank_values`)."""
    def decorate(view):
        described = Operation(summary, tag, **details)

        @wraps(view)
        def checked(*args, **kwargs):
            refuse_blank_values(described.params)
            return view(*args, **kwargs)

        checked.api_operation = described
        return checked
    return decorate


def refuse_blank_values(params: tuple[Param, ...]) -> None:
    """A 400 problem for a declared query parameter sent blank (`?as_of=`): a value left empty
    is refused like any bad value rather than read as if it were left out."""
    for param in params:
        value = request.args.get(param.name)
        if value is not None and not value.strip():
            raise ApiProblem(400, f"{param.name} is empty; give it a value or leave it out")


def openapi_document(app: Flask) -> dict:
    schemas: dict[str, dict] = {"Problem": PROBLEM_SCHEMA}
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions.get(rule.endpoint)
        described = getattr(view, "api_operation", None)
        if described is None:
            continue
        path = _openapi_path(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(
                described, rule, view, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "cev_learn API", "version": "1.0.0",
                 "description": "Push CRM outcomes in and pull onboarding progress out. "
                                "Authenticate with 'Authorization: Bearer <token>'. A query "
                                "parameter is either left out or given a value: one sent "
                                "empty (`?as_of=`) is refused with a 400 problem naming it."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer",
                       "description": "An API token: cev-learn tokens create, or Users → API "
                                      "tokens."}}},
    }


ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")


def _openapi_path(rule) -> str:
    return ARGUMENT.sub(lambda m: "{" + m.group(2) + "}", rule.rule)


def _path_parameters(rule) -> list[dict]:
    """Ids, and names such as a milestone's slug: text without NUL, which no address may hold
    (platform.security refuses it)."""
    return [{"name": name, "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}
             if converter == "int"
             else {"type": "string", "minLength": 1, "pattern": text()}}
            for converter, name in ARGUMENT.findall(rule.rule)]


def _query_parameter(param: Param) -> dict:
    """A query parameter as documented: a free text one states that it may not be blank
    (`refuse_blank_values`) nor hold NUL (platform.security refuses it)."""
    schema = param.schema
    if schema.get("type") == "string" and not {"enum", "format", "pattern"} & schema.keys():
        schema = {**schema, "pattern": visible_text()}
    return {"name": param.name, "in": "query", "required": param.required, "schema": schema,
            "description": param.description}


def _operation(described: Operation, rule, view, schemas: dict) -> dict:
    parameters = _path_parameters(rule) + [_query_parameter(p) for p in described.params]
    problems = sorted({*ALWAYS, *described.problems,
                       *((400,) if described.params else ()),
                       *((400, 413, 415, 422) if described.request else ()),
                       *((403,) if getattr(view, "access_rule", None) else ())})
    responses = {str(status): _body(described.response, schemas,
                                    "Created" if status == 201 else "OK")
                 for status in (described.status, *described.also)}
    for status in problems:
        responses[str(status)] = {"description": TITLES.get(status, "Error"), "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    result = {"summary": described.summary, "tags": [described.tag],
              "operationId": rule.endpoint.replace(".", "_"), "parameters": parameters,
              "responses": responses, **described.extra}
    if described.description:
        result["description"] = described.description
    if described.request is not None:
        result["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": _ref(described.request, schemas)}}}
    return result


def _body(model: type[BaseModel] | None, schemas: dict, label: str) -> dict:
    if model is None:
        return {"description": label}
    return {"description": label, "content": {"application/json": {"schema": _ref(model,
                                                                                  schemas)}}}


def _ref(model: type[BaseModel], schemas: dict) -> dict:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in schema.pop("$defs", {}).items():
        schemas[name] = definition
    schemas[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}
