"""Reads about cohorts and their members: current memberships, a rep's start, the reps waiting
for a cohort, coaches, notes, sign-offs and quiz history. Where each rep stands (their work and
milestones) is the ramp's: ramp.standing.

Every function costs a fixed number of statements however many reps or items there are.
"""
import datetime as dt
from collections import defaultdict

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import aliased, defer, joinedload

from cev_learn.accounts import policy
from cev_learn.accounts.models import Role, User
from cev_learn.cohorts.access import visible_cohorts, visible_rep_filter
from cev_learn.cohorts.models import CoachingNote, Cohort, CohortCoach, Membership, Signoff
from cev_learn.content.track_data import TrackData
from cev_learn.platform.db import db
from cev_learn.quizzes.models import Attempt


def current_memberships(rep_ids=None, cohort_ids=None,
                        visible_to: User | None = None) -> list[Membership]:
    """Current memberships with their user, cohort and the cohort's track (one statement);
    only of reps `visible_to` may see, when given."""
    stmt = (select(Membership)
            .options(joinedload(Membership.cohort).joinedload(Cohort.track),
                     joinedload(Membership.user))
            .where(Membership.moved_out_at.is_(None)))
    if rep_ids is not None:
        stmt = stmt.where(Membership.user_id.in_(rep_ids))
    if cohort_ids is not None:
        stmt = stmt.where(Membership.cohort_id.in_(cohort_ids))
    if visible_to is not None:
        stmt = stmt.where(visible_rep_filter(visible_to, Membership.user_id))
    return list(db.session.scalars(stmt))


def rep_start_on(user: User) -> dt.date:
    """Day 0 of a rep's schedule: their start in their cohort (the cohort's or their own);
    without a cohort, the account's start date, else the day it was made."""
    membership = db.session.scalar(select(Membership).where(
        Membership.user_id == user.id, Membership.moved_out_at.is_(None)))
    if membership is not None:
        return membership.effective_start_on
    return user.start_on or user.created_at.date()


def placeholder_values(rep: User) -> dict[str, str | None]:
    """What the placeholders of modules name for this rep (`content.placeholders`): the
    coaches of their cohort and the managers of their territory (several joined by "or"), their
    cohort and their start date; None where there is none. Two statements."""
    coach = aliased(User)
    rows = db.session.execute(
        select(Membership, coach.name).options(joinedload(Membership.cohort))
        .outerjoin(CohortCoach, CohortCoach.cohort_id == Membership.cohort_id)
        .outerjoin(coach, and_(coach.id == CohortCoach.coach_id, coach.active.is_(True)))
        .where(Membership.user_id == rep.id, Membership.moved_out_at.is_(None))
        .order_by(coach.name)).all()
    membership = rows[0][0] if rows else None
    territory = policy.rep_territory(membership.cohort.territory if membership else None,
                                     membership is not None, rep)
    managers = list(db.session.scalars(select(User.name).where(
        User.role == Role.MANAGER, User.active.is_(True), User.territory == territory)
        .order_by(User.name))) if territory else []
    start = membership.effective_start_on if membership else rep.start_on
    return {"coach": " or ".join(name for _, name in rows if name) or None,
            "manager": " or ".join(managers) or None,
            "cohort": membership.cohort.name if membership else None,
            "start_date": f"{start.day} {start:%B %Y}" if start else None}


def cohorts_by_start(viewer: User) -> list[Cohort]:
    """The cohorts the viewer works with and their tracks, by start date and name."""
    return list(db.session.scalars(visible_cohorts(viewer).options(joinedload(Cohort.track))
                                   .order_by(Cohort.start_on, Cohort.name)))


def rep_counts(cohort_ids: list[int]) -> dict[int, int]:
    """How many reps each of these cohorts has now (those with none are left out)."""
    return dict(db.session.execute(
        select(Membership.cohort_id, func.count()).where(
            Membership.cohort_id.in_(cohort_ids), Membership.moved_out_at.is_(None))
        .group_by(Membership.cohort_id)).all())


def unplaced_reps(viewer: User, limit: int = 50) -> list:
    """The newest active reps in no cohort whom the viewer may place: the ones waiting."""
    placed = select(Membership.id).where(Membership.user_id == User.id,
                                         Membership.moved_out_at.is_(None))
    return db.session.execute(
        select(User.name, User.email)
        .where(User.role == Role.REP, User.active.is_(True), ~placed.exists(),
               visible_rep_filter(viewer, User.id))
        .order_by(User.created_at.desc(), User.id.desc()).limit(limit)).all()


def cohort_reps(cohort_id: int, today: dt.date, viewer: User) -> list[User]:
    """The reps now in a cohort whom the viewer may see, leavers left out (one statement)."""
    return [m.user for m in current_memberships(cohort_ids=[cohort_id], visible_to=viewer)
            if m.end_on is None or m.end_on >= today]


