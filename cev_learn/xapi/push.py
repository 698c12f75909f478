"""Pushing statements to a Learning Record Store (LRS_URL), in batches, in the order they were
stored, from where the LRS's cursor (models.LrsCursor) says the last batch ended.

One batch: lease the cursor (one push at a time per LRS), read the next LRS_BATCH_SIZE events
stored up to XAPI_SETTLE_SECONDS ago (a write still committing cannot land behind the cursor,
as for the feed), POST their statements, then move the cursor past them. No transaction is
open while the LRS is asked.

- Nothing is sent twice to stay: a statement's id is fixed by its facts, and the LRS keeps one
  statement per id, so a batch sent again (the push died before moving the cursor, or the LRS
  stored it but its answer was lost) changes nothing there.
- Nothing is lost: the cursor moves only past what the LRS accepted. A failure (no answer, an
  error status) leaves it where it was, and the batch is tried again after the next wait of
  LRS_RETRY_SECONDS (the last wait repeats: pushing never gives up; the statements wait in the
  database).
- A conflict (409: the LRS holds a statement with one of the ids and other content — a rep
  renamed, a module retitled, BASE_URL changed since it was sent) sends the batch again one
  statement at a time (PUT), and the conflicting ones are logged and counted: xAPI statements
  are immutable, the LRS keeps the one it has.
"""
import datetime as dt
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from ipaddress import ip_address
from urllib.parse import urlsplit

from sqlalchemy import or_, select, true, update

from cev_learn.platform.db import db, upsert, write_transaction
from cev_learn.xapi.events import first_events
from cev_learn.xapi.lrs import Lrs, LrsClient
from cev_learn.xapi.models import LrsCursor
from cev_learn.xapi.statements import Event, Position, statement

log = logging.getLogger("cev_learn.xapi")
C = LrsCursor


@dataclass(frozen=True)
class PushSettings:
    lrs: Lrs
    base_url: str
    batch_size: int
    retry_seconds: tuple[float, ...]
    lease_seconds: float
    settle_seconds: float

    @classmethod
    def from_config(cls, config) -> "PushSettings | None":
        """The settings of pushing, or None when no LRS is configured (LRS_URL unset);
        ValueError for settings that cannot work."""
        url = (config.get("LRS_URL") or "").strip()
        if not url:
            return None
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise ValueError(f"LRS_URL must be the http(s) address of an LRS's xAPI endpoint, "
                             f"not {url!r}")
        settings = cls(Lrs(url, _text(config.get("LRS_KEY")), _text(config.get("LRS_SECRET")),
                           float(config["LRS_TIMEOUT_SECONDS"])),
                       config["BASE_URL"], int(config["LRS_BATCH_SIZE"]),
                       tuple(float(wait) for wait in config["LRS_RETRY_SECONDS"]),
                       float(config["LRS_LEASE_SECONDS"]), float(config["XAPI_SETTLE_SECONDS"]))
        if not 1 <= settings.batch_size <= 1000:
            raise ValueError("LRS_BATCH_SIZE must be from 1 to 1000")
        if not settings.retry_seconds or min(settings.retry_seconds) <= 0:
            raise ValueError("LRS_RETRY_SECONDS must be a list of waits in seconds, like "
                             "[5, 30, 120]")
        if settings.lease_seconds < settings.lrs.timeout + 2:
            raise ValueError("LRS_LEASE_SECONDS must exceed LRS_TIMEOUT_SECONDS by at least "
                             "2 seconds")
        return settings


def _text(value) -> str | None:
    """A key or secret as text (an environment variable of digits reads as a number)."""
    return None if value is None else str(value)


def loopback_warning(base_url: str) -> str | None:
    """Why activity ids built from `base_url` should not go to an LRS, if they should not:
    they point at this machine, and an LRS keeps them for good."""
    host = urlsplit(base_url).hostname or ""
    try:
        loopback = host == "localhost" or ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        return None
    return (f"BASE_URL is {base_url}: the activity ids of the statements the LRS keeps will "
            "point at this machine; set CEV_LEARN_BASE_URL to the address people open "
            "cev_learn at")


