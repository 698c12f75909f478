"""The users CSV upload page of admins and managers (docs/formats.md)."""
from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField

from cev_learn.accounts import sign_in_links
from cev_learn.accounts.decorators import role_required
from cev_learn.accounts.models import Role
from cev_learn.cohorts.user_import import ImportFileError, decode_csv
from cev_learn.cohorts.user_import_service import import_users
from cev_learn.platform.db import db, utcnow
from cev_learn.platform.forms import form_status



class UserImportForm(FlaskForm):
    file = FileField("CSV file", validators=[
        FileRequired("Choose a CSV file to import."),
        FileAllowed(["csv"], "Choose a file ending in .csv.")])
    skip_invalid = BooleanField(
        "Skip invalid rows",
        description="Import the good rows and list the bad ones. Unticked, one bad row "
                    "stops the whole import and nothing is saved.")
    invite = BooleanField(
        "Invite the new people to choose their password", default=True,
        description="Each new person gets a one-time link by email, valid for a week. People "
                    "already in cev_learn get nothing.")


@role_required(Role.MANAGER, Role.ADMIN)
def users():
    form = UserImportForm()
    report = None
    # Read before a commit can expire the signed-in user: nothing is read again after it.
    back, for_admin = _back_to(), current_user.role is Role.ADMIN
    if form.validate_on_submit():
        try:
            report = import_users(decode_csv(form.file.data.read()),
                                  skip_invalid=form.skip_invalid.data, now=utcnow(),
                                  actor=current_user)
        except ImportFileError as exc:
            form.file.errors.append(str(exc))
        if report is None or not report.imported:
            db.session.rollback()
        else:
            now = utcnow()
            queued = sign_in_links.invite(report.new_users, by=current_user, now=now) \
                if form.invite.data else []
            message = f"Import done. {report.summary()}."
            delivered = sign_in_links.deliver(queued, current_app.config, now)  # commits
            if queued:
                message += f" Invitations: {delivered.summary()}."
            else:
                delivered = None
            flash(message, "warning" if report.errors or (delivered and delivered.failed)
                  else "success")
            if not report.errors:
                return redirect(url_for(back))
    status = 400 if report is not None and not report.imported else form_status(form)
    return render_template("admin/import_users.html", form=form, report=report,
                           for_admin=for_admin, back=url_for(back)), status


def _back_to() -> str:
    """Admins come from Users, managers from Cohorts."""
    return "accounts.users" if current_user.role is Role.ADMIN else "cohorts.cohort_list"
