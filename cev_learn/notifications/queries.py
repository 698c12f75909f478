"""Reads of a person's own notifications: the bell's count and their pages."""
from sqlalchemy import func, select

from cev_learn.notifications.models import Notification
from cev_learn.platform.db import db

PAGE_SIZE = 25


def unread_count_of(user_id):
    """How many notifications of the person `user_id` (a value or a column) are unread, as a
    scalar subquery (a count through an index)."""
    return select(func.count()).select_from(Notification).where(
        Notification.recipient_id == user_id, Notification.read_at.is_(None)).scalar_subquery()


def unread_count(user_id: int) -> int:
    """How many of this person's notifications are unread."""
    return db.session.scalar(select(unread_count_of(user_id)))


def notification_page(user_id: int, page: int):
    """One page of this person's notifications, newest first."""
    stmt = select(Notification).where(Notification.recipient_id == user_id) \
        .order_by(Notification.id.desc())
    return db.paginate(stmt, page=max(page, 1), per_page=PAGE_SIZE, error_out=False)


def own_notification(user_id: int, notification_id: int) -> Notification | None:
    """The notification if it is this person's; None for anyone else's, as for none at all."""
    return db.session.scalar(select(Notification).where(
        Notification.id == notification_id, Notification.recipient_id == user_id))
