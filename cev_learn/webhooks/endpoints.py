"""Registering and changing webhook endpoints, the admins' settings, and sending a delivery
again. Every check runs before anything is added, so a refused endpoint stores nothing. Flush
only; callers commit."""
import base64
import binascii
import datetime as dt
import re
import secrets
import socket
from collections.abc import Iterable

from sqlalchemy import delete, select

from cev_learn.accounts.models import User
from cev_learn.platform.db import db
from cev_learn.platform.outbox import EVENT_TYPES, OutboxEvent
from cev_learn.webhooks.addresses import AddressError, check_url
from cev_learn.webhooks.models import (DeliveryStatus, WebhookDelivery, WebhookEndpoint,
                                       WebhookSettings)

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32          # what a generated secret holds
SECRET_MIN_BYTES, SECRET_MAX_BYTES = 24, 64  # what a pasted one may hold (Standard Webhooks)
SECRET_PATTERN = re.compile(r"whsec_[A-Za-z0-9+/]+={0,2}")
ROTATION_OVERLAP = dt.timedelta(hours=24)  # a replaced secret still signs this long
CONNECT_CHECK_SECONDS = 3.0
MAX_DESCRIPTION = 200


class EndpointError(ValueError):
    """Why an endpoint cannot be saved, with the form field it is about."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field


def generate_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def checked_secret(pasted: str | None) -> str:
    """A pasted secret as it will sign (stripped), or a new one if none was given."""
    text = (pasted or "").strip()
    if not text:
        return generate_secret()
    if not SECRET_PATTERN.fullmatch(text):
        raise EndpointError("secret", "A secret is whsec_ followed by base64 (letters, digits, "
                            "+ and /), as the receiving system shows it; or leave it empty to "
                            "have one made.")
    try:
        key = base64.b64decode(text[len(SECRET_PREFIX):] + "==")
    except binascii.Error:
        raise EndpointError("secret", "The secret's base64 cannot be decoded.") from None
    if not SECRET_MIN_BYTES <= len(key) <= SECRET_MAX_BYTES:
        raise EndpointError("secret", f"The secret holds {len(key)} bytes; it needs "
                            f"{SECRET_MIN_BYTES} to {SECRET_MAX_BYTES}.")
    return text


def settings() -> WebhookSettings:
    """The admins' settings (the defaults until first saved)."""
    return db.session.get(WebhookSettings, 1) or WebhookSettings(id=1,
                                                                 allow_private_addresses=False)


def allows_private_addresses() -> bool:
    return settings().allow_private_addresses


def save_settings(*, allow_private_addresses: bool, actor: User, now: dt.datetime) -> None:
    row = db.session.get(WebhookSettings, 1)
    if row is None:
        row = WebhookSettings(id=1)
        db.session.add(row)
    row.allow_private_addresses = allow_private_addresses
    row.updated_at, row.updated_by_id = now, actor.id
    db.session.flush()


def checked_event_types(chosen: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(chosen))
    unknown = [t for t in chosen if t not in EVENT_TYPES]
    if unknown:
        raise EndpointError("event_types", f"Unknown event type: {', '.join(unknown)}.")
    if not chosen:
        raise EndpointError("event_types", "Choose at least one event to send.")
    return [t for t in EVENT_TYPES if t in chosen]  # in the usual order


def checked_url(url: str, *, connect: bool = True) -> str:
    """The URL as it will be stored, once it is well formed, its host resolves only to
    addresses webhooks may reach (the SSRF guard) and, with `connect`, something answers
    there (a TCP connection, no request)."""
    try:
        target, addresses = check_url(url, allows_private_addresses())
    except AddressError as exc:
        raise EndpointError("url", str(exc)) from None
    if connect:
        reasons = []
        for address in addresses:
            try:
                socket.create_connection((str(address), target.port),
                                         timeout=CONNECT_CHECK_SECONDS).close()
                break
            except TimeoutError:
                reasons.append(f"{address}: no answer within {CONNECT_CHECK_SECONDS:g} s")
            except OSError as exc:
                reasons.append(f"{address}: {exc.strerror or exc}")
        else:
            raise EndpointError("url", f"Nothing answers at {target.host}:{target.port} "
                                f"({'; '.join(reasons)}). Check the host and port.")
    return url.strip()


