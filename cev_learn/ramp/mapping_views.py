"""Saved import mappings (docs/imports.md): a manager describes once how a CRM's export
reads — which column holds each field, how dates and amounts are written, what each activity
type counts as — and every later export of that source imports unedited, on the upload page,
with `cev-learn import … --mapping NAME` and through the API."""
import datetime as dt

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from cev_learn.accounts.decorators import role_required
from cev_learn.accounts.models import Role
from cev_learn.platform.db import db, utcnow
from cev_learn.platform.forms import form_status, show_error
from cev_learn.ramp import crm_mappings as maps
from cev_learn.ramp.crm_import import header_of, mapping_from, save_mapping
from cev_learn.ramp.import_service import UPLOADERS
from cev_learn.ramp.models import ImportMapping
from cev_learn.ramp.pending_imports import KINDS, find_upload, recheck
from cev_learn.ramp.upload_views import ConfirmImportForm, check_page

SKIP_WORD = "skip"


class MappingForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Give the mapping a name."),
                                           Length(max=80)],
                       description="How you will choose it, e.g. “Acme Salesforce calls”.")
    kind = SelectField("What its files hold", choices=[
        SelectChoice("activities", "Activities"), SelectChoice("quotas", "Quotas")])
    source = StringField(
        "Source", validators=[DataRequired("Name the source, e.g. salesforce."),
                              Length(max=64)],
        description="Lower-case letters, digits, - or _: the CRM the file comes from. Names "
                    "you match to reps are kept per source and reused by every mapping of it.")
    deals = BooleanField(
        "Deals or opportunities export",
        description="Won deals count as deal_won on their close date, every deal with a "
                    "created date as an opportunity on that date.")
    won_stages = StringField("Won stages", default="Closed Won",
                             description="For a deals export: the stages that mean won, "
                                         "separated by commas.")
    person = SelectField("The rep column holds",
                         choices=[SelectChoice(k, v) for k, v in maps.PEOPLE.items()])
    dates = SelectField("Dates are written", choices=[
        SelectChoice(maps.AUTO, "Detect (each file: the first format that reads every date)"),
        *(SelectChoice(key, fmt.label) for key, fmt in maps.DATE_FORMATS.items())])
    decimal = SelectField("Decimal mark",
                          choices=[SelectChoice(k, v) for k, v in maps.DECIMALS.items()],
                          description="Thousands separators and currency symbols or codes "
                                      "($, €, EUR…) are left out either way.")
    types = TextAreaField(
        "Activity types", render_kw={"rows": 6},
        description="One per line: the CRM's type = cev_learn's type, or = skip to leave "
                    "those rows out, e.g. “Logged Call = call”. A type already named like "
                    "cev_learn's needs no line.")
    token = HiddenField()


for _name, _label in maps.FIELD_LABELS.items():
    setattr(MappingForm, f"column_{_name}", StringField(
        _label, validators=[Length(max=200)],
        description="The column's name in the file's header."))


def _column_fields(form: MappingForm) -> list:
    return [form[f"column_{name}"] for name in maps.FIELD_LABELS]


@role_required(*UPLOADERS)
def mappings():
    saved = db.session.scalars(select(ImportMapping).order_by(ImportMapping.name)).all()
    types = current_app.config["ACTIVITY_TYPES"]
    rows = []
    for mapping in saved:
        try:
            mapping_from(mapping.name, mapping.kind, mapping.definition, types)
            problem = None
        except ValueError as exc:
            problem = str(exc)
        rows.append((mapping, problem, _may_change(mapping)))
    return render_template("ramp/mappings.html", rows=rows,
                           presets=list(maps.PRESETS.values()))


@role_required(*UPLOADERS)
def new_mapping():
    """The mapping form: empty, or — opened from a checked file that matched no format (the
    file's token comes in a POST body, never the address) — offering that file's columns."""
    if request.method == "POST" and request.form.get("describe"):
        opened = ConfirmImportForm()
        if not opened.validate_on_submit():
            abort(400)
        form = MappingForm(formdata=None, token=opened.token.data,
                           kind=request.form.get("kind") if request.form.get("kind") in KINDS
                           else "activities")
        return _form_page(form, None, _checked_header(opened.token.data or ""))
    form = MappingForm()
    return _save(form, None, _checked_header(form.token.data or ""))


@role_required(*UPLOADERS)
def edit_mapping(mapping_id: int):
    mapping = db.session.get(ImportMapping, mapping_id)
    if mapping is None or not _may_change(mapping):
        abort(404)  # the same answer whether or not another's mapping has this id
    form = MappingForm(obj=None) if request.method == "POST" else _filled(mapping)
    return _save(form, mapping, _checked_header(form.token.data or ""))


