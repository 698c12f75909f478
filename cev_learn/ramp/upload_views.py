"""The upload page for CRM quotas and activities (docs/formats.md): check a file, then import it."""
import datetime as dt

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from cev_learn.accounts.decorators import role_required
from cev_learn.platform.csv_files import ImportFileError
from cev_learn.platform.db import db, utcnow
from cev_learn.platform.errors import render_error
from cev_learn.platform.forms import form_status, show_error
from cev_learn.ramp.import_service import UPLOADERS, RampImportReport
from cev_learn.ramp.pending_imports import (IMPORTERS, check_upload, confirm_upload,
                                            find_upload, keep_upload)


GONE = ("This checked file is not waiting to be imported: it was imported already, it was "
        "checked more than an hour ago, or it was checked by someone else. Check the file again.")


def _known_kind(_form, field):
    if field.data not in IMPORTERS:
        raise ValidationError("Choose activities or quotas.")


class CrmUploadForm(FlaskForm):
    kind = SelectField("What the file holds", validate_choice=False, validators=[_known_kind],
                       choices=[SelectChoice("activities", "Activities (activities.csv)"),
                                SelectChoice("quotas", "Quotas (quotas.csv)")],
                       description="Activities come from the CRM, one row per call, meeting "
                                   "or deal; quotas are each rep's monthly targets.")
    file = FileField("CSV file", validators=[
        FileRequired("Choose a CSV file to check."),
        FileAllowed(["csv"], "Choose a file ending in .csv.")],
        description="Saved as CSV UTF-8 with a header row; the columns are described below.")
    skip_invalid = BooleanField(
        "Skip invalid rows",
        description="Import the good rows and list the bad ones. Unticked, one bad row "
                    "stops the whole import and nothing is saved.")


class ConfirmImportForm(FlaskForm):
    token = HiddenField()


@role_required(*UPLOADERS)
def upload():
    form = CrmUploadForm()
    if not form.validate_on_submit():
        return _upload_page(form), form_status(form)
    content, filename = form.file.data.read(), form.file.data.filename
    try:
        report = check_upload(form.kind.data, content, skip_invalid=form.skip_invalid.data,
                              uploader=current_user, today=dt.date.today())
    except ImportFileError as exc:
        show_error(form, "file", f"{filename}: {exc}")
        return _upload_page(form), 400
    if not (report.imported and report.changed):
        # Bad rows stop it, or every row is stored already: there is nothing to confirm.
        return _upload_page(form, report=report, filename=filename), 400 if report.errors else 200
    pending = keep_upload(user=current_user, kind=form.kind.data, content=content,
                          skip_invalid=form.skip_invalid.data, now=utcnow())
    db.session.commit()
    form = ConfirmImportForm(formdata=None, token=pending.token)
    return render_template("ramp/import_preview.html", report=report, filename=filename,
                           rows=_good_rows(report), form=form)


@role_required(*UPLOADERS)
def confirm():
    form = ConfirmImportForm()
    pending = (find_upload(form.token.data or "", current_user, utcnow())
               if form.validate_on_submit() else None)
    if pending is None:
        return render_error(404, GONE)
    again = CrmUploadForm(formdata=None, kind=pending.kind, skip_invalid=pending.skip_invalid)
    try:
        report = confirm_upload(pending, today=dt.date.today())
    except ImportFileError as exc:
        db.session.rollback()
        return render_error(400, f"The checked file can no longer be read: {exc}")
    if not report.imported:
        db.session.rollback()
        return _upload_page(again, report=report, rechecked=True), 400
    db.session.commit()
    flash(_summary(report), "warning" if report.errors else "success")
    return redirect(url_for("analytics.manager_home"))


def file_too_large(_exc):
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    return render_error(413, f"The file is larger than {_size(limit)}, the most one upload may "
                             "hold. Split it into smaller files and check each one.")


def _upload_page(form: CrmUploadForm, **context) -> str:
    return render_template("ramp/import.html", form=form,
                           activity_types=current_app.config["ACTIVITY_TYPES"],
                           max_size=_size(current_app.config["MAX_CONTENT_LENGTH"]), **context)


def _good_rows(report: RampImportReport) -> int:
    return report.created + report.updated + report.unchanged


def _summary(report: RampImportReport) -> str:
    rows = _good_rows(report)
    text = (f"Imported {rows} row{'' if rows == 1 else 's'}: {report.created} created, "
            f"{report.updated} updated, {report.unchanged} unchanged")
    if report.errors:
        bad = report.bad_rows
        text += f"; {bad} bad row{'' if bad == 1 else 's'} skipped"
    return text + "."


def _size(limit: int) -> str:
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if limit >= scale:
            return f"{limit / scale:g} {unit}"
    return f"{limit} bytes"
