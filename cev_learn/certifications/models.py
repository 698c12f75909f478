"""Certificates: one rep's holding of one certification, from the day it was earned."""
import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cev_learn.platform.db import UTCDateTime, db, utcnow


class Certificate(db.Model):
    """A certification earned by a rep on `earned_on`, valid until the day before
    `expires_on`. Its `code` is the secret in its public verification link. A renewed
    certificate is superseded by the next one; a revoked one is valid no more."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    certification_id: Mapped[int] = mapped_column(ForeignKey("certification.id"))
    earned_on: Mapped[dt.date]
    expires_on: Mapped[dt.date]
    code: Mapped[str] = mapped_column(String(43), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The day its holder was reminded and given the re-certification work (once).
    renewal_assigned_on: Mapped[dt.date | None]
    superseded_on: Mapped[dt.date | None]
    # The day its expiry was announced (the certification.expired event), once.
    expiry_announced_on: Mapped[dt.date | None]
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    certification = relationship("Certification")
    holder = relationship("User")

    __table_args__ = (
        Index("ix_certificate_user_id_certification_id", "user_id", "certification_id"),
        Index("ix_certificate_expires_on", "expires_on"),
        Index("ix_certificate_created_at", "created_at"),  # the order of xAPI statements
    )
