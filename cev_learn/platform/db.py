"""Database: declarative base with a naming convention, engine set-up, time helpers."""
import contextvars
import gc
import datetime as dt
from contextlib import contextmanager

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator
from werkzeug.routing import IntegerConverter

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


MAX_ID = 2**31 - 1  # the largest id an INTEGER column holds on every database (PostgreSQL)


class DatabaseId(IntegerConverter):
    """`<int:…>` in routes: ids beyond what the database can hold match no route (404)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC datetimes")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# Whether the next SQLite transaction may write. Read-only requests begin deferred
# transactions so readers never queue behind writers; everything else takes the
# write lock up front (BEGIN IMMEDIATE) so it waits on busy_timeout instead of failing
# with "database is locked" when it upgrades to a writer half-way through.
_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=True)


def utcnow() -> dt.datetime:
    """Current time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


def set_write_intent(writes: bool) -> None:
    _write_intent.set(writes)


def writes_expected() -> bool:
    """Whether this request (or command) is expected to write: on SQLite its transactions
    take the write lock up front, so a write of its own on another connection would wait
    for it."""
    return _write_intent.get()


@contextmanager
def write_transaction():
    """End any read transaction, then run the block in a write transaction and commit it."""
    db.session.rollback()
    token = _write_intent.set(True)
    try:
        yield db.session
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        _write_intent.reset(token)


def refresh_statistics() -> None:
    """After a bulk load: on PostgreSQL, ANALYZE, so the planner reads the new rows by their
    real numbers at once rather than when autovacuum comes round (a cold dashboard read its
    reps' first weeks in 130 ms instead of 18 until then). SQLite keeps no statistics, and
    cev_learn's queries are written for a planner without them, so nothing is done there."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def one_writer_at_a_time() -> bool:
    """Whether the database runs one writing transaction at a time (SQLite, whose requests
    take the write lock with their first statement): what a writer read in its transaction
    is then what it changes. PostgreSQL runs writers side by side, so such reads may be
    stale by the time of the write unless rows are locked."""
    return db.session.get_bind().dialect.name == "sqlite"


def upsert(table):
    """INSERT … ON CONFLICT for this app's database (SQLite or PostgreSQL): `upsert(t).values(…)
    .on_conflict_do_update(…)`."""
    dialect = db.engine.dialect.name
    if dialect not in _UPSERTS:
        raise RuntimeError(f"cev_learn runs on SQLite or PostgreSQL, not {dialect}")
    return _UPSERTS[dialect](table)


_UPSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def column_rows(statement) -> list:
    """Every row of a SELECT of columns (not of mapped objects), read in the session's
    transaction (pending changes flushed first, as `db.session.execute` would) as plain rows:
    the session would pass each row through the ORM's loading, which columns need nothing
    from, and that is up to a fifth of the time of a read of thousands of rows."""
    if db.session.autoflush:
        db.session.flush()
    return db.session.connection().execute(statement).all()


@contextmanager
def no_cyclic_gc():
    """Pause the cycle collector during bulk work: millions of acyclic rows (tuples, dicts)
    would otherwise be rescanned again and again (a quarter of the time of a large import)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


ONE_STATEMENT = "cev_learn_one_statement"  # an execution option: see `one_statement`


@contextmanager
def one_statement():
    """A connection of its own for a single write that is its own transaction, committed when
    the block ends: on SQLite no BEGIN is sent (one statement is atomic there by itself), so
    it costs that one statement. Run exactly one statement in it."""
    with db.engine.connect().execution_options(**{ONE_STATEMENT: True}) as connection:
        yield connection
        connection.commit()


@contextmanager
def private_reader():
    """A database session of its own for reads only, closed after the block: on SQLite it
    begins deferred, so it never waits for the write lock a request may hold."""
    token = _write_intent.set(False)
    try:
        with Session(db.engine) as session:
            yield session
    finally:
        _write_intent.reset(token)


def init_app(app: Flask) -> None:
    app.config.setdefault("SQLALCHEMY_RECORD_QUERIES", False)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A pooled connection may have outlived a restart or failover of the database
        # server: test it (one round trip) when a request takes it, and reconnect if it is
        # gone, rather than fail that request. A new dict: the defaults' one is shared.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_pre_ping": True, **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
    db.init_app(app)
    from cev_learn.platform.extensions import migrate

    migrate.init_app(app, db, directory=app.config["MIGRATIONS_DIR"], render_as_batch=True,
                     compare_type=True)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"],
                              app.config["SQLITE_BEGIN"])

    @app.before_request
    def declare_write_intent():
        from flask import request

        set_write_intent(request.method not in ("GET", "HEAD", "OPTIONS"))

    @app.teardown_request
    def reset_write_intent(_exc=None):
        set_write_intent(True)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int, begin_mode: str) -> None:
    if begin_mode not in ("immediate", "deferred", "autocommit"):
        raise ValueError(f"SQLITE_BEGIN must be immediate, deferred or autocommit, not {begin_mode!r}")

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Take over transaction control from the sqlite3 module so BEGIN is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        if begin_mode == "autocommit" or connection.get_execution_options().get(ONE_STATEMENT):
            return
        immediate = begin_mode == "immediate" and _write_intent.get()
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