# Aliased: visible_rep_filter's subqueries name User and Membership themselves, and would
# otherwise correlate with (or lose their FROM to) this query's own tables.
Listed = aliased(User, name="listed_user")


def _visible_users(viewer: User) -> Select:
    """(user, their current cohort's name, their start and end dates in it) of the users the
    viewer may see: everyone for admins, the reps they may see for coaches and managers."""
    current = aliased(Membership)
    stmt = (select(Listed, Cohort.name, current.start_on, current.end_on)
            .outerjoin(current, and_(current.user_id == Listed.id,
                                     current.moved_out_at.is_(None)))
            .outerjoin(Cohort, Cohort.id == current.cohort_id))
    if viewer.role is not Role.ADMIN:
        stmt = stmt.where(Listed.role == Role.REP, visible_rep_filter(viewer, Listed.id))
    return stmt


def visible_users_page(viewer: User, *, role: Role | None, email: str, page: int,
                per_page: int) -> tuple[list, int]:
    """One page of `_visible_users` by id, only of a role and an email when given, and how many
    there are in all: two statements."""
    stmt = _visible_users(viewer)
    if role is not None:
        stmt = stmt.where(Listed.role == role)
    if email:
        stmt = stmt.where(Listed.email == email)
    total = db.session.scalar(select(func.count()).select_from(
        stmt.with_only_columns(Listed.id).subquery()))
    rows = db.session.execute(stmt.order_by(Listed.id).limit(per_page)
                              .offset((page - 1) * per_page)).all()
    return rows, total


def visible_user(viewer: User, *, user_id: int | None = None, email: str | None = None):
    """The row of `_visible_users` with this id or email; None when the viewer may not see them."""
    stmt = _visible_users(viewer)
    if user_id is not None:
        stmt = stmt.where(Listed.id == user_id)
    if email is not None:
        stmt = stmt.where(Listed.email == email)
    return db.session.execute(stmt).first()


def notes_for(rep: User, include_private: bool) -> list[CoachingNote]:
    stmt = (select(CoachingNote).options(joinedload(CoachingNote.author))
            .where(CoachingNote.user_id == rep.id).order_by(CoachingNote.created_at.desc()))
    if not include_private:
        stmt = stmt.where(CoachingNote.shared.is_(True))
    return list(db.session.scalars(stmt))


def signoffs_for(rep: User) -> list[Signoff]:
    return list(db.session.scalars(
        select(Signoff).options(joinedload(Signoff.rubric), joinedload(Signoff.coach))
        .where(Signoff.user_id == rep.id).order_by(Signoff.created_at.desc())))


def cohort_coaches(cohort_ids: list[int], order_by=User.name) -> dict[int, list[User]]:
    """The coaches of each cohort, by name (pages) or by `order_by` (the API: by email)."""
    rows = db.session.execute(select(CohortCoach.cohort_id, User).join(
        User, User.id == CohortCoach.coach_id).where(CohortCoach.cohort_id.in_(cohort_ids))
        .order_by(order_by))
    coaches = defaultdict(list)
    for cohort_id, user in rows:
        coaches[cohort_id].append(user)
    return coaches


def quiz_history(rep: User) -> list[Attempt]:
    return list(db.session.scalars(
        select(Attempt).options(joinedload(Attempt.quiz), defer(Attempt.layout, raiseload=True))
        .where(Attempt.user_id == rep.id).order_by(Attempt.started_at.desc()).limit(50)))


def assignable_items(data: TrackData, done: frozenset[str] = frozenset()) -> list:
    """Choices for an assignment: a prompt, then every active module and quiz of the track, as
    "module:<id>" or "quiz:<id>"; those in `done` (the rep finished or passed them) say so."""
    from wtforms.fields.choices import SelectChoice

    def choice(value: str, title: str, group: str):
        return SelectChoice(value, f"{title} (done)" if value in done else title, optgroup=group)

    modules = sorted(data.modules.values(), key=lambda m: m.number)
    quizzes = sorted(data.quizzes.values(), key=lambda q: q.title)
    return ([SelectChoice("", "Choose a module or quiz")]
            + [choice(f"module:{m.id}", m.title, "Modules") for m in modules]
            + [choice(f"quiz:{q.id}", q.title, "Quizzes") for q in quizzes])


def done_items(data: TrackData, items) -> frozenset[str]:
    """The assignment choices ("module:<id>", "quiz:<id>") of the work items a rep has done."""
    ids = {"module": {m.slug: m.id for m in data.modules.values()},
           "quiz": {q.slug: q.id for q in data.quizzes.values()}}
    return frozenset(f"{item.kind}:{ids[item.kind][item.target[item.kind]]}" for item in items
                     if item.done_on is not None and item.target.get(item.kind) in ids[item.kind])
