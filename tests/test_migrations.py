"""Migrations: one head, the models and the migrated schema agree (no drift), and every
migration goes down and up again on a database full of data without losing it."""
import datetime as dt
import hashlib
import os
import uuid
from contextlib import contextmanager
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import column, create_engine, inspect, select, table
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from cev_learn import create_app
from cev_learn.accounts.api_tokens import ApiToken, Scope
from cev_learn.accounts.models import LoginFailure, User
from cev_learn.api.scim import ScimGroup, ScimUser
from cev_learn.cohorts.models import ReminderLog
from cev_learn.content.models import Asset, Exercise, Track
from cev_learn.content.track_data import forget_tracks
from cev_learn.platform.caching import ScopeVersion
from cev_learn.platform.db import db
from cev_learn.platform.health import migration_heads
from cev_learn.platform.rate_limits import RateLimitWindow
from cev_learn.practice.models import Review, Submission, SubmissionState
from cev_learn.notifications.models import NotificationSettings
from cev_learn.ramp.pending_imports import PendingImport
from cev_learn.webhooks.models import WebhookRepStanding, WebhookSettings
from cev_learn.xapi.models import LrsCursor
from tests.helpers import ROOT, app_config
from tests.webhooks.helpers import stored_delivery

COURSES = ROOT / "courses"


def test_there_is_a_single_migration_head(app):
    assert len(migration_heads(app.config["MIGRATIONS_DIR"])) == 1


