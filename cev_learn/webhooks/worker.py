"""`cev-learn worker`: takes events from the outbox to the endpoints that want them.

One loop, in short transactions, never holding a transaction open across an HTTP request:

1. **Dispatch**: new outbox events become messages and deliveries (`dispatch.py`).
2. **Claim**: deliveries that are due are leased (`leased_until`, `lease_token`) in chains:
   the next events of one rep for one endpoint, in event order. A rep's delivery waits while
   an earlier one of the same rep to the same endpoint is waiting for a retry or in flight, so
   each endpoint sees every rep's events in order. Claims (and dispatches) are serialised —
   PostgreSQL: a transaction-level advisory lock; SQLite: its single writer — so any number of
   workers can run side by side.
3. **Send**: a pool of threads posts each chain's messages in turn (`sending.py`), stopping
   at the first failure; the main thread records the results as they come.
4. **Record**: a 2xx is delivered; anything else is tried again after the next wait of the
   retry schedule (WEBHOOK_RETRY_SECONDS). When the last attempt fails, the delivery is failed,
   the endpoint disabled and every admin emailed.

A worker killed mid-delivery records nothing for what it was sending: its lease runs out and
another worker (or itself, restarted) sends it again, with the same webhook-id. Delivery is
at least once; receivers drop repeats by webhook-id.

Now and then the worker also checks reps' standing (`standing_watch`, for `rep.at_risk` and
the coaches' notifications) and tells reps of booster questions that came due
(`notifications.services.boosters_came_due`), emails the notifications of people who want them
at once every NOTIFICATION_EMAIL_SECONDS (`notifications.mailing`), reminds the holders of
certificates whose renewal opened and assigns them the work again, then announces the
certificates that expired (`certification.expired`), hourly and once each
(`certifications.renewal`, `certifications.expiry`), and
removes deliveries and events older than WEBHOOK_KEEP_DAYS, and the rate-limit windows
that have ended (`platform.rate_limits.forget_ended`). When a Learning Record Store is
configured (LRS_URL), it pushes the xAPI statements due to it every LRS_PUSH_SECONDS, batch
after batch while there are more (`xapi.push`).
"""
import datetime as dt
import logging
import queue
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import (Integer, String, Text, and_, delete, exists, func, or_, select,
                        update)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import aliased

from cev_learn.accounts.models import Role, User
from cev_learn.certifications import expiry, renewal
from cev_learn.notifications import mailing, services as notifications
from cev_learn.platform import mail, rate_limits
from cev_learn.platform.db import (UTCDateTime, db, private_reader, utcnow,
                                   write_transaction)
from cev_learn.platform.outbox import OutboxEvent
from cev_learn.webhooks import dispatch as dispatching
from cev_learn.webhooks.bulk import update_each
from cev_learn.webhooks import endpoints as endpoint_services
from cev_learn.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from cev_learn.webhooks.sending import Outcome, Sender, signature_headers
from cev_learn.webhooks.standing_watch import check_standings
from cev_learn.xapi import push
from cev_learn.xapi.lrs import LrsClient

log = logging.getLogger("cev_learn.webhooks")
CLAIM_LOCK = 0x63657677  # the advisory lock that serialises claims on PostgreSQL
PURGE_EVERY = 3600.0
RENEWAL_EVERY = 3600.0  # a renewal opens on a day: hourly finds it early that day
SUMMARY_EVERY = 60.0
D = WebhookDelivery
PENDING = DeliveryStatus.PENDING


@dataclass(frozen=True)
class Job:
    """One delivery to make."""

    delivery_id: int
    endpoint_id: int
    event_id: int
    attempts: int
    message_id: str
    event_type: str
    body: bytes


@dataclass(frozen=True)
class Chain:
    """The next deliveries of one rep to one endpoint, sent in order by one thread."""

    endpoint_id: int
    url: str
    secrets: tuple[str, ...]
    allow_private: bool
    token: str
    lease_ends: float  # time.monotonic()
    jobs: tuple[Job, ...]


@dataclass(frozen=True)
class Done:
    job: Job
    token: str
    outcome: Outcome | None  # None: not tried (an earlier one failed, or the lease ran short)
    at: dt.datetime


_CHAIN_END = object()


