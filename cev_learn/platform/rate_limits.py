"""Rate-limit counts in the app's own database, shared by every worker and app server: the
`limits` storage behind Flask-Limiter when RATELIMIT_STORAGE_URI is "database://" (the
default; "redis://…" keeps them in Redis instead).

It serves the fixed-window strategy, Flask-Limiter's default and the one cev_learn uses: a
row per key holds the hits of its current window and when that window ends. A hit is one
UPSERT, atomic on SQLite and PostgreSQL alike, that starts a new window when the last one has
ended. Each runs in a short transaction on a connection of its own, never in the request's:
a request that rolls back keeps its hit, and a hit never commits the request's work.
"""
import datetime as dt
import hashlib

from flask import g, has_request_context
from limits.storage import Storage
from sqlalchemy import String, case, delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from cev_learn.platform.db import (UTCDateTime, db, one_statement, private_reader, upsert,
                                  utcnow)

KEY_CHARS = 255


class RateLimitWindow(db.Model):
    """The hits counted under one rate-limit key in its current window."""

    key: Mapped[str] = mapped_column(String(KEY_CHARS), primary_key=True)
    hits: Mapped[int]
    # Indexed: ended windows are deleted together (forget_ended).
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class DatabaseStorage(Storage):
    """Flask-Limiter's counts in the RateLimitWindow table of the current app's database."""

    STORAGE_SCHEME = ["database"]

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add `amount` to the key's hits and return them, in a new window if the last ended."""
        now = utcnow()
        window = _hit(_stored(key), now, now + dt.timedelta(seconds=expiry), amount)
        if has_request_context():  # what the headers read: the window as this hit left it
            g.setdefault("rate_limit_windows", {})[key] = window
        return window.hits

    def get(self, key: str) -> int:
        window = _current_window(key)
        return window.hits if window else 0

    def get_expiry(self, key: str) -> float:
        """When the key's window ends, as a Unix time (now when it has none)."""
        window = _current_window(key)
        return (window.ends_at if window else utcnow()).timestamp()

    def check(self) -> bool:
        try:
            with private_reader() as session:
                session.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int:
        with db.engine.begin() as connection:
            return connection.execute(delete(RateLimitWindow)).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(RateLimitWindow).where(RateLimitWindow.key == _stored(key)))


def _hit(key: str, now: dt.datetime, ends_at: dt.datetime, amount: int) -> RateLimitWindow:
    """Add `amount` to the key's hits in one atomic statement, committed at once, and return
    the window as it now is (detached). Ended windows of other keys are forgotten by
    `forget_ended`, outside requests."""
    window = RateLimitWindow.__table__
    insert = upsert(window).values(key=key, hits=amount, ends_at=ends_at)
    ended = window.c.ends_at <= now  # SET sees the row as it was: both test the old end
    hit = insert.on_conflict_do_update(
        index_elements=[window.c.key],
        set_={"hits": case((ended, amount), else_=window.c.hits + amount),
              "ends_at": case((ended, insert.excluded.ends_at), else_=window.c.ends_at)},
    ).returning(window.c.hits, window.c.ends_at)
    with one_statement() as connection:
        hits, stored_end = connection.execute(hit).one()
    return RateLimitWindow(key=key, hits=hits, ends_at=stored_end)


def forget_ended(now: dt.datetime | None = None) -> int:
    """Delete the windows that have ended (a key hit again starts a new one anyway); returns
    how many. The webhooks worker runs it with its hourly purge, so the table holds about an
    hour of keys, and a request never pays for it."""
    with one_statement() as connection:
        return connection.execute(delete(RateLimitWindow).where(
            RateLimitWindow.ends_at <= (now or utcnow()))).rowcount


def _current_window(key: str) -> RateLimitWindow | None:
    """The key's window, for the rate-limit headers of a response (a hit is counted by
    `incr` alone), read once per request: the headers ask for its hits and its end. While
    the database is away it is unknown: the answer the request already has — a 503 from the
    failed hit, or its own result — must not become a 500 because of a header."""
    if not has_request_context():
        return _read_window(key)
    read = g.setdefault("rate_limit_windows", {})
    if key not in read:
        read[key] = _read_window(key)
    return read[key]


def _read_window(key: str) -> RateLimitWindow | None:
    # A reader of its own: on SQLite it never waits for a write lock the request holds.
    try:
        with private_reader() as session:
            return session.scalar(select(RateLimitWindow).where(
                RateLimitWindow.key == _stored(key), RateLimitWindow.ends_at > utcnow()))
    except SQLAlchemyError:
        return None


def _stored(key: str) -> str:
    """The key as stored: a digest when it is too long for the column (an address given by a
    proxy header can be any length)."""
    if len(key) <= KEY_CHARS:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()
