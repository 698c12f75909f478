"""Webhooks: the endpoints admins register, one delivery per event and endpoint (its log), the
admins' settings, and the last standing announced for each rep."""
import datetime as dt
import enum

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cev_learn.platform.db import UTCDateTime, db, utcnow
from cev_learn.platform.outbox import OutboxEvent


class WebhookEndpoint(db.Model):
    """A URL that receives the events it subscribes to, signed with its secret.

    The secret is a signing key (`whsec_` and base64), not a password: the worker needs it to
    sign every message, so it is stored as it is (see SECURITY.md). During a rotation the
    previous one also signs until `previous_secret_until`."""

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(200))
    secret: Mapped[str] = mapped_column(String(200))
    previous_secret: Mapped[str | None] = mapped_column(String(200))
    previous_secret_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    event_types: Mapped[list] = mapped_column(JSON)
    enabled: Mapped[bool] = mapped_column(default=True)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DeliveryStatus(enum.Enum):
    PENDING = "pending"      # to be sent at next_attempt_at (or being sent: leased)
    DELIVERED = "delivered"  # the endpoint answered 2xx
    FAILED = "failed"        # every attempt of the retry schedule failed

    @property
    def label(self) -> str:
        return {"pending": "Pending", "delivered": "Delivered", "failed": "Failed"}[self.value]

    @property
    def tone(self) -> str:
        return {"pending": "warn", "delivered": "ok", "failed": "bad"}[self.value]


class WebhookDelivery(db.Model):
    """One event on its way to one endpoint: its log line.

    A worker that takes it to send leases it (`leased_until`, `lease_token`); a worker that
    dies mid-delivery leaves a lease that runs out, and the delivery is sent again with the
    same webhook-id. Deliveries of one rep to one endpoint go in the order of their events."""

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("outbox_event.id"))
    rep_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    status: Mapped[DeliveryStatus] = mapped_column(
        Enum(DeliveryStatus, name="webhook_delivery_status",
             values_callable=lambda e: [m.value for m in e], native_enum=False, length=16,
             validate_strings=True))
    attempts: Mapped[int] = mapped_column(default=0)  # since it was (last) queued
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    leased_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    lease_token: Mapped[str | None] = mapped_column(String(32))
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    last_response: Mapped[str | None] = mapped_column(Text)  # the start of the answer's body
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    requeued_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # "Send again"

    event: Mapped[OutboxEvent] = relationship()
    endpoint: Mapped[WebhookEndpoint] = relationship()

    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        # What is due, what is waiting or in flight per rep, and each rep's order per endpoint.
        Index("ix_webhook_delivery_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_webhook_delivery_status_event_id", "status", "event_id"),
        Index("ix_webhook_delivery_leased_until", "leased_until"),
        Index("ix_webhook_delivery_endpoint_id_rep_id_event_id", "endpoint_id", "rep_id",
              "event_id"),
    )


class WebhookSettings(db.Model):
    """The admins' webhook settings: one row (id 1), absent until first saved; it also says
    when reps' standing was last checked (`standings_checked_at`, see standing_watch)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    allow_private_addresses: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    standings_checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class WebhookRepStanding(db.Model):
    """The standing last seen for a rep by the check behind `rep.at_risk`, so a rep is
    announced when their standing turns worse, not on every check."""

    rep_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    standing: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
