"""Throttling of failed sign-ins and failed API-token authentications, with the failures
counted in the database so every app server shares them."""
import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import ScalarSelect, delete, func, or_, select

from cev_learn.accounts.models import LoginFailure
from cev_learn.db import db

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


def record_failure(email: str, address: str | None, policy: ThrottlePolicy, now: dt.datetime) -> None:
    _forget_expired((ACCOUNT, ADDRESS), now - policy.window)
    db.session.add_all([
        LoginFailure(key=account_key(email), failed_at=now),
        LoginFailure(key=address_key(address), failed_at=now),
    ])
    db.session.flush()


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
    # Once the max_per_address-th newest failure leaves the window, fewer than that remain.
    limiting = db.session.scalar(
        select(LoginFailure.failed_at)
        .where(LoginFailure.key == token_address_key(address),
               LoginFailure.failed_at > now - policy.window)
        .order_by(LoginFailure.failed_at.desc())
        .offset(max(policy.max_per_address - 1, 0)).limit(1))
    if limiting is None:
        return 1
    return max(1, math.ceil((limiting + policy.window - now).total_seconds()))


def record_token_failure(address: str | None, policy: TokenThrottlePolicy,
                         now: dt.datetime) -> None:
    _forget_expired((API_TOKEN,), now - policy.window)
    db.session.add(LoginFailure(key=token_address_key(address), failed_at=now))
    db.session.flush()


def _forget_expired(prefixes: tuple[str, ...], cutoff: dt.datetime) -> None:
    """Delete failures of these kinds older than `cutoff`; the others keep their own window."""
    db.session.execute(delete(LoginFailure).where(
        LoginFailure.failed_at <= cutoff,
        or_(*(LoginFailure.key.startswith(prefix, autoescape=True) for prefix in prefixes))))
