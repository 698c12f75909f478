"""Bodies of the outcome endpoints: CRM activities and quotas in (the columns of docs/formats.md),
onboarding progress out as xAPI 1.0.3 statements.

Request fields only fix the JSON types; the rules on the values (required, dates, known types,
no negative numbers, no duplicates) are the CSV import's own, applied by the views, and are
described here for the OpenAPI document.
"""
import datetime as dt
from typing import Literal

from flask import current_app, has_app_context
from pydantic import Field, field_validator, model_serializer
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from cev_learn.api.people_schemas import MAX_EMAIL
from cev_learn.api.schemas import Out, Strict
from cev_learn.api.text_patterns import any_case, stripped, visible_text
from cev_learn.platform.activity_types import ACTIVITY_TYPES
from cev_learn.ramp.csv_imports import MAX_AMOUNT, MAX_EXTERNAL_ID, MAX_QUANTITY

MAX_BATCH = 1000
REP_EMAIL = {"minLength": 1, "maxLength": MAX_EMAIL, "pattern": visible_text()}
# YYYY-MM from 0001-01 on, as the import reads a month
MONTH = stripped("(?:[0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"
                 "-(?:0[1-9]|1[0-2])")


def at_most_a_batch(items):
    """Refuse an over-long list before its items are checked, with a message saying what to do."""
    if isinstance(items, list) and len(items) > MAX_BATCH:
        raise PydanticCustomError("too_long", "at most {limit} items per request, not {count}; "
                                              "send the rest in another request",
                                  {"limit": f"{MAX_BATCH:,}", "count": f"{len(items):,}"})
    return items


# --- Activities and quotas -------------------------------------------------------------------

def _activity_types(schema: dict) -> None:
    """The type of an activity is one this installation knows (its ACTIVITY_TYPES setting,
    read when the document is made), in any case."""
    types = current_app.config["ACTIVITY_TYPES"] if has_app_context() else ACTIVITY_TYPES
    schema["pattern"] = any_case(types)


class ActivityIn(Strict):
    external_id: str = Field(description=f"The CRM's id of the activity (1 to "
                                         f"{MAX_EXTERNAL_ID} characters, not blank); sending "
                                         "it again updates that record",
                             json_schema_extra={"minLength": 1, "maxLength": MAX_EXTERNAL_ID,
                                                "pattern": visible_text()})
    rep_email: str = Field(description="Email of a rep (any case)",
                           json_schema_extra=REP_EMAIL)
    occurred_on: str = Field(description="The day it happened, YYYY-MM-DD",
                             json_schema_extra={"format": "date"})
    type: str = Field(description=f"{', '.join(ACTIVITY_TYPES)} or a type the installation "
                                  "adds in EXTRA_ACTIVITY_TYPES, in any case",
                      json_schema_extra=_activity_types)
    quantity: int = Field(1, strict=True, description="How many (calls, meetings…)",
                          json_schema_extra={"minimum": 0, "maximum": MAX_QUANTITY})
    amount: float = Field(0.0, strict=True, description="Value, e.g. of a won deal",
                          json_schema_extra={"minimum": 0, "maximum": MAX_AMOUNT})


class ActivityBatch(Strict):
    records: list[ActivityIn] = Field(min_length=1, max_length=MAX_BATCH)

    _at_most_a_batch = field_validator("records", mode="before")(at_most_a_batch)


class QuotaIn(Strict):
    rep_email: str = Field(description="Email of a rep (any case)",
                           json_schema_extra=REP_EMAIL)
    month: str = Field(description="The calendar month, YYYY-MM", json_schema_extra={
        "pattern": MONTH})
    amount: float = Field(strict=True, description="The rep's full quota for the month",
                          json_schema_extra={"minimum": 0, "maximum": MAX_AMOUNT})


class QuotaBatch(Strict):
    quotas: list[QuotaIn] = Field(min_length=1, max_length=MAX_BATCH)

    _at_most_a_batch = field_validator("quotas", mode="before")(at_most_a_batch)


class BatchResult(Out):
    received: int = Field(description="Items in the request")
    created: int
    updated: int
    unchanged: int
    achievements_changed: int = Field(
        description="Milestone achievements of the reps concerned that this batch changed")


class FileShapeOut(Out):
    encoding: str = Field(description="UTF-8, UTF-8 with byte order mark, UTF-16 (…), "
                                      "Windows-1252")
    delimiter: str = Field(description="comma, semicolon or tab")
    header_line: int
    mapping: str = Field(description="The mapping's name: native, a built-in one or a saved one")
    dates: str | None = Field(None, description="How dates were read, for a mapping with dates")
    footer_lines: int = Field(description="Lines of a report's footer left out")


class FileImportResult(Out):
    received: int = Field(description="Rows read from the file as records (a deal may give two)")
    created: int
    updated: int
    unchanged: int
    skipped: dict[str, int] = Field(description="Rows left out by the mapping, by reason "
                                                "(e.g. a type it does not count)")
    achievements_changed: int
    shape: FileShapeOut


# --- xAPI ----------------------------------------------------------------------------------

class XapiOut(Out):
    """xAPI objects leave out the properties they do not have: xAPI forbids null values."""

    @model_serializer(mode="wrap")
    def _without_nulls(self, handler):
        return {key: value for key, value in handler(self).items() if value is not None}


class XapiActor(XapiOut):
    objectType: Literal["Agent"]
    name: str
    mbox: str = Field(description="mailto: IRI of the rep's email")


class XapiVerb(XapiOut):
    id: str = Field(description="The verb's IRI")
    display: dict[str, str] = Field(description="Language map")


class XapiActivityDefinition(XapiOut):
    name: dict[str, str] = Field(description="Language map")
    type: str = Field(description="The activity type's IRI")


class XapiActivity(XapiOut):
    objectType: Literal["Activity"]
    id: str = Field(description="The activity's IRI")
    definition: XapiActivityDefinition


class XapiScore(XapiOut):
    scaled: float = Field(ge=-1, le=1)


class XapiResult(XapiOut):
    score: XapiScore
    success: bool
    completion: bool


class XapiStatement(XapiOut):
    id: str = Field(description="A UUID, the same each time the statement is read",
                    json_schema_extra={"format": "uuid"})
    timestamp: dt.datetime = Field(description="When the rep did it")
    actor: XapiActor
    verb: XapiVerb
    object: XapiActivity
    result: XapiResult | SkipJsonSchema[None] = Field(
        None, description="Quiz attempts and coaches' reviews of practice recordings only")


class XapiStatementResult(Out):
    """The xAPI StatementResult."""

    statements: list[XapiStatement]
    more: str = Field(description="Relative URL of the next page; empty on the last page")
