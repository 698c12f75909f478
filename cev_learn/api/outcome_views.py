"""CRM outcomes in batches: activities and quotas, checked by the rules of the CSV import and
stored by its service, all or nothing (docs/formats.md).

Like the upload page, a manager limited to a territory sends outcomes only for the reps they
manage, and changes only records of those reps.
"""
import datetime as dt
from collections.abc import Callable

from flask import current_app
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from cev_learn.api import outcome_schemas as schemas
from cev_learn.api.auth import api_access
from cev_learn.api.blueprint import json_body, respond
from cev_learn.api.spec import operation
from cev_learn.platform.db import db
from cev_learn.platform.problems import ApiProblem
from cev_learn.ramp.csv_imports import CellError, check_activity_cells, check_quota_cells
from cev_learn.ramp.import_service import (UPLOADERS, RampImportReport, import_activity_rows,
                                           import_quota_rows)

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
    except IntegrityError:  # a concurrent batch inserted the same external_id or month
        db.session.rollback()
        raise ApiProblem(409, CONFLICT) from None
    return respond(schemas.BatchResult, {
        "received": received, "created": report.created, "updated": report.updated,
        "unchanged": report.unchanged,
        "achievements_changed": report.achievements_changed})


def _pointers(errors: list[CellError], key: str) -> list[dict]:
    return [{"pointer": f"/{key}/{error.line}" + (f"/{error.field}" if error.field else ""),
             "detail": error.message} for error in errors]
