"""What the notification tests share: reading what was stored, and a notification to own."""
from sqlalchemy import select

from cev_learn.notifications.models import Notification
from cev_learn.platform.db import db, utcnow


def stored(recipient=None) -> list[Notification]:
    """Every notification stored (of one person), oldest first."""
    db.session.rollback()
    query = select(Notification).order_by(Notification.id)
    if recipient is not None:
        query = query.where(Notification.recipient_id == recipient.id)
    return list(db.session.scalars(query))


def give(recipient, text: str = "Something happened", link: str = "/week", *,
         kind: str = "note", created_at=None) -> Notification:
    notification = Notification(recipient_id=recipient.id, kind=kind, text=text, link=link,
                                created_at=created_at or utcnow())
    db.session.add(notification)
    db.session.commit()
    return notification
