"""Which reps and cohorts a viewer may see, for the rules of `accounts.policy`: what they need
to know about a rep (`policy.RepScope`), loaded in one statement, and the same rules in SQL
for lists and counts (`visible_rep_filter`, `visible_cohorts`).

The rule and its SQL form are one rule written twice: tests/accounts/test_visibility_rule.py
checks that they agree, for every viewer and every rep of random organisations."""
from collections.abc import Callable

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import aliased, contains_eager, joinedload

from cev_learn.accounts import policy
from cev_learn.accounts.models import Role, User
from cev_learn.accounts.policy import RepScope
from cev_learn.cohorts.models import Cohort, CohortCoach, Membership
from cev_learn.content.models import Track
from cev_learn.platform.db import db

Rule = Callable[[User, RepScope], bool]  # policy.can_view_rep or policy.can_coach_rep


def find_rep(user_id: int) -> tuple[User, RepScope] | None:
    """The rep with this id and their scope, in one statement; None when no rep has it."""
    found = _placed_user(user_id)
    return found[:2] if found is not None and found[0].role is Role.REP else None


def rep_scope(rep: User) -> RepScope:
    """What the rules need to know about this rep now: one statement."""
    return _placed_user(rep.id)[1]


def visible_placed_rep(viewer: User, user_id: int, rule: Rule = policy.can_view_rep
                       ) -> tuple[User, Membership | None] | None:
    """`visible_rep`, with the rep's current membership (its cohort and track loaded; None
    when in no cohort): still one statement."""
    found = _placed_user(user_id)
    if found is None or found[0].role is not Role.REP or not rule(viewer, found[1]):
        return None
    return found[0], found[2]


def placed_user_by_email(email: str) -> tuple[User, RepScope, Membership | None] | None:
    """The user with this (normalised) email, their scope as a rep and their current
    membership (with its cohort and track), in one statement; None when nobody has it."""
    return _placed_user(User.email == email)


def _placed_user(which) -> tuple[User, RepScope, Membership | None] | None:
    """The user `which` selects (by id, or a condition), their scope and current membership
    (with its cohort and track)."""
    if isinstance(which, int):
        which = User.id == which
    rows = db.session.execute(
        select(User, Membership, CohortCoach.coach_id)
        .outerjoin(Membership, and_(Membership.user_id == User.id,
                                    Membership.moved_out_at.is_(None)))
        .outerjoin(Cohort, Cohort.id == Membership.cohort_id)
        .outerjoin(Track, Track.id == Cohort.track_id)
        .outerjoin(CohortCoach, CohortCoach.cohort_id == Cohort.id)
        .options(contains_eager(Membership.cohort).contains_eager(Cohort.track))
        .where(which)).all()
    if not rows:
        return None
    user, membership = rows[0][0], rows[0][1]  # one current membership at most
    territory = policy.rep_territory(membership.cohort.territory if membership else None,
                                     membership is not None, user)
    return user, RepScope(user.id, territory, frozenset(
        coach_id for *_, coach_id in rows if coach_id is not None)), membership


def allows(rule: Rule, viewer: User, rep: User) -> bool:
    """`rule` for the viewer and this rep, loading the rep's scope (one statement) only when
    the answer turns on it (`policy.placement_decides`)."""
    if policy.placement_decides(viewer, rep.id):
        return rule(viewer, rep_scope(rep))
    return rule(viewer, RepScope(rep.id, territory=None))  # the rule reads neither here


def visible_rep(viewer: User, user_id: int, rule: Rule = policy.can_view_rep) -> User | None:
    """The rep with this id if `rule` lets the viewer at them; None otherwise (callers answer
    404, so nobody learns which ids exist). The rep and their scope: one statement."""
    found = visible_placed_rep(viewer, user_id, rule)
    return found[0] if found is not None else None


def coachable_rep_ids(viewer: User, rep_ids: list[int]) -> set[int]:
    """Those of these reps the viewer may coach (`policy.can_coach_rep` for many: one
    statement)."""
    if not policy.is_staff(viewer) or not rep_ids:
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
    """Cohorts a viewer works with, as a query: `policy.can_view_cohort` in SQL."""
    stmt = select(Cohort)
    if policy.sees_every_rep(viewer):
        return stmt
    if viewer.role is Role.COACH:
        return stmt.where(exists().where(CohortCoach.cohort_id == Cohort.id,
                                         CohortCoach.coach_id == viewer.id))
    if viewer.role is Role.MANAGER:
        return stmt.where(Cohort.territory == viewer.territory)
    return stmt.where(False)


def visible_rep_filter(viewer: User, user_id_column):
    """`policy.can_view_rep` in SQL: a condition on a user id column, true on rows of reps the
    viewer may see. A rep in a cohort is seen where their cohort is (`visible_cohorts`); a rep
    in no cohort by the managers of their own territory (`policy.rep_territory`)."""
    if policy.sees_every_rep(viewer):
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
        unplaced_here = exists().where(rep.id == user_id_column,
                                       rep.territory == viewer.territory, ~placed)
        return or_(in_cohort, unplaced_here)
    return in_cohort
