"""Cached values are shared by every worker of a server (the default file cache in the
instance folder) and never mixed between databases that share a cache."""
import datetime as dt

import pytest
from flask_migrate import upgrade

from cev_learn import create_app
from cev_learn.platform.caching import cached, database_identity
from cev_learn.platform.db import db

TODAY = dt.date(2026, 12, 5)


def _app(url: str, instance) -> object:
    """An app as `make run` configures it (no cache settings), on `url`, in `instance`."""
    app = create_app({"SECRET_KEY": "k" * 32, "DATABASE_URL": url, "REQUEST_LOG": False},
                     instance_path=str(instance))
    with app.app_context():
        upgrade(directory=app.config["MIGRATIONS_DIR"])
        db.engine.dispose()
    return app


def _cached(app, value: str) -> str:
    with app.app_context():
        try:
            return cached("shared-test", (), lambda: value, today=TODAY)
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path):
    return lambda name: f"sqlite:///{tmp_path / name}"


def test_two_processes_of_one_server_share_cached_values(tmp_path, sqlite_url):
    url = sqlite_url("shared.sqlite")
    first, second = _app(url, tmp_path / "instance"), _app(url, tmp_path / "instance")

    assert first.config["CACHE_TYPE"] == "FileSystemCache"
    assert _cached(first, "built by the first") == "built by the first"
    assert _cached(second, "built by the second") == "built by the first"
    assert (tmp_path / "instance" / "cache").is_dir()


def test_databases_sharing_a_cache_never_read_each_others_values(tmp_path, sqlite_url):
    instance = tmp_path / "instance"
    one, other = _app(sqlite_url("one.sqlite"), instance), _app(sqlite_url("other.sqlite"),
                                                                 instance)

    assert _cached(one, "from one") == "from one"
    assert _cached(other, "from the other") == "from the other"


def test_the_database_identity_leaves_the_password_out_and_tells_databases_apart():
    with_password = "postgresql+psycopg://cev:secret@db.internal/cev_learn"

    assert database_identity(with_password) == database_identity(
        "postgresql+psycopg://cev:changed@db.internal/cev_learn")
    assert database_identity(with_password) != database_identity(
        "postgresql+psycopg://cev:secret@db.internal/other")
    assert "secret" not in database_identity(with_password)
