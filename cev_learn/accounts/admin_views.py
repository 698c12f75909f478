"""Admin pages for users: list, create, edit, invite, reset password, deactivate and
reactivate."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cev_learn.accounts import policy, queries, services, sign_in_links
from cev_learn.accounts.decorators import role_required
from cev_learn.accounts.forms import (ConfirmForm, DeactivateForm, PasswordResetForm,
                                      UserCreateForm, UserEditForm)
from cev_learn.accounts.models import Role, User
from cev_learn.platform.db import db, utcnow
from cev_learn.platform.forms import form_status, show_error
from cev_learn.platform.observability import security_event

admin_only = role_required(Role.ADMIN)


@admin_only
def users():
    page = queries.user_page(
        search=request.args.get("q", ""), role=request.args.get("role", ""),
        status=request.args.get("status", ""), page=request.args.get("page", 1, type=int))
    return render_template("admin/users.html", page=page, roles=list(Role),
                           sign_ins=queries.sign_ins(page.items, utcnow()))


@admin_only
def create_user():
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                email=form.email.data, name=form.name.data, role=Role(form.role.data),
                territory=form.territory.data, start_on=form.start_on.data,
                time_zone=form.time_zone.data, password=form.password.data or None,
                hash_method=current_app.config["PASSWORD_HASH_METHOD"])
        except services.AccountError as exc:
            show_error(form, exc.field, str(exc))
        else:
            queued = sign_in_links.invite([user], by=current_user, now=utcnow()) \
                if form.invite.data and not form.password.data else []
            user_id, email, role = user.id, user.email, user.role.value
            done = redirect(url_for("accounts.users"))
            report = sign_in_links.deliver(queued, current_app.config, utcnow())  # commits
            security_event("user_created", target_user_id=user_id, role=role)
            if queued:
                security_event("invitation_sent", target_user_id=user_id,
                               delivered=bool(report.sent))
                flash(f"User {email} created. " + _delivered(report, email),
                      "success" if report.sent else "warning")
            else:
                flash(f"User {email} created.", "success")
            return done
    return render_template("admin/user_form.html", form=form, user=None), form_status(form)


@admin_only
def edit_user(user_id: int):
    user = _editable_user(user_id)
    form = UserEditForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.role.data = user.role.value
    if form.validate_on_submit():
        try:
            services.update_user(
                user, actor=current_user, email=form.email.data, name=form.name.data,
                role=Role(form.role.data), territory=form.territory.data,
                start_on=form.start_on.data, time_zone=form.time_zone.data)
        except services.AccountError as exc:
            db.session.rollback()
            show_error(form, exc.field, str(exc))
        else:
            db.session.commit()
            security_event("user_changed", target_user_id=user.id, role=user.role.value)
            flash(f"Changes to {user.email} saved.", "success")
            return redirect(url_for("accounts.edit_user", user_id=user.id))
    return _user_page(user, form, PasswordResetForm(formdata=None), form_status(form))


@admin_only
def reset_password(user_id: int):
    user = _editable_user(user_id)
    reset_form = PasswordResetForm(personal=(user.email, user.name))
    if reset_form.validate_on_submit():
        services.set_password(user, reset_form.password.data,
                              current_app.config["PASSWORD_HASH_METHOD"])
        db.session.commit()
        security_event("password_reset", target_user_id=user.id)
        flash(f"New password set for {user.email}; their sessions were signed out.", "success")
        return redirect(url_for("accounts.edit_user", user_id=user.id))
    form = UserEditForm(obj=user, formdata=None)
    form.role.data = user.role.value
    return _user_page(user, form, reset_form, 400)


def _user_page(user: User, form: UserEditForm, reset_form: PasswordResetForm, status: int):
    sign_in = queries.sign_ins([user], utcnow())[user.id]
    return render_template("admin/user_form.html", form=form, user=user, reset_form=reset_form,
                           confirm_form=DeactivateForm(formdata=None), sign_in=sign_in,
                           button_form=ConfirmForm(formdata=None)), status


@admin_only
def invite_user(user_id: int):
    """Send an invitation, or a new one: the link of any earlier one stops working."""
    user = _editable_user(user_id)
    if ConfirmForm().validate_on_submit():
        now, email = utcnow(), user.email
        link = sign_in_links.reinvite(user, by=current_user, now=now)
        report = sign_in_links.deliver([link] if link else [], current_app.config, now)  # commits
        if link is None:
            flash(f"{email} already has a password or is deactivated: no invitation sent.",
                  "warning")
        else:
            security_event("invitation_sent", target_user_id=user_id, delivered=bool(report.sent))
            flash(_delivered(report, email), "success" if report.sent else "warning")
    return redirect(url_for("accounts.edit_user", user_id=user_id))


@admin_only
def revoke_invitation(user_id: int):
    user = _editable_user(user_id)
    if ConfirmForm().validate_on_submit():
        if sign_in_links.revoke_invitations(user, utcnow()):
            db.session.commit()
            security_event("invitation_revoked", target_user_id=user.id)
            flash(f"The invitation of {user.email} is revoked: its link no longer works.",
                  "success")
    return redirect(url_for("accounts.edit_user", user_id=user.id))


def _delivered(report: sign_in_links.DeliveryReport, email: str) -> str:
    if report.sent:
        return f"Invitation sent to {email}; its link works for a week."
    reason = report.failed[0][1] if report.failed else "already sent"
    return (f"The invitation to {email} could not be sent ({reason}). It stays queued: "
            "send it again from their page once mail works.")


@admin_only
def deactivate_user(user_id: int):
    user = _editable_user(user_id)
    if not policy.can_change_role_or_status(current_user, user):
        abort(403)
    form = DeactivateForm()
    if not form.validate_on_submit():
        flash("Tick the confirmation box to deactivate this account.", "error")
    elif user.active:
        services.deactivate_user(user, actor=current_user)
        db.session.commit()
        security_event("user_deactivated", target_user_id=user.id)
        flash(f"{user.email} is deactivated and signed out everywhere.", "success")
    return redirect(url_for("accounts.edit_user", user_id=user.id))


@admin_only
def activate_user(user_id: int):
    user = _editable_user(user_id)
    if not policy.can_change_role_or_status(current_user, user):
        abort(403)
    if ConfirmForm().validate_on_submit() and not user.active:
        services.activate_user(user)
        db.session.commit()
        security_event("user_activated", target_user_id=user.id)
        flash(f"{user.email} is active again.", "success")
    return redirect(url_for("accounts.edit_user", user_id=user.id))


def _editable_user(user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    if not policy.can_edit_user(current_user, user):
        abort(403)
    return user
