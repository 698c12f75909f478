"""A rep's achievements: read them, and record or correct one as a coach does on the rep's
page (same access, same rules; the API's entries have source "api")."""
import datetime as dt

from flask import request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from cev_learn.accounts import policy
from cev_learn.accounts.models import User
from cev_learn.accounts.policy import STAFF_ROLES
from cev_learn.api import people_schemas as schemas
from cev_learn.api.auth import api_access
from cev_learn.api.blueprint import json_body, respond
from cev_learn.api.rep_views import placed_rep_for, rep_for
from cev_learn.api.spec import Param, operation
from cev_learn.cohorts.models import Membership
from cev_learn.content.models import Milestone
from cev_learn.content.track_data import track_data
from cev_learn.platform.db import db
from cev_learn.platform.problems import ApiProblem
from cev_learn.ramp import achievements, queries
from cev_learn.ramp.models import Achievement

API = "api"
HISTORY = Param("history", {"type": "boolean", "default": False},
                "Also list every change, oldest first")


@api_access(*STAFF_ROLES)
@operation("The milestones a rep has reached, as stored", tag="Milestones",
           response=schemas.AchievementList, params=(HISTORY,), problems=(400, 404))
def rep_achievements(user_id: int):
    rep = rep_for(user_id)
    body = {"items": [_achievement(*row) for row in queries.achievements_of(rep.id)]}
    if _wants_history():
        body["history"] = _history(rep)
    return respond(schemas.AchievementList, body)


def _wants_history() -> bool:
    value = request.args.get("history", "").lower()
    if value not in ("", "true", "false", "1", "0"):
        raise ApiProblem(400, f"history {value!r} is not true or false")
    return value in ("true", "1")


def _achievement(stored: Achievement | None, milestone: Milestone, track: str,
                 recorded_by: str | None) -> dict:
    return {"milestone": milestone.slug, "title": milestone.title, "track": track,
            "achieved_on": stored.achieved_on if stored else None,
            "source": stored.source if stored else None, "recorded_by": recorded_by,
            "note": stored.note if stored else None}


def _history(rep: User) -> list[dict]:
    return [{"milestone": slug, "track": track, "achieved_on": change.achieved_on,
             "source": change.source, "recorded_by": email, "note": change.note,
             "created_at": change.created_at}
            for change, slug, track, email in queries.achievement_history(rep.id)]


@api_access(*STAFF_ROLES, write=True)
@operation("Record or correct the day a rep reached a milestone", tag="Milestones",
           request=schemas.AchievementIn, response=schemas.AchievementOut, problems=(404, 409),
           description="As a coach does on the rep's page: the date wins over what cev_learn "
                       "measures until it is cleared with null. Sending the same body again "
                       "changes nothing. 404 when the milestone is not on the rep's track.")
def record_achievement(user_id: int, milestone_slug: str):
    rep, membership = placed_rep_for(user_id, policy.can_coach_rep)
    milestone = _milestone(membership, milestone_slug)
    body = json_body(schemas.AchievementIn)
    today = dt.date.today()
    problem = achievements.hand_date_problem(body.achieved_on, membership.effective_start_on, today)
    if problem:
        raise ApiProblem(422, "the achievement was not saved; see errors",
                         errors=[{"pointer": "/achieved_on", "detail": problem}])
    note, track = body.note or None, membership.cohort.track.slug
    stored = queries.achievement(rep.id, milestone.id)
    current = stored[0] if stored else None
    if _unchanged(current, body.achieved_on, note):
        return respond(schemas.AchievementOut, _achievement(*stored) if stored else
                       _achievement(None, milestone, track, None))
    try:
        now = achievements.record_milestone(
            rep=rep, milestone=milestone, achieved_on=body.achieved_on, note=note,
            actor=current_user, today=today, source=API, current=current)
        by = current_user.email if body.achieved_on else None  # read before the commit
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ApiProblem(409, "this achievement was changed by another request at the same "
                              "time; send it again") from None
    return respond(schemas.AchievementOut, _achievement(now, milestone, track, by))


def _milestone(membership: Membership | None, slug: str) -> Milestone:
    """The active milestone with this slug on the rep's track (read with the track's data,
    which this process keeps)."""
    milestones = [] if membership is None else track_data(
        [membership.cohort.track])[membership.cohort.track_id].milestones
    milestone = next((m for m in milestones if m.slug == slug), None)
    if milestone is None:
        raise ApiProblem(404, f"no milestone {slug!r} on this rep's track")
    return milestone


def _unchanged(current: Achievement | None, achieved_on: dt.date | None,
               note: str | None) -> bool:
    """Whether recording this would change nothing, so a repeated request writes nothing."""
    if achieved_on is None:  # nothing recorded by hand to clear
        return current is None or current.source == achievements.AUTO
    return current is not None and (current.source, current.achieved_on, current.note) == (
        API, achieved_on, note)
