"""Helpers of the webhook tests: endpoints registered as an admin would, events emitted as the
services do, and the worker run to the end of what is due."""
import datetime as dt
from collections import Counter

from cev_learn.accounts.models import Role
from cev_learn.platform import outbox
from cev_learn.platform.db import db, utcnow
from cev_learn.platform.outbox import EVENT_TYPES
from cev_learn.webhooks import endpoints
from cev_learn.webhooks.worker import Worker
from tests.helpers import make_user

NO_WAIT = [0] * 7  # the retry schedule of tests: every retry due at once


def allow_private_addresses(allowed: bool = True) -> None:
    """The admins' setting that lets endpoints be on 127.0.0.1 (the tests' receivers)."""
    endpoints.save_settings(allow_private_addresses=allowed, actor=make_user(Role.ADMIN),
                            now=utcnow())
    db.session.commit()


def register(url: str, *, event_types=tuple(EVENT_TYPES), secret: str | None = None):
    """An endpoint registered through the service (its checks included); private addresses
    allowed first."""
    allow_private_addresses()
    endpoint = endpoints.register(url=url, description="Test receiver", event_types=event_types,
                                  secret=secret, actor=make_user(Role.ADMIN), now=utcnow())
    db.session.commit()
    return endpoint


def emit_events(rep_ids, per_rep: int, event_type: str = "module.completed") -> list[str]:
    """`per_rep` events for each rep, interleaved (rep 1, rep 2, …, rep 1, …), committed;
    their public ids in order."""
    ids = []
    for number in range(per_rep):
        for rep_id in rep_ids:
            ids.append(outbox.emit(event_type, rep_id, {"n": number}, utcnow()))
    db.session.commit()
    return ids


def run_worker(app, *, schedule=NO_WAIT, clock=None, **settings) -> Counter:
    """The worker of `app`, run until nothing is due (`cev-learn worker --once`)."""
    with app.app_context():
        worker = Worker(app, **({"clock": clock} if clock else {}))
        worker.schedule = list(schedule)
        for name, value in settings.items():
            setattr(worker, name, value)
        return worker.run(once=True)


def later(seconds: float):
    """A clock `seconds` ahead of the real one."""
    return lambda: utcnow() + dt.timedelta(seconds=seconds)


def stored_delivery(rep_id: int, url: str = "https://crm.example.com/hooks"):
    """An endpoint with one delivery of one event in its log, stored as they are (no address
    checks, no worker): for tests of who may reach them."""
    from cev_learn.platform.outbox import OutboxEvent, new_event_id
    from cev_learn.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

    now = utcnow()
    endpoint = WebhookEndpoint(url=url, secret=endpoints.generate_secret(),
                               event_types=list(EVENT_TYPES), created_at=now, updated_at=now)
    event = OutboxEvent(public_id=new_event_id(), type="module.completed", rep_id=rep_id,
                        created_at=now, data={}, body="{}", dispatched_at=now)
    db.session.add_all([endpoint, event])
    db.session.flush()
    delivery = WebhookDelivery(endpoint_id=endpoint.id, event_id=event.id, rep_id=rep_id,
                               status=DeliveryStatus.DELIVERED, attempts=1, created_at=now,
                               delivered_at=now, last_status_code=204)
    db.session.add(delivery)
    db.session.commit()
    return delivery
