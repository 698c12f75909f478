"""Which reps a viewer may see: the facts the pure policy needs, loaded in one statement,
and the same rule as a SQL filter for lists."""
from collections.abc import Callable

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import aliased, joinedload

from cev_learn.accounts import policy
from cev_learn.accounts.models import Role, User
from cev_learn.cohorts.models import Cohort, CohortCoach, Membership
from cev_learn.db import db


Facts = tuple[str | None, frozenset[int]]  # the rep's cohort territory, its coaches' ids


def rep_facts(rep: User) -> Facts:
    """The territory of the rep's current cohort and the ids of its coaches."""
    return _facts(db.session.execute(
        select(Cohort.territory, CohortCoach.coach_id)
        .select_from(Membership).join(Cohort, Cohort.id == Membership.cohort_id)
        .outerjoin(CohortCoach, CohortCoach.cohort_id == Cohort.id)
        .where(Membership.user_id == rep.id, Membership.moved_out_at.is_(None))).all())


def _facts(rows) -> Facts:
    territory = rows[0][0] if rows else None
    return territory, frozenset(coach_id for _, coach_id in rows if coach_id is not None)


def can_view_rep(viewer: User, rep: User, facts: Facts | None = None) -> bool:
    if viewer.id == rep.id or viewer.role is Role.ADMIN:
        return True
    if viewer.role is Role.REP:
        return False
    return policy.can_view_rep(viewer, rep, *(facts or rep_facts(rep)))


def can_coach_rep(viewer: User, rep: User, facts: Facts | None = None) -> bool:
    if viewer.role is Role.REP or viewer.id == rep.id:
        return False
    return policy.can_coach_rep(viewer, rep, *(facts or rep_facts(rep)))


def visible_rep(viewer: User, user_id: int,
                rule: Callable[[User, User, Facts], bool] = can_view_rep) -> User | None:
    """The rep with this id if `rule` lets the viewer at them; None otherwise (callers answer
    404, so nobody learns which ids exist). The rep and the facts: one statement."""
    rows = db.session.execute(
        select(User, Cohort.territory, CohortCoach.coach_id)
        .outerjoin(Membership, and_(Membership.user_id == User.id,
                                    Membership.moved_out_at.is_(None)))
        .outerjoin(Cohort, Cohort.id == Membership.cohort_id)
        .outerjoin(CohortCoach, CohortCoach.cohort_id == Cohort.id)
        .where(User.id == user_id)).all()
    rep = rows[0][0] if rows else None
    if rep is None or rep.role is not Role.REP:
        return None
    facts = _facts([(territory, coach) for _, territory, coach in rows
                    if territory is not None or coach is not None])
    return rep if rule(viewer, rep, facts) else None


def visible_cohort(viewer: User, cohort_id: int) -> Cohort | None:
    """The cohort with this id (and its track) if the viewer works with it."""
    return db.session.scalar(visible_cohorts(viewer).options(joinedload(Cohort.track))
                             .where(Cohort.id == cohort_id))


def viewer_scope(viewer: User) -> tuple:
    """What decides which cohorts, reps and actions a viewer sees: a cached page's key names
    the viewer by this, so viewers who see the same share it."""
    return (viewer.role.value, viewer.territory if viewer.role is Role.MANAGER else None,
            viewer.id if viewer.role is Role.COACH else None)


def visible_cohorts(viewer: User) -> Select:
    """Cohorts a viewer works with, as a query (same rule as the policy)."""
    stmt = select(Cohort)
    if viewer.role is Role.COACH:
        stmt = stmt.where(exists().where(CohortCoach.cohort_id == Cohort.id,
                                         CohortCoach.coach_id == viewer.id))
    elif viewer.role is Role.MANAGER and viewer.territory is not None:
        stmt = stmt.where(Cohort.territory == viewer.territory)
    elif viewer.role is Role.REP:
        stmt = stmt.where(False)
    return stmt


def visible_rep_filter(viewer: User, user_id_column):
    """A SQL condition on a user id column: rows of reps the viewer may see."""
    if viewer.role is Role.ADMIN or (viewer.role is Role.MANAGER and viewer.territory is None):
        return True
    if viewer.role is Role.REP:
        return user_id_column == viewer.id
    cohort_ids = visible_cohorts(viewer).with_only_columns(Cohort.id)
    in_cohort = exists().where(Membership.user_id == user_id_column,
                               Membership.moved_out_at.is_(None),
                               Membership.cohort_id.in_(cohort_ids))
    if viewer.role is Role.MANAGER:
        rep = aliased(User)  # its own name, so this holds when the column is User.id itself
        own_territory = exists().where(and_(rep.id == user_id_column,
                                            rep.territory == viewer.territory))
        return or_(in_cohort, own_territory)
    return in_cohort
