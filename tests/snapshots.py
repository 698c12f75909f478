"""What the database holds, to compare before and after something that must change nothing."""
import hashlib

from sqlalchemy import select

from cev_learn.platform.db import db


def stored_state(ignore: dict[str, set[str]] | None = None) -> dict[str, tuple[int, str]]:
    """Per table, the number of rows and a digest of all of them, as committed. `ignore`
    leaves out columns that merely record reading, e.g. {"user": {"last_login_at"}}."""
    ignore = ignore or {}
    db.session.rollback()
    state = {}
    for table in db.metadata.sorted_tables:
        if table.name == "rate_limit_window":  # counts every request, stored or refused
            continue
        columns = [c for c in table.columns if c.name not in ignore.get(table.name, ())]
        rows = db.session.execute(select(*columns).order_by(*table.primary_key.columns)).all()
        state[table.name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    db.session.rollback()
    return state