@role_required(*UPLOADERS)
def delete_mapping(mapping_id: int):
    mapping = db.session.get(ImportMapping, mapping_id)
    form = FlaskForm()
    if mapping is None or not _may_change(mapping) or not form.validate_on_submit():
        abort(404)
    db.session.delete(mapping)
    db.session.commit()
    flash(f"Deleted the mapping {mapping.name}.", "success")
    return redirect(url_for("ramp.mappings"))


def _may_change(mapping: ImportMapping) -> bool:
    """An admin changes any mapping; a manager the ones they saved."""
    return current_user.role is Role.ADMIN or mapping.created_by_id == current_user.id


def _save(form: MappingForm, mapping: ImportMapping | None, header: list[str]):
    if not form.validate_on_submit():
        return _form_page(form, mapping, header), form_status(form)
    definition, problem = _definition(form)
    if problem is None:
        if mapping is not None and mapping.name != " ".join(form.name.data.split()):
            problem = "name: a saved mapping keeps its name; save a new one to rename it"
    if problem is None:
        try:
            save_mapping(name=form.name.data, kind=form.kind.data, definition=definition,
                         actor=current_user, types=current_app.config["ACTIVITY_TYPES"])
        except ValueError as exc:
            problem = str(exc)
    if problem is not None:
        db.session.rollback()
        field, _, message = problem.partition(": ")
        target = field if field in ("name", "source", "kind", "person", "dates",
                                    "decimal") else None
        show_error(form, target, message if target else problem)
        return _form_page(form, mapping, header), 400
    pending = find_upload(form.token.data or "", current_user, utcnow())
    if pending is not None:
        pending.mapping = " ".join(form.name.data.split())
        pending.kind = form.kind.data
        page = check_page(recheck(pending, dt.date.today()), pending, None)
        db.session.commit()  # the page is built first: nothing is read again after it
        return page
    db.session.commit()
    flash(f"Saved the mapping {form.name.data}.", "success")
    return redirect(url_for("ramp.mappings"))


def _definition(form: MappingForm) -> tuple[dict, str | None]:
    """The stored definition the form describes, or what is wrong with its type lines."""
    types, problem = {}, None
    for number, line in enumerate((form.types.data or "").splitlines(), 1):
        if not line.strip():
            continue
        crm, sign, ours = line.partition("=")
        ours = ours.strip().lower()
        if not sign or not crm.strip():
            problem = f"Activity types, line {number}: write it as “CRM type = cev_learn type”"
            break
        types[crm.strip()] = maps.SKIP if ours == SKIP_WORD else ours
    definition = {
        "source": (form.source.data or "").strip(),
        "columns": {name: field.data.strip() for name, field in
                    zip(maps.FIELD_LABELS, _column_fields(form)) if (field.data or "").strip()},
        "person": form.person.data, "dates": form.dates.data, "decimal": form.decimal.data,
        "types": types, "deals": bool(form.deals.data),
        "won_stages": [s.strip() for s in (form.won_stages.data or "").split(",") if s.strip()],
    }
    return definition, problem


def _filled(mapping: ImportMapping) -> MappingForm:
    definition = mapping.definition
    form = MappingForm(formdata=None, name=mapping.name, kind=mapping.kind,
                       source=definition.get("source", ""), deals=definition.get("deals"),
                       person=definition.get("person", maps.AUTO),
                       dates=definition.get("dates", maps.AUTO),
                       decimal=definition.get("decimal", maps.AUTO),
                       won_stages=", ".join(definition.get("won_stages", [])),
                       types="\n".join(f"{crm} = {ours or SKIP_WORD}"
                                       for crm, ours in definition.get("types", {}).items()))
    for name, field in zip(maps.FIELD_LABELS, _column_fields(form)):
        field.data = definition.get("columns", {}).get(name, "")
    return form


def _checked_header(token: str) -> list[str]:
    """The header's cells of the checked file the form describes (none without one)."""
    pending = find_upload(token, current_user, utcnow()) if token else None
    return header_of(pending.content)[:100] if pending is not None else []


def _form_page(form: MappingForm, mapping: ImportMapping | None, header: list[str]) -> str:
    return render_template("ramp/mapping_form.html", form=form, mapping=mapping,
                           header=header, columns=_column_fields(form),
                           kinds=KINDS, confirm=ConfirmImportForm)