def retry_wait(schedule: tuple[float, ...], failures: int) -> dt.timedelta:
    """How long to wait after the `failures`-th failure in a row: the schedule's waits in
    turn, then its last one again and again."""
    return dt.timedelta(seconds=schedule[min(failures, len(schedule)) - 1])


# --- One batch -------------------------------------------------------------------------------

IDLE, WAITING, BUSY, SENT, FAILED = "idle", "waiting", "busy", "sent", "failed"


@dataclass(frozen=True)
class Batch:
    """What one batch did: its state (nothing to send, waiting after a failure, another push
    under way, sent, failed), the statements the LRS took, those it holds with other content
    (their ids), the error and when the next try is due, and whether more may be due now."""

    state: str
    sent: int = 0
    conflicts: tuple[str, ...] = ()
    error: str | None = None
    retry_at: dt.datetime | None = None
    more: bool = False


@dataclass(frozen=True)
class _Claim:
    cursor_id: int
    token: str
    position: Position | None
    failures: int
    lease_ends: float  # time.monotonic()


@dataclass(frozen=True)
class _Sent:
    done: int  # the leading statements the LRS has now (taken, or held with other content)
    conflicts: tuple[str, ...] = ()
    error: str | None = None


def push_batch(settings: PushSettings, client: LrsClient, now: dt.datetime, *,
               ignore_wait: bool = False) -> Batch:
    """Send the next batch of statements to the LRS, unless another push is sending to it or
    (without `ignore_wait`) a failure's wait is not over."""
    claim, cursor = _claim(settings, now, ignore_wait)
    if claim is None:
        if cursor.leased_until is not None and cursor.leased_until > now:
            return Batch(BUSY)
        return Batch(WAITING, error=cursor.last_error, retry_at=cursor.next_attempt_at)
    until = now - dt.timedelta(seconds=settings.settle_seconds)
    events, more = first_events(None, until, settings.batch_size, after=claim.position)
    db.session.rollback()  # no transaction open while the LRS is asked
    if not events:
        _record(claim, now, None, 0, None, settings)
        return Batch(IDLE)
    sent = _send(client, [statement(e, settings.base_url) for e in events], claim.lease_ends)
    last = events[sent.done - 1] if sent.done else None
    taken = sent.done - len(sent.conflicts)
    retry_at = _record(claim, now, last, taken, sent.error, settings)
    _log(settings, taken, sent)
    if sent.error is not None:
        return Batch(FAILED, taken, sent.conflicts, sent.error, retry_at)
    return Batch(SENT, taken, sent.conflicts, more=more or sent.done < len(events))


def _claim(settings: PushSettings, now: dt.datetime,
           ignore_wait: bool) -> tuple[_Claim | None, LrsCursor]:
    """Lease the LRS's cursor (made on first use) if it is free and due: the claim, or None;
    and the cursor as it is."""
    token, url = secrets.token_hex(16), settings.lrs.url
    with write_transaction():
        db.session.execute(upsert(C.__table__).values(lrs_url=url, statements_sent=0,
                                                      failures=0)
                           .on_conflict_do_nothing(index_elements=["lrs_url"]))
        free = or_(C.leased_until.is_(None), C.leased_until <= now)
        due = true() if ignore_wait else or_(C.next_attempt_at.is_(None),
                                             C.next_attempt_at <= now)
        leased = db.session.execute(
            update(C).where(C.lrs_url == url, free, due)
            .values(leased_until=now + dt.timedelta(seconds=settings.lease_seconds),
                    lease_token=token)
            .execution_options(synchronize_session=False)).rowcount
        cursor = db.session.scalar(select(C).where(C.lrs_url == url))
        db.session.expunge(cursor)
    if not leased:
        return None, cursor
    return _Claim(cursor.id, token, cursor.position, cursor.failures,
                  time.monotonic() + settings.lease_seconds), cursor


def _send(client: LrsClient, statements: list[dict], lease_ends: float) -> _Sent:
    """POST the batch; on a conflict, PUT its statements one at a time (stopping, with what
    is done, when the lease would run out during the next request)."""
    answer = client.post(statements)
    if answer.ok:
        return _Sent(len(statements))
    if not answer.conflict:
        return _Sent(0, error=answer.error)
    conflicts: list[str] = []
    for done, one in enumerate(statements):
        if time.monotonic() + client.lrs.timeout + 1 > lease_ends:
            return _Sent(done, tuple(conflicts))
        answer = client.put(one)
        if answer.conflict:
            conflicts.append(one["id"])
        elif not answer.ok:
            return _Sent(done, tuple(conflicts), answer.error)
    return _Sent(len(statements), tuple(conflicts))


