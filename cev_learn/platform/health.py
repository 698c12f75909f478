"""Readiness: the database answers and its schema is at the newest migration."""
from dataclasses import dataclass
from functools import lru_cache

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from cev_learn.platform.db import db


@dataclass(frozen=True)
class DatabaseStatus:
    reachable: bool
    current: tuple[str, ...]
    heads: tuple[str, ...]

    @property
    def ready(self) -> bool:
        return self.reachable and bool(self.heads) and set(self.current) == set(self.heads)

    def as_dict(self) -> dict:
        return {"status": "ok" if self.ready else "unavailable",
                "database": "reachable" if self.reachable else "unreachable",
                "migrations": "at head" if self.ready else "not at head",
                "revision": list(self.current), "head": list(self.heads)}


@lru_cache(maxsize=4)
def migration_heads(directory: str) -> tuple[str, ...]:
    config = Config()
    config.set_main_option("script_location", directory)
    return tuple(ScriptDirectory.from_config(config).get_heads())


def database_status(migrations_dir: str) -> DatabaseStatus:
    heads = migration_heads(migrations_dir)
    try:
        rows = db.session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except SQLAlchemyError:
        db.session.rollback()
        try:
            db.session.execute(text("SELECT 1"))
        except SQLAlchemyError:
            db.session.rollback()
            return DatabaseStatus(False, (), heads)
        return DatabaseStatus(True, (), heads)
    return DatabaseStatus(True, tuple(rows), heads)
