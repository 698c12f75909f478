"""Sign-in throttling with counters in the database, so every app server shares them."""
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from cev_learn.accounts.models import LoginFailure
from cev_learn.db import db


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


def account_key(email: str) -> str:
    return "account:" + email.strip().lower()[:280]


def address_key(address: str | None) -> str:
    return "address:" + (address or "unknown")


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
    db.session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= now - policy.window))
    db.session.add_all([
        LoginFailure(key=account_key(email), failed_at=now),
        LoginFailure(key=address_key(address), failed_at=now),
    ])
    db.session.flush()


def clear_account_failures(email: str) -> None:
    db.session.execute(delete(LoginFailure).where(LoginFailure.key == account_key(email)))
