"""Admin pages for users: list, create, edit, reset password, deactivate and reactivate."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cev_learn.accounts import policy, queries, services
from cev_learn.accounts.decorators import role_required
from cev_learn.accounts.forms import (ConfirmForm, DeactivateForm, PasswordResetForm,
                                      UserCreateForm, UserEditForm)
from cev_learn.accounts.models import Role, User
from cev_learn.platform.db import db
from cev_learn.platform.forms import form_status, show_error
from cev_learn.platform.observability import security_event

admin_only = role_required(Role.ADMIN)


@admin_only
def users():
    page = queries.user_page(
        search=request.args.get("q", ""), role=request.args.get("role", ""),
        status=request.args.get("status", ""), page=request.args.get("page", 1, type=int))
    return render_template("admin/users.html", page=page, roles=list(Role))


@admin_only
def create_user():
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                email=form.email.data, name=form.name.data, role=Role(form.role.data),
                territory=form.territory.data, start_on=form.start_on.data,
                password=form.password.data,
                hash_method=current_app.config["PASSWORD_HASH_METHOD"])
        except services.AccountError as exc:
            show_error(form, exc.field, str(exc))
        else:
            db.session.commit()
            security_event("user_created", target_user_id=user.id, role=user.role.value)
            flash(f"User {user.email} created.", "success")
            return redirect(url_for("accounts.users"))
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
                start_on=form.start_on.data)
        except services.AccountError as exc:
            db.session.rollback()
            show_error(form, exc.field, str(exc))
        else:
            db.session.commit()
            security_event("user_changed", target_user_id=user.id, role=user.role.value)
            flash(f"Changes to {user.email} saved.", "success")
            return redirect(url_for("accounts.edit_user", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=user,
                           reset_form=PasswordResetForm(formdata=None),
                           confirm_form=DeactivateForm(formdata=None)), form_status(form)


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
    return render_template("admin/user_form.html", form=form, user=user, reset_form=reset_form,
                           confirm_form=DeactivateForm(formdata=None)), 400


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
