"""SCIM 2.0 at /scim/v2 (cev_learn.api.scim): requests from an identity provider, with a SCIM
provisioning token of an admin, served by scim2-server in this request's transaction."""
from flask import Blueprint, Response, current_app, g, json, request

from cev_learn.accounts.api_tokens import Scope
from cev_learn.accounts.models import Role
from cev_learn.api.auth import current_token, rate_limit_key
from cev_learn.platform.db import db
from cev_learn.platform.extensions import limiter
from cev_learn.platform.problems import ApiProblem

PREFIX = "/scim/v2"
bp = Blueprint("scim", __name__, url_prefix=PREFIX)
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=rate_limit_key)(bp)
ADMINS = frozenset({Role.ADMIN})


def scim_error(status: int, detail: str, headers: dict | None = None) -> Response:
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": str(status),
            "detail": detail}
    return Response(json.dumps(body), status=status, headers=headers or {},
                    content_type="application/scim+json")


@bp.errorhandler(ApiProblem)
def token_refused(problem: ApiProblem):
    """A missing, unknown, revoked or throttled token, answered as SCIM errors are."""
    return scim_error(problem.status, problem.detail, dict(problem.headers or {}))


def scim_endpoint(path: str = ""):
    token = current_token()
    if token.scope is not Scope.SCIM or token.user.role is not Role.ADMIN:
        return scim_error(403, "send a SCIM provisioning token of an admin (Users → API "
                               "tokens, or `cev-learn tokens create --scim`)")
    g._login_user = token.user
    from scim2_server.requests import ScimRequest  # noqa: I001 — the SCIM server's libraries
    from cev_learn.api import scim                 # load on the first SCIM request

    app = scim.application(token.user, current_app.config["PASSWORD_HASH_METHOD"])
    answer = app.serve(ScimRequest(
        method=request.method, base_url=request.host_url.rstrip("/") + PREFIX, path="/" + path,
        query=request.args.to_dict(), headers=list(request.headers.items()),
        body=request.get_data(cache=False)))
    if answer.status.value < 400:
        db.session.commit()
    else:
        db.session.rollback()
    body = "" if answer.body is None else json.dumps(answer.body)
    return Response(body, status=answer.status.value, headers=answer.headers)


scim_endpoint.access_rule = ADMINS
scim_endpoint.api_write = True
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
bp.add_url_rule("", "scim_root", scim_endpoint, methods=METHODS)
bp.add_url_rule("/<path:path>", "scim_endpoint", scim_endpoint, methods=METHODS)
