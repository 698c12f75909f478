"""Sign in, sign out, and the signed-in user's own account."""
import datetime as dt

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cev_learn.accounts import services, sessions, sso, throttle
from cev_learn.accounts.decorators import public, signed_in
from cev_learn.accounts.forms import ConfirmForm, LoginForm, PasswordChangeForm, TimeZoneForm
from cev_learn.accounts.passwords import verify_password
from cev_learn.accounts.redirects import safe_next_path
from cev_learn.accounts.throttle import ThrottlePolicy
from cev_learn.platform.db import db, set_write_intent, utcnow, write_transaction
from cev_learn.platform.forms import form_status
from cev_learn.platform.time_zones import format_moment
from cev_learn.platform.observability import security_event


GENERIC_FAILURE = "Email or password is incorrect."
THROTTLED = "Too many failed sign-in attempts. Wait {wait}, then try again."
PASSWORD_THROTTLED = "Too many wrong current passwords. Wait {wait}, then try again."
SSO_ONLY = "Accounts at {domain} sign in with single sign-on, not a password: use the button below."


def enforce_session_lifetime():
    sessions.enforce_absolute_lifetime()


def _wait(window: dt.timedelta) -> str:
    """The throttling window in words: "15 minutes", "1 minute", "30 seconds"."""
    seconds = int(window.total_seconds())
    amount, unit = (seconds, "second") if seconds < 60 else (-(-seconds // 60), "minute")
    return f"{amount} {unit}{'' if amount == 1 else 's'}"


@public
def login():
    next_path = safe_next_path(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_path or url_for("core.home"))
    form = LoginForm()
    if not form.validate_on_submit():
        return login_page(form, next_path, 400 if request.method == "POST" else 200)
    account = form.email.data.strip().lower()[:254]
    if sso.requires_sso(form.email.data, current_app.config):
        form.form_errors.append(SSO_ONLY.format(domain=account.rpartition("@")[2]))
        security_event("sign_in_refused_sso_only", account=account)
        return login_page(form, next_path, 400)
    policy, now = ThrottlePolicy.from_config(current_app.config), utcnow()
    # Read only while the password is hashed (most of a second): on SQLite a write
    # transaction would hold the one write lock meanwhile, and a burst of sign-ins
    # would queue every writer past the busy timeout. The throttle commits on its own.
    set_write_intent(False)
    attempt = throttle.admit_attempt(form.email.data, request.remote_addr, policy, now)
    result = services.check_sign_in(attempt, email=form.email.data, password=form.password.data,
                                    hash_method=current_app.config["PASSWORD_HASH_METHOD"])
    if result.user is not None:
        with write_transaction():
            services.record_sign_in(result, email=form.email.data, now=now,
                                    browser_time_zone=form.browser_time_zone.data)
        security_event("sign_in", account=result.user.email)
        sessions.start_session(result.user, remember=form.remember.data)
        flash(f"Welcome back, {result.user.name}.", "success")
        return redirect(next_path or url_for("core.home"))
    security_event("sign_in_throttled" if result.throttled else "sign_in_failed", account=account)
    if result.throttled:
        form.form_errors.append(THROTTLED.format(wait=_wait(policy.window)))
        return login_page(form, next_path, 429)
    form.form_errors.append(GENERIC_FAILURE)
    return login_page(form, next_path, 400)


def login_page(form: LoginForm, next_path: str | None, status: int):
    """The sign-in page, with the single sign-on button when a provider is set up."""
    config = current_app.config
    provider = config["OIDC_PROVIDER_NAME"] if sso.enabled(config) else None
    return render_template("accounts/login.html", form=form, next_path=next_path,
                           sso_provider=provider), status


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


@signed_in
def change_password():
    user = current_user._get_current_object()
    email, method, stored_hash = (user.email, current_app.config["PASSWORD_HASH_METHOD"],
                                  user.password_hash)
    form = PasswordChangeForm(personal=(email, user.name))
    if not form.validate_on_submit():
        return _password_page(form, 400 if request.method == "POST" else 200)
    # A check of the current password is a sign-in attempt: throttled and counted with the
    # account's and the address's sign-in failures, so a stolen session guesses no faster
    # than the sign-in page lets anyone. Read only while the password is hashed.
    policy, now = ThrottlePolicy.from_config(current_app.config), utcnow()
    set_write_intent(False)
    attempt = throttle.admit_attempt(email, request.remote_addr, policy, now)
    if attempt is None:
        return _password_change_throttled(form, email, policy, now)
    if not verify_password(stored_hash, form.current_password.data, method):
        security_event("password_change_failed", account=email)
        form.current_password.errors.append("This is not your current password.")
        return _password_page(form, 400)
    with write_transaction():
        throttle.forgive_attempt(attempt, email)
        services.set_password(user, form.password.data, method)
        sessions.start_session(user, remember=False)  # reads the new session generation
    security_event("password_changed")
    flash("Password changed. Other devices have been signed out.", "success")
    return redirect(url_for("core.home"))


def _password_change_throttled(form: PasswordChangeForm, email: str, policy: ThrottlePolicy,
                               now: dt.datetime):
    """429 until the account and the address are below their limits again. The session goes
    on: sign-in is throttled by the same count, so ending it would lock the owner out of the
    whole app rather than out of this form for a while."""
    wait = throttle.retry_after(email, request.remote_addr, policy, now)
    security_event("password_change_throttled", account=email)
    form.form_errors.append(PASSWORD_THROTTLED.format(wait=_wait(dt.timedelta(seconds=wait))))
    return _password_page(form, 429, {"Retry-After": str(wait)})


def _password_page(form: PasswordChangeForm, status: int, headers: dict | None = None):
    return render_template("accounts/change_password.html", form=form), status, headers or {}


@signed_in
def time_zone():
    """The zone every time is shown to the signed-in person in: see it, change it."""
    user = current_user._get_current_object()
    form = TimeZoneForm(data={"time_zone": user.shown_time_zone}
                        if request.method == "GET" else None)
    if form.validate_on_submit():
        services.set_time_zone(user, form.time_zone.data)
        db.session.commit()
        flash(f"Time zone set to {user.time_zone}. "
              f"It is now {format_moment(utcnow(), user.time_zone, '%H:%M')} there.", "success")
        return redirect(url_for("accounts.time_zone"))
    return render_template("accounts/time_zone.html", form=form, chosen=user.time_zone,
                           now=utcnow()), form_status(form)
