"""Backups: `cev-learn backup FILE` copies the database consistently while the app serves
traffic; `cev-learn restore FILE` checks a copy and puts it in place of the database.

SQLite copies go through the online backup API (a snapshot, whatever writers do meanwhile);
PostgreSQL through pg_dump / pg_restore in the custom format. A backup is written beside FILE
and renamed into place only once checked, so FILE is never half-written.
"""
import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

# Tables whose row counts a summary shows, when the copy has them, and how to count each.
SUMMARY_COUNTS = {
    "user": 'SELECT count(*) FROM "user"',
    "cohort": "SELECT count(*) FROM cohort",
    "module_progress": "SELECT count(*) FROM module_progress",
    "attempt": "SELECT count(*) FROM attempt",
    "activity_record": "SELECT count(*) FROM activity_record",
    "achievement": "SELECT count(*) FROM achievement",
}
BUSY_TIMEOUT_SECONDS = 30


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message is its one-line reason."""


@dataclass(frozen=True)
class Summary:
    path: Path
    size: int
    revision: str
    counts: dict[str, int]

    def __str__(self) -> str:
        rows = ", ".join(f"{table} {count}" for table, count in self.counts.items())
        return f"{self.path}: {self.size / 1e6:.1f} MB, revision {self.revision}, rows: {rows}"


def known_revisions(migrations_dir: str) -> frozenset[str]:
    """Every schema revision this code has a migration for."""
    config = Config()
    config.set_main_option("script_location", migrations_dir)
    return frozenset(s.revision for s in ScriptDirectory.from_config(config).walk_revisions())


def backup_database(url: str, target: Path, *, force: bool = False) -> Summary:
    """Copy the database at `url` to `target`, check the copy and summarise it."""
    if target.exists() and not force:
        raise BackupError(f"{target} exists; pass --force to replace it")
    if not target.parent.is_dir():
        raise BackupError(f"no directory {target.parent} to write {target.name} in")
    partial = target.with_name(target.name + ".partial")
    try:
        partial.unlink(missing_ok=True)
        with _failures_explained():
            if make_url(url).get_backend_name() == "sqlite":
                if target.resolve() == _sqlite_path(url).resolve():
                    raise BackupError(f"{target} is the database itself")
                revision, counts = _sqlite_backup(_sqlite_path(url), partial)
            else:
                revision, counts = _postgresql_backup(url, partial)
            os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return Summary(target, target.stat().st_size, revision, counts)


def restore_database(url: str, source: Path, known: frozenset[str], *, confirmed: bool) -> Summary:
    """Check the backup `source`, then (if confirmed) replace the database at `url` with it."""
    if not source.is_file():
        raise BackupError(f"no backup file {source}")
    with _failures_explained():
        if make_url(url).get_backend_name() == "sqlite":
            revision, counts = _sqlite_restore(source, _sqlite_path(url), known, confirmed)
        else:
            revision, counts = _postgresql_restore(source, url, known, confirmed)
    return Summary(source, source.stat().st_size, revision, counts)


@contextmanager
def _failures_explained():
    """Turn a database or file system failure into its one-line reason."""
    try:
        yield
    except (SQLAlchemyError, sqlite3.Error, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines() or [repr(exc)]
        raise BackupError(reason[0]) from exc


def _refuse_unless(confirmed: bool, database: str) -> None:
    if not confirmed:
        raise BackupError(f"restoring replaces every row in {database}; pass --yes to go ahead")


def _known(revision: str, known: frozenset[str]) -> str:
    if revision not in known:
        raise BackupError(f"the backup is at revision {revision}, which this version of "
                          "cev_learn does not know (made by a newer one?)")
    return revision


# --- SQLite ------------------------------------------------------------------------------

def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(f"backups need a SQLite database file, not {database or 'memory'}")
    return Path(database)


def _sqlite_backup(database: Path, partial: Path) -> tuple[str, dict[str, int]]:
    if not database.is_file():  # connecting would create an empty one
        raise BackupError(f"no database at {database}")
    with _sqlite(database) as source, _sqlite(partial) as copy:
        revision = _sqlite_facts(source)[0]
        source.backup(copy)  # in one step: a snapshot, even while others write
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    copied, counts = _checked_sqlite_file(partial)
    if copied != revision:
        raise BackupError(f"the copy is at revision {copied}, the database at {revision}")
    return revision, counts


def _sqlite_restore(source: Path, database: Path, known: frozenset[str],
                    confirmed: bool) -> tuple[str, dict[str, int]]:
    if source.resolve() == database.resolve():
        raise BackupError(f"{source} is the database itself")
    database.parent.mkdir(parents=True, exist_ok=True)
    # Checked and adjusted in a staging copy, so what goes in is exactly what was checked.
    fd, name = tempfile.mkstemp(prefix=database.name + ".", suffix=".restoring",
                                dir=database.parent)
    os.close(fd)
    staging = Path(name)
    try:
        with _sqlite(source, read_only=True) as backup, _sqlite(staging) as copy:
            _sqlite_call(lambda: backup.backup(copy), source)
        _known(_checked_sqlite_file(staging)[0], known)
        _refuse_unless(confirmed, str(database))
        with _sqlite(database) as live, _sqlite(staging) as copy:
            _move_data_version_past(copy, _sqlite_data_version(live))
            copy.commit()
            copy.backup(live)  # in one step, under the write lock: readers see old or new
        with _sqlite(database) as live:
            return _sqlite_facts(live)
    finally:
        staging.unlink(missing_ok=True)


@contextmanager
def _sqlite(path: Path, *, read_only: bool = False):
    target = f"{path.resolve().as_uri()}?mode=ro" if read_only else str(path)
    with closing(sqlite3.connect(target, uri=read_only, timeout=BUSY_TIMEOUT_SECONDS)) as conn:
        yield conn


def _sqlite_call(call, path: Path):
    try:
        return call()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a usable SQLite database: {exc}") from None


def _checked_sqlite_file(path: Path) -> tuple[str, dict[str, int]]:
    """The revision and row counts of a SQLite file that passes SQLite's own checks."""
    with _sqlite(path, read_only=True) as conn:
        problems = _sqlite_call(lambda: conn.execute("PRAGMA integrity_check").fetchall(), path)
        if problems != [("ok",)]:
            raise BackupError(f"{path} fails the integrity check: {problems[0][0]}")
        if conn.execute("PRAGMA foreign_key_check").fetchone():
            raise BackupError(f"{path} has rows whose foreign keys point nowhere")
        return _sqlite_facts(conn, path)


