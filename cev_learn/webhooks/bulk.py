"""Updating many rows at once, each with its own values, in as few statements as the database
allows: PostgreSQL joins the rows as a VALUES list (one UPDATE … FROM (VALUES …) per CHUNK
rows, far quicker there than one UPDATE per row); SQLite, which cannot name the columns of a
VALUES list, runs one UPDATE per row in a single executemany, which is quick in-process."""
from collections.abc import Callable, Sequence
from types import SimpleNamespace

from sqlalchemy import Table, bindparam, cast, column, update, values
from sqlalchemy.types import TypeEngine

from cev_learn.platform.db import db

CHUNK = 500


def update_each(table: Table, columns: Sequence[tuple[str, TypeEngine]], rows: list[dict],
                where: Callable, changes: Callable) -> None:
    """For each row (a dict over `columns`), update what `where(given)` selects with
    `changes(given)`, where `given.c.<name>` is the row's value of a column."""
    if not rows:
        return
    if db.session.get_bind().dialect.name != "postgresql":
        given = SimpleNamespace(c=SimpleNamespace(**{
            name: bindparam(name, type_=kind) for name, kind in columns}))
        db.session.execute(update(table).where(*where(given)).values(changes(given)),
                           [{name: row.get(name) for name, _ in columns} for row in rows])
        return
    for start in range(0, len(rows), CHUNK):
        listed = values(*(column(name, kind) for name, kind in columns), name="given").data(
            [tuple(row.get(name) for name, _ in columns) for row in rows[start:start + CHUNK]])
        # A column whose values are all NULL would be text: each is cast to its type.
        given = SimpleNamespace(c=SimpleNamespace(**{
            name: cast(listed.c[name], kind) for name, kind in columns}))
        db.session.execute(update(table).where(*where(given)).values(changes(given)))
