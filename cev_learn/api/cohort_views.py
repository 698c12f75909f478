"""Cohorts: list, one with its reps, and its ramp report (docs/formats.md)."""
import datetime as dt

from flask_login import current_user

from cev_learn.accounts.models import User
from cev_learn.accounts.policy import STAFF_ROLES
from cev_learn.analytics.reports import cohort_ramp
from cev_learn.api import schemas
from cev_learn.api.auth import api_access
from cev_learn.api.blueprint import query_date, respond
from cev_learn.api.spec import Param, operation
from cev_learn.cohorts import access, queries
from cev_learn.cohorts.models import Cohort
from cev_learn.platform import caching
from cev_learn.platform.problems import ApiProblem



def visible_cohort(cohort_id: int) -> Cohort:
    cohort = access.visible_cohort(current_user, cohort_id)
    if cohort is None:
        raise ApiProblem(404, f"no cohort {cohort_id} that this token may see")
    return cohort


def _cohort_rows(cohorts: list[Cohort]) -> list[dict]:
    ids = [c.id for c in cohorts]
    coaches = queries.cohort_coaches(ids, order_by=User.email)
    reps = queries.rep_counts(ids)
    return [{"id": c.id, "name": c.name, "track": c.track.slug, "start_on": c.start_on,
             "territory": c.territory, "coaches": [coach.email for coach in coaches[c.id]],
             "reps": reps.get(c.id, 0)}
            for c in cohorts]


@api_access(*STAFF_ROLES)
@operation("List the cohorts this token may see", tag="Cohorts", response=schemas.CohortList)
def cohorts():
    found = queries.cohorts_by_start(current_user)
    return respond(schemas.CohortList, {"items": _cohort_rows(found)})


@api_access(*STAFF_ROLES)
@operation("One cohort and its reps", tag="Cohorts", response=schemas.CohortDetail,
           problems=(404,))
def cohort(cohort_id: int):
    found = visible_cohort(cohort_id)
    (row,) = _cohort_rows([found])
    members = queries.current_memberships(cohort_ids=[found.id])
    row["members"] = sorted(({"id": m.user.id, "email": m.user.email, "name": m.user.name,
                              "start_on": m.effective_start_on, "end_on": m.end_on}
                             for m in members), key=lambda r: r["email"])
    return respond(schemas.CohortDetail, row)


@api_access(*STAFF_ROLES)
@operation("Time to productivity, milestones and ramp curve of a cohort", tag="Cohorts",
           response=schemas.RampReport, problems=(400, 404),
           params=(Param("as_of", {"type": "string", "format": "date"},
                         "Report as on this day (records after it are ignored); default today"),),
           description="The same JSON as `cev-learn ramp cohort NAME --as-of DATE --json`.")
def cohort_ramp_report(cohort_id: int):
    found = visible_cohort(cohort_id)
    today = dt.date.today()
    as_of = query_date("as_of", today)
    report = caching.cached(f"ramp-json-{found.id}", (as_of,), lambda: cohort_ramp(found, as_of),
                            today=today, scopes=[caching.cohort_scope(found.id)])
    return respond(schemas.RampReport, report)
