"""Index of every model, so Alembic and readers see them all in one place."""
from cev_learn.accounts.models import LoginFailure, Role, User

__all__ = ["LoginFailure", "Role", "User"]
