"""API tokens: a secret shown once, stored as a SHA-256 digest, acting as its user."""
import datetime as dt
import enum

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cev_learn.platform.db import UTCDateTime, db, utcnow


class Scope(enum.Enum):
    READ = "read"
    WRITE = "write"  # read and write
    SCIM = "scim"    # provisioning at /scim/v2 only: an identity provider's, never the API's

    @property
    def label(self) -> str:
        return {"read": "Read", "write": "Read and write", "scim": "SCIM provisioning"}[self.value]


class ApiToken(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))  # shown in lists to tell tokens apart
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[Scope] = mapped_column(
        Enum(Scope, name="api_token_scope", values_callable=lambda e: [m.value for m in e],
             validate_strings=True, native_enum=False, length=16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User", foreign_keys=[user_id])

    @property
    def active(self) -> bool:
        return self.revoked_at is None
