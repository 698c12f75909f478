"""The shell around every page: headers, error pages, probes, request log, config chain."""
import datetime as dt
import json
import logging
import os
import stat
import threading

import pytest
from flask_migrate import upgrade

from cev_learn import create_app
from cev_learn.accounts.decorators import public
from cev_learn.accounts.models import Role
from cev_learn.platform.db import db
from tests.helpers import csrf_token, login, make_user

SECURITY_HEADERS = ["Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
                    "X-Frame-Options"]


@pytest.fixture
def failing_app(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @public
    def boom():
        raise RuntimeError("secret internals")

    app.add_url_rule("/boom", "boom", boom)
    return app


def assert_security_headers(response):
    for header in SECURITY_HEADERS:
        assert header in response.headers, header
    csp = response.headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
                      "default-src 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_security_headers_on_200_404_and_500(failing_app):
    client = failing_app.test_client()
    ok = client.get("/login")
    missing = client.get("/no/such/page")
    broken = client.get("/boom")
    assert (ok.status_code, missing.status_code, broken.status_code) == (200, 404, 500)
    for response in (ok, missing, broken):
        assert_security_headers(response)


def test_500_page_has_no_traceback(failing_app):
    page = failing_app.test_client().get("/boom").get_data(as_text=True)
    assert "Something went wrong" in page
    assert "secret internals" not in page and "Traceback" not in page


@pytest.mark.parametrize("method,path,status,title", [
    ("GET", "/no/such/page", 404, "Page not found"),
    ("DELETE", "/login", 405, "Method not allowed"),
])
def test_error_pages_explain_themselves(client, method, path, status, title):
    response = client.open(path, method=method)
    assert response.status_code == status
    assert title in response.get_data(as_text=True)


def test_request_larger_than_the_limit_gets_413(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    response = app.test_client().post("/login", data={"email": "x" * 5000})
    assert response.status_code == 413
    assert "Too large" in response.get_data(as_text=True)


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_is_ready_on_a_migrated_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["migrations"] == "at head"


def test_readyz_is_503_before_migrations(tmp_path):
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path}/empty.sqlite",
                      "REQUEST_LOG": False}, instance_path=str(tmp_path))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["database"] == "reachable"
    assert response.json["migrations"] == "not at head"
    with app.app_context():
        db.engine.dispose()


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path):
    app = create_app({"SECRET_KEY": "x", "REQUEST_LOG": False,
                      "DATABASE_URL": f"sqlite:///{tmp_path}/missing-dir/db.sqlite"},
                     instance_path=str(tmp_path))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"
    with app.app_context():
        db.engine.dispose()


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def test_one_json_log_line_per_request(make_app):
    app = make_app(REQUEST_LOG=True)
    handler = _Collect()
    logging.getLogger("cev_learn.request").addHandler(handler)
    try:
        user = make_user(Role.REP)
        client = app.test_client()
        login(client, user.email)
        handler.lines.clear()
        client.get("/week", headers={"X-Request-ID": "abc-123"})
    finally:
        logging.getLogger("cev_learn.request").removeHandler(handler)
    assert len(handler.lines) == 1
    entry = json.loads(handler.lines[0])
    assert set(entry) == {"ts", "method", "path", "status", "duration_ms", "sql_count",
                          "user_id", "request_id"}
    logged_at = dt.datetime.fromisoformat(entry["ts"])
    assert logged_at.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - logged_at) < dt.timedelta(minutes=1)
    assert entry["path"] == "/week" and entry["status"] == 200
    assert entry["user_id"] == user.id and entry["request_id"] == "abc-123"
    assert entry["sql_count"] >= 1 and entry["duration_ms"] >= 0


def test_config_chain_defaults_then_instance_file_then_environment(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text(
        "LOGIN_MAX_FAILURES_PER_ACCOUNT = 7\nLOGIN_MAX_FAILURES_PER_ADDRESS = 70\n")
    monkeypatch.setenv("CEV_LEARN_LOGIN_MAX_FAILURES_PER_ACCOUNT", "9")
    monkeypatch.setenv("CEV_LEARN_DATABASE_URL", "postgresql://u@db.internal/cev")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] == 9  # environment wins
    assert app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] == 70  # instance file beats default
    assert app.config["LOGIN_THROTTLE_WINDOW_SECONDS"] == 15 * 60  # default
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.internal/cev"
    secret = tmp_path / "secret_key"
    assert app.config["SECRET_KEY"] == secret.read_text().strip()
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    app = create_app({"SECRET_KEY": "x", "REQUEST_LOG": False,
                      "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite"}, instance_path=str(tmp_path))
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15_000
        db.engine.dispose()


def test_concurrent_writers_never_see_database_is_locked(make_app):
    """Many clients at once, each reading then writing: they queue, none fails."""
    app = make_app(LOGIN_MAX_FAILURES_PER_ACCOUNT=1000, LOGIN_MAX_FAILURES_PER_ADDRESS=1000)
    users = [make_user(Role.REP) for _ in range(6)]
    statuses, errors = [], []

    def hammer(email):
        client = app.test_client()
        token = csrf_token(client)
        for _ in range(15):
            try:
                statuses.append(client.post("/login", data={
                    "email": email, "password": "wrong password here",
                    "csrf_token": token}).status_code)
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(repr(exc))

    threads = [threading.Thread(target=hammer, args=(u.email,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert statuses == [400] * 90


def test_migrations_upgrade_an_empty_sqlite_database(tmp_path):
    app = create_app({"SECRET_KEY": "x", "REQUEST_LOG": False,
                      "DATABASE_URL": f"sqlite:///{tmp_path}/fresh.sqlite"},
                     instance_path=str(tmp_path))
    with app.app_context():
        upgrade(directory=app.config["MIGRATIONS_DIR"])
        db.engine.dispose()
    assert app.test_client().get("/readyz").status_code == 200
    with app.app_context():
        db.engine.dispose()
