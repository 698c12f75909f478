"""Bodies of the users, reps and achievements endpoints (conventions as in schemas.py).
A user's fields are named as the columns of users.csv (docs/formats.md)."""
import datetime as dt
from typing import Literal

from pydantic import Field

from cev_learn.accounts.models import Role, User
from cev_learn.api.schemas import Day, Out, Strict
from cev_learn.api.text_patterns import DIRECTION_CONTROLS, any_case, text, visible_text
from cev_learn.cohorts.models import Cohort
from cev_learn.cohorts.user_import import MAX_NAME, MAX_TERRITORY

MAX_EMAIL = User.email.type.length  # 254, the longest address SMTP carries
MAX_COHORT_NAME = Cohort.name.type.length
EMAIL = {"format": "email", "maxLength": MAX_EMAIL}


def _email_or_empty(schema: dict) -> None:
    """An optional email: an address, or null or empty for none (as a blank CSV cell)."""
    schema["anyOf"] = [{"type": "string", **EMAIL}, {"type": "string", "maxLength": 0},
                       {"type": "null"}]

RoleName = Literal["rep", "coach", "manager", "admin"]
Standing = Literal["complete", "on_track", "at_risk", "behind"]
MilestoneStatus = Literal["complete", "on_track", "not_started", "at_risk", "behind"]

# --- Users ----------------------------------------------------------------------------------


class UserIn(Strict):
    """One user, checked and applied like one row of users.csv; matched by email."""

    email: str = Field(description="Matched case-insensitively; stored in lower case",
                       json_schema_extra=EMAIL)
    name: str = Field(description=f"At most {MAX_NAME} characters, not blank, without "
                                  "text-direction controls (U+061C, U+200E, U+200F, "
                                  "U+202A–U+202E, U+2066–U+2069)",
                      json_schema_extra={"maxLength": MAX_NAME,
                                         "pattern": visible_text(forbidden=DIRECTION_CONTROLS)})
    role: str = Field(description="rep, coach, manager or admin, in any case",
                      json_schema_extra={"pattern": any_case(r.value for r in Role)})
    territory: str | None = Field(None, description="Left out, null or empty: an existing "
                                                    f"user keeps theirs. At most "
                                                    f"{MAX_TERRITORY} characters, without "
                                                    "text-direction controls",
                                  json_schema_extra={"maxLength": MAX_TERRITORY,
                                                     "pattern": text(forbidden=DIRECTION_CONTROLS)})
    cohort: str | None = Field(None, description="Name of the cohort to place a rep in "
                                                 "(reps only)",
                               json_schema_extra={"maxLength": MAX_COHORT_NAME,
                                                  "pattern": text()})
    start_date: Day | None = Field(None, description="The rep's own start date (reps "
                                                         "only, with a cohort); left out: the "
                                                         "cohort's")
    end_date: Day | None = Field(None, description="The day a leaver left (reps only, with "
                                                       "a cohort); not before start_date")
    coach_email: str | None = Field(None, description="A coach, manager or admin added to the "
                                                      "coaches of the rep's cohort (reps only, "
                                                      "with a cohort); null or empty: none",
                                    json_schema_extra=_email_or_empty)
    invite: bool = Field(False, strict=True, description="Email the user a one-time link to choose a "
                                            "password (valid a week) if they have none yet and "
                                            "no open invitation; never sent twice")


class UserOut(Out):
    id: int
    email: str
    name: str
    role: RoleName
    territory: str | None
    active: bool
    cohort: str | None = Field(description="The current cohort's name (reps)")
    start_date: dt.date | None = Field(description="The rep's own start date; null: the "
                                                   "cohort's")
    end_date: dt.date | None


class UserSaved(UserOut):
    invitation: Literal["sent", "not_delivered", "already_open", "not_needed"] | None = Field(
        description="With invite: sent now; not delivered (the mail server refused it: it stays "
                    "queued for the next send); an open invitation was already sent; or not "
                    "needed (the user has a password or is deactivated). Null without invite")


class UserList(Out):
    items: list[UserOut]
    page: int
    per_page: int
    total: int


# --- Reps -----------------------------------------------------------------------------------


class RepRef(Out):
    id: int
    email: str
    name: str


class CohortRef(Out):
    id: int
    name: str


class TrackItemOut(Out):
    kind: Literal["module", "quiz"]
    source: Literal["track", "assignment"]
    title: str
    due_on: dt.date | None
    done_on: dt.date | None
    status: Literal["done", "overdue", "due", "upcoming"] = Field(
        description="due: due within the next seven days")


