"""Create, check and revoke API tokens.

A token reads `cev_<prefix>_<secret>`: the prefix tells tokens apart in lists, the whole text is
looked up by its SHA-256 digest (the secret has 256 random bits, so a fast digest is as safe as
a slow password hash here, and lets every request be checked in one indexed read).
"""
import datetime as dt
import hashlib
import hmac
import secrets
from typing import TypeVar

from sqlalchemy import ScalarSelect, literal, select, update
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from cev_learn.accounts.api_tokens import ApiToken, Scope
from cev_learn.accounts.models import User
from cev_learn.platform.db import db, one_statement, writes_expected

TOKEN_PREFIX = "cev_"
LAST_USED_EVERY = dt.timedelta(minutes=5)  # how stale last_used_at may get (saves writes)
T = TypeVar("T")


class TokenError(ValueError):
    """A token cannot be made as asked; the message says why."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(*, user: User, name: str, scope: Scope, actor: User | None,
                 now: dt.datetime) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it and its secret, which is never stored or shown again."""
    name = name.strip()
    if not name or len(name) > 100:
        raise TokenError("the token needs a name of 1 to 100 characters, e.g. 'Salesforce sync'")
    if not user.active:
        raise TokenError(f"{user.email} is deactivated; a token would not work")
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(user_id=user.id, name=name, prefix=prefix, digest=digest(secret),
                     scope=scope, created_at=now, created_by_id=actor.id if actor else None)
    db.session.add(token)
    db.session.flush()
    return token, secret


def find(secret: str, also: ScalarSelect[T]) -> tuple[ApiToken | None, T]:
    """The token with this secret (revoked or not; None when it is no token's), and the
    value of `also`, in one statement: whatever the request must know besides the token
    costs no read of its own."""
    wanted = digest(secret)
    one_row = select(literal(1)).subquery()  # a row to join to, whether a token matches or not
    # The token's user comes in the same row: token.user then needs no read of its own.
    token, value = db.session.execute(
        select(ApiToken, also).select_from(one_row)
        .outerjoin(ApiToken, ApiToken.digest == wanted)
        .outerjoin(ApiToken.user).options(contains_eager(ApiToken.user))).one()
    if token is None or not hmac.compare_digest(token.digest, wanted):
        return None, value
    return token, value


def usable(token: ApiToken) -> bool:
    """Whether the token may act: not revoked, and its user active."""
    return token.revoked_at is None and token.user.active


def last_use_is_stale(token: ApiToken, now: dt.datetime) -> bool:
    """Whether last_used_at should be written now (at most every LAST_USED_EVERY)."""
    return token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY


def save_last_use(token: ApiToken, now: dt.datetime) -> None:
    """Write when the token was last used. A request that writes saves it with its own work
    (on SQLite it holds the write lock already); one that reads, in a short transaction of
    its own, and the loaded token says so without being read again."""
    if writes_expected():
        token.last_used_at = now
        return
    with one_statement() as connection:
        connection.execute(update(ApiToken).where(ApiToken.id == token.id)
                           .values(last_used_at=now))
    set_committed_value(token, "last_used_at", now)


def revoke(token: ApiToken, now: dt.datetime) -> None:
    if token.revoked_at is None:
        token.revoked_at = now


def tokens_of(user_id: int | None = None) -> list[ApiToken]:
    stmt = select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
    if user_id is not None:
        stmt = stmt.where(ApiToken.user_id == user_id)
    return list(db.session.scalars(stmt))
