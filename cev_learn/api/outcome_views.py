"""CRM outcomes in batches: activities and quotas, checked by the rules of the CSV import and
stored by its service, all or nothing (docs/formats.md).

Like the upload page, a manager limited to a territory sends outcomes only for the reps they
manage, and changes only records of those reps.
"""
import datetime as dt
from collections.abc import Callable

from flask import current_app, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from cev_learn.api import outcome_schemas as schemas
from cev_learn.api.auth import api_access
from cev_learn.api.blueprint import json_body, respond
from cev_learn.api.spec import Param, operation
from cev_learn.platform.db import db
from cev_learn.platform.csv_files import ImportFileError
from cev_learn.platform.problems import ApiProblem
from cev_learn.ramp.crm_import import CrmImport, import_file
from cev_learn.ramp.csv_imports import CellError, check_activity_cells, check_quota_cells
from cev_learn.ramp.import_service import (UPLOADERS, ChangedMeanwhile, RampImportReport,
                                           import_activity_rows, import_quota_rows)

RULES = ("Every item is checked by the rules of the CSV import; one bad item rejects the "
         "batch with a 422 problem whose errors point at each bad item and field, e.g. "
         "`/{key}/3/occurred_on`, and nothing is stored. At most 1,000 items per request (more "
         "is a 422 pointing at `/{key}`). Sending the same batch again changes nothing. A 409 "
         "means another request stored the same items at the same moment: send it again.")
CONFLICT = ("another request stored some of these items at the same moment; nothing of this "
            "batch was stored. Send it again: it will update or leave unchanged what is there.")


@api_access(*UPLOADERS, write=True)
@operation("Create or update CRM activities by external_id", tag="Outcomes",
           request=schemas.ActivityBatch, response=schemas.BatchResult, problems=(409,),
           description=RULES.format(key="records"))
def post_activities():
    batch = json_body(schemas.ActivityBatch)
    errors: list[CellError] = []
    rows = check_activity_cells(enumerate(_activity_cells(r) for r in batch.records), errors,
                                place="at /records/{}".format,
                                types=current_app.config["ACTIVITY_TYPES"])
    return _store(lambda: import_activity_rows(rows, errors, skip_invalid=False,
                                               today=dt.date.today(), source="api",
                                               uploader=current_user),
                  "records", len(batch.records))


@api_access(*UPLOADERS, write=True)
@operation("Create or update reps' monthly quotas", tag="Outcomes",
           request=schemas.QuotaBatch, response=schemas.BatchResult, problems=(409,),
           description=RULES.format(key="quotas"))
def post_quotas():
    batch = json_body(schemas.QuotaBatch)
    errors: list[CellError] = []
    rows = check_quota_cells(enumerate((q.rep_email, q.month, _cell(q.amount))
                                       for q in batch.quotas), errors,
                             place="at /quotas/{}".format)
    return _store(lambda: import_quota_rows(rows, errors, skip_invalid=False,
                                            today=dt.date.today(), uploader=current_user),
                  "quotas", len(batch.quotas))


FILE_RULES = (
    "The body is the file itself, as the CRM or a spreadsheet saved it (Content-Type text/csv, "
    "text/plain or application/octet-stream; UTF-8, UTF-16 or Windows-1252; comma, semicolon "
    "or tab separated), read like the upload page reads it: by the `mapping` named, else by "
    "the format its columns match — cev_learn's own CSV, a Salesforce or HubSpot export, or a "
    "saved mapping (docs/imports.md). People are matched by email, CRM user id or unique full "
    "name; a name that matches no one is a bad row (match it on the check page or with "
    "`cev-learn import match`). One bad row rejects the file with a 422 problem whose errors "
    "point at `/lines/{line}/{field}`, and nothing is stored, unless `skip_invalid=true`. A "
    "file whose columns match no format is a 422 naming the closest one and the columns it "
    "lacks. Sending the same file again changes nothing.")
FILE_PARAMS = (
    Param("mapping", {"type": "string", "minLength": 1, "maxLength": 80},
          "native, salesforce-activities, salesforce-opportunities, hubspot-activities, "
          "hubspot-deals or a saved mapping's name; left out: detected from the columns"),
    Param("skip_invalid", {"type": "boolean"},
          "true: store the good rows and report the bad ones"))
FILE_BODY = {"requestBody": {"required": True, "content": {
    media: {"schema": {"type": "string", "format": "binary"}}
    for media in ("text/csv", "text/plain", "application/octet-stream")}}}