class QuizResultOut(Out):
    slug: str
    title: str
    best_score: float | None = Field(description="Fraction 0..1 over submitted attempts")
    passed: bool
    attempts_used: int
    max_attempts: int | None


class MilestoneProgressOut(Out):
    slug: str
    title: str
    due_on: dt.date
    achieved_on: dt.date | None
    status: MilestoneStatus | None = Field(
        description="at_risk only when the due day is near and the pace falls short of it; "
                    "not_started: nothing towards it yet, the due day not near; null: measured "
                    "from CRM data not imported yet")
    progress: float | None = Field(description="Progress ÷ target, 0..1")
    source: str | None = Field(description="auto (measured), coach, import or api")


class PaceOut(Out):
    activity: str
    actual: int
    target: float | None
    pace: float | None = Field(description="actual ÷ target")


class WeekOut(Out):
    tenure_week: int = Field(description="0 before the start date or without weekly targets")
    pace: list[PaceOut]


class CompetencyOut(Out):
    slug: str
    title: str
    score: float | None = Field(description="0..100; null while none of its measures can be "
                                            "read yet")
    change_7_days: float | None = Field(description="score minus the score 7 days before")
    change_28_days: float | None = Field(description="score minus the score 28 days before")


class ReadinessOut(Out):
    score: float | None = Field(description="0..100, the weighted mean of the competencies "
                                            "(docs/metrics.md)")
    change_7_days: float | None
    change_28_days: float | None
    competencies: list[CompetencyOut]


class RepReadiness(Out):
    """A rep's readiness score as on their page."""

    rep: RepRef
    as_of: dt.date
    readiness: ReadinessOut | None = Field(
        None, description="null for a rep in no cohort or on a track without competencies")


class RepProgress(Out):
    """A rep's standing as on their page; the cohort fields are null for a rep in no cohort."""

    rep: RepRef
    cohort: CohortRef | None = None
    track: str | None = None
    start_on: dt.date | None = None
    end_on: dt.date | None = None
    tenure_day: int | None = None
    standing: Standing | None = None
    items: list[TrackItemOut] = []
    quizzes: list[QuizResultOut] = []
    milestones: list[MilestoneProgressOut] = []
    week: WeekOut | None = None


class AttemptOut(Out):
    """A submitted attempt: its result only, never questions or answers."""

    quiz: str = Field(description="The quiz's slug")
    quiz_title: str
    attempt_no: int
    state: Literal["needs_grading", "graded"]
    started_at: dt.datetime
    submitted_at: dt.datetime | None
    score: float | None
    passed: bool | None


class AttemptList(Out):
    items: list[AttemptOut]


# --- Achievements ---------------------------------------------------------------------------


class AchievementIn(Strict):
    achieved_on: Day | None = Field(
        description="The day the rep reached the milestone (not in the future, not before "
                    "their start); null clears a recorded date so it is measured again")
    note: str | None = Field(None, max_length=500, json_schema_extra={"pattern": text()})


class AchievementOut(Out):
    milestone: str = Field(description="The milestone's slug")
    title: str
    track: str
    achieved_on: dt.date | None
    source: str | None = Field(description="auto (measured), coach, import or api")
    recorded_by: str | None = Field(description="Email of who recorded it by hand")
    note: str | None


class AchievementChangeOut(Out):
    milestone: str
    track: str
    achieved_on: dt.date | None = Field(description="null: cleared")
    source: str
    recorded_by: str | None
    note: str | None
    created_at: dt.datetime


class AchievementList(Out):
    items: list[AchievementOut]
    history: list[AchievementChangeOut] | None = Field(
        None, description="Every change, oldest first (with ?history=true)")


# --- Certificates ---------------------------------------------------------------------------


class CertificateOut(Out):
    id: int
    certification: str = Field(description="The certification's slug (track.yaml)")
    title: str
    track: str = Field(description="The slug of the track declaring the certification")
    earned_on: dt.date
    expires_on: dt.date = Field(description="The first day it is no longer valid")
    status: Literal["valid", "expired", "revoked", "superseded"] = Field(
        description="As of today; superseded: renewed by a later certificate")
    renewal_assigned_on: dt.date | None = Field(
        description="The day its holder was reminded and given the re-certification work")
    verification_url: str = Field(
        description="The public verification page: whoever has the link sees the title, the "
                    "holder's name, the validity and the dates")


class CertificateList(Out):
    items: list[CertificateOut]
