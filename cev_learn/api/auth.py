"""Bearer-token access for API routes: the token acts as its user, with its scope.

`api_access` is the API's counterpart of `role_required`: it declares the roles a route
serves (the role × route matrix test reads `access_rule`) and whether it writes.
"""
import datetime as dt
from functools import wraps

from flask import current_app, g, request

from cev_learn.accounts import throttle
from cev_learn.accounts.api_tokens import ApiToken, Scope
from cev_learn.accounts.models import Role
from cev_learn.accounts.throttle import TokenThrottlePolicy
from cev_learn.api import tokens
from cev_learn.platform.db import utcnow
from cev_learn.platform.problems import ApiProblem

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="cev_learn"'}


def api_access(*roles: Role, write: bool = False):
    """Token users with one of these roles; write routes also need a read-and-write token."""
    allowed = frozenset(roles)

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            token = current_token()
            if token.scope is Scope.SCIM:
                raise ApiProblem(403, "a SCIM provisioning token works only at /scim/v2; "
                                      "create an API token for the API")
            if token.user.role not in allowed:
                raise ApiProblem(403, f"a {token.user.role.value} token may not use this "
                                      "endpoint")
            if write and token.scope is not Scope.WRITE:
                raise ApiProblem(403, "this token is read-only; create a read-and-write token "
                                      "to change data",
                                 headers={"WWW-Authenticate":
                                          'Bearer realm="cev_learn", error="insufficient_scope"'})
            g._login_user = token.user  # services read current_user, as on web pages
            return view(*args, **kwargs)

        guarded.access_rule = allowed
        guarded.api_write = write
        return guarded

    return decorate


def current_token() -> ApiToken:
    """The request's valid token (checked once per request), or a 401 problem; a 429 problem
    while the client's address is throttled for sending secrets that are no token's."""
    if "api_token" in g:
        return g.api_token
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiProblem(401, "send an API token: 'Authorization: Bearer cev_…' "
                              "(an admin creates one under Users → API tokens)", headers=CHALLENGE)
    now = utcnow()
    token = _authenticate(secret.strip(), request.remote_addr, now)
    if tokens.last_use_is_stale(token, now):
        tokens.save_last_use(token, now)
    g.api_token = token
    return token


def _authenticate(secret: str, address: str | None, now: dt.datetime) -> ApiToken:
    """The usable token with this secret, unless the address is throttled; a guess counts."""
    policy = TokenThrottlePolicy.from_config(current_app.config)
    token, failures = tokens.find(secret, also=throttle.recent_token_failures(address, policy,
                                                                                now))
    if failures >= policy.max_per_address:  # valid tokens too: the answer tells nothing
        raise _throttled(address, policy, now)
    # A guess (or a typo) is counted, in its own short write, before it is answered; a guess
    # sent together with others that reach the limit first is refused like them.
    if token is None and not throttle.admit_token_failure(address, policy, now):
        raise _throttled(address, policy, now)
    # Revoked tokens are not counted: their holders know a real secret, and a forgotten
    # integration retrying one must not lock out everyone else behind its address.
    if token is None or not tokens.usable(token):
        raise ApiProblem(401, "this API token is unknown, revoked, or its user is deactivated",
                         headers={"WWW-Authenticate":
                                  'Bearer realm="cev_learn", error="invalid_token"'})
    return token


def _throttled(address: str | None, policy: TokenThrottlePolicy,
               now: dt.datetime) -> ApiProblem:
    """The 429 for an address that sent too many secrets matching no token."""
    wait = throttle.token_retry_after(address, policy, now)
    return ApiProblem(429, f"too many unknown API tokens were sent from your address; "
                           f"wait {wait} second{'' if wait == 1 else 's'}, then try again",
                      # Flask-Limiter rewrites Retry-After (the later of this and the reset of
                      # its own window) from a whole-second timestamp, a second short: one
                      # more keeps a client that waits that long from being refused.
                      headers={"Retry-After": str(wait + 1)})


def rate_limit_key() -> str:
    """Rate limits count per secret sent (per address for requests without one); guessed
    secrets each get a bucket of their own, so _authenticate throttles them per address."""
    header = request.headers.get("Authorization", "")
    _, _, secret = header.partition(" ")
    return "token:" + tokens.digest(secret.strip()) if secret.strip() else \
        "addr:" + (request.remote_addr or "unknown")
