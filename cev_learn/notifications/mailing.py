"""Notifications by email, as each person chose (`NotificationSettings`; no row: a daily
digest). "Immediately": the worker sends one email per notification within a poll or so of
its creation (`send_immediate`), never the request that created it. "Daily digest": one email
per person with what is new since their last one (`send_digests`, `cev-learn notifications
digest`, run once a day). "Off": nothing. Either way each notification is emailed at most once:
`emailed_at` is set when it went out, or when it needs no email any more (read first, its
recipient turned emails off or was deactivated). A message the server did not take stays due
and is tried again on the next run. Times are written in the recipient's time zone."""
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select, update

from cev_learn.accounts.models import User
from cev_learn.notifications.models import (DEFAULT_FREQUENCY, EmailFrequency, Notification,
                                            NotificationSettings)
from cev_learn.platform import mail
from cev_learn.platform.db import db, write_transaction

BATCH = 200  # notifications emailed at once by the worker


@dataclass(frozen=True)
class Item:
    """One notification as an email shows it (plain values: safe after the session ends)."""

    id: int
    text: str
    link: str
    created_at: dt.datetime


@dataclass(frozen=True)
class Recipient:
    user_id: int
    name: str
    email: str
    time_zone: str | None


@dataclass(frozen=True)
class Outgoing:
    """An email to send, and the notifications it settles once the server takes it."""

    recipient: Recipient
    items: list[Item]
    digest: bool

    @property
    def subject(self) -> str:
        if not self.digest:
            return f"cev_learn: {self.items[0].text}"[:200]
        count = len(self.items)
        return f"cev_learn: {count} new notification{'' if count == 1 else 's'}"

    @property
    def template(self) -> str:
        return "email/notification_digest" if self.digest else "email/notification"

    @property
    def settles(self) -> list[int]:
        return [item.id for item in self.items]


def frequency_column():
    """Each person's choice in SQL (the default where they made none)."""
    return func.coalesce(NotificationSettings.email, DEFAULT_FREQUENCY.value)


def _pending(frequency: EmailFrequency, limit: int | None = None) -> list[tuple]:
    """(notification, recipient) pairs due an email, for people who chose `frequency`."""
    stmt = (select(Notification, User).join(User, User.id == Notification.recipient_id)
            .outerjoin(NotificationSettings, NotificationSettings.user_id == User.id)
            .where(Notification.emailed_at.is_(None), frequency_column() == frequency.value)
            .order_by(Notification.recipient_id, Notification.id).limit(limit))
    return [tuple(row) for row in db.session.execute(stmt)]


def plan(frequency: EmailFrequency, limit: int | None = None) -> tuple[list[Outgoing], list[int]]:
    """The emails due to people who chose `frequency` (one per notification at once, one per
    person in a digest), and the notifications to settle without one (read already, or their
    recipient deactivated)."""
    outgoing, quiet, by_person = [], [], {}
    for notification, user in _pending(frequency, limit):
        if notification.read_at is not None or not user.active:
            quiet.append(notification.id)
            continue
        item = Item(notification.id, notification.text, notification.link,
                    notification.created_at)
        recipient = Recipient(user.id, user.name, user.email, user.time_zone)
        if frequency is EmailFrequency.IMMEDIATELY:
            outgoing.append(Outgoing(recipient, [item], digest=False))
        else:
            by_person.setdefault(recipient, []).append(item)
    outgoing += [Outgoing(r, items, digest=True) for r, items in by_person.items()]
    return outgoing, quiet


def compose(outgoing: Outgoing, config: Mapping):
    return mail.compose(to=outgoing.recipient.email, subject=outgoing.subject,
                        template=outgoing.template,
                        values={"name": outgoing.recipient.name, "items": outgoing.items},
                        config=config, time_zone=outgoing.recipient.time_zone)


def settle(ids: Iterable[int], now: dt.datetime) -> None:
    ids = list(ids)
    if ids:
        db.session.execute(update(Notification).where(Notification.id.in_(ids))
                           .values(emailed_at=now).execution_options(synchronize_session=False))


@dataclass
class Report:
    sent: int = 0
    settled_quietly: int = 0
    failures: list[tuple[str, str]] | None = None  # (address, reason)


def send(frequency: EmailFrequency, config: Mapping, now: dt.datetime,
         limit: int | None = None) -> Report:
    """Send what is due to people who chose `frequency` over one connection, and record what
    went out: the plan is read in a transaction of its own, nothing is held open while the
    mail server answers, and each email taken is recorded as soon as it is."""
    outgoing, quiet = plan(frequency, limit)
    messages = [compose(o, config) for o in outgoing]
    db.session.rollback()
    report = Report(settled_quietly=len(quiet), failures=[])
    with write_transaction():
        settle(quiet, now)
        if frequency is EmailFrequency.DAILY:  # people who turned email off: nothing due
            settle(_off_ids(), now)
    for item, delivery in zip(outgoing, mail.send_messages(messages, config), strict=True):
        if not delivery.sent:
            report.failures.append((item.recipient.email, delivery.error))
            continue
        with write_transaction():
            settle(item.settles, now)
        report.sent += 1
    return report


def _off_ids() -> list[int]:
    return list(db.session.scalars(
        select(Notification.id).outerjoin(
            NotificationSettings, NotificationSettings.user_id == Notification.recipient_id)
        .where(Notification.emailed_at.is_(None),
               frequency_column() == EmailFrequency.OFF.value)))


def send_immediate(config: Mapping, now: dt.datetime) -> Report:
    """The worker's turn: one email per notification of people who want them at once."""
    return send(EmailFrequency.IMMEDIATELY, config, now, BATCH)


def send_digests(config: Mapping, now: dt.datetime) -> Report:
    """Once a day: one email per person who wants a digest and has anything new."""
    return send(EmailFrequency.DAILY, config, now)


def anything_immediate(session) -> bool:
    """Whether an email may be due at once (a cheap look, in the caller's own session)."""
    return session.scalar(
        select(Notification.id).outerjoin(
            NotificationSettings, NotificationSettings.user_id == Notification.recipient_id)
        .where(Notification.emailed_at.is_(None),
               NotificationSettings.email == EmailFrequency.IMMEDIATELY.value).limit(1)) \
        is not None
