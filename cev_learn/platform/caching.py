"""Cached pages that are never stale: every cache key carries the versions of the data the
page is built from.

Versions are counters in the database, bumped in the transaction that changes the data, just
before it commits: so a page cached under a version was built from data at least as new as
that version, and the first read after a change builds it again.

- The data version (`DataVersion`) counts transactions that change anything pages are built
  from: people, cohorts, content, notes, assignments…
- Scope versions (`ScopeVersion`) count the changes of one rep's ramp data (`rep:<id>`), one
  cohort's (`cohort:<id>`) and anyone's (`org`). A transaction that only writes a rep's ramp
  data (activities, quotas, quiz results, module completions, sign-offs, and the facts and
  achievements that follow from them) and names the reps it changed (`ramp.facts` does, for
  every service) bumps those scopes instead of the data version: a CRM activity arriving for
  one rep rebuilds that rep's pages, their cohort's and the organisation's summary, not every
  page of every cohort. A write that names no scope bumps the data version, as before.

A cached value names the scopes it is built from (`org` unless it says otherwise: any rep's
change rebuilds it). Reads cost one statement to learn the versions. Values live in
Flask-Caching, shared by every worker: files in the instance folder by default, Redis when
several app servers should share them (CACHE_TYPE). Keys name the database and the schema
revision, so one cache can serve several databases and revisions without mixing them.
"""
import contextvars
import hashlib
import hmac
import datetime as dt
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from typing import TypeVar

from flask import Flask, current_app
from flask_caching import Cache
from markupsafe import Markup
from sqlalchemy import String, event, literal, select, union_all
from sqlalchemy.engine import Engine, make_url

from cev_learn.platform.db import db

T = TypeVar("T")

cache = Cache()

# Bookkeeping that no cached page is built from: writing it does not change the version.
UNTRACKED_TABLES = frozenset({
    "alembic_version", "data_version", "login_failure", "api_token", "pending_import",
    "reminder_log", "attempt_answer", "rate_limit_window", "scope_version",
    # Events on their way out and the webhooks' own records: no cached page shows them.
    "outbox_event", "webhook_endpoint", "webhook_delivery", "webhook_settings",
    "webhook_rep_standing",
    # Notifications are shown in the top bar, outside every cached body, and read per request.
    "notification", "notification_settings",
})
# Tables whose changes a transaction can describe by the reps it changed (see `changed`).
REP_TABLES = frozenset({
    "activity_record", "quota", "rep_week_activity", "rep_month_activity", "rep_early_activity",
    "achievement", "achievement_change", "attempt", "module_progress", "signoff",
    "booster", "booster_answer",
})
ORGANISATION = "org"
_CHANGED = "cev_learn_page_data_changed"     # the tracked tables written in the transaction
_SCOPES = "cev_learn_page_data_scopes"       # the scopes the transaction says it changed
_NAMESPACE = "CEV_LEARN_CACHE_NAMESPACE"      # app.config: the database and schema revision
_tracking: contextvars.ContextVar[bool] = contextvars.ContextVar("track_changes", default=True)


class DataVersion(db.Model):
    """One row: how many transactions have changed data that pages are built from."""

    id: db.Mapped[int] = db.mapped_column(primary_key=True)
    version: db.Mapped[int] = db.mapped_column(default=0)


class ScopeVersion(db.Model):
    """How many transactions have changed one rep's, one cohort's or anyone's ramp data."""

    scope: db.Mapped[str] = db.mapped_column(String(64), primary_key=True)
    version: db.Mapped[int] = db.mapped_column(default=0)


def rep_scope(rep_id: int) -> str:
    return f"rep:{rep_id}"


def cohort_scope(cohort_id: int) -> str:
    return f"cohort:{cohort_id}"


def data_version() -> int:
    """The current data version (one statement)."""
    return db.session.scalar(select(DataVersion.version).where(DataVersion.id == 1)) or 0


def versions(scopes: Iterable[str]) -> tuple:
    """The data version and the version of each scope, in one statement."""
    data, by_scope = _versions(scopes)
    return (data, *(f"{scope}={version}" for scope, version in sorted(by_scope.items())))