def _record(claim: _Claim, now: dt.datetime, last: Event | None, taken: int,
            error: str | None, settings: PushSettings) -> dt.datetime | None:
    """Move the cursor past `last` (if any), count what went, note a failure and when to try
    again (returned), and release the lease, if it is still this push's."""
    values: dict = {"leased_until": None, "lease_token": None}
    if last is not None:
        values.update(stored_at=last.stored, kind=last.kind, row_id=last.row_id,
                      statements_sent=C.statements_sent + taken)
    retry_at = None
    if error is not None:
        retry_at = now + retry_wait(settings.retry_seconds, claim.failures + 1)
        values.update(failures=C.failures + 1, next_attempt_at=retry_at, last_error=error,
                      last_attempt_at=now)
    elif last is not None:
        values.update(failures=0, next_attempt_at=None, last_error=None, last_attempt_at=now)
    with write_transaction():
        kept = db.session.execute(
            update(C).where(C.id == claim.cursor_id, C.lease_token == claim.token)
            .values(**values).execution_options(synchronize_session=False)).rowcount
    if not kept and last is not None:  # the lease ran out and another push took over
        log.warning("xapi: a push to %s outlived its lease; another one sends again what it "
                    "sent", settings.lrs.url)
    return retry_at


def _log(settings: PushSettings, taken: int, sent: _Sent) -> None:
    if sent.conflicts:
        log.warning("xapi: %s holds %d statements with the same ids and other content, kept "
                    "as they were: %s", settings.lrs.url, len(sent.conflicts),
                    ", ".join(sent.conflicts[:10]))
    if sent.error is not None:
        log.warning("xapi: pushing to %s failed after %d statements: %s", settings.lrs.url,
                    taken, sent.error)


# --- Everything due --------------------------------------------------------------------------

@dataclass
class PushReport:
    """What a push did, batch after batch."""

    url: str
    sent: int = 0
    batches: int = 0
    conflicts: list[str] = field(default_factory=list)
    last: Batch = Batch(IDLE)

    def add(self, batch: Batch) -> None:
        self.sent += batch.sent
        self.batches += batch.state in (SENT, FAILED)
        self.conflicts += batch.conflicts
        self.last = batch

    @property
    def failed(self) -> bool:
        return self.last.state in (FAILED, WAITING)


def push_due(settings: PushSettings, client: LrsClient, clock: Callable[[], dt.datetime], *,
             ignore_wait: bool = False, max_batches: int | None = None) -> PushReport:
    """Send batch after batch while statements are due (at most `max_batches`), stopping at
    the first failure."""
    report = PushReport(settings.lrs.url)
    while max_batches is None or report.batches < max_batches:
        report.add(push_batch(settings, client, clock(), ignore_wait=ignore_wait))
        if not report.last.more:
            break
    return report


# --- How pushing goes ------------------------------------------------------------------------

WAITING_SHOWN = 1000  # statements due counted for the status page, at most


@dataclass(frozen=True)
class PushStatus:
    """How pushing to the configured LRS goes, for the admins' page: its cursor (None before
    the first push) and the statements due to it now (at most WAITING_SHOWN counted; `more`:
    others follow)."""

    url: str
    cursor: LrsCursor | None
    due: int
    more: bool

    @property
    def failing(self) -> bool:
        return self.cursor is not None and self.cursor.failures > 0


def status(settings: PushSettings, now: dt.datetime) -> PushStatus:
    """The LRS's cursor and the statements due to it (those stored up to XAPI_SETTLE_SECONDS
    ago, after the cursor): four statements, whatever the number due."""
    cursor = db.session.scalar(select(C).where(C.lrs_url == settings.lrs.url))
    until = now - dt.timedelta(seconds=settings.settle_seconds)
    due, more = first_events(None, until, WAITING_SHOWN,
                             after=cursor.position if cursor is not None else None)
    return PushStatus(settings.lrs.url, cursor, len(due), more)
