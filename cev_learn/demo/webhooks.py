"""The demo's webhooks: one example endpoint (a CRM's, at an example.com address) with a few
deliveries in its log — delivered, delivered after retries, and one waiting for its next try —
built from the latest events of the current cohorts' reps."""
import datetime as dt

from sqlalchemy import select

from cev_learn.platform.db import db
from cev_learn.platform.outbox import EVENT_TYPES, OutboxEvent
from cev_learn.webhooks.dispatch import dispatch
from cev_learn.webhooks.endpoints import generate_secret
from cev_learn.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

DEMO_ENDPOINT = "https://crm.example.com/hooks/cev-learn"
# (minutes ago, attempts, HTTP status, last error) of the example log, oldest first
LOG = ((95, 1, 200, None), (71, 1, 200, None), (52, 3, 200, None), (30, 1, 200, None),
       (12, 1, 200, None), (4, 2, 503, "HTTP 503"))


def seed_webhooks(rep_ids: list[int], now: dt.datetime) -> int:
    """The example endpoint and its log; returns how many deliveries it shows. The demo's
    events are dispatched first (they happened before the endpoint existed, so they are not
    sent to it); the log reuses the latest few of `rep_ids`'."""
    dispatched = 1
    while dispatched:
        dispatched = dispatch(now)
    endpoint = WebhookEndpoint(url=DEMO_ENDPOINT, description="CRM onboarding sync (example)",
                               secret=generate_secret(), event_types=list(EVENT_TYPES),
                               enabled=True, created_at=now - dt.timedelta(days=2),
                               updated_at=now - dt.timedelta(days=2))
    db.session.add(endpoint)
    db.session.flush()
    events = list(db.session.scalars(
        select(OutboxEvent).where(OutboxEvent.rep_id.in_(rep_ids))
        .order_by(OutboxEvent.id.desc()).limit(len(LOG))))[::-1]
    for event, (minutes, attempts, code, error) in zip(events, LOG):
        tried = now - dt.timedelta(minutes=minutes)
        delivered = error is None
        db.session.add(WebhookDelivery(
            endpoint_id=endpoint.id, event_id=event.id, rep_id=event.rep_id,
            status=DeliveryStatus.DELIVERED if delivered else DeliveryStatus.PENDING,
            attempts=attempts, created_at=tried - dt.timedelta(minutes=10 * (attempts - 1)),
            last_attempt_at=tried, last_status_code=code, last_error=error,
            last_response='{"ok":true}' if delivered else "Service Unavailable",
            delivered_at=tried if delivered else None,
            next_attempt_at=None if delivered else now + dt.timedelta(minutes=5)))
    db.session.flush()
    return min(len(events), len(LOG))
