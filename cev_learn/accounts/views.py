"""Sign in, sign out, and the signed-in user's own account."""
import datetime as dt

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cev_learn.accounts import services, sessions, throttle
from cev_learn.accounts.decorators import public, signed_in
from cev_learn.accounts.forms import ConfirmForm, LoginForm, PasswordChangeForm
from cev_learn.accounts.passwords import verify_password
from cev_learn.accounts.redirects import safe_next_path
from cev_learn.accounts.throttle import ThrottlePolicy
from cev_learn.db import db, set_write_intent, utcnow, write_transaction
from cev_learn.observability import security_event

bp = Blueprint("accounts", __name__)

GENERIC_FAILURE = "Email or password is incorrect."
THROTTLED = "Too many failed sign-in attempts. Wait {wait}, then try again."


@bp.before_app_request
def enforce_session_lifetime():
    sessions.enforce_absolute_lifetime()


def _wait(window: dt.timedelta) -> str:
    """The throttling window in words: "15 minutes", "1 minute", "30 seconds"."""
    seconds = int(window.total_seconds())
    amount, unit = (seconds, "second") if seconds < 60 else (-(-seconds // 60), "minute")
    return f"{amount} {unit}{'' if amount == 1 else 's'}"


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    next_path = safe_next_path(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_path or url_for("core.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        policy, now = ThrottlePolicy.from_config(current_app.config), utcnow()
        # Read only while the password is hashed (most of a second): on SQLite a write
        # transaction would hold the one write lock meanwhile, and a burst of sign-ins
        # would queue every writer past the busy timeout. The throttle commits on its own.
        set_write_intent(False)
        attempt = throttle.admit_attempt(form.email.data, request.remote_addr, policy, now)
        result = services.check_sign_in(attempt, email=form.email.data,
                                        password=form.password.data,
                                        hash_method=current_app.config["PASSWORD_HASH_METHOD"])
        if result.user is not None:
            with write_transaction():
                services.record_sign_in(result, email=form.email.data, now=now)
            security_event("sign_in", account=result.user.email)
            sessions.start_session(result.user, remember=form.remember.data)
            flash(f"Welcome back, {result.user.name}.", "success")
            return redirect(next_path or url_for("core.home"))
        security_event("sign_in_throttled" if result.throttled else "sign_in_failed",
                       account=form.email.data.strip().lower()[:254])
        if result.throttled:
            form.form_errors.append(THROTTLED.format(wait=_wait(policy.window)))
            status = 429
        else:
            form.form_errors.append(GENERIC_FAILURE)
            status = 400
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form, next_path=next_path), status


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        services.end_all_sessions(current_user)
        db.session.commit()
        security_event("sign_out", account=current_user.email)
        sessions.end_session()
        flash("You are signed out.", "success")
    response = redirect(url_for("accounts.login"))
    # On a shared computer, nothing of the account stays in the browser's cache or storage.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = PasswordChangeForm(personal=(current_user.email, current_user.name))
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data, method):
            form.current_password.errors.append("This is not your current password.")
        else:
            user = current_user._get_current_object()
            services.set_password(user, form.password.data, method)
            db.session.commit()
            security_event("password_changed")
            sessions.start_session(user, remember=False)
            flash("Password changed. Other devices have been signed out.", "success")
            return redirect(url_for("core.home"))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/change_password.html", form=form), status