def _versions(scopes: Iterable[str]) -> tuple[int, dict[str, int]]:
    """(data version, {scope: version}) for these scopes (0 for one never bumped)."""
    scopes = set(scopes)
    found = dict(db.session.execute(union_all(
        select(literal("", String), DataVersion.version).where(DataVersion.id == 1),
        select(ScopeVersion.scope, ScopeVersion.version).where(ScopeVersion.scope.in_(scopes)))
    ).all())
    return found.pop("", 0), {scope: found.get(scope, 0) for scope in scopes}


def read_versions(scopes: Iterable[str]) -> dict[str, int]:
    """The data version (under "") and these scopes' versions, in one statement: for a page
    that looks up several cached values, to pass to each as `known`."""
    data, by_scope = _versions(scopes)
    return {"": data, **by_scope}


def _known_versions(known: dict[str, int], scopes: Iterable[str]) -> tuple:
    """`versions(scopes)` from versions read before (`read_versions`); every scope must be
    among them."""
    scopes = set(scopes)
    missing = scopes - known.keys()
    if missing:
        raise KeyError(f"versions not read for {sorted(missing)}")
    return (known[""], *(f"{scope}={known[scope]}" for scope in sorted(scopes)))


def changed(scopes: Iterable[str]) -> None:
    """Say that the current transaction changed the ramp data of these scopes (and so the
    organisation's): if it writes nothing but REP_TABLES, only they are bumped."""
    info = db.session.connection().info
    info.setdefault(_SCOPES, set()).update(scopes)


def cached(name: str, parts: tuple, build: Callable[[], T], *, today: dt.date,
           scopes: Iterable[str] = (ORGANISATION,), known: dict[str, int] | None = None) -> T:
    """`build()`, or what it returned before for the same name, parts, day and versions of the
    data and of `scopes`. Parts name everything else the value depends on (viewer's scope,
    as_of, options). `known`: the versions, already read for this request (`read_versions`)."""
    key = _key(name, parts, today,
               versions(scopes) if known is None else _known_versions(known, scopes))
    value = cache.get(key)
    if value is None:
        value = build_once(key, build)
    return value


# One worker builds a missing value while the others asking for it wait for it, instead of all
# building it at once right after a write: at most this long, then they build it themselves.
BUILD_WAIT_SECONDS = 2.0
BUILD_LOCK_SECONDS = 30  # a builder that died leaves its lock this long at most
_BUILD_POLL_SECONDS = 0.01


def build_once(key: str, build: Callable[[], T]) -> T:
    """Build the value under `key` and cache it, unless another process or thread is already
    building it: then wait for theirs (no statements while waiting)."""
    lock = key + "|building"
    building_it = cache.add(lock, 1, timeout=BUILD_LOCK_SECONDS)
    if not building_it:
        value = _built_by_another(key, lock)
        if value is not None:
            return value
    try:
        value = build()
        cache.set(key, value)
    finally:
        if building_it:
            cache.delete(lock)
    return value


def _built_by_another(key: str, lock: str):
    """The value once whoever holds `lock` has built it; None if they stopped without it or
    take longer than BUILD_WAIT_SECONDS."""
    deadline = time.monotonic() + BUILD_WAIT_SECONDS
    while True:
        building = cache.has(lock)  # first: a value set just before the lock went is seen
        value = cache.get(key)
        if value is not None or not building or time.monotonic() >= deadline:
            return value
        time.sleep(_BUILD_POLL_SECONDS)


def cached_each(name: str, parts: tuple, scopes: dict, build: Callable[[list], dict], *,
                today: dt.date) -> dict:
    """Many values at once, each with its own scope: {id: scope} in, {id: value} out.

    They are cached together, as one value that holds each with the version of its scope it
    was built at: one statement for the versions, one read of the cache and at most one write
    however many values there are (a file each would cost a file system write each). Those
    never built and those whose scope has changed since are built by `build(ids)` in one go;
    the others are kept, those of ids not asked for this time included."""
    data, by_scope = _versions(scopes.values())
    key = _key(name, parts, today, (data,))
    kept = cache.get(key) or {}
    values, missing = {}, []
    for item, scope in scopes.items():
        built_at, value = kept.get(item, (None, None))
        if built_at == (scope, by_scope[scope]):
            values[item] = value
        else:
            missing.append(item)
    if missing:
        built = build(missing)
        cache.set(key, {**kept, **{item: ((scopes[item], by_scope[scopes[item]]), built[item])
                                   for item in missing}})
        values.update(built)
    return values


