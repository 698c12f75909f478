"""cev-learn backup and restore: a copy taken while the app writes is a consistent snapshot,
restores into a new database that serves the same data, and replaces a running app's data
without its cached pages coming back; refused commands leave files and data as they were."""
import datetime as dt
import hashlib
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from cev_learn import create_app
from cev_learn.accounts.models import User
from cev_learn.cohorts.models import Cohort, Membership
from cev_learn.content.track_data import forget_tracks
from cev_learn.demo import DEMO_PASSWORD
from cev_learn.ops import backup
from cev_learn.platform.caching import DataVersion
from cev_learn.platform.db import db
from cev_learn.platform.health import migration_heads
from cev_learn.ramp.models import ActivityRecord
from tests.helpers import app_config, login
from tests.test_migrations import COURSES, changed, scratch_database, table_rows

REP = "rep01@example.com"
WRITTEN = "activity_record"  # the table the writer adds to during the backup
MOVED_BY_RESTORE = "data_version"  # a restore moves it on, past the replaced data's


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    return tmp_path_factory.mktemp("backups")


@pytest.fixture(scope="module")
def source(directory):
    """An app on a database of its own holding the demo organisation."""
    with scratch_database(directory, "backup_source") as url:
        app = create_app(app_config(url, directory))
        with app.app_context():
            upgrade(directory=app.config["MIGRATIONS_DIR"])
            assert cli(app, "content", "sync", str(COURSES)).exit_code == 0
            assert cli(app, "demo", "seed", "--reps", "8", "--no-history").exit_code == 0
        yield app
        dispose(app)
    forget_tracks()


