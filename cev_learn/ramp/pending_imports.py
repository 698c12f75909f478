"""CRM files checked on the upload page and kept until their uploader confirms them.

A browser cannot send a file twice, so "Check file" keeps the upload here under a random
token; matching people, describing the file in a mapping and "Import" send only the token
back. Every step runs the same import as `cev-learn import` (crm_import): checking runs it
without writing anything (every row checked and counted as created, updated or unchanged),
and confirming runs it again from scratch, since reps, matches and mappings may have changed
in between.
"""
import datetime as dt
import secrets

from flask import current_app
from sqlalchemy import ForeignKey, Index, LargeBinary, String, delete, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from cev_learn.accounts.models import User
from cev_learn.platform.db import UTCDateTime, db, utcnow
from cev_learn.ramp.crm_import import CrmImport, import_file

KINDS = ("activities", "quotas")
LIFETIME = dt.timedelta(hours=1)


class PendingImport(db.Model):
    """An uploaded quotas.csv or activities.csv that was checked and awaits confirmation."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(16))  # one of KINDS
    mapping: Mapped[str | None] = mapped_column(String(80))  # chosen on upload; None: detect
    skip_invalid: Mapped[bool]
    # The bytes as uploaded: decoded again on confirm, and safe for any database (PostgreSQL
    # text cannot hold a NUL character, which a CSV cell may).
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (Index("ix_pending_import_user_id", "user_id"),)


def check_upload(kind: str, content: bytes, *, mapping: str | None, skip_invalid: bool,
                 uploader: User, today: dt.date) -> CrmImport:
    """What importing this file would do, bad rows included; nothing is written.

    Raises ImportFileError when the file as a whole cannot be read.
    """
    return _import(kind, content, mapping, skip_invalid, uploader, today, write=False)


def recheck(pending: PendingImport, today: dt.date) -> CrmImport:
    """Check a kept file again (after people were matched or a mapping saved)."""
    return check_upload(pending.kind, pending.content, mapping=pending.mapping,
                        skip_invalid=pending.skip_invalid,
                        uploader=db.session.get(User, pending.user_id), today=today)


def keep_upload(*, user: User, kind: str, content: bytes, mapping: str | None,
                skip_invalid: bool, now: dt.datetime) -> PendingImport:
    """Keep a checked file for its uploader, replacing their older ones; flush only."""
    db.session.execute(delete(PendingImport).where(or_(
        PendingImport.user_id == user.id, PendingImport.created_at < now - LIFETIME)))
    pending = PendingImport(token=secrets.token_urlsafe(32), user_id=user.id, kind=kind,
                            mapping=mapping, skip_invalid=skip_invalid, content=content,
                            created_at=now)
    db.session.add(pending)
    db.session.flush()
    return pending


def find_upload(token: str, user: User, now: dt.datetime) -> PendingImport | None:
    """This user's upload with this token, unless it expired or was imported already."""
    return db.session.scalar(select(PendingImport).where(
        PendingImport.token == token, PendingImport.user_id == user.id,
        PendingImport.created_at >= now - LIFETIME))


def confirm_upload(pending: PendingImport, *, today: dt.date) -> CrmImport:
    """Import a kept file, checking every row again (the import brings the achievements of
    the reps whose data changed up to date as of `today`); flush only, the caller commits.

    When the report says nothing was imported, the caller rolls back. Otherwise the upload
    is used up.
    """
    found = _import(pending.kind, pending.content, pending.mapping, pending.skip_invalid,
                    db.session.get(User, pending.user_id), today)
    if found.report.imported:
        db.session.delete(pending)
        db.session.flush()
    return found


def _import(kind: str, content: bytes, mapping: str | None, skip_invalid: bool,
            uploader: User, today: dt.date, write: bool = True) -> CrmImport:
    return import_file(content, kind, skip_invalid=skip_invalid, today=today,
                       mapping_name=mapping, uploader=uploader,
                       types=current_app.config["ACTIVITY_TYPES"], write=write)
