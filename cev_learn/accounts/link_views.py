"""Choosing a password through a one-time link (an invitation or a password reset), and
asking for a reset link ("Forgot password?"). Public pages: the link's secret, or nothing at
all, is what lets someone in."""
from flask import current_app, flash, redirect, render_template, request, url_for
from limits import parse

from cev_learn.accounts import services, sessions, sign_in_links
from cev_learn.accounts.decorators import public
from cev_learn.accounts.forms import ChoosePasswordForm, ForgotPasswordForm
from cev_learn.accounts.models import LinkPurpose
from cev_learn.platform.db import db, utcnow
from cev_learn.platform.extensions import limiter
from cev_learn.platform.forms import form_status
from cev_learn.platform.observability import security_event

RESET_THROTTLED = "Too many password reset requests. Wait an hour, then try again."


@public
def forgot_password():
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return render_template("accounts/forgot_password.html", form=form), form_status(form)
    email = services.normalise_email(form.email.data)
    if not _reset_allowed(email, request.remote_addr):
        security_event("password_reset_throttled", account=email[:254])
        form.form_errors.append(RESET_THROTTLED)
        return render_template("accounts/forgot_password.html", form=form), 429
    # The same page whether or not the address has an account: it tells no one who has one.
    sign_in_links.send_password_reset(email, current_app.config, utcnow())
    security_event("password_reset_requested", account=email[:254])
    return render_template("accounts/reset_requested.html", email=email)


def _reset_allowed(email: str, address: str | None) -> bool:
    """Count this request against the email address and the client (shared by every worker,
    where rate limits count); False when either has asked too often."""
    config, strategy = current_app.config, limiter.limiter
    per_email = strategy.hit(parse(config["PASSWORD_RESET_LIMIT"]), "password-reset", email)
    per_client = strategy.hit(parse(config["PASSWORD_RESET_LIMIT_PER_ADDRESS"]),
                              "password-reset-client", address or "unknown")
    return per_email and per_client


@public
def accept_invitation(secret: str):
    return _choose_password(secret, LinkPurpose.INVITATION)


@public
def choose_new_password(secret: str):
    return _choose_password(secret, LinkPurpose.PASSWORD_RESET)


def _choose_password(secret: str, purpose: LinkPurpose):
    now = utcnow()
    opened = sign_in_links.find_usable(secret, purpose, now)
    if opened is None:
        return _unusable(purpose)
    user = opened.user
    form = ChoosePasswordForm(personal=(user.email, user.name))
    if form.validate_on_submit():
        if not sign_in_links.redeem(opened, form.password.data, now=now,
                                    hash_method=current_app.config["PASSWORD_HASH_METHOD"]):
            db.session.rollback()
            return _unusable(purpose)
        services.adopt_browser_time_zone(user.id, form.browser_time_zone.data)
        db.session.commit()
        joined = purpose is LinkPurpose.INVITATION
        security_event("invitation_accepted" if joined else "password_reset_done",
                       account=user.email)
        sessions.start_session(user, remember=False)
        flash(f"Welcome to cev_learn, {user.name}. Your password is set." if joined
              else "Your new password is set. Other devices have been signed out.", "success")
        return redirect(url_for("core.home"))
    return render_template("accounts/choose_password.html", form=form, user=user,
                           invitation=purpose is LinkPurpose.INVITATION), form_status(form)


def _unusable(purpose: LinkPurpose):
    """One answer for a link that never existed, was used, revoked or has expired."""
    return render_template("accounts/link_unusable.html",
                           invitation=purpose is LinkPurpose.INVITATION), 410
