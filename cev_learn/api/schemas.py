"""Request and response bodies of the API, as pydantic models (they also write the OpenAPI
schemas). Field names follow the CSV and JSON contracts of docs/formats.md."""
import datetime as dt
import re
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError


class Strict(BaseModel):
    """Request bodies: unknown fields are an error, like unknown CSV columns."""

    model_config = ConfigDict(extra="forbid")


def _date_text(value):
    """A date is sent as YYYY-MM-DD text, as the document says: not as a number of seconds
    or a date and time, which pydantic would otherwise read as one."""
    if not (isinstance(value, str) and ISO_DATE.fullmatch(value)):
        raise PydanticCustomError("date_type", "Input should be a date as YYYY-MM-DD text")
    return value


ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
Day = Annotated[dt.date, BeforeValidator(_date_text)]  # a request body's date


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- Cohorts --------------------------------------------------------------------------------

class CohortOut(Out):
    id: int
    name: str
    track: str
    start_on: dt.date
    territory: str | None
    coaches: list[str] = Field(description="Coaches' emails")
    reps: int = Field(description="Reps now in the cohort, leavers included")


class CohortList(Out):
    items: list[CohortOut]


class CohortRep(Out):
    id: int
    email: str
    name: str
    start_on: dt.date
    end_on: dt.date | None


class CohortDetail(CohortOut):
    members: list[CohortRep]


class MilestoneSummary(Out):
    slug: str
    achieved: int
    median_days: int | None


class RampPoint(Out):
    month: int
    n: int
    p25: float
    median: float
    p75: float


class RampReport(Out):
    """docs/formats.md: the same JSON as `cev-learn ramp cohort NAME --json`."""

    cohort: str
    as_of: dt.date
    track: str
    reps: int
    productive: int
    censored: int
    median_days_to_productivity: int | None
    pct_productive_by_day: dict[str, float]
    milestones: list[MilestoneSummary]
    ramp_curve: list[RampPoint]