def test_models_match_the_migrated_database(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "render_as_batch": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ; run `cev-learn db migrate`: {diff}"


def test_each_migration_goes_down_and_up_again_keeping_the_data(tmp_path):
    """From head, one migration at a time: down, up, down. Rows of every table that exists on
    both sides of a step come through both ways unchanged, in the columns both sides have.
    What a migration creates its downgrade drops by design (the first one drops every
    table): those tables and columns come back empty, and are left out of the comparison."""
    with scratch_database(tmp_path, "migrations") as url:
        app = create_app(app_config(url, tmp_path))
        directory = app.config["MIGRATIONS_DIR"]
        with app.app_context():
            upgrade(directory=directory)
            seed_every_table(app)
            at_head = current_rows()
            assert [name for name, (_, rows) in at_head.items() if not rows] == []
            config = Config()
            config.set_main_option("script_location", directory)
            for step in ScriptDirectory.from_config(config).walk_revisions():  # newest first
                above = current_rows()
                downgrade(directory=directory, revision=step.down_revision or "base")
                below = current_rows()
                assert changed(above, below) == [], f"down from {step.revision}"
                upgrade(directory=directory, revision=step.revision)
                assert changed(below, current_rows()) == [], f"up to {step.revision} again"
                downgrade(directory=directory, revision=step.down_revision or "base")
            assert current_rows().keys() == {"alembic_version"}
            upgrade(directory=directory)
            heads = migration_heads(directory)
            assert current_rows()["alembic_version"][1] == [heads]
            db.session.remove()
            db.engine.dispose()
    forget_tracks()


def seed_every_table(app) -> None:
    """The demo organisation, and a row in each table it leaves empty."""
    runner = app.test_cli_runner()
    assert runner.invoke(args=["content", "sync", str(COURSES)]).exit_code == 0
    result = runner.invoke(args=["demo", "seed", "--reps", "6", "--no-history"])
    assert result.exit_code == 0, result.output
    now = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
    user = db.session.scalar(select(User).order_by(User.id))
    track = db.session.scalar(select(Track))
    db.session.add_all([
        ApiToken(user_id=user.id, name="CRM sync", prefix="cev_abc", digest="d" * 64,
                 scope=Scope.WRITE, created_at=now, created_by_id=user.id, last_used_at=now),
        Asset(track_id=track.id, path="assets/pipeline.png", content_type="image/png",
              data=b"\x89PNG\r\n\x1a\n\x00", content_hash="a" * 64),
        LoginFailure(key="email:someone@example.com", failed_at=now),
        PendingImport(token="t" * 64, user_id=user.id, kind="activities", skip_invalid=False,
                      content=b"external_id,rep_email\n", created_at=now),
        ReminderLog(user_id=user.id, kind="weekly", for_date=now.date(), sent_at=now),
        RateLimitWindow(key="LIMITER/token:abc/api/600/1/minute", hits=3, ends_at=now),
        ScopeVersion(scope=f"rep:{user.id}", version=4),
        ScimUser(id="2819c223", user_id=user.id, created_at=now, updated_at=now,
                 document={"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                           "userName": user.email}),
        ScimGroup(id="e9e30dba", created_at=now, updated_at=now,
                  document={"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                            "displayName": "cev_learn coaches",
                            "members": [{"value": "2819c223"}]}),
        WebhookSettings(id=1, allow_private_addresses=True, updated_at=now,
                        updated_by_id=user.id),
        WebhookRepStanding(rep_id=user.id, standing="at_risk", changed_at=now),
        NotificationSettings(user_id=user.id, email="immediately"),
        LrsCursor(lrs_url="https://lrs.example.com/xapi", stored_at=now, kind="module",
                  row_id=3, statements_sent=120, failures=1, last_attempt_at=now,
                  next_attempt_at=now, last_error="HTTP 503: try later"),
    ])
    db.session.flush()
    _seed_practice(user, now)
    db.session.commit()
    stored_delivery(user.id)  # an endpoint, an event and its delivery


def _seed_practice(rep: User, now: dt.datetime) -> None:
    """A reviewed practice submission, unless the demo made one already."""
    if db.session.scalar(select(Review.id)) is not None:
        return
    exercise = db.session.scalar(select(Exercise))
    submission = Submission(exercise_id=exercise.id, user_id=rep.id, storage_key="k" * 32,
                            kind="webm", size_bytes=2048, duration_seconds=None,
                            state=SubmissionState.REVIEWED, submitted_at=now,
                            review_due_on=now.date(), reviewed_at=now)
    db.session.add(submission)
    db.session.flush()
    db.session.add(Review(submission_id=submission.id, reviewer_id=rep.id, scores=[3, 4, 4, 5],
                          score=0.75, passed=True, summary="Good.", created_at=now,
                          comments=[{"at": 12, "text": "Ask one more question."}]))


def current_rows() -> dict:
    with db.engine.connect() as conn:
        return table_rows(conn)


def table_rows(conn) -> dict[str, tuple[tuple[str, ...], list[tuple]]]:
    """Every table's columns and rows, as the database stores them."""
    tables = {}
    for name in inspect(conn).get_table_names():
        columns = tuple(c["name"] for c in inspect(conn).get_columns(name))
        tables[name] = columns, [tuple(row) for row in conn.execute(
            select(table(name, *map(column, columns))))]
    return tables


def changed(before: dict, after: dict) -> list[str]:
    """Tables on both sides whose rows differ in the columns both sides have."""
    differ = []
    for name in before.keys() & after.keys() - {"alembic_version"}:
        common = [c for c in before[name][0] if c in after[name][0]]
        if digest(*before[name], common) != digest(*after[name], common):
            differ.append(name)
    return sorted(differ)


def digest(columns: tuple[str, ...], rows: list[tuple], keep: list[str]) -> tuple[int, str]:
    """Row count and a digest of the rows' values in the `keep` columns, in any row order."""
    positions = [columns.index(c) for c in keep]
    lines = sorted(repr(tuple(row[i] for i in positions)) for row in rows)
    return len(rows), hashlib.sha256("\n".join(lines).encode()).hexdigest()


@contextmanager
def scratch_database(directory: Path, purpose: str):
    """The URL of a new, empty database of the kind the tests run on: a file, or a database
    of its own on the test PostgreSQL server (dropped afterwards)."""
    server = os.environ.get("CEV_LEARN_TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{directory / f'{purpose}.sqlite'}"
        return
    name = f"cev_learn_{purpose}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
