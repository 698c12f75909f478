"""What the database holds of what the server acknowledged: quiz submissions and activities."""
from collections import Counter

from sqlalchemy import create_engine, text

SUBMITTED = text(
    'SELECT attempt.id, "user".email, quiz.slug FROM attempt '
    'JOIN "user" ON "user".id = attempt.user_id JOIN quiz ON quiz.id = attempt.quiz_id '
    "WHERE attempt.id > :after AND attempt.submitted_at IS NOT NULL")
ACTIVITIES = text("SELECT external_id, COUNT(*) FROM activity_record "
                  "WHERE external_id LIKE :prefix GROUP BY external_id")


def last_attempt_id(database_url: str) -> int:
    """The newest attempt before the traffic: later ones are the traffic's."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.scalar(text("SELECT MAX(id) FROM attempt")) or 0
    finally:
        engine.dispose()


def compare(database_url: str, submissions: list[tuple[int, str, str]], after_attempt: int,
            external_ids: set[str], prefix: str) -> dict:
    """Acknowledged against stored; every count but the first two should be zero."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            stored = {row[0]: (row[1], row[2]) for row in conn.execute(
                SUBMITTED, {"after": after_attempt})}
            counts = dict(conn.execute(ACTIVITIES, {"prefix": prefix + "%"}).all())
    finally:
        engine.dispose()
    acked = Counter(attempt_id for attempt_id, _, _ in submissions)
    return {
        "quiz_submissions": _found(
            acknowledged=len(submissions), stored=len(stored),
            missing=[a for a in acked if a not in stored],
            acknowledged_twice=[a for a, n in acked.items() if n > 1],
            wrong_owner=[a for a, email, quiz in submissions
                         if a in stored and stored[a] != (email, quiz)],
            stored_unacknowledged=[a for a in stored if a not in acked]),
        "activities": _found(
            acknowledged=len(external_ids), stored=sum(counts.values()),
            missing=list(external_ids - counts.keys()),
            stored_twice=[e for e, n in counts.items() if n > 1],
            stored_unacknowledged=list(counts.keys() - external_ids)),
    }


def _found(acknowledged: int, stored: int, **wrong: list) -> dict:
    """The counts, and a few examples of each kind of wrong."""
    return {"acknowledged": acknowledged, "stored": stored,
            **{name: len(items) for name, items in wrong.items()},
            "examples": {name: sorted(items)[:10] for name, items in wrong.items() if items}}


def problems(comparison: dict) -> list[str]:
    """Each kind of wrong found, as 'what how: count'."""
    return [f"{what.replace('_', ' ')} {name.replace('_', ' ')}: {count}"
            for what, found in comparison.items() for name, count in found.items()
            if name not in ("acknowledged", "stored", "examples") and count]


def user_id(database_url: str, email: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.scalar(text('SELECT id FROM "user" WHERE email = :email'),
                               {"email": email})
    finally:
        engine.dispose()
