"""Shared fixtures: one migrated database per run, apps lent to one test after another (see
`_lend`), tables emptied after each test, and the data most tests start from."""
import datetime as dt
import os
from contextlib import contextmanager

import pytest
from flask import g, has_request_context, request_finished, request_started
from flask import request as flask_request
from flask_migrate import upgrade
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from cev_learn import create_app
from cev_learn.accounts.models import Role, User
from cev_learn.content.loader import load_tree
from cev_learn.content.models import Quiz
from cev_learn.content.sync import SyncReport
from cev_learn.content.track_data import read_active_tracks
from cev_learn.platform.caching import cache
from cev_learn.platform.db import db, utcnow
from cev_learn.platform.observability import counted
from cev_learn.quizzes import services
from tests.helpers import (ROOT, app_config, data_tables, empty_tables, login, make_user,
                           sync_content)
from tests.quizzes.fixtures import quiz_track

# Fixtures of their own modules, for every test: a real SMTP server on localhost (mail_server),
# a real OpenID provider (oidc_provider), API clients with tokens (api, api_track), the small
# ramp organisation (organisation).
pytest_plugins = ["tests.mail", "tests.oidc.server", "tests.api.fixtures", "tests.ramp.fixtures",
                  "tests.xapi.lrs_server"]

@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("CEV_LEARN_TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    app = create_app(app_config(url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        upgrade(directory=app.config["MIGRATIONS_DIR"])
        db.engine.dispose()
    return url


@pytest.fixture(autouse=True)
def _today_is_the_day_the_test_runs(request, monkeypatch):
    """Modules whose constants are days relative to the day they were imported (`TODAY`, and
    the names in their `DAYS_FROM_TODAY`, which such a module defines, empty or not) see them
    moved to the day each test runs: a run that crosses midnight must not compare the app's
    today with yesterday's."""
    module = request.module
    imported_on = getattr(module, "TODAY", None)
    if not hasattr(module, "DAYS_FROM_TODAY") or imported_on == dt.date.today():
        return  # a module whose TODAY is a fixed day has no DAYS_FROM_TODAY
    shift = dt.date.today() - imported_on
    for name in ("TODAY", *getattr(module, "DAYS_FROM_TODAY", ())):
        value = getattr(module, name)
        moved = (dt.date.fromisoformat(value) + shift).isoformat() if isinstance(value, str) \
            else value + shift
        monkeypatch.setattr(module, name, moved)


MAX_STATEMENTS = 12  # SQL statements per request, every request (a BEGIN is not counted:
# platform.observability.counted)
_reading_tracks = False  # True while a request's tracks are read before it (not its cost)


@pytest.fixture(autouse=True)
def _every_request_within_the_statement_budget(request):
    """Every request a test makes costs at most MAX_STATEMENTS SQL statements, counted as the
    request log counts them. Before each, the app reads the tracks a content sync changed,
    as a server process does between requests (ops.serving)."""
    over = []

    def read_tracks_first(app, **_extra):
        global _reading_tracks
        _reading_tracks = True
        try:
            read_active_tracks(app)
        finally:
            _reading_tracks = False

    def check(app, response, **_extra):
        if g.get("sql_count", 0) > MAX_STATEMENTS:
            statements = "".join(f"\n    {' '.join(s.split())[:150]}"
                                 for s in g.get("statements", ()))
            over.append(f"{flask_request.method} {flask_request.full_path.rstrip('?')} → "
                        f"{response.status_code}: {g.sql_count} statements{statements}")

    request_started.connect(read_tracks_first)
    request_finished.connect(check)
    try:
        yield
    finally:
        request_started.disconnect(read_tracks_first)
        request_finished.disconnect(check)
    if over:
        pytest.fail(f"requests over {MAX_STATEMENTS} SQL statements:\n" + "\n".join(over),
                    pytrace=False)


@event.listens_for(Engine, "before_cursor_execute")
def _keep_request_statements(_connection, _cursor, statement, *_args):
    """What a request ran, for the message of one over the budget."""
    if has_request_context() and "sql_count" in g and counted(statement):
        g.setdefault("statements", []).append(statement)


@pytest.fixture(scope="session")
def _shared_apps():
    """Apps lent to one test after another (see `_lend`), by name."""
    return {}


def _fingerprint(app) -> tuple:
    """What a test could change on an app object: its config, routes, hooks and attributes."""
    app.jinja_env, app.jinja_loader  # noqa: B018 - made on first use, so made here first
    hooks = [{key: list(funcs) for key, funcs in registry.items() if funcs} for registry in (
        app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs,
        app.url_value_preprocessors, app.url_default_functions,
        app.template_context_processors)]
    handlers = {(name, code): dict(found) for name, codes in app.error_handler_spec.items()
                for code, found in codes.items() if found}
    return (dict(app.config), sorted(vars(app)), dict(app.view_functions),
            sorted(str(rule) for rule in app.url_map.iter_rules()), sorted(app.extensions),
            hooks, handlers, dict(app.jinja_env.globals), dict(app.jinja_env.filters))


def _lend(shared: dict, name: str, build):
    """An app built once and lent to each test in turn, as a fresh app would be: its page
    cache emptied, the tables emptied after the test. Building an app, compiling its SQL and
    its templates are most of what a short test costs; a test that changed the app object
    (config, routes, hooks, attributes) leaves it behind, and the next test gets a new one."""
    lent = shared.get(name)
    if lent is None or _fingerprint(lent[0]) != lent[1]:
        app = build()
        lent = shared[name] = (app, _fingerprint(app))
    app = lent[0]
    with app.app_context():
        cache.clear()
    return app


@pytest.fixture
def data_context(database_url, tmp_path, _shared_apps):
    """An app context for test code to set up and inspect data, emptied afterwards.

    It belongs to a twin app, so requests made by the test client get their own fresh
    contexts (and a fresh `g`), as they do in production. On SQLite its statements run in
    autocommit mode, so test code never holds a lock or an old snapshot while requests run.
    """
    twin = _lend(_shared_apps, "twin", lambda: create_app(
        app_config(database_url, tmp_path, SQLITE_BEGIN="autocommit")))
    with twin.app_context():
        yield twin
        db.session.remove()
        empty_tables()
        db.engine.dispose()


@pytest.fixture
def make_app(database_url, tmp_path, data_context):
    """Build a new app under test on the test database (no context pushed)."""
    apps = []

    def build(**overrides):
        app = create_app(app_config(database_url, tmp_path, **overrides))
        apps.append(app)
        return app

    yield build
    _release(*apps)


def _release(*apps):
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def _stored_rows():
    """What `stored_once` built, by name: (result, every table's rows)."""
    return {}


@pytest.fixture
def stored_once(app, _stored_rows):
    """stored_once(name, build) -> build()'s result. The first test of a run to ask for `name`
    runs `build` (a demo seed, say); later ones get the rows it stored written back in bulk
    instead, the same rows with the same ids, and the same result. For tests that only read
    what `build` made (or change it: the tables are emptied after each test as always)."""
    def build_or_restore(name: str, build):
        if name not in _stored_rows:
            result = build()
            with db.engine.connect() as conn:
                rows = {table.name: [row._asdict() for row in conn.execute(table.select())]
                        for table in data_tables()}
            _stored_rows[name] = result, rows
            return result
        result, rows = _stored_rows[name]
        with app.app_context(), db.engine.begin() as conn:  # one transaction (not the twin's)
            history = [t for t in data_tables() if t.name == "achievement_change"]
            for table in [t for t in data_tables() if t not in history] + history:
                if table in history:  # the database copied the restored achievements there
                    conn.execute(table.delete())  # as it wrote them: the stored history wins
                if rows[table.name]:
                    conn.execute(table.insert(), rows[table.name])
        return result

    return build_or_restore


@pytest.fixture
def demo_organisation(app, stored_once):
    """demo_organisation() -> the output of `cev-learn demo seed` run after a sync of the
    shipped courses (what `make run` sets up), seeded once per run (see `stored_once`)."""
    def seed():
        assert sync_content(app, ROOT / "courses").counts["tracks"].created >= 1
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["demo", "seed"])
        assert result.exit_code == 0, result.output
        return result.output

    return lambda: stored_once("demo organisation", seed)