def cli(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def rows_at(url: str) -> dict:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return table_rows(conn)
    finally:
        engine.dispose()


def without(tables: dict, *names: str) -> dict:
    return {name: rows for name, rows in tables.items() if name not in names}


def url_of(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"]


def on_sqlite(app) -> bool:
    return make_url(url_of(app)).get_backend_name() == "sqlite"


def write(app, statement) -> None:
    """One write transaction on a connection of its own, as another process would."""
    engine = create_engine(url_of(app), poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text(statement) if isinstance(statement, str) else statement)
    engine.dispose()


def scalar(app, query):
    with app.app_context():
        try:
            return db.session.scalar(query)
        finally:
            db.session.remove()


class Writer(threading.Thread):
    """Adds a rep's activity records, one per transaction, on a connection of its own."""

    def __init__(self, url: str, user_id: int):
        super().__init__(daemon=True)
        self.engine = create_engine(url, poolclass=NullPool)
        self.user_id = user_id
        self.committed: list[str] = []  # external ids, in commit order
        self.stopping = threading.Event()
        self.error: BaseException | None = None

    def run(self):
        try:
            with self.engine.connect() as conn:
                while not self.stopping.is_set():
                    external_id = f"live-{len(self.committed):06d}"
                    with conn.begin():
                        conn.execute(insert(ActivityRecord.__table__).values(
                            external_id=external_id, user_id=self.user_id, type="call",
                            occurred_on=dt.date.today(), quantity=1, amount=0.0,
                            source="api"))
                    self.committed.append(external_id)
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            self.engine.dispose()

    def wait_for(self, rows: int, seconds: float) -> None:
        """Let it write for at least `seconds` and at least `rows` rows more."""
        target, deadline = len(self.committed) + rows, time.monotonic() + seconds
        while (len(self.committed) < target or time.monotonic() < deadline) and self.is_alive():
            time.sleep(0.02)
        assert self.error is None, self.error


def test_backup_taken_while_the_app_writes_restores_a_consistent_copy(source, directory):
    quiet = rows_at(url_of(source))
    rep = scalar(source, select(User).where(User.email == REP))
    cohort = scalar(source, select(Cohort.name).join(Membership).where(
        Membership.user_id == rep.id))
    writer = Writer(url_of(source), rep.id)
    writer.start()
    try:
        writer.wait_for(rows=20, seconds=1.0)
        committed_before = len(writer.committed)
        backed_up = cli(source, "backup", str(directory / "live.backup"))
        committed_after = len(writer.committed)
        writer.wait_for(rows=20, seconds=1.0)
    finally:
        writer.stopping.set()
        writer.join()
    assert writer.error is None, writer.error
    assert backed_up.exit_code == 0, backed_up.output
    head = migration_heads(source.config["MIGRATIONS_DIR"])[0]
    assert backed_up.output.startswith(f"Backed up to {directory / 'live.backup'}: ")
    assert f"revision {head}, rows: user {len(quiet['user'][1])}, " in backed_up.output

    with scratch_database(directory, "backup_restored") as restored_url:
        restored = create_app(app_config(restored_url, directory))
        result = cli(restored, "restore", str(directory / "live.backup"), "--yes")
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"Restored from {directory / 'live.backup'}: ")
        copy = rows_at(restored_url)
        if on_sqlite(source):
            assert_sqlite_checks_pass(directory / "live.backup", make_url(restored_url).database)
        # Tables nobody wrote are exactly as they were; the written one holds what was
        # there plus the first k records the writer committed: a snapshot of one moment.
        assert changed(without(quiet, WRITTEN, MOVED_BY_RESTORE),
                       without(copy, WRITTEN, MOVED_BY_RESTORE)) == []
        assert copy.keys() == quiet.keys()
        columns, rows = copy[WRITTEN]
        external = columns.index("external_id")
        live = sorted(row[external] for row in rows if row[external].startswith("live-"))
        assert live == writer.committed[:len(live)]
        # (+ 1: a record may commit during the backup and be listed only after it ended)
        assert committed_before <= len(live) <= committed_after + 1
        assert len(live) < len(writer.committed)  # the writer went on after the snapshot
        old = (columns, [row for row in rows if not row[external].startswith("live-")])
        assert changed({WRITTEN: quiet[WRITTEN]}, {WRITTEN: old}) == []
        assert f"activity_record {len(rows)}, " in backed_up.output  # counts of the copy
        assert f"activity_record {len(rows)}, " in result.output

        client = restored.test_client()
        assert client.get("/readyz").status_code == 200  # at the newest migration
        assert login(client, REP, DEMO_PASSWORD).status_code == 302
        page = client.get("/", follow_redirects=True)
        assert page.status_code == 200 and page.request.path == "/week"
        assert cohort in page.get_data(as_text=True) and rep.name in page.get_data(as_text=True)
        dispose(restored)


def assert_sqlite_checks_pass(*paths) -> None:
    for path in paths:
        with closing(sqlite3.connect(path)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_restore_over_a_running_app_brings_back_the_data_and_not_its_cached_pages(
        source, directory):
    """Pages are cached under the data version: the restore must not hand out again a
    version the replaced data had, or a page cached from that data would be served."""
    client = source.test_client()
    assert login(client, REP, DEMO_PASSWORD).status_code == 302
    cohort_id = scalar(source, select(Membership.cohort_id).join(User).where(User.email == REP))
    cohort = scalar(source, select(Cohort.name).where(Cohort.id == cohort_id))
    assert cohort in client.get("/week").get_data(as_text=True)
    at_backup = rows_at(url_of(source))
    assert cli(source, "backup", str(directory / "running.backup")).exit_code == 0

    write(source, update(Cohort).where(Cohort.id == cohort_id).values(
        name="Renamed after the backup"))
    assert "Renamed after the backup" in client.get("/week").get_data(as_text=True)
    replaced_version = scalar(source, select(DataVersion.version))
    result = cli(source, "restore", str(directory / "running.backup"), "--yes")
    assert result.exit_code == 0, result.output
    assert scalar(source, select(DataVersion.version)) > replaced_version
    assert changed(without(at_backup, MOVED_BY_RESTORE),
                   without(rows_at(url_of(source)), MOVED_BY_RESTORE)) == []

    # The next change brings the version to where the cached page was built, were it reused.
    write(source, update(Cohort).where(Cohort.id != cohort_id).values(territory="DACH"))
    page = client.get("/week").get_data(as_text=True)  # same app, same pooled connections
    assert cohort in page and "Renamed after the backup" not in page


def test_refused_commands_leave_files_and_the_database_unchanged(source, directory):
    good, unknown = directory / "good.backup", directory / "unknown.backup"
    assert cli(source, "backup", str(good)).exit_code == 0
    write(source, "UPDATE alembic_version SET version_num = 'ffffffffffff'")
    try:
        assert cli(source, "backup", str(unknown)).exit_code == 0
    finally:
        head = migration_heads(source.config["MIGRATIONS_DIR"])[0]
        write(source, f"UPDATE alembic_version SET version_num = '{head}'")
    garbage = directory / "garbage.backup"
    garbage.write_bytes(hashlib.sha256(b"not a backup").digest() * 300)
    truncated = directory / "truncated.backup"
    truncated.write_bytes(good.read_bytes()[:good.stat().st_size // 2])
    good_bytes = good.read_bytes()
    before = rows_at(url_of(source))

    refusals = [
        (("backup", str(good)), "good.backup exists; pass --force"),
        (("backup", str(directory / "missing" / "new.backup")), "no directory"),
        (("restore", str(good)), "pass --yes"),
        (("restore", str(directory / "absent.backup"), "--yes"), "no backup file"),
        (("restore", str(garbage), "--yes"), ""),
        (("restore", str(truncated), "--yes"), ""),
        (("restore", str(unknown), "--yes"), "revision ffffffffffff"),
    ]
    for args, reason in refusals:
        result = cli(source, *args)
        assert result.exit_code == 1, (args, result.output)
        assert result.output.startswith("Error: ") and reason in result.output, result.output
        assert "Traceback" not in result.output
    assert good.read_bytes() == good_bytes
    assert not (directory / "missing").exists()
    after = rows_at(url_of(source))
    assert changed(before, after) == [] and after["alembic_version"] == before["alembic_version"]
    leftovers = [p.name for p in directory.iterdir() if p.suffix in (".partial", ".restoring")]
    assert leftovers == []


def test_backup_of_a_database_that_is_not_there_writes_nothing(source, directory):
    missing = make_url(url_of(source)).set(database="cev_learn_no_such_database")
    missing = (f"sqlite:///{directory / 'never-created.sqlite'}" if on_sqlite(source)
               else missing.render_as_string(hide_password=False))
    app = create_app(app_config(missing, directory))
    result = cli(app, "backup", str(directory / "nothing.backup"))
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert not (directory / "nothing.backup").exists()
    assert not (directory / "nothing.backup.partial").exists()
    assert not (directory / "never-created.sqlite").exists()  # not made empty either


def test_the_database_password_never_reaches_a_command_line(monkeypatch):
    """Command lines are visible to every user of the machine (ps); the environment is not."""
    monkeypatch.setattr(backup, "pg_tool", lambda name: name)
    command, env = backup.pg_command(
        "pg_dump", "postgresql+psycopg://cev:p%40ss%20word@db.internal:5433/cev_learn"
                   "?sslmode=require", "--format=custom")
    assert command == ["pg_dump", "--no-password",  # never waits on a prompt either
                       "--dbname=postgresql://cev@db.internal:5433/cev_learn?sslmode=require",
                       "--format=custom"]
    assert env["PGPASSWORD"] == "p@ss word"


def test_the_database_file_is_never_its_own_backup(source):
    """Renamed over the live file, a copy would meet the old file's write-ahead log."""
    if not on_sqlite(source):
        pytest.skip("only a SQLite database is a file")
    database = make_url(url_of(source)).database
    before = Path(database).read_bytes()
    for command in (("backup", database, "--force"), ("restore", database, "--yes")):
        result = cli(source, *command)
        assert result.exit_code == 1 and "is the database itself" in result.output
    assert Path(database).read_bytes() == before
