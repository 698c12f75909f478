"""What the admin webhook pages read: the endpoints with their deliveries counted, and one
endpoint's delivery log."""
import json
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

from cev_learn.accounts.models import User
from cev_learn.platform.db import db
from cev_learn.platform.outbox import OutboxEvent
from cev_learn.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

PER_PAGE = 50


@dataclass(frozen=True)
class EndpointSummary:
    endpoint: WebhookEndpoint
    counts: dict[DeliveryStatus, int]
    last_delivered_at: object  # datetime | None

    @property
    def waiting(self) -> int:
        return self.counts.get(DeliveryStatus.PENDING, 0)

    @property
    def failed(self) -> int:
        return self.counts.get(DeliveryStatus.FAILED, 0)


def endpoint_summaries() -> list[EndpointSummary]:
    """Every endpoint, newest first, with its deliveries counted by status (two statements)."""
    endpoints = list(db.session.scalars(select(WebhookEndpoint).order_by(
        WebhookEndpoint.id.desc())))
    tallies = _tallies([e.id for e in endpoints]) if endpoints else {}
    return [EndpointSummary(e, *tallies[e.id]) for e in endpoints]


def endpoint_summary(endpoint: WebhookEndpoint) -> EndpointSummary:
    return EndpointSummary(endpoint, *_tallies([endpoint.id])[endpoint.id])


def _tallies(endpoint_ids: list[int]) -> dict[int, tuple[dict, object]]:
    counts, last = defaultdict(dict), {}
    for endpoint_id, status, count, delivered in db.session.execute(
            select(WebhookDelivery.endpoint_id, WebhookDelivery.status, func.count(),
                   func.max(WebhookDelivery.delivered_at))
            .where(WebhookDelivery.endpoint_id.in_(endpoint_ids))
            .group_by(WebhookDelivery.endpoint_id, WebhookDelivery.status)):
        counts[endpoint_id][status] = count
        if delivered is not None:
            last[endpoint_id] = delivered
    return {i: (counts[i], last.get(i)) for i in endpoint_ids}


@dataclass(frozen=True)
class LogLine:
    delivery: WebhookDelivery
    event: OutboxEvent
    rep_name: str
    rep_email: str

    @property
    def message(self) -> str:
        """The message as sent, indented to be read (not dispatched yet: empty)."""
        if not self.event.body:
            return ""
        return json.dumps(json.loads(self.event.body), indent=2, ensure_ascii=False)


@dataclass(frozen=True)
class LogPage:
    items: list[LogLine]
    page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def delivery_log(endpoint_id: int, status: DeliveryStatus | None, page: int) -> LogPage:
    """One page of an endpoint's deliveries, newest event first, with their events and reps
    (two statements: the count and the page)."""
    where = [WebhookDelivery.endpoint_id == endpoint_id]
    if status is not None:
        where.append(WebhookDelivery.status == status)
    total = db.session.scalar(select(func.count()).select_from(WebhookDelivery).where(*where))
    page = min(max(page, 1), max(1, -(-total // PER_PAGE)))
    rows = db.session.execute(
        select(WebhookDelivery, OutboxEvent, User.name, User.email)
        .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
        .join(User, User.id == WebhookDelivery.rep_id)
        .where(*where).order_by(WebhookDelivery.event_id.desc())
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return LogPage([LogLine(*row) for row in rows], page, total)
