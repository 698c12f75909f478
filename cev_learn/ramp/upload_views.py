"""The upload page for CRM data (docs/imports.md): check a file — a native activities.csv or
quotas.csv, or a CRM export read by a preset or a saved mapping — see what was detected and
the first rows as they will be stored, match the people it names, then import it."""
import datetime as dt

from flask import current_app, flash, redirect, render_template, request, url_for
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
from cev_learn.ramp.crm_import import (NATIVE, CrmImport, MatchProblems, NoFormatError,
                                      all_mappings, match_by_email, suggested_reps)
from cev_learn.ramp.crm_mappings import PRESETS
from cev_learn.ramp.import_service import UPLOADERS, ChangedMeanwhile
from cev_learn.ramp.pending_imports import (KINDS, PendingImport, check_upload, confirm_upload,
                                            find_upload, keep_upload, recheck)

GONE = ("This checked file is not waiting to be imported: it was imported already, it was "
        "checked more than an hour ago, or it was checked by someone else. Check the file again.")
DETECT = ""
MAX_SUGGESTED_REPS = 500  # reps offered as suggestions when matching names (page weight)


def _known_kind(_form, field):
    if field.data not in KINDS:
        raise ValidationError("Choose activities or quotas.")


class CrmUploadForm(FlaskForm):
    kind = SelectField("What the file holds", validate_choice=False, validators=[_known_kind],
                       choices=[SelectChoice("activities", "Activities (calls, meetings, deals)"),
                                SelectChoice("quotas", "Quotas (monthly targets)")],
                       description="Activities come from the CRM, one row per call, meeting "
                                   "or deal; quotas are each rep's monthly targets.")
    mapping = SelectField(
        "Format", validate_choice=False, default=DETECT,
        description="Leave on “Detect” to recognise cev_learn's own CSV, a Salesforce or "
                    "HubSpot export, or a file described in a saved mapping by its columns.")
    file = FileField("File", validators=[
        FileRequired("Choose a file to check."),
        FileAllowed(["csv", "txt", "tsv"], "Choose a .csv, .txt or .tsv file.")],
        description="As the CRM or the spreadsheet saved it: comma, semicolon or tab "
                    "separated; UTF-8, UTF-16 (“Unicode text”) or Windows-1252.")
    skip_invalid = BooleanField(
        "Skip invalid rows",
        description="Import the good rows and list the bad ones. Unticked, one bad row "
                    "stops the whole import and nothing is saved.")

    def fill_mappings(self) -> None:
        types = current_app.config["ACTIVITY_TYPES"]
        choices = [SelectChoice(DETECT, "Detect from the columns"),
                   SelectChoice(NATIVE, "cev_learn CSV (activities.csv, quotas.csv)")]
        for kind, mappings in all_mappings(KINDS, types).items():
            choices += [SelectChoice(m.name, f"{m.title}" if m.preset else
                                     f"{m.name} (saved, {kind})") for m in mappings]
        self.mapping.choices = choices

    def validate_mapping(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Choose a format from the list.")


class ConfirmImportForm(FlaskForm):
    token = HiddenField()


@role_required(*UPLOADERS)
def upload():
    form = CrmUploadForm()
    form.fill_mappings()
    if not form.validate_on_submit():
        return _upload_page(form), form_status(form)
    content, filename = form.file.data.read(), form.file.data.filename
    mapping = form.mapping.data or None
    try:
        found = check_upload(form.kind.data, content, mapping=mapping,
                             skip_invalid=form.skip_invalid.data, uploader=current_user,
                             today=dt.date.today())
    except ImportFileError as exc:
        show_error(form, "file", f"{filename}: {exc}")
        if not isinstance(exc, NoFormatError):
            return _upload_page(form), 400
        # Kept, so that a mapping can describe its columns and the file be checked again.
        page = _upload_page(form, describe=_keep(form, content, mapping).token)
        db.session.commit()
        return page, 400
    report = found.report
    if report.imported and report.changed or found.unmatched:
        # Ready to import, or waiting for names to be matched: kept under a token.
        # Kept with the mapping it was read with: what is confirmed is what was previewed.
        page = check_page(found, _keep(form, content, found.shape.mapping_name), filename)
        db.session.commit()  # the page is built first: nothing is read again after it
        return page, 200 if report.imported else 400
    # Bad rows stop it, or every row is stored already: there is nothing to confirm.
    return _upload_page(form, found=found, report=report, filename=filename), (
        400 if report.errors else 200)


def _keep(form: CrmUploadForm, content: bytes, mapping: str | None) -> PendingImport:
    """Keep the upload under a token (flushed; the caller commits)."""
    return keep_upload(user=current_user, kind=form.kind.data, content=content,
                       mapping=mapping, skip_invalid=form.skip_invalid.data, now=utcnow())


@role_required(*UPLOADERS)
def match_people():
    """Save the accounts chosen for the names a checked file uses, then check it again."""
    pending = _pending_from_form()
    if pending is None:
        return render_error(404, GONE)
    source = request.form.get("source", "")
    types = current_app.config["ACTIVITY_TYPES"]
    if source not in {m.source for found in all_mappings(KINDS, types).values() for m in found}:
        return render_error(400, "The names to match belong to no known source. Check the "
                                 "file again.")
    emails = dict(zip(request.form.getlist("crm_name"), request.form.getlist("email")))
    try:
        matched = match_by_email(source, emails, current_user)
    except MatchProblems as exc:
        db.session.rollback()
        found = recheck(pending, dt.date.today())
        return check_page(found, pending, None, match_problems=exc.problems), 400
    flash(f"Matched {matched} name{'' if matched == 1 else 's'}.", "success")
    page = check_page(recheck(pending, dt.date.today()), pending, None)
    db.session.commit()  # the page is built first: nothing is read again after it
    return page


@role_required(*UPLOADERS)
def confirm():
    pending = _pending_from_form()
    if pending is None:
        return render_error(404, GONE)
    again = CrmUploadForm(formdata=None, kind=pending.kind, skip_invalid=pending.skip_invalid,
                          mapping=pending.mapping or DETECT)
    try:
        found = confirm_upload(pending, today=dt.date.today())
    except ImportFileError as exc:
        db.session.rollback()
        return render_error(400, f"The checked file can no longer be read: {exc}")
    except ChangedMeanwhile:
        db.session.rollback()
        return render_error(409, "Another import changed some of these records at the same "
                                 "time, so nothing was stored. Confirm the file again.")
    report = found.report
    if not report.imported:
        db.session.rollback()
        again.fill_mappings()
        return _upload_page(again, report=report, rechecked=True), 400
    db.session.commit()
    flash(_summary(report), "warning" if report.errors else "success")
    return redirect(url_for("analytics.manager_home"))


def file_too_large(_exc):
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    return render_error(413, f"The file is larger than {_size(limit)}, the most one upload may "
                             "hold. Split it into smaller files and check each one.")


def _pending_from_form() -> PendingImport | None:
    form = ConfirmImportForm()
    return (find_upload(form.token.data or "", current_user, utcnow())
            if form.validate_on_submit() else None)


def check_page(found: CrmImport, pending: PendingImport, filename: str | None,
                **context) -> str:
    report = found.report
    return render_template(
        "ramp/import_preview.html", found=found, report=report, filename=filename,
        rows=_good_rows(report), form=ConfirmImportForm(formdata=None, token=pending.token),
        ready=report.imported and report.changed, suggestions=_rep_suggestions(found),
        **context)


def _rep_suggestions(found: CrmImport) -> list[tuple[str, str]]:
    """(name, email) of reps the uploader may match names to, when there are few enough to
    list; else none (the email is typed)."""
    return suggested_reps(current_user, MAX_SUGGESTED_REPS) if found.unmatched else []


def _upload_page(form: CrmUploadForm, **context) -> str:
    return render_template("ramp/import.html", form=form,
                           activity_types=current_app.config["ACTIVITY_TYPES"],
                           presets=[m for m in PRESETS.values() if m.kind == "activities"],
                           max_size=_size(current_app.config["MAX_CONTENT_LENGTH"]), **context)


def _good_rows(report) -> int:
    return report.created + report.updated + report.unchanged


def _summary(report) -> str:
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
