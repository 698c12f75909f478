"""Route access rules. Every view declares one; a test fails for any route that does not."""
from functools import wraps

from flask import abort
from flask_login import current_user

from cev_learn.accounts.models import Role
from cev_learn.platform.access import PUBLIC, public
from cev_learn.platform.extensions import login_manager

__all__ = ["PUBLIC", "public", "role_required"]


def role_required(*roles: Role):
    """Signed-in users with one of these roles; others get 403, anonymous users the login page."""
    allowed = frozenset(roles)

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        guarded.access_rule = allowed
        return guarded

    return decorate


signed_in = role_required(*Role)
"""Any signed-in user, whatever the role."""
