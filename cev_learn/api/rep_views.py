"""A rep's progress and submitted quiz attempts, for the staff who may see the rep's page."""
import datetime as dt

from flask_login import current_user

from cev_learn.accounts import policy
from cev_learn.accounts.models import User
from cev_learn.accounts.policy import STAFF_ROLES
from cev_learn.analytics import readiness_data
from cev_learn.analytics.pages import this_week
from cev_learn.api import people_schemas as schemas
from cev_learn.api.auth import api_access
from cev_learn.api.blueprint import respond
from cev_learn.api.spec import operation
from cev_learn.cohorts.access import Rule, visible_placed_rep
from cev_learn.cohorts.models import Membership
from cev_learn.cohorts.schedule import WEEK, WorkItem
from cev_learn.platform.problems import ApiProblem
from cev_learn.quizzes import queries as quiz_queries
from cev_learn.ramp.standing import RepSummary, rep_summary



def rep_for(user_id: int, rule: Rule = policy.can_view_rep) -> User:
    """The rep if the token's user passes `rule` for them; 404 otherwise, as on the pages."""
    return placed_rep_for(user_id, rule)[0]


def placed_rep_for(user_id: int, rule: Rule = policy.can_view_rep
                   ) -> tuple[User, Membership | None]:
    """`rep_for`, with the rep's current membership (None: in no cohort): one statement."""
    found = visible_placed_rep(current_user, user_id, rule)
    if found is None:
        raise ApiProblem(404, f"no rep {user_id} that this token may see")
    return found


@api_access(*STAFF_ROLES)
@operation("A rep's track items, quiz results, milestones and weekly pace", tag="Reps",
           response=schemas.RepProgress, problems=(404,),
           description="The same facts as the rep's page. A rep in no cohort has only `rep`.")
def rep_progress(user_id: int):
    rep = rep_for(user_id)
    today = dt.date.today()
    summary = rep_summary(rep, today)
    body = {"rep": rep} if summary is None else {"rep": rep, **_progress(summary, today)}
    return respond(schemas.RepProgress, body)


def _progress(summary: RepSummary, today: dt.date) -> dict:
    membership = summary.membership
    week, pace = this_week(membership, today)
    return {"cohort": membership.cohort, "track": summary.track_data.track.slug,
            "start_on": summary.start_on, "end_on": membership.end_on,
            "tenure_day": summary.tenure, "standing": summary.standing.value,
            "items": [{"kind": i.kind, "source": i.source, "title": i.title, "due_on": i.due_on,
                       "done_on": i.done_on, "status": item_status(i, today)}
                      for i in summary.items],
            "quizzes": _quiz_results(summary), "milestones": _milestones(summary),
            "week": {"tenure_week": week, "pace": pace}}


@api_access(*STAFF_ROLES)
@operation("A rep's readiness score, per competency, with its change over 7 and 28 days",
           tag="Reps", response=schemas.RepReadiness, problems=(404,),
           description="The score of the rep's page (docs/metrics.md); `readiness` is null for "
                       "a rep in no cohort or on a track without competencies.")
def rep_readiness(user_id: int):
    rep = rep_for(user_id)
    today = dt.date.today()
    summary = rep_summary(rep, today)
    return respond(schemas.RepReadiness, {
        "rep": rep, "as_of": today,
        "readiness": _readiness(summary, today) if summary is not None else None})


def _readiness(summary: RepSummary, today: dt.date) -> dict | None:
    """The rep's readiness as on their page (one statement; none without competencies)."""
    found = readiness_data.scores([summary.membership],
                                  {summary.track_data.track.id: summary.track_data},
                                  today).get(summary.rep.id)
    if found is None:
        return None

    def change(now, then):
        return None if now is None or then is None else round(now - then, 1)

    def points(value):
        return None if value is None else round(100 * value, 1)

    return {"score": None if found.score is None else round(found.score, 1),
            "change_7_days": change(found.score, found.trend[7]),
            "change_28_days": change(found.score, found.trend[28]),
            "competencies": [{"slug": c.slug, "title": c.title, "score": points(c.score),
                              "change_7_days": change(points(c.score), points(c.trend[7])),
                              "change_28_days": change(points(c.score), points(c.trend[28]))}
                             for c in found.competencies]}


def item_status(item: WorkItem, today: dt.date) -> str:
    if item.done_on is not None:
        return "done"
    if item.overdue(today):
        return "overdue"
    if item.due_on is not None and item.due_on < today + dt.timedelta(days=WEEK):
        return "due"
    return "upcoming"


def _quiz_results(summary: RepSummary) -> list[dict]:
    """Every quiz of the track and every quiz the rep attempted (one statement)."""
    results = {quiz.id: {"slug": quiz.slug, "title": quiz.title, "best_score": None,
                         "passed": False, "attempts_used": 0, "max_attempts": quiz.max_attempts}
               for quiz in summary.track_data.quizzes.values()}
    for quiz, used, best, passed in quiz_queries.attempted_quizzes(summary.rep):
        results[quiz.id] = {"slug": quiz.slug, "title": quiz.title, "best_score": best,
                            "passed": bool(passed), "attempts_used": used,
                            "max_attempts": quiz.max_attempts}
    return sorted(results.values(), key=lambda r: r["slug"])


def _milestones(summary: RepSummary) -> list[dict]:
    return [{"slug": line.milestone.slug, "title": line.milestone.title, "due_on": line.due_on,
             "achieved_on": line.achieved_on,
             "status": line.standing.value if line.standing else None,
             "progress": line.progress, "source": line.source if line.achieved_on else None}
            for line in summary.milestones]


@api_access(*STAFF_ROLES)
@operation("A rep's submitted quiz attempts", tag="Reps", response=schemas.AttemptList,
           problems=(404,),
           description="Results only: questions, answers and answer keys are never included. "
                       "Attempts still in progress are left out.")
def rep_attempts(user_id: int):
    rep = rep_for(user_id)
    attempts = quiz_queries.submitted_attempts(rep)
    return respond(schemas.AttemptList, {"items": [
        {"quiz": a.quiz.slug, "quiz_title": a.quiz.title, "attempt_no": a.attempt_no,
         "state": a.state.value, "started_at": a.started_at, "submitted_at": a.submitted_at,
         "score": a.score, "passed": a.passed} for a in attempts]})