_RELEASED = {"leased_until": None, "lease_token": None}
_RESULT_COLUMNS = (("b_id", Integer()), ("b_token", String(32)), ("b_at", UTCDateTime()),
                   ("b_code", Integer()), ("b_error", String(500)), ("b_response", Text()),
                   ("b_next", UTCDateTime()))


def _update_each(rows: list[dict], changes) -> None:
    """Update many deliveries, each by its id and only while it is still leased with the
    given token; `changes(results)` maps columns to values, maybe the results' columns."""
    table = D.__table__
    update_each(table, _RESULT_COLUMNS, rows, lambda given: (
        table.c.id == given.c.b_id, table.c.lease_token == given.c.b_token,
        table.c.status == PENDING.value), changes)


def _attempted(results) -> dict:
    """What an attempt leaves on a delivery, from the results' columns."""
    return {"attempts": D.__table__.c.attempts + 1, "last_attempt_at": results.c.b_at,
            "last_status_code": results.c.b_code, "last_error": results.c.b_error,
            "last_response": results.c.b_response, **_RELEASED}


def retry_wait(schedule: list[float], attempts: int) -> dt.timedelta | None:
    """How long to wait after the `attempts`-th failed attempt (None: give up)."""
    if attempts > len(schedule):
        return None
    return dt.timedelta(seconds=float(schedule[attempts - 1]))


