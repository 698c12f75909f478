"""Throttling of failed sign-ins, wrong current passwords and secrets that are no API
token's, with the failures counted in the database so every worker and app server shares them.

A guess is counted before it is answered, in one short transaction that counts the failures
in the window and, unless that reaches a limit, records this guess as one more. Reading the
count, checking the password and only then recording the failure let guesses sent at once to
several workers all read the same count and all be checked (six of a limit of five). Here no
other transaction counting the same keys runs between the count and the record: SQLite has
one writer at a time (write_transaction begins IMMEDIATE), and on PostgreSQL
_wait_for_others_counting holds a lock per key until the commit. However many guesses arrive
together, at most the limit are checked; a password that proves right is then forgiven.
"""
import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import ScalarSelect, delete, func, insert, or_, select

from cev_learn.accounts.models import LoginFailure
from cev_learn.platform.db import db, write_transaction

# Key prefixes: each kind of failure is counted, and forgotten, on its own.
ACCOUNT, ADDRESS, API_TOKEN = "account:", "address:", "api-token:"


@dataclass(frozen=True)
class ThrottlePolicy:
    window: dt.timedelta
    max_per_account: int
    max_per_address: int

    @classmethod
    def from_config(cls, config) -> "ThrottlePolicy":
        return cls(
            window=dt.timedelta(seconds=config["LOGIN_THROTTLE_WINDOW_SECONDS"]),
            max_per_account=config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
            max_per_address=config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
        )


@dataclass(frozen=True)
class TokenThrottlePolicy:
    """How many secrets that are no API token's one client address may send in a window."""

    window: dt.timedelta
    max_per_address: int

    @classmethod
    def from_config(cls, config) -> "TokenThrottlePolicy":
        return cls(window=dt.timedelta(seconds=config["API_TOKEN_THROTTLE_WINDOW_SECONDS"]),
                   max_per_address=config["API_TOKEN_MAX_FAILURES_PER_ADDRESS"])


def account_key(email: str) -> str:
    return ACCOUNT + email.strip().lower()[:280]


def address_key(address: str | None) -> str:
    return ADDRESS + (address or "unknown")


def token_address_key(address: str | None) -> str:
    return API_TOKEN + (address or "unknown")


@dataclass(frozen=True)
class Attempt:
    """A sign-in (or a current-password check) admitted by the throttle: counted as failed
    until its password proves right."""

    failure_ids: tuple[int, ...]


def admit_attempt(email: str, address: str | None, policy: ThrottlePolicy,
                  now: dt.datetime) -> Attempt | None:
    """Count an attempt on the account from the address as failed, before its password is
    checked, and commit; None (nothing counted) when either has failed too often lately."""
    with write_transaction():
        _wait_for_others_counting([account_key(email), address_key(address)])
        if is_throttled(email, address, policy, now):
            return None
        return Attempt(record_failure(email, address, policy, now))


def forgive_attempt(attempt: Attempt, email: str) -> None:
    """The password was right: the attempt was no failure, and the account's are forgotten."""
    db.session.execute(delete(LoginFailure).where(or_(
        LoginFailure.id.in_(attempt.failure_ids), LoginFailure.key == account_key(email))))


def admit_token_failure(address: str | None, policy: TokenThrottlePolicy,
                        now: dt.datetime) -> bool:
    """Count a secret that is no API token's against the address and commit; False (nothing
    counted) when the address has already sent too many."""
    key = token_address_key(address)
    with write_transaction():
        _wait_for_others_counting([key])
        if _failures(key, now - policy.window) >= policy.max_per_address:
            return False
        record_token_failure(address, policy, now)
        return True


def is_throttled(email: str, address: str | None, policy: ThrottlePolicy, now: dt.datetime) -> bool:
    """True when this account or this client address has failed too often lately."""
    since = now - policy.window
    rows = db.session.execute(
        select(LoginFailure.key, func.count())
        .where(LoginFailure.key.in_([account_key(email), address_key(address)]),
               LoginFailure.failed_at > since)
        .group_by(LoginFailure.key)
    ).all()
    counts = dict(rows)
    return (counts.get(account_key(email), 0) >= policy.max_per_account
            or counts.get(address_key(address), 0) >= policy.max_per_address)


def retry_after(email: str, address: str | None, policy: ThrottlePolicy,
                now: dt.datetime) -> int:
    """Whole seconds until neither the account nor the address is throttled (at least 1)."""
    return max(_retry_after(account_key(email), policy.max_per_account, policy.window, now),
               _retry_after(address_key(address), policy.max_per_address, policy.window, now))


def record_failure(email: str, address: str | None, policy: ThrottlePolicy,
                   now: dt.datetime) -> tuple[int, ...]:
    """Add a failure of the account and one of the address; return their ids."""
    _forget_expired((ACCOUNT, ADDRESS), now - policy.window)
    added = db.session.execute(
        insert(LoginFailure).returning(LoginFailure.id),
        [{"key": account_key(email), "failed_at": now},
         {"key": address_key(address), "failed_at": now}])  # one statement for both
    return tuple(added.scalars())


def clear_account_failures(email: str) -> None:
    db.session.execute(delete(LoginFailure).where(LoginFailure.key == account_key(email)))


def recent_token_failures(address: str | None, policy: TokenThrottlePolicy,
                          now: dt.datetime) -> ScalarSelect[int]:
    """The address's failed token authentications in the window, as a subquery to read
    together with the token itself."""
    return (select(func.count()).select_from(LoginFailure)
            .where(LoginFailure.key == token_address_key(address),
                   LoginFailure.failed_at > now - policy.window)
            .scalar_subquery())


def token_retry_after(address: str | None, policy: TokenThrottlePolicy, now: dt.datetime) -> int:
    """Whole seconds until the address has fewer failures than the limit again (at least 1)."""
    return _retry_after(token_address_key(address), policy.max_per_address, policy.window, now)


def record_token_failure(address: str | None, policy: TokenThrottlePolicy,
                         now: dt.datetime) -> None:
    _forget_expired((API_TOKEN,), now - policy.window)
    db.session.add(LoginFailure(key=token_address_key(address), failed_at=now))
    db.session.flush()


def _failures(key: str, since: dt.datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(LoginFailure)
                             .where(LoginFailure.key == key, LoginFailure.failed_at > since))


def _retry_after(key: str, limit: int, window: dt.timedelta, now: dt.datetime) -> int:
    """Whole seconds until the key has fewer failures than `limit` again (at least 1)."""
    # Once the limit-th newest failure leaves the window, fewer than the limit remain.
    limiting = db.session.scalar(
        select(LoginFailure.failed_at)
        .where(LoginFailure.key == key, LoginFailure.failed_at > now - window)
        .order_by(LoginFailure.failed_at.desc())
        .offset(max(limit - 1, 0)).limit(1))
    if limiting is None:
        return 1
    return max(1, math.ceil((limiting + window - now).total_seconds()))


def _wait_for_others_counting(keys: list[str]) -> None:
    """Make transactions that count any of these keys wait until this one ends. SQLite needs
    nothing: its one write lock, taken at BEGIN IMMEDIATE, does it for every key."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(keys):  # one order everywhere, so two attempts never wait on each other
        db.session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))


def _forget_expired(prefixes: tuple[str, ...], cutoff: dt.datetime) -> None:
    """Delete failures of these kinds older than `cutoff`; the others keep their own window."""
    db.session.execute(delete(LoginFailure).where(
        LoginFailure.failed_at <= cutoff,
        or_(*(LoginFailure.key.startswith(prefix, autoescape=True) for prefix in prefixes))))