def cached_html(name: str, parts: tuple, render: Callable[[], str], *, today: dt.date,
                time_zone: str, secret: str | None = None,
                scopes: Iterable[str] = (ORGANISATION,),
                known: dict[str, int] | None = None) -> Markup:
    """Rendered HTML, cached like `cached`. A page with forms passes its CSRF token as
    `secret`: the cached copy holds a mark instead, and each viewer gets their own token.
    HTML shows times in the viewer's `time_zone`: it is part of the key, so viewers in
    another zone never get a copy written for this one."""
    # Safe markup: `render` is an autoescaped template; the cache (process memory or a Redis
    # only app servers reach) hands back what it rendered. The CSRF token is URL-safe.
    parts = (*parts, f"tz={time_zone}")
    if not secret:
        html = cached(name, parts, render, today=today, scopes=scopes, known=known)
        return Markup(html)  # nosec B704
    mark = _secret_mark()
    html = cached(name, parts, lambda: render().replace(secret, mark), today=today,
                  scopes=scopes, known=known)
    html = html.replace(mark, secret)
    return Markup(html)  # nosec B704


def _secret_mark() -> str:
    """A stand-in for a viewer's secret in cached HTML, which no one can type into a page."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return "cev-learn-secret-" + hmac.new(key, b"cached-html-mark", hashlib.sha256).hexdigest()


def _key(name: str, parts: tuple, today: dt.date, known: tuple) -> str:
    return "|".join([current_app.config[_NAMESPACE], name, today.isoformat(), *map(str, known),
                     "", *map(str, parts)])


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
            or not _tracking.get()):
        return
    table = getattr(getattr(context.compiled, "statement", None), "table", None)
    name = getattr(table, "name", None)
    if name not in UNTRACKED_TABLES:
        conn.info.setdefault(_CHANGED, set()).add(name)


# Add one to a scope's version, creating it at 1: "%s" placeholders (psycopg) or "?" (sqlite3).
_BUMP_SCOPE = {
    False: "INSERT INTO scope_version (scope, version) VALUES (%s, 1) "
           "ON CONFLICT (scope) DO UPDATE SET version = scope_version.version + 1",
    True: "INSERT INTO scope_version (scope, version) VALUES (?, 1) "
          "ON CONFLICT (scope) DO UPDATE SET version = scope_version.version + 1",
}


@event.listens_for(Engine, "commit")
def _bump_before_commit(conn):
    """Right before a transaction that changed page data commits, add one to the versions it
    changed, in it: the rows are locked only for that moment (a long import does not hold up
    others), always in the same order (two commits never wait for each other in a circle)."""
    tables, scopes = conn.info.pop(_CHANGED, None), conn.info.pop(_SCOPES, None)
    if not tables:
        return
    cursor = conn.connection.cursor()  # the DBAPI connection, still in the transaction
    try:
        if scopes and tables <= REP_TABLES:
            bump = _BUMP_SCOPE[conn.dialect.paramstyle == "qmark"]
            for scope in sorted({*scopes, ORGANISATION}):
                cursor.execute(bump, (scope,))
        else:
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
        conn.info.pop(_SCOPES, None)


def init_app(app: Flask) -> None:
    # Values cached by another revision of the schema (and so of cev_learn), or from another
    # database (whose versions count on their own), are never read.
    from cev_learn.platform.health import migration_heads

    # In every key (not CACHE_KEY_PREFIX, which the file cache ignores).
    heads = "+".join(migration_heads(app.config["MIGRATIONS_DIR"]))
    database = database_identity(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config[_NAMESPACE] = f"cev_learn:{database}:{heads}"
    cache.init_app(app)


def database_identity(url: str) -> str:
    """A short name for the database at `url` (its password left out): app servers on the
    same database share cached values, a cache shared by several databases keeps them apart."""
    safe = make_url(url).render_as_string(hide_password=True)
    return hashlib.sha256(safe.encode()).hexdigest()[:12]