class Worker:
    def __init__(self, app: Flask, *, sender: Sender | None = None,
                 clock: Callable[[], dt.datetime] = utcnow):
        config = app.config
        self.app, self.clock = app, clock
        self.timeout = float(config["WEBHOOK_TIMEOUT_SECONDS"])
        self.schedule = [float(wait) for wait in config["WEBHOOK_RETRY_SECONDS"]]
        self.lease = float(config["WEBHOOK_LEASE_SECONDS"])
        self.concurrency = max(1, int(config["WEBHOOK_CONCURRENCY"]))
        self.chain_length = max(1, int(config["WEBHOOK_CHAIN_LENGTH"]))
        self.poll = float(config["WEBHOOK_POLL_SECONDS"])
        self.standing_every = float(config["WEBHOOK_STANDING_CHECK_SECONDS"])
        self.mail_every = float(config["NOTIFICATION_EMAIL_SECONDS"])
        self.keep = dt.timedelta(days=float(config["WEBHOOK_KEEP_DAYS"]))
        if self.lease < self.timeout + 2:
            raise ValueError("WEBHOOK_LEASE_SECONDS must exceed WEBHOOK_TIMEOUT_SECONDS by at "
                             "least 2 seconds")
        self.sender = sender or Sender(self.timeout, connections_per_host=self.concurrency)
        self.lrs = push.PushSettings.from_config(config)  # None: no LRS, no pushing
        self.lrs_client = LrsClient(self.lrs.lrs) if self.lrs else None
        self.push_every = float(config["LRS_PUSH_SECONDS"])
        if self.lrs and push.loopback_warning(self.lrs.base_url):
            log.warning("xapi: %s", push.loopback_warning(self.lrs.base_url))
        self.results: queue.Queue = queue.Queue()
        self.pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="webhook")
        # Chains leased at once: some wait for a thread, so none is idle between claims.
        self.queued_chains = self.concurrency * 8
        self.in_flight = 0
        self.unrecorded: list[Done] = []
        # skip the read-only look for work; push again at once after a full batch
        self._busy = {"dispatch": False, "claim": False, "push": False}
        self.stopping = threading.Event()
        self.counts: Counter = Counter()
        self._reported: Counter = Counter()  # the counts of the last summary

    # --- The loop -------------------------------------------------------------------------

    def run(self, once: bool = False) -> Counter:
        """Work until `stop()` (SIGTERM) — or, with `once`, until nothing is due now: every
        event dispatched and every delivery due sent (retries scheduled later are left)."""
        next_standing = next_purge = next_summary = next_push = next_mail = time.monotonic()
        next_renewal = next_standing
        try:
            while not self.stopping.is_set():
                self._collect(block=False)
                busy = False
                try:
                    self._record()
                    moment = time.monotonic()
                    if moment >= next_standing:
                        self._now_and_then(self.check_standings)
                        next_standing = moment + self.standing_every
                    if moment >= next_renewal:
                        self._now_and_then(self.assign_renewals)
                        next_renewal = moment + RENEWAL_EVERY
                    if moment >= next_purge:
                        self._now_and_then(self.purge)
                        next_purge = moment + PURGE_EVERY
                    if moment >= next_mail:
                        self._now_and_then(self.email_notifications)
                        next_mail = moment + self.mail_every
                    busy = self.dispatch() > 0
                    if self.in_flight < self.queued_chains:
                        busy = self.claim() > 0 or busy
                    if self.lrs and (moment >= next_push or self._busy["push"]):
                        busy = self.push_statements() or busy
                        next_push = time.monotonic() + self.push_every
                except DBAPIError as exc:  # the database is away: try again in a moment
                    db.session.rollback()
                    if once:
                        raise
                    log.warning("webhooks: database error, trying again: %s", exc.orig)
                    self.stopping.wait(max(self.poll, 1.0))
                    continue
                if once and not busy and self.in_flight == 0 and not self.unrecorded \
                        and self.results.empty():
                    break
                if not busy:
                    self._collect(block=True)
                if time.monotonic() >= next_summary:
                    self._summary()
                    next_summary = time.monotonic() + SUMMARY_EVERY
        finally:
            self._finish()
        return self.counts

    def stop(self) -> None:
        self.stopping.set()

    def _finish(self) -> None:
        """Let the chains in flight end (they stop before their next request), record what
        they did, and close the connections."""
        self.stopping.set()
        while self.in_flight:
            self._collect(block=True)
        self.pool.shutdown(wait=True)
        self._collect(block=False)
        try:
            self._record()
        except DBAPIError as exc:  # their leases run out: another worker sends them again
            db.session.rollback()
            log.warning("webhooks: could not record the last results: %s", exc.orig)
        self.sender.close()
        if self.lrs_client:
            self.lrs_client.close()
        self._summary()

    def _collect(self, block: bool) -> None:
        """Take the results the threads left: wait up to a poll interval for the first one
        if `block`."""
        try:
            item = self.results.get(timeout=self.poll) if block else self.results.get_nowait()
            while True:
                if item is _CHAIN_END:
                    self.in_flight -= 1
                else:
                    self.unrecorded.append(item)
                item = self.results.get_nowait()
        except queue.Empty:
            return

    def _summary(self) -> None:
        """What was done since the last summary, if anything."""
        done = {key: value - self._reported[key] for key, value in sorted(self.counts.items())
                if value != self._reported[key]}
        if done:
            log.info("webhooks: %s", ", ".join(f"{key} {value}" for key, value in done.items()))
            self._reported = Counter(self.counts)

    def _now_and_then(self, task) -> None:
        """A periodic task (the standing check, the purge): a failure of its own is logged,
        and deliveries go on; the database being away is the loop's to handle."""
        try:
            task()
        except DBAPIError:
            raise
        except Exception:  # noqa: BLE001 - keep delivering whatever the task ran into
            db.session.rollback()
            log.exception("webhooks: %s failed", task.__name__)

    # --- Dispatch, claim, send ---------------------------------------------------------------

    def dispatch(self) -> int:
        if not self._busy["dispatch"]:
            with private_reader() as reader:  # SQLite: no write lock to find nothing to do
                if reader.scalar(select(OutboxEvent.id).where(
                        OutboxEvent.dispatched_at.is_(None)).limit(1)) is None:
                    return 0
        with write_transaction():
            self._lock()
            dispatched = dispatching.dispatch(self.clock())
        self._busy["dispatch"] = dispatched == dispatching.BATCH  # more waiting, surely
        self.counts["events dispatched"] += dispatched
        return dispatched

    def claim(self) -> int:
        """Lease chains of due deliveries for the free threads and start sending them;
        returns how many deliveries were claimed."""
        slots = self.queued_chains - self.in_flight
        now = self.clock()
        if not self._busy["claim"]:
            with private_reader() as reader:
                if reader.scalar(select(D.id).where(
                        D.status == PENDING, D.next_attempt_at <= now,
                        or_(D.leased_until.is_(None), D.leased_until <= now)).limit(1)) is None:
                    return 0
        with write_transaction():
            self._lock()
            chains = self._lease(slots, self.clock())
        self._busy["claim"] = len(chains) == slots  # as many as asked: more may be due
        for chain in chains:
            self.in_flight += 1
            self.pool.submit(self._send_chain, chain)
        return sum(len(chain.jobs) for chain in chains)

    def _lock(self) -> None:
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(select(func.pg_advisory_xact_lock(CLAIM_LOCK)))

    def _lease(self, slots: int, now: dt.datetime) -> list[Chain]:
        picked: dict[tuple[int, int], list] = {}
        for row in db.session.execute(self._due_chains(slots, now)):
            picked.setdefault((row.endpoint_id, row.rep_id), []).append(row)
        if not picked:
            return []
        tokens = {pair: secrets.token_hex(16) for pair in picked}
        until = now + dt.timedelta(seconds=self.lease)
        table = D.__table__
        update_each(table, _RESULT_COLUMNS[:2],
                    [{"b_id": row.id, "b_token": tokens[pair]}
                     for pair, chain in picked.items() for row in chain],
                    lambda given: (table.c.id == given.c.b_id,),
                    lambda given: {"leased_until": until, "lease_token": given.c.b_token})
        ids = [row.id for chain in picked.values() for row in chain]
        messages = {row.id: row for row in db.session.execute(
            select(D.id, OutboxEvent.public_id, OutboxEvent.type, OutboxEvent.body)
            .join(OutboxEvent, OutboxEvent.id == D.event_id).where(D.id.in_(ids)))}
        endpoints = {e.id: e for e in db.session.scalars(select(WebhookEndpoint).where(
            WebhookEndpoint.id.in_({pair[0] for pair in picked})))}
        allow_private = endpoint_services.allows_private_addresses()
        lease_ends = time.monotonic() + self.lease
        return [Chain(endpoint_id, endpoints[endpoint_id].url,
                      tuple(endpoint_services.signing_secrets(endpoints[endpoint_id], now)),
                      allow_private, tokens[(endpoint_id, rep_id)], lease_ends,
                      tuple(Job(row.id, endpoint_id, row.event_id, row.attempts,
                                messages[row.id].public_id,
                                messages[row.id].type, messages[row.id].body.encode())
                            for row in chain))
                for (endpoint_id, rep_id), chain in picked.items()]

    def _due_chains(self, slots: int, now: dt.datetime):
        """The first `slots` chains that may go now, oldest event first: for each (endpoint,
        rep), its due deliveries in event order, up to WEBHOOK_CHAIN_LENGTH, stopping before the
        first one that waits for a retry or is leased (so a rep's events stay in order)."""
        waiting = aliased(D)
        blocked = (select(waiting.endpoint_id, waiting.rep_id,
                          func.min(waiting.event_id).label("first"))
                   .where(waiting.status == PENDING,
                          or_(waiting.next_attempt_at > now, waiting.leased_until > now))
                   .group_by(waiting.endpoint_id, waiting.rep_id).subquery())
        pair = (D.endpoint_id, D.rep_id)
        due = (select(D.id, D.endpoint_id, D.rep_id, D.event_id, D.attempts,
                      func.row_number().over(partition_by=pair, order_by=D.event_id)
                      .label("position"),
                      func.min(D.event_id).over(partition_by=pair).label("head"))
               .join(WebhookEndpoint, WebhookEndpoint.id == D.endpoint_id)
               .outerjoin(blocked, and_(blocked.c.endpoint_id == D.endpoint_id,
                                        blocked.c.rep_id == D.rep_id))
               .where(D.status == PENDING, D.next_attempt_at <= now,
                      or_(D.leased_until.is_(None), D.leased_until <= now),
                      WebhookEndpoint.enabled.is_(True),
                      or_(blocked.c.first.is_(None), D.event_id < blocked.c.first))
               .subquery())
        ranked = select(due, func.dense_rank().over(
            order_by=(due.c.head, due.c.endpoint_id)).label("chain")).where(
            due.c.position <= self.chain_length).subquery()
        return (select(ranked.c.id, ranked.c.endpoint_id, ranked.c.rep_id, ranked.c.event_id,
                       ranked.c.attempts)
                .where(ranked.c.chain <= slots).order_by(ranked.c.chain, ranked.c.event_id))

    def _send_chain(self, chain: Chain) -> None:
        """In a delivery thread: post the chain's messages in order, stopping at the first
        that fails; leave the rest (and everything once stopping, or when the lease would run
        out during the next request) for later."""
        try:
            for position, job in enumerate(chain.jobs):
                # a second to spare for the clocks of other workers, which judge the lease
                if (self.stopping.is_set()
                        or time.monotonic() + self.timeout + 1 > chain.lease_ends):
                    self._release(chain, chain.jobs[position:])
                    return
                at = self.clock()
                try:
                    outcome = self.sender.post(
                        chain.url, job.body,
                        signature_headers(job.message_id, job.body, chain.secrets, at),
                        chain.allow_private)
                except Exception as exc:  # noqa: BLE001 - a result must always come back
                    log.exception("webhooks: sending %s failed", job.message_id)
                    outcome = Outcome(False, error=f"Could not send: {type(exc).__name__}")
                self.results.put(Done(job, chain.token, outcome, at))
                if not outcome.ok:
                    self._release(chain, chain.jobs[position + 1:])
                    return
        finally:
            self.results.put(_CHAIN_END)

    def _release(self, chain: Chain, jobs) -> None:
        at = self.clock()
        for job in jobs:
            self.results.put(Done(job, chain.token, None, at))

    # --- Recording ----------------------------------------------------------------------------

    def _record(self) -> None:
        """Store the results the threads brought back, in one transaction; email the admins
        about endpoints disabled by it once it is committed."""
        if not self.unrecorded:
            return
        done, now = self.unrecorded, self.clock()
        groups: dict[str, list[dict]] = {"delivered": [], "retry": [], "released": []}
        exhausted: list[Done] = []
        for item in done:
            key = {"b_id": item.job.delivery_id, "b_token": item.token}
            outcome = item.outcome
            if outcome is None:
                groups["released"].append(key)
                continue
            tried = {**key, "b_at": item.at, "b_code": outcome.status_code,
                     "b_error": outcome.error, "b_response": outcome.response}
            wait = retry_wait(self.schedule, item.job.attempts + 1)
            if outcome.ok:
                groups["delivered"].append(tried)
            elif wait is None:
                exhausted.append(item)
            else:
                groups["retry"].append({**tried, "b_next": now + wait})
        disabled = []
        with write_transaction():
            _update_each(groups["delivered"], lambda r: {
                **_attempted(r), "status": DeliveryStatus.DELIVERED.value,
                "delivered_at": r.c.b_at, "next_attempt_at": None})
            _update_each(groups["retry"], lambda r: {
                **_attempted(r), "next_attempt_at": r.c.b_next})
            _update_each(groups["released"], lambda r: _RELEASED)
            for item in exhausted:
                disabled += self._give_up(item, now)
        self.unrecorded = []
        self.counts.update({"delivered": len(groups["delivered"]),
                            "failed, will retry": len(groups["retry"]),
                            "gave up": len(exhausted)})
        self._log_failures(done)
        if disabled:
            self._email_admins(disabled)

    @staticmethod
    def _log_failures(done: list[Done]) -> None:
        """One line per endpoint that failed: how many, and the first failure."""
        failures: dict[int, list[Done]] = {}
        for item in done:
            if item.outcome is not None and not item.outcome.ok:
                failures.setdefault(item.job.endpoint_id, []).append(item)
        for endpoint_id, items in failures.items():
            first = items[0]
            log.warning("webhooks: endpoint %s: %d failed, first %s %s: %s", endpoint_id,
                        len(items), first.job.event_type, first.job.message_id,
                        first.outcome.error)

    def _give_up(self, item: Done, now: dt.datetime) -> list[WebhookEndpoint]:
        """The last attempt failed: the delivery is failed and its endpoint disabled."""
        outcome = item.outcome
        failed = db.session.execute(
            update(D).where(D.id == item.job.delivery_id, D.lease_token == item.token,
                            D.status == PENDING)
            .values(status=DeliveryStatus.FAILED, attempts=D.attempts + 1,
                    last_attempt_at=item.at, last_status_code=outcome.status_code,
                    last_error=outcome.error, last_response=outcome.response,
                    next_attempt_at=None, leased_until=None, lease_token=None)
            .execution_options(synchronize_session=False))
        if not failed.rowcount:
            return []
        endpoint = db.session.scalar(select(WebhookEndpoint).join(D, D.endpoint_id ==
                                                                  WebhookEndpoint.id)
                                     .where(D.id == item.job.delivery_id))
        if not endpoint.enabled:
            return []
        hours = sum(self.schedule) / 3600
        endpoint_services.disable(endpoint, now, (
            f"Disabled automatically: {item.job.event_type} {item.job.message_id} failed "
            f"{len(self.schedule) + 1} times over {hours:.1f} hours (last: {outcome.error})."))
        return [endpoint]

    def _email_admins(self, disabled: list[WebhookEndpoint]) -> None:
        config = self.app.config
        admins = list(db.session.scalars(select(User).where(
            User.role == Role.ADMIN, User.active.is_(True)).order_by(User.id)))
        paths = self.app.url_map.bind("localhost")
        messages = [mail.compose(
            to=admin.email, subject="cev_learn: a webhook endpoint was disabled",
            template="email/webhook_disabled", config=config,
            values={"name": admin.name, "endpoints": [
                {"url": e.url, "reason": e.disabled_reason,
                 "path": paths.build("webhooks.endpoint", {"endpoint_id": e.id})}
                for e in disabled]}, time_zone=admin.time_zone)
            for admin in admins]
        for delivery in mail.send_messages(messages, config):
            if not delivery.sent:
                log.warning("webhooks: could not email %s about a disabled endpoint: %s",
                            delivery.message["To"], delivery.error)
        db.session.rollback()

    # --- Statements to the LRS ---------------------------------------------------------------

    def push_statements(self) -> bool:
        """Send the next batch of statements to the LRS, if one is due; whether more may be
        due at once. A failure of the LRS waits its turn to be tried again (xapi.push)."""
        try:
            batch = push.push_batch(self.lrs, self.lrs_client, self.clock())
        except DBAPIError:
            raise
        except Exception:  # noqa: BLE001 - keep delivering webhooks whatever pushing ran into
            db.session.rollback()
            log.exception("xapi: pushing to %s failed", self.lrs.lrs.url)
            batch = push.Batch(push.FAILED)
        self._busy["push"] = batch.more
        self.counts["statements pushed"] += batch.sent
        self.counts["statements the LRS held otherwise"] += len(batch.conflicts)
        self.counts["pushes failed, will retry"] += batch.state == push.FAILED
        return batch.more

    # --- Now and then --------------------------------------------------------------------------

    def check_standings(self) -> int:
        now = self.clock()
        with write_transaction():
            raised = check_standings(now.date(), now)
        with write_transaction():  # and reps hear of booster questions that came due
            self.counts["reps told of boosters due"] += notifications.boosters_came_due(
                now.date(), now)
        self.counts["reps turned at risk"] += raised
        return raised

    def assign_renewals(self) -> int:
        """Remind the holders of certificates whose renewal opened and give them the work
        again, then announce the certificates that expired, once each
        (`certifications.renewal`, `certifications.expiry`)."""
        now = self.clock()
        with write_transaction():
            due = renewal.assign_renewals(now.date(), now)
        with write_transaction():
            expired = expiry.announce_expired(now.date(), now)
        self.counts["re-certifications assigned"] += len(due)
        self.counts["certificate expiries announced"] += len(expired)
        return len(due)

    def email_notifications(self) -> int:
        """Email each notification of people who want them at once (nothing is written when
        none is due: the look for one takes no write lock)."""
        with private_reader() as reader:
            if not mailing.anything_immediate(reader):
                return 0
        report = mailing.send_immediate(self.app.config, self.clock())
        for address, reason in report.failures:
            log.warning("notifications: could not email %s, will retry: %s", address, reason)
        self.counts["notifications emailed"] += report.sent
        return report.sent

    def purge(self) -> None:
        """Forget deliveries done (delivered or failed) and events older than the log keeps,
        and the rate-limit windows that have ended (requests never clean them up)."""
        rate_limits.forget_ended(self.clock())
        cutoff = self.clock() - self.keep
        old = select(OutboxEvent.id).where(OutboxEvent.dispatched_at < cutoff)
        with write_transaction():
            db.session.execute(delete(D).where(D.event_id.in_(old), D.status != PENDING)
                               .execution_options(synchronize_session=False))
            db.session.execute(delete(OutboxEvent).where(
                OutboxEvent.dispatched_at < cutoff,
                ~exists().where(D.event_id == OutboxEvent.id))
                .execution_options(synchronize_session=False))
