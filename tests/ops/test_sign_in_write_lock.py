"""Sign-ins under load: the password is hashed while no write lock is held, so a burst of
sign-ins (scrypt takes most of a second each) does not queue every writer on SQLite."""
import sqlite3

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from cev_learn.accounts import services
from cev_learn.accounts.models import LoginFailure
from cev_learn.platform.db import db
from tests.helpers import login, make_user, reload


def test_password_is_hashed_while_others_can_write(app, client, database_url, monkeypatch):
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        pytest.skip("only SQLite has one write lock for the whole database")
    user = make_user()
    others_could_write = []
    verify = services.verify_password

    def verify_while_another_connection_writes(*args):
        other = sqlite3.connect(url.database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            others_could_write.append(True)
        except sqlite3.OperationalError:  # database is locked
            others_could_write.append(False)
        finally:
            other.close()
        return verify(*args)

    monkeypatch.setattr(services, "verify_password", verify_while_another_connection_writes)
    assert login(client, user.email).status_code == 302
    assert login(app.test_client(), user.email, "not the password").status_code == 400
    assert others_could_write == [True, True]
    assert reload(user).last_login_at is not None
    assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 2
