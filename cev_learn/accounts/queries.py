"""Reads for account pages."""
import datetime as dt
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import or_, select

from cev_learn.accounts.models import Role, User
from cev_learn.accounts.sign_in_links import SignIn, newest_invitations, sign_in_state
from cev_learn.accounts.sso import requires_sso
from cev_learn.platform.db import db

PAGE_SIZE = 50


def user_page(*, search: str, role: str, status: str, page: int):
    """One page of users, filtered by a search over name/email, role and status."""
    stmt = select(User).order_by(User.name, User.id)
    search = search.strip()
    if search:
        like = f"%{search.lower().replace('%', '').replace('_', '')}%"
        stmt = stmt.where(or_(User.email.like(like), User.name.ilike(like)))
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.role == Role(role))
    if status == "active":
        stmt = stmt.where(User.active.is_(True))
    elif status == "inactive":
        stmt = stmt.where(User.active.is_(False))
    elif status == "not_joined":  # no password and never signed in through the provider
        stmt = stmt.where(User.active.is_(True), User.password_hash.is_(None),
                          User.sso_subject.is_(None))
    return db.paginate(stmt, page=max(page, 1), per_page=PAGE_SIZE, error_out=False)


def sign_ins(users: Iterable[User], now: dt.datetime) -> dict[int, SignIn]:
    """How each of these users signs in: a password, an invitation and its state, or
    nothing yet (one statement)."""
    users = list(users)
    invitations = newest_invitations(u.id for u in users)
    config = current_app.config
    return {u.id: sign_in_state(u, invitations.get(u.id), now,
                                sso_only=requires_sso(u.email, config)) for u in users}
