"""Rate-limit counts in the app's database (RATELIMIT_STORAGE_URI = "database://", the
default): fixed windows that start again once ended, ended windows forgotten, and counting
that is bookkeeping, apart from the request's own transaction."""
import datetime as dt
import json
import time

import pytest
from sqlalchemy import select, update

from cev_learn.accounts.models import Role
from cev_learn.platform.caching import data_version
from cev_learn.platform.db import db
from cev_learn.platform import rate_limits
from cev_learn.platform.extensions import limiter
from cev_learn.platform.rate_limits import KEY_CHARS, DatabaseStorage, RateLimitWindow
from cev_learn.platform.security import CSP_REPORT_PATH
from tests.api.helpers import token_for
from tests.helpers import login, make_user

KEY = "LIMITER/token:abc/api/3/1/minute"


@pytest.fixture
def storage(app):
    with app.app_context():
        assert isinstance(limiter.storage, DatabaseStorage)  # the default
        yield limiter.storage


def end_windows(*keys: str) -> None:
    """Let these keys' windows (or every window) end."""
    ended = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    which = RateLimitWindow.key.in_(keys) if keys else True
    with db.engine.begin() as connection:
        connection.execute(update(RateLimitWindow).where(which).values(ends_at=ended))


def stored_keys() -> list[str]:
    with db.engine.connect() as connection:
        return sorted(connection.scalars(select(RateLimitWindow.key)))


def test_hits_add_up_in_a_window_and_start_again_once_it_ends(storage):
    assert storage.get(KEY) == 0
    assert [storage.incr(KEY, 60) for _ in range(3)] == [1, 2, 3]
    assert storage.incr(KEY, 60, amount=2) == 5
    assert storage.get(KEY) == 5
    assert 55 <= storage.get_expiry(KEY) - time.time() <= 60
    end_windows()
    assert storage.get(KEY) == 0
    assert abs(storage.get_expiry(KEY) - time.time()) < 5  # none: it ends now
    assert storage.incr(KEY, 60) == 1
    assert 55 <= storage.get_expiry(KEY) - time.time() <= 60


def test_ended_windows_are_forgotten_outside_requests(storage):
    storage.incr("running", 60)
    storage.incr("ended", 60)
    end_windows("ended")
    storage.incr("new", 60)  # a hit costs one statement: it forgets nothing itself
    assert stored_keys() == ["ended", "new", "running"]
    assert rate_limits.forget_ended() == 1
    assert stored_keys() == ["new", "running"]
    assert storage.incr("ended", 60) == 1  # hit again, the key starts a new window


def test_clear_and_reset_forget_counts(storage):
    storage.incr(KEY, 60)
    storage.incr("other", 60)
    storage.clear(KEY)
    assert stored_keys() == ["other"]
    assert storage.reset() == 1 and stored_keys() == []
    assert storage.check()


def test_keys_too_long_for_the_column_are_stored_as_digests(storage):
    long_key = "LIMITER/csp:" + "9" * 400 + "/security.csp_report/30/1/minute"
    assert [storage.incr(long_key, 60) for _ in range(2)] == [1, 2]
    assert storage.get(long_key) == 2
    [stored] = stored_keys()
    assert stored.startswith("sha256:") and len(stored) <= KEY_CHARS


def test_a_hit_outlives_the_requests_rollback_and_commits_none_of_its_work(storage):
    db.session.add(RateLimitWindow(key="the request's", hits=1,
                                   ends_at=dt.datetime.now(dt.UTC)))  # pending, never flushed
    assert storage.incr(KEY, 60) == 1
    db.session.rollback()
    assert stored_keys() == [KEY]


def test_api_requests_are_counted_without_changing_cached_pages(app):
    secret = token_for(make_user(Role.ADMIN))
    client = app.test_client()
    with app.app_context():
        before = data_version()
    answers = [client.get("/api/v1/users", headers={"Authorization": f"Bearer {secret}"})
               for _ in range(3)]
    assert [a.status_code for a in answers] == [200] * 3
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["599", "598", "597"]
    with app.app_context():
        assert [key for key in stored_keys() if "/api" in key] != []
        assert data_version() == before


def test_a_signed_in_browsers_csp_report_is_counted_without_waiting_for_a_lock(make_app):
    """Its user is loaded before the view runs; on SQLite a count written after that would
    wait for the write lock the request's own session holds, then fail."""
    app = make_app(SQLITE_BUSY_TIMEOUT_MS=1000)
    client = app.test_client()
    assert login(client, make_user(Role.REP).email).status_code == 302
    report = json.dumps({"csp-report": {"blocked-uri": "inline"}})
    answer = client.post(CSP_REPORT_PATH, data=report, content_type="application/csp-report")
    assert answer.status_code == 204
    assert answer.headers["X-RateLimit-Remaining"] == "29"
