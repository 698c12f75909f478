"""How far statements have gone to a Learning Record Store: one cursor per LRS, by its URL."""
import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from cev_learn.platform.db import UTCDateTime, db
from cev_learn.xapi.statements import Position


class LrsCursor(db.Model):
    """The position (stored, kind, row id) of the last event whose statement the LRS at
    `lrs_url` holds (none yet: all are to send), and how pushing to it goes.

    A push leases the cursor (`leased_until`, `lease_token`), so one push at a time sends to
    an LRS; a push that dies mid-way leaves a lease that runs out, and the next one sends that
    batch again (the same statement ids: the LRS keeps one of each). After a failure the next
    try waits (`next_attempt_at`), longer after each failure in a row."""

    id: Mapped[int] = mapped_column(primary_key=True)
    lrs_url: Mapped[str] = mapped_column(String(2000), unique=True)
    stored_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    kind: Mapped[str | None] = mapped_column(String(16))
    row_id: Mapped[int | None]
    statements_sent: Mapped[int] = mapped_column(default=0)
    failures: Mapped[int] = mapped_column(default=0)  # in a row, since the last success
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(500))
    leased_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    lease_token: Mapped[str | None] = mapped_column(String(32))

    @property
    def position(self) -> Position | None:
        if self.stored_at is None:
            return None
        return self.stored_at, self.kind, self.row_id
