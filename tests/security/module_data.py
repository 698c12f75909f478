"""Data set up once for a whole test module, as the attack suites need many actors."""
from contextlib import contextmanager

from cev_learn import create_app
from cev_learn.platform.db import db
from tests.helpers import empty_tables, app_config
from tests.quizzes.fixtures import quiz_track
from tests.snapshots import stored_state

# Columns that record reading, not changing: a refused request may still touch them.
VOLATILE = {"user": {"last_login_at"}, "api_token": {"last_used_at"}}


def snapshot() -> dict[str, tuple[int, str]]:
    """Row count and a digest of every table (columns that record reading left out)."""
    return stored_state(ignore=VOLATILE)


@contextmanager
def module_data(database_url: str, root, **config):
    """An app under test with the track synced, and the data context of `data_context`
    kept for a whole test module (data is set up once), emptied afterwards."""
    app = create_app(app_config(database_url, root, **config))
    twin = create_app(app_config(database_url, root, SQLITE_BEGIN="autocommit"))
    with twin.app_context():
        try:
            result = app.test_cli_runner().invoke(args=["content", "sync",
                                                        str(quiz_track(root))])
            assert result.exit_code == 0, result.output
            yield app
        finally:
            db.session.remove()
            empty_tables()
            db.engine.dispose()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
