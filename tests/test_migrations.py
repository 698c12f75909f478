"""Migrations: one head, and the models and the migrated schema agree (no drift)."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from cev_learn.db import db
from cev_learn.health import migration_heads


def test_there_is_a_single_migration_head(app):
    assert len(migration_heads(app.config["MIGRATIONS_DIR"])) == 1


def test_models_match_the_migrated_database(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "render_as_batch": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ; run `cev-learn db migrate`: {diff}"
