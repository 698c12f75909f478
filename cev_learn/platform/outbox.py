"""The outbox: what happened to a rep (a module completed, a quiz passed, a milestone reached…),
written in the same transaction as the change itself, for the webhooks worker to deliver.

The service that owns a change calls `emit`; the events of a transaction are held on its
session and written in one statement just before it commits, so a request costs one statement
more however many events it raises, and an event exists exactly when its change does: a
rollback takes both. Nothing here knows who receives them (`cev_learn.webhooks`).
"""
import datetime as dt
import secrets
from collections.abc import Mapping

from sqlalchemy import JSON, ForeignKey, Index, String, Text, event, insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from cev_learn.platform.db import UTCDateTime, db, utcnow

# Every kind of event, with what it means (shown to admins choosing what an endpoint gets).
EVENT_TYPES = {
    "module.completed": "A rep marked a module as complete (or confirmed its new version)",
    "quiz.passed": "A quiz attempt's result became final and passed",
    "quiz.failed": "A quiz attempt's result became final and failed",
    "signoff.recorded": "A coach signed off a rubric (passed or not)",
    "milestone.achieved": "A rep reached a ramp milestone",
    "rep.productive": "A rep reached their track's productivity milestone",
    "rep.at_risk": "A rep's standing turned at risk or behind",
    "certification.earned": "A rep earned a certification (a first certificate or a renewal)",
    "certification.expired": "A rep's certificate expired without being renewed",
    "practice.submitted": "A rep submitted a practice recording for review",
    "practice.reviewed": "A coach reviewed a practice recording (passed, not yet, or asked "
                         "for another take)",
}

_PENDING = "cev_learn_outbox_pending"  # session.info: this transaction's events, in order


class OutboxEvent(db.Model):
    """One event about a rep. `public_id` is the message id receivers see (the webhook-id
    header): the same on every retry. `body` is the message as delivered, built once when the
    worker dispatches the event to its endpoints (`dispatched_at`)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    type: Mapped[str] = mapped_column(String(40))
    rep_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    data: Mapped[dict] = mapped_column(JSON)
    body: Mapped[str | None] = mapped_column(Text)
    dispatched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_outbox_event_dispatched_at_id", "dispatched_at", "id"),)


def new_event_id() -> str:
    return "evt_" + secrets.token_hex(12)


def emit(event_type: str, rep_id: int, data: Mapping, now: dt.datetime | None = None) -> str:
    """Record that `event_type` happened to a rep, in the current transaction (written when it
    commits, dropped if it rolls back). `data` must be JSON: dates as ISO strings. Returns the
    event's public id."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    public_id = new_event_id()
    session = db.session()
    if not session.in_transaction():
        session.begin()  # no statement yet: so that a rollback drops the event too
    session.info.setdefault(_PENDING, []).append({
        "public_id": public_id, "type": event_type, "rep_id": rep_id,
        "created_at": now or utcnow(), "data": dict(data)})
    return public_id


def pending_events() -> list[dict]:
    """The events emitted in the current transaction, not written yet."""
    return list(db.session.info.get(_PENDING, ()))


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    rows = session.info.pop(_PENDING, None)
    if rows:
        session.execute(insert(OutboxEvent), rows)  # one statement for all of them


@event.listens_for(Session, "after_transaction_end")
def _forget_pending(session: Session, transaction) -> None:
    if transaction.parent is None:  # the whole transaction ended: committed or rolled back
        session.info.pop(_PENDING, None)