@pytest.fixture
def app(database_url, tmp_path, data_context, _shared_apps):
    """The app under test with the test configuration (lent: see `_lend`)."""
    app = _lend(_shared_apps, "app", lambda: create_app(app_config(database_url, tmp_path)))
    yield app
    _release(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def quiz_track_files(tmp_path_factory):
    """The small test track (tests/quizzes/fixtures.py) written once, and loaded once."""
    root = quiz_track(tmp_path_factory.mktemp("quiz-track"))
    return root, load_tree(root)


@pytest.fixture
def synced_track(app, quiz_track_files) -> SyncReport:
    """The small test track synced (modules intro and discovery, the quiz `check`, the rubric
    `pitch`, the milestone first-meeting): the sync service's report."""
    root, sources = quiz_track_files
    report = sync_content(app, root, sources=sources)
    assert report.changed and [report.counts[kind].created for kind in
                               ("tracks", "quizzes", "milestones", "rubrics")] == [1, 1, 1, 1]
    return report


@pytest.fixture
def signed_in(app):
    """signed_in(user) -> a test client of the app under test signed in as that user;
    signed_in(role, **user fields) -> one signed in as a new user of that role. The user is
    `client.user`."""
    def sign_in(user_or_role: User | Role = Role.REP, **fields):
        client = app.test_client()
        client.user = (user_or_role if isinstance(user_or_role, User)
                       else make_user(user_or_role, **fields))
        response = login(client, client.user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return sign_in


@pytest.fixture
def make_quiz(app, tmp_path):
    """make_quiz(**settings) -> the quiz `check` of the small test track, written under
    `tmp_path` with these settings (pass_mark, max_attempts, review, time_limit_minutes, see
    tests/quizzes/fixtures.py) and synced through the sync service."""

    def make(**settings):
        report = sync_content(app, quiz_track(tmp_path, **settings))
        assert report.counts["quizzes"].created == 1, report.lines()
        return db.session.scalar(select(Quiz).where(Quiz.slug == "check"))

    return make


@pytest.fixture
def make_attempt(synced_track):
    """make_attempt(owner, submitted=False) -> an attempt of `owner` at the synced track's quiz,
    started now (and submitted with no answers when asked), committed."""

    def start(owner: User, submitted: bool = False):
        quiz = db.session.scalar(select(Quiz).where(Quiz.slug == "check"))
        grace = dt.timedelta(seconds=30)
        attempt = services.start_attempt(owner, quiz, utcnow(), grace)
        if submitted:
            services.submit_attempt(attempt.id, None, utcnow(), grace)
        db.session.commit()
        return attempt

    return start


@pytest.fixture
def page_statements(count_queries):
    """SQL statements it costs to build a page (not served from the page cache) once this
    process has read its track (the first request after a content sync reads it: six
    statements more): `page_statements(client, url)`."""
    def measure(client, url: str) -> int:
        assert client.get(url).status_code == 200, url
        with client.application.app_context():
            cache.clear()
        with count_queries() as counter:
            assert client.get(url).status_code == 200, url
        return counter["n"]

    return measure


@pytest.fixture
def count_queries(app):
    """Count SQL statements the app runs inside the block: `with count_queries() as n: ...`."""
    with app.app_context():
        engine = db.engine

    @contextmanager
    def counting():
        counter = {"n": 0}

        def count(*_args, **_kwargs):
            if not _reading_tracks:
                counter["n"] += 1

        event.listen(engine, "before_cursor_execute", count)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", count)

    return counting

