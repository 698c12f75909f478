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


def can_view_rep(viewer: User, rep: User) -> bool:
    """A rep sees themself; staff see reps. (Coaches are narrowed to their cohorts' reps
    once cohorts exist.)"""
    return viewer.id == rep.id or is_staff(viewer)


def can_grade_attempts_of(viewer: User, rep: User) -> bool:
    return is_staff(viewer) and can_view_rep(viewer, rep)
