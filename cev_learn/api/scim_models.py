"""What SCIM provisioning stores: the people and groups an identity provider sent, as sent.
Apart from the SCIM server (cev_learn.api.scim), which is imported by the first SCIM request
only: its libraries take seconds to import, and every process reads these tables."""
import datetime as dt

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from cev_learn.platform.db import UTCDateTime, db, utcnow


class ScimUser(db.Model):
    """A person provisioned by SCIM: their SCIM id and document, and the user it manages."""

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), unique=True)
    document: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ScimGroup(db.Model):
    """A group provisioned by SCIM, stored as sent (its members are SCIM user ids)."""

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    document: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