def _sqlite_facts(conn: sqlite3.Connection, path: Path | None = None) -> tuple[str, dict]:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return _facts(lambda sql: conn.execute(sql).fetchone(), tables, path)


def _sqlite_data_version(conn: sqlite3.Connection) -> int:
    try:
        return conn.execute("SELECT max(version) FROM data_version").fetchone()[0] or 0
    except sqlite3.DatabaseError:  # a new database, or one from before cached pages
        return 0


def _move_data_version_past(conn, version: int) -> None:
    """Cached pages are keyed by the data version: after a restore it must not repeat one
    the replaced data had, or pages cached from that data would be served again."""
    try:
        conn.execute("UPDATE data_version SET version = max(version, ?) + 1", (int(version),))
    except sqlite3.OperationalError:  # no such table: the backup predates cached pages
        pass


def _facts(fetch_one, tables: set[str], path: Path | None) -> tuple[str, dict[str, int]]:
    row = fetch_one("SELECT version_num FROM alembic_version") if "alembic_version" in tables \
        else None
    if not row:
        raise BackupError(f"{path or 'the database'} has no schema revision: "
                          "not a cev_learn database")
    counts = {table: fetch_one(count)[0] for table, count in SUMMARY_COUNTS.items()
              if table in tables}
    return row[0], counts


