"""Which reps a viewer may see: the facts the pure policy needs, loaded in one statement,
and the same rule as a SQL filter for lists."""
from collections.abc import Callable

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import aliased, joinedload

from cev_learn.accounts import policy
from cev_learn.accounts.models import Role, User
from cev_learn.cohorts.models import Cohort, CohortCoach, Membership
from cev_learn.platform.db import db


Facts = tuple[str | None, frozenset[int]]  # the rep's territory now, their cohort's coaches' ids


def rep_facts(rep: User) -> Facts:
    """The rep's territory now (`policy.rep_territory`) and the ids of their cohort's coaches."""
    return _facts(rep, db.session.execute(
        select(Membership.id, Cohort.territory, CohortCoach.coach_id)
        .select_from(Membership).join(Cohort, Cohort.id == Membership.cohort_id)
        .outerjoin(CohortCoach, CohortCoach.cohort_id == Cohort.id)
        .where(Membership.user_id == rep.id, Membership.moved_out_at.is_(None))).all())


def _facts(rep: User, rows) -> Facts:
    """Facts from (current membership id, its cohort's territory, a coach id) rows."""
    rows = [row for row in rows if row[0] is not None]
    territory = policy.rep_territory(rows[0][1] if rows else None, bool(rows), rep)
    return territory, frozenset(coach_id for _, _, coach_id in rows if coach_id is not None)


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
        select(User, Membership.id, Cohort.territory, CohortCoach.coach_id)
        .outerjoin(Membership, and_(Membership.user_id == User.id,
                                    Membership.moved_out_at.is_(None)))
        .outerjoin(Cohort, Cohort.id == Membership.cohort_id)
        .outerjoin(CohortCoach, CohortCoach.cohort_id == Cohort.id)
        .where(User.id == user_id)).all()
    rep = rows[0][0] if rows else None
    if rep is None or rep.role is not Role.REP:
        return None
    facts = _facts(rep, [row[1:] for row in rows])
    return rep if rule(viewer, rep, facts) else None


def coachable_rep_ids(viewer: User, rep_ids: list[int]) -> set[int]:
    """Those of these reps the viewer may coach (`can_coach_rep` for many: one statement)."""
    if viewer.role is Role.REP or not rep_ids:
        return set()
    return set(db.session.scalars(select(User.id).where(
        User.id.in_(rep_ids), User.role == Role.REP, User.id != viewer.id,
        visible_rep_filter(viewer, User.id))))


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
    elif (territory := policy.managed_territory(viewer)) is not None:
        stmt = stmt.where(Cohort.territory == territory)
    elif viewer.role is Role.REP:
        stmt = stmt.where(False)
    return stmt


def visible_rep_filter(viewer: User, user_id_column):
    """A SQL condition on a user id column: rows of reps the viewer may see (the policy's
    rule: a rep's territory is their current cohort's, or their own while in no cohort)."""
    territory = policy.managed_territory(viewer)
    if viewer.role is Role.ADMIN or (viewer.role is Role.MANAGER and territory is None):
        return True
    if viewer.role is Role.REP:
        return user_id_column == viewer.id
    cohort_ids = visible_cohorts(viewer).with_only_columns(Cohort.id)
    in_cohort = exists().where(Membership.user_id == user_id_column,
                               Membership.moved_out_at.is_(None),
                               Membership.cohort_id.in_(cohort_ids))
    if viewer.role is Role.MANAGER:
        rep = aliased(User)  # its own name, so this holds when the column is User.id itself
        placed = exists().where(Membership.user_id == rep.id, Membership.moved_out_at.is_(None))
        unplaced_here = exists().where(rep.id == user_id_column, rep.territory == territory,
                                       ~placed)
        return or_(in_cohort, unplaced_here)
    return in_cohort
