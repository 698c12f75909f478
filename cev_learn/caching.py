"""Cached pages that are never stale: every cache key carries the data version.

The data version is a counter in the database. Any transaction that inserts, updates or
deletes rows that pages are built from (people, cohorts, progress, quiz results, CRM data,
achievements, content) adds one to it just before it commits, in the same transaction: so a
page cached under version N was built from data at least as new as version N, and the first
read after an import, a quiz submission or a content sync builds it again.

Writes add one UPDATE per transaction; reads cost one statement to learn the version. Cached values live in Flask-Caching (CACHE_TYPE: each process's memory by
default, Redis when several app servers should share them).
"""
import contextvars
import hashlib
import hmac
import datetime as dt
from collections.abc import Callable
from contextlib import contextmanager
from typing import TypeVar

from flask import Flask, current_app
from flask_caching import Cache
from markupsafe import Markup
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from cev_learn.db import db

T = TypeVar("T")

cache = Cache()

# Bookkeeping that no cached page is built from: writing it does not change the version.
UNTRACKED_TABLES = frozenset({
    "alembic_version", "data_version", "login_failure", "api_token", "pending_import",
    "reminder_log", "attempt_answer", "rate_limit_window",
})
_CHANGED = "cev_learn_page_data_changed"
_tracking: contextvars.ContextVar[bool] = contextvars.ContextVar("track_changes", default=True)


class DataVersion(db.Model):
    """One row: how many transactions have changed data that pages are built from."""

    id: db.Mapped[int] = db.mapped_column(primary_key=True)
    version: db.Mapped[int] = db.mapped_column(default=0)


def data_version() -> int:
    """The current data version (one statement)."""
    return db.session.scalar(select(DataVersion.version).where(DataVersion.id == 1)) or 0


def cached(name: str, parts: tuple, build: Callable[[], T], *, today: dt.date) -> T:
    """`build()`, or what it returned before for the same name, parts, day and data version.
    Parts name everything else the value depends on (viewer's scope, as_of, options)."""
    key = _key(name, parts, today, data_version())
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value)
    return value


def cached_html(name: str, parts: tuple, render: Callable[[], str], *, today: dt.date,
                secret: str | None = None) -> Markup:
    """Rendered HTML, cached like `cached`. A page with forms passes its CSRF token as
    `secret`: the cached copy holds a mark instead, and each viewer gets their own token."""
    # Safe markup: `render` is an autoescaped template; the cache (process memory or a Redis
    # only app servers reach) hands back what it rendered. The CSRF token is URL-safe.
    if not secret:
        html = cached(name, parts, render, today=today)
        return Markup(html)  # nosec B704
    mark = _secret_mark()
    html = cached(name, parts, lambda: render().replace(secret, mark), today=today)
    html = html.replace(mark, secret)
    return Markup(html)  # nosec B704


def _secret_mark() -> str:
    """A stand-in for a viewer's secret in cached HTML, which no one can type into a page."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return "cev-learn-secret-" + hmac.new(key, b"cached-html-mark", hashlib.sha256).hexdigest()


def _key(name: str, parts: tuple, today: dt.date, version: int) -> str:
    return "|".join([name, today.isoformat(), str(version), *map(str, parts)])


@contextmanager
def untracked():
    """Writes in the block do not bump the data version (schema migrations, when the table
    may not exist yet; cache keys name the schema revision instead)."""
    token = _tracking.set(False)
    try:
        yield
    finally:
        _tracking.reset(token)


@event.listens_for(Engine, "after_cursor_execute")
def _note_change(conn, _cursor, _statement, _parameters, context, _executemany):
    if (context is None or not (context.isinsert or context.isupdate or context.isdelete)
            or conn.info.get(_CHANGED) or not _tracking.get()):
        return
    table = getattr(getattr(context.compiled, "statement", None), "table", None)
    if getattr(table, "name", None) not in UNTRACKED_TABLES:
        conn.info[_CHANGED] = True


@event.listens_for(Engine, "commit")
def _bump_before_commit(conn):
    """Right before a transaction that changed page data commits, add one to the version in
    it: the row is locked only for that moment (a long import does not hold up others)."""
    if conn.info.pop(_CHANGED, False):
        cursor = conn.connection.cursor()  # the DBAPI connection, still in the transaction
        try:
            cursor.execute("UPDATE data_version SET version = version + 1 WHERE id = 1")
        finally:
            cursor.close()


@event.listens_for(Engine, "begin")
@event.listens_for(Engine, "rollback")
def _forget_changes(conn):
    # A connection the server dropped mid-transaction cannot be asked for its info: it is
    # thrown away anyway, and the error that dropped it must reach the 503 handler intact.
    if not conn.invalidated:
        conn.info.pop(_CHANGED, None)


def init_app(app: Flask) -> None:
    # Values cached by another revision of the schema (and so of cev_learn) are never read.
    from cev_learn.health import migration_heads

    heads = "+".join(migration_heads(app.config["MIGRATIONS_DIR"]))
    app.config.setdefault("CACHE_KEY_PREFIX", f"cev_learn:{heads}:")
    cache.init_app(app)
