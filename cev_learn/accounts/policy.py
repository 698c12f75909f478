"""Who may do what: pure functions of the acting user and the object, no request state."""
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


def can_view_rep(viewer: User, rep: User, territory: str | None,
                 cohort_coach_ids: frozenset[int]) -> bool:
    """Reps see themselves; coaches the reps of cohorts they coach; managers the reps of
    their territory (all, without a territory); admins everyone. `territory` is the rep's
    territory now (`rep_territory`)."""
    if viewer.id == rep.id or viewer.role is Role.ADMIN:
        return True
    if viewer.role is Role.MANAGER:
        scope = managed_territory(viewer)
        return scope is None or scope == territory
    if viewer.role is Role.COACH:
        return viewer.id in cohort_coach_ids
    return False


def can_coach_rep(viewer: User, rep: User, territory: str | None,
                  cohort_coach_ids: frozenset[int]) -> bool:
    """Grade, assign, sign off and write notes: staff who may see the rep (never the rep)."""
    return is_staff(viewer) and viewer.id != rep.id and can_view_rep(
        viewer, rep, territory, cohort_coach_ids)


def can_manage_cohorts(actor: User) -> bool:
    return actor.role in (Role.MANAGER, Role.ADMIN)