# --- PostgreSQL --------------------------------------------------------------------------

def _postgresql_backup(url: str, partial: Path) -> tuple[str, dict[str, int]]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                # pg_dump copies this transaction's snapshot, so the facts read here are the
                # facts of the copy.
                snapshot = conn.scalar(text("SELECT pg_export_snapshot()"))
                revision, counts = _postgresql_facts(conn)
                _pg("pg_dump", url, "--format=custom", f"--file={partial}",
                    f"--snapshot={snapshot}")
    finally:
        engine.dispose()
    copied = _archive_revision(partial, url)
    if copied != revision:
        raise BackupError(f"the copy is at revision {copied}, the database at {revision}")
    return revision, counts


def _postgresql_restore(source: Path, url: str, known: frozenset[str],
                        confirmed: bool) -> tuple[str, dict[str, int]]:
    revision = _known(_archive_revision(source, url), known)
    _refuse_unless(confirmed, f"database {make_url(url).database}")
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            replaced_version = _postgresql_data_version(conn)
        # One transaction: a restore that fails part-way leaves the database as it was.
        _pg("pg_restore", url, "--clean", "--if-exists", "--no-owner", "--single-transaction",
            "--exit-on-error", str(source))
        with engine.begin() as conn:
            if _postgresql_data_version(conn) is not None:
                conn.execute(text("UPDATE data_version SET version = "
                                  "greatest(version, :v) + 1"), {"v": replaced_version or 0})
            restored, counts = _postgresql_facts(conn)
    finally:
        engine.dispose()
    if restored != revision:
        raise BackupError(f"the database is at revision {restored} after the restore, "
                          f"the backup at {revision}")
    return revision, counts


def _postgresql_facts(conn) -> tuple[str, dict[str, int]]:
    tables = set(inspect(conn).get_table_names())
    return _facts(lambda sql: conn.exec_driver_sql(sql).first(), tables, None)


def _postgresql_data_version(conn) -> int | None:
    if not inspect(conn).has_table("data_version"):
        return None
    return conn.scalar(text("SELECT max(version) FROM data_version")) or 0


def _archive_revision(archive: Path, url: str) -> str:
    """The schema revision stored in a pg_dump archive (pg_restore reads it back)."""
    listing = _pg("pg_restore", url, "--data-only", "--table=alembic_version", "--file=-",
                  str(archive), connect=False)
    lines = listing.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("COPY ")
              and "alembic_version" in line]
    values = lines[starts[0] + 1:starts[0] + 2] if starts else []
    if not values or values[0] == "\\.":
        raise BackupError(f"{archive} has no schema revision: not a cev_learn backup")
    return values[0].strip()


def pg_command(tool: str, url: str, *args: str, connect: bool = True) -> tuple[list, dict]:
    """The command line and environment that run a PostgreSQL client tool on `url`. The
    password goes in the environment: every user of the machine can read command lines."""
    parts = make_url(url)
    libpq = URL.create("postgresql", username=parts.username, host=parts.host, port=parts.port,
                       database=parts.database, query=parts.query)
    env = dict(os.environ)
    if parts.password is not None:
        env["PGPASSWORD"] = parts.password
    command = [pg_tool(tool), "--no-password"]
    if connect:
        command.append(f"--dbname={libpq.render_as_string(hide_password=False)}")
    return [*command, *args], env


def _pg(tool: str, url: str, *args: str, connect: bool = True) -> str:
    command, env = pg_command(tool, url, *args, connect=connect)
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["no message"])[-1]
        reason = reason.removeprefix(f"{tool}: ").removeprefix("error: ")
        raise BackupError(f"{tool} failed: {reason}")
    return result.stdout


def pg_tool(name: str) -> str:
    """A PostgreSQL client program: from PATH, else the newest Debian-installed version."""
    found = shutil.which(name)
    if found:
        return found
    installed = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                       key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if not installed:
        raise BackupError(f"{name} not found: install the PostgreSQL client programs")
    return str(installed[-1])
