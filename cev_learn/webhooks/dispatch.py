"""From the outbox to deliveries: each new event becomes one message (its body is built once
and stored, so every attempt and every endpoint sends the same bytes) and one delivery per
enabled endpoint that subscribes to its type and existed when it happened.

The message is a Standard Webhooks payload: `{"type", "timestamp", "data"}`, where `data` is
what the service that raised the event said, with `rep` (who it is about, as they are when the
event is dispatched) added; see docs/webhooks.md.
"""
import datetime as dt
import json

from sqlalchemy import Date, Integer, Text, func, insert, select

from cev_learn.accounts.models import User
from cev_learn.cohorts.models import Cohort, Membership
from cev_learn.platform.db import db
from cev_learn.platform.outbox import OutboxEvent
from cev_learn.webhooks.bulk import update_each
from cev_learn.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

BATCH = 500


def dispatch(now: dt.datetime, limit: int = BATCH) -> int:
    """Turn up to `limit` undispatched events (oldest first) into messages and deliveries;
    returns how many events were dispatched. Flushes; the caller commits (and holds the
    claim lock, so two workers never dispatch the same event)."""
    events = db.session.execute(select(
        OutboxEvent.id, OutboxEvent.type, OutboxEvent.rep_id, OutboxEvent.created_at,
        OutboxEvent.data).where(OutboxEvent.dispatched_at.is_(None))
        .order_by(OutboxEvent.id).limit(limit)).all()
    if not events:
        return 0
    endpoints = list(db.session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.enabled.is_(True)).order_by(WebhookEndpoint.id)))
    reps = rep_blocks({e.rep_id for e in events})
    deliveries, bodies = [], []
    for event in events:
        bodies.append({"b_id": event.id, "b_body": message(event, reps.get(event.rep_id))})
        deliveries += [{"endpoint_id": endpoint.id, "event_id": event.id,
                        "rep_id": event.rep_id, "status": DeliveryStatus.PENDING.value,
                        "attempts": 0, "next_attempt_at": now, "created_at": now}
                       for endpoint in endpoints
                       if event.type in endpoint.event_types
                       and endpoint.created_at <= event.created_at]
    for start in range(0, len(deliveries), BATCH):  # multi-row INSERTs: one per BATCH rows
        db.session.execute(insert(WebhookDelivery.__table__).values(
            deliveries[start:start + BATCH]))
    table = OutboxEvent.__table__
    update_each(table, (("b_id", Integer()), ("b_body", Text())), bodies,
                lambda given: (table.c.id == given.c.b_id,),
                lambda given: {"body": given.c.b_body, "dispatched_at": now})
    return len(events)


def message(event, rep: dict | None) -> str:
    """The JSON body of an event's message (compact, UTF-8); `event` has the type, rep_id,
    created_at and data of an OutboxEvent."""
    data = {"rep": rep or {"id": event.rep_id}, **event.data}
    if event.type == "rep.productive" and rep and rep.get("start_on"):
        start = dt.date.fromisoformat(rep["start_on"])
        data["days_to_productive"] = (dt.date.fromisoformat(event.data["achieved_on"])
                                      - start).days
    return json.dumps({"type": event.type, "timestamp": _timestamp(event.created_at),
                       "data": data}, ensure_ascii=False, separators=(",", ":"))


def _timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def rep_blocks(rep_ids: set[int]) -> dict[int, dict]:
    """Who each rep is, as messages name them: id, email, name, territory (their current
    cohort's; their own while in no cohort), that cohort and their start date (two
    statements)."""
    if not rep_ids:
        return {}
    placed = {row.user_id: row for row in db.session.execute(
        select(Membership.user_id, Cohort.id, Cohort.name, Cohort.territory,
               func.coalesce(Membership.start_on, Cohort.start_on, type_=Date).label("start"))
        .join(Cohort, Cohort.id == Membership.cohort_id)
        .where(Membership.user_id.in_(rep_ids), Membership.moved_out_at.is_(None)))}
    blocks = {}
    for user_id, email, name, territory, start_on, created in db.session.execute(
            select(User.id, User.email, User.name, User.territory, User.start_on,
                   User.created_at).where(User.id.in_(rep_ids))):
        membership = placed.get(user_id)
        start = membership.start if membership else (start_on or created.date())
        blocks[user_id] = {
            "id": user_id, "email": email, "name": name,
            "territory": membership.territory if membership else territory,
            "cohort": {"id": membership.id, "name": membership.name} if membership else None,
            "start_on": _as_date(start).isoformat()}
    return blocks


def _as_date(value) -> dt.date:
    if isinstance(value, str):  # SQLite returns COALESCE over dates as text
        return dt.date.fromisoformat(value[:10])
    return value