def register(*, url: str, description: str | None, event_types: Iterable[str],
             secret: str | None, actor: User, now: dt.datetime) -> WebhookEndpoint:
    """A new endpoint, enabled; it receives the events that happen from now on."""
    types = checked_event_types(event_types)
    signing_key = checked_secret(secret)
    description = _checked_description(description)
    stored_url = checked_url(url)
    endpoint = WebhookEndpoint(url=stored_url, description=description, secret=signing_key,
                               event_types=types, enabled=True, created_at=now,
                               created_by_id=actor.id, updated_at=now)
    db.session.add(endpoint)
    db.session.flush()
    return endpoint


def update(endpoint: WebhookEndpoint, *, url: str, description: str | None,
           event_types: Iterable[str], now: dt.datetime) -> None:
    types = checked_event_types(event_types)
    description = _checked_description(description)
    stored_url = checked_url(url) if url.strip() != endpoint.url else endpoint.url
    endpoint.url, endpoint.description, endpoint.event_types = stored_url, description, types
    endpoint.updated_at = now
    db.session.flush()


def _checked_description(description: str | None) -> str | None:
    description = (description or "").strip() or None
    if description and len(description) > MAX_DESCRIPTION:
        raise EndpointError("description", f"Keep the description to {MAX_DESCRIPTION} "
                            "characters.")
    return description


def replace_secret(endpoint: WebhookEndpoint, now: dt.datetime) -> str:
    """A new secret; the old one keeps signing too for a day, so receivers can switch."""
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = now + ROTATION_OVERLAP
    endpoint.secret = generate_secret()
    endpoint.updated_at = now
    db.session.flush()
    return endpoint.secret


def signing_secrets(endpoint: WebhookEndpoint, now: dt.datetime) -> list[str]:
    if endpoint.previous_secret and endpoint.previous_secret_until and (
            now < endpoint.previous_secret_until):
        return [endpoint.secret, endpoint.previous_secret]
    return [endpoint.secret]


def enable(endpoint: WebhookEndpoint, now: dt.datetime) -> None:
    """Deliveries waiting for it go out again, from where they stopped."""
    endpoint.enabled, endpoint.disabled_at, endpoint.disabled_reason = True, None, None
    endpoint.updated_at = now
    db.session.flush()


def disable(endpoint: WebhookEndpoint, now: dt.datetime, reason: str) -> None:
    """Nothing is sent to it, and no new event is queued for it, until it is enabled again."""
    endpoint.enabled, endpoint.disabled_at, endpoint.disabled_reason = False, now, reason
    endpoint.updated_at = now
    db.session.flush()


def remove(endpoint: WebhookEndpoint) -> None:
    """The endpoint and its delivery log."""
    db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    db.session.delete(endpoint)
    db.session.flush()


class SendAgainRefused(ValueError):
    """Why a delivery cannot be queued again, fit to show."""


def send_again(delivery: WebhookDelivery, now: dt.datetime) -> None:
    """Queue one delivery again, whatever its state, with the same message and webhook-id;
    its retry schedule starts over."""
    if delivery.leased_until is not None and delivery.leased_until > now:
        raise SendAgainRefused("This delivery is being sent right now; look again in a "
                               "moment.")
    delivery.status, delivery.attempts = DeliveryStatus.PENDING, 0
    delivery.next_attempt_at, delivery.requeued_at = now, now
    delivery.leased_until = delivery.lease_token = None
    db.session.flush()


def delivery_of(endpoint_id: int, delivery_id: int) -> WebhookDelivery | None:
    return db.session.scalar(select(WebhookDelivery).join(OutboxEvent).where(
        WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint_id))
