"""Plain helpers the tests share (fixtures are in conftest.py): the test configuration,
emptying the tables, users, syncing a course folder, and signing in and posting forms as a
browser would, with the page's CSRF token."""
import re
from pathlib import Path

from cev_learn.accounts.models import Role, User
from cev_learn.accounts.passwords import hash_password
from cev_learn.content.loader import load_tree
from cev_learn.content.services import sync_course_folder
from cev_learn.content.sync import SyncReport
from cev_learn.content.track_data import forget_tracks
from cev_learn.platform.db import db, utcnow

FAST_HASH = "pbkdf2:sha256:1000"
PASSWORD = "correct horse battery staple"
ROOT = Path(__file__).resolve().parent.parent


def app_config(url: str, instance: Path, **overrides) -> dict:
    """The configuration of an app under test, on this database and instance folder."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": url,
        "PASSWORD_HASH_METHOD": FAST_HASH,
        "REQUEST_LOG": False,
        "SERVER_NAME": "localhost",
        # Each app its own cache: tests empty the database between them, and versions with it.
        "CACHE_TYPE": "SimpleCache",
        "RECORDINGS_DIR": str(instance / "recordings"),
    }
    config.update(overrides)
    return config


def data_tables():
    """Every table tests write, parents first (not data_version: one row, made by its
    migration)."""
    return [table for table in db.metadata.sorted_tables if table.name != "data_version"]


def empty_tables():
    forget_tracks()  # ids start again in an emptied database
    children_first = list(reversed(data_tables()))
    # Deleting measured achievements writes their history (a trigger): it goes after them.
    history = next(table for table in children_first if table.name == "achievement_change")
    children_first.remove(history)
    children_first.insert(children_first.index(
        next(table for table in children_first if table.name == "achievement")) + 1, history)
    with db.engine.begin() as conn:
        for table in children_first:
            conn.execute(table.delete())


def reload(obj):
    """The object as the database has it now (after requests changed it)."""
    db.session.rollback()
    return db.session.get(type(obj), obj.id)


def make_user(role: Role = Role.REP, *, email: str | None = None, name: str | None = None,
              password: str = PASSWORD, active: bool = True, territory: str | None = None) -> User:
    """Create and commit a user (call inside an app context)."""
    make_user.counter += 1
    n = make_user.counter
    user = User(email=email or f"{role.value}{n}@example.com", name=name or f"{role.label} {n}",
                role=role, active=active, territory=territory,
                password_hash=hash_password(password, FAST_HASH), session_generation=0)
    db.session.add(user)
    db.session.commit()
    return user


make_user.counter = 0

def sync_content(app, root: Path, *, sources=None) -> SyncReport:
    """Sync a course folder (or one track folder) through the sync service as the app under
    test, in its own context (not the tests' twin, whose SQLite statements autocommit), and
    commit: what `cev-learn content sync` does, returning the service's report. `sources`:
    the folder already loaded."""
    with app.app_context():
        report = sync_course_folder(
            root, sources or load_tree(root, app.config["ACTIVITY_TYPES"]), utcnow())
        db.session.commit()
    return report


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token of this client's session, read from a page like a browser would."""
    response = client.get(path, follow_redirects=True)
    match = CSRF_META.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, email: str, password: str = PASSWORD, **extra):
    data = {"email": email, "password": password, "csrf_token": csrf_token(client), **extra}
    return client.post("/login", data=data)


def post_form(client, path: str, data: dict | None = None, token_from: str = "/"):
    """POST a form with a valid CSRF token, as the page would."""
    return client.post(path, data={"csrf_token": csrf_token(client, token_from), **(data or {})})