FILE_TYPES = ("text/csv", "text/plain", "application/octet-stream",
              "text/tab-separated-values")


FILE_OPERATION = {"tag": "Outcomes", "response": schemas.FileImportResult, "params": FILE_PARAMS,
                  "problems": (400, 409, 413, 415, 422), "description": FILE_RULES,
                  "extra": FILE_BODY}


@api_access(*UPLOADERS, write=True)
@operation("Import a CRM export of activities", **FILE_OPERATION)
def import_activities_file():
    return _import_file("activities")


@api_access(*UPLOADERS, write=True)
@operation("Import a file of quotas", **FILE_OPERATION)
def import_quotas_file():
    return _import_file("quotas")


def _import_file(kind: str):
    if request.mimetype not in FILE_TYPES:
        raise ApiProblem(415, "send the file itself as the body, with 'Content-Type: text/csv'")
    mapping = request.args.get("mapping")
    if mapping is not None and not 1 <= len(mapping) <= 80:
        raise ApiProblem(400, "mapping must have 1 to 80 characters; leave it out to detect "
                              "the format")
    skip = request.args.get("skip_invalid", "false")
    if skip not in ("true", "false"):
        raise ApiProblem(400, "skip_invalid must be true or false")
    data = request.get_data(cache=False)
    try:
        found = import_file(data, kind, skip_invalid=skip == "true", today=dt.date.today(),
                            mapping_name=mapping, uploader=current_user,
                            types=current_app.config["ACTIVITY_TYPES"])
    except ImportFileError as exc:
        db.session.rollback()
        raise ApiProblem(422, str(exc)) from None
    return _stored_file(found)


def _stored_file(found: CrmImport):
    report = found.report
    try:
        if not report.imported:
            db.session.rollback()
            raise ApiProblem(422, f"{report.bad_rows} bad row{'' if report.bad_rows == 1 else 's'}"
                                  "; nothing was stored", errors=[
                {"pointer": f"/lines/{e.line}" + (f"/{e.field}" if e.field else ""),
                 "detail": e.message} for e in report.errors[:1000]])
        db.session.commit()
    except (IntegrityError, ChangedMeanwhile):
        db.session.rollback()
        raise ApiProblem(409, CONFLICT) from None
    shape = found.shape
    return respond(schemas.FileImportResult, {
        "received": report.created + report.updated + report.unchanged,
        "created": report.created, "updated": report.updated, "unchanged": report.unchanged,
        "skipped": found.skipped, "achievements_changed": report.achievements_changed,
        "shape": {"encoding": shape.encoding, "delimiter": shape.delimiter,
                  "header_line": shape.header_line, "mapping": shape.mapping_name,
                  "dates": shape.dates, "footer_lines": shape.footer_lines}})


def _activity_cells(record: schemas.ActivityIn) -> tuple[str, ...]:
    return (record.external_id, record.rep_email, record.occurred_on, record.type,
            _cell(record.quantity), _cell(record.amount))


def _cell(number: int | float) -> str:
    """A JSON number as the CSV cell the import's checks read (and their messages quote)."""
    # -10, not -10.0, as it was most likely sent; but 1e+308, not its 309 digits
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e16:
        return str(int(number))
    return str(number)


def _store(run_import: Callable[[], RampImportReport], key: str, received: int):
    """Run the import (which brings the achievements of the reps it touched up to date);
    commit when every item is good, else store nothing."""
    try:
        report = run_import()
        if not report.imported:
            db.session.rollback()
            bad = report.bad_rows
            raise ApiProblem(422, f"{bad} of {received} items {'is' if bad == 1 else 'are'} "
                                  "not valid; nothing was stored",
                             errors=_pointers(report.errors, key))
        db.session.commit()
    except (IntegrityError, ChangedMeanwhile):  # a concurrent batch wrote the same records
        db.session.rollback()
        raise ApiProblem(409, CONFLICT) from None
    return respond(schemas.BatchResult, {
        "received": received, "created": report.created, "updated": report.updated,
        "unchanged": report.unchanged,
        "achievements_changed": report.achievements_changed})


def _pointers(errors: list[CellError], key: str) -> list[dict]:
    return [{"pointer": f"/{key}/{error.line}" + (f"/{error.field}" if error.field else ""),
             "detail": error.message} for error in errors]
