"""Signing in through the organisation's identity provider (OpenID Connect): off to the
provider, and back with a code that becomes a verified ID token and a session."""
import hmac
import secrets
import time

from flask import abort, current_app, flash, redirect, request, session, url_for

from cev_learn.accounts import sessions, sso
from cev_learn.accounts.decorators import public
from cev_learn.accounts.forms import LoginForm
from cev_learn.accounts.redirects import safe_next_path
from cev_learn.accounts.views import login_page
from cev_learn.platform.db import db, utcnow
from cev_learn.platform.observability import security_event

NEXT_KEY = "sso_next"
STATE_KEY = "sso_state"   # [state, when it expires]: one sign-in started from this browser
STATE_SECONDS = 600
UNAVAILABLE = ("The identity provider cannot be reached right now. Try again in a few minutes, "
               "or sign in with your password if you have one.")
NOT_VERIFIED = ("Single sign-on did not work: the answer from the identity provider could not "
                "be verified. Try again from the start.")


@public
def sso_start():
    if not sso.enabled(current_app.config):
        abort(404)
    next_path = safe_next_path(request.args.get("next"))
    if next_path:
        session[NEXT_KEY] = next_path
    state = secrets.token_urlsafe(32)
    session[STATE_KEY] = [state, time.time() + STATE_SECONDS]
    try:
        return sso.client().authorize_redirect(sso.redirect_uri(current_app.config),
                                               state=state)
    except sso.SSO_ERRORS as exc:  # the provider's discovery document could not be read
        security_event("sso_unavailable", reason=_reason(exc))
        form = LoginForm(formdata=None)
        form.form_errors.append(UNAVAILABLE)
        return login_page(form, next_path, 503)


@public
def sso_callback():
    config = current_app.config
    if not sso.enabled(config):
        abort(404)
    started = session.pop(STATE_KEY, None)
    if not _expected_state(started, request.args.get("state")):
        security_event("sso_refused", reason="state missing, replayed or expired")
        return _refused(NOT_VERIFIED)
    try:
        token = sso.client().authorize_access_token(leeway=int(config["OIDC_LEEWAY_SECONDS"]))
        claims = token["userinfo"]
    except sso.SSO_ERRORS as exc:
        security_event("sso_refused", reason=_reason(exc))
        return _refused(NOT_VERIFIED)
    issuer = sso.client().load_server_metadata()["issuer"]
    result = sso.sign_in(claims, issuer=issuer, config=config, now=utcnow())
    if result.user is None:
        db.session.rollback()
        security_event("sso_refused", reason=result.problem,
                       account=str(claims.get("email") or "")[:254])
        return _refused(result.problem)
    db.session.commit()
    user = result.user
    next_path = session.pop(NEXT_KEY, None)
    security_event("sign_in", account=user.email, method="sso")
    sessions.start_session(user, remember=False)
    flash(f"Welcome back, {user.name}.", "success")
    return redirect(safe_next_path(next_path) or url_for("core.home"))


def _expected_state(started, state: str | None) -> bool:
    """The state this browser's sign-in started with, back within STATE_SECONDS (Authlib
    checks it again, with the PKCE verifier and nonce it keeps)."""
    if not started or not state or not isinstance(started, list) or len(started) != 2:
        return False
    expected, expires = started
    return hmac.compare_digest(str(expected), state) and time.time() < float(expires)


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:200]


def _refused(message: str):
    form = LoginForm(formdata=None)
    form.form_errors.append(message)
    return login_page(form, None, 400)
