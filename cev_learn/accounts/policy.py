"""Who may do what: pure functions of the acting user and the object, no request state."""
from dataclasses import dataclass

from cev_learn.accounts.models import Role, User

STAFF_ROLES = frozenset({Role.COACH, Role.MANAGER, Role.ADMIN})


def can_manage_users(actor: User) -> bool:
    return actor.role is Role.ADMIN


def can_edit_user(actor: User, target: User) -> bool:
    return can_manage_users(actor)


def can_change_role_or_status(actor: User, target: User) -> bool:
    """Admins manage everyone but themselves, so nobody locks the last admin out by accident."""
    return can_manage_users(actor) and actor.id != target.id


def can_deactivate_user(actor: User, target: User) -> bool:
    return can_change_role_or_status(actor, target) and target.active


def can_activate_user(actor: User, target: User) -> bool:
    return can_change_role_or_status(actor, target) and not target.active


def is_staff(actor: User) -> bool:
    return actor.role in STAFF_ROLES


def managed_territory(user: User) -> str | None:
    """The one territory a manager is limited to; None for everyone else (and for managers
    of every territory)."""
    return user.territory if user.role is Role.MANAGER and user.territory else None


def rep_territory(cohort_territory: str | None, in_cohort: bool, rep: User) -> str | None:
    """The territory a rep belongs to now: their current cohort's; their own while they are
    in no cohort. One territory each, so two managers never both own a rep."""
    return cohort_territory if in_cohort else rep.territory


@dataclass(frozen=True)
class RepScope:
    """What the rules on reps need to know about one rep now: their id, their territory now
    (`rep_territory`) and the ids of the coaches of their current cohort (none while they are
    in no cohort). `cohorts.access` loads it, in one statement."""

    id: int
    territory: str | None
    coach_ids: frozenset[int] = frozenset()


def sees_every_rep(viewer: User) -> bool:
    """Admins, and managers of every territory (no territory of their own)."""
    return viewer.role is Role.ADMIN or (viewer.role is Role.MANAGER and not viewer.territory)


def can_view_cohort(viewer: User, territory: str | None, coach_ids: frozenset[int]) -> bool:
    """Coaches see the cohorts they coach; managers those of their territory (all, without a
    territory); admins all; reps none. `territory` and `coach_ids` are the cohort's."""
    if sees_every_rep(viewer):
        return True
    if viewer.role is Role.MANAGER:
        return territory == viewer.territory
    if viewer.role is Role.COACH:
        return viewer.id in coach_ids
    return False


def can_view_rep(viewer: User, rep: RepScope) -> bool:
    """Reps see themselves; everyone else sees a rep where they see the rep's cohort now
    (`can_view_cohort`): coaches the reps of cohorts they coach, managers the reps of their
    territory (all, without a territory), admins everyone. A rep in no cohort counts as in a
    cohort of their own territory that nobody coaches.

    The same rule in SQL, for lists and counts: `cohorts.access.visible_rep_filter`."""
    return viewer.id == rep.id or can_view_cohort(viewer, rep.territory, rep.coach_ids)


def can_coach_rep(viewer: User, rep: RepScope) -> bool:
    """Grade, assign, sign off and write notes: staff who may see the rep (never the rep)."""
    return is_staff(viewer) and viewer.id != rep.id and can_view_rep(viewer, rep)


def placement_decides(viewer: User, rep_id: int) -> bool:
    """Whether `can_view_rep` and `can_coach_rep` read where the rep is placed (the scope's
    territory and coaches) for this viewer: not for the rep themselves, other reps, admins
    and managers of every territory, whose answer their roles alone give."""
    return viewer.id != rep_id and is_staff(viewer) and not sees_every_rep(viewer)


def can_manage_cohorts(actor: User) -> bool:
    return actor.role in (Role.MANAGER, Role.ADMIN)
