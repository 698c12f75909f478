"""How long a certificate is valid and what renews it: plain dates, no database."""
import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

EXPIRING_WITHIN_DAYS = 30  # what managers count as "expiring soon"
RENEWED_KINDS = ("quiz", "exercise")  # requirements a renewal asks for again


class Validity(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


def expires_on(earned_on: dt.date, valid_for_days: int) -> dt.date:
    """The first day a certificate earned on `earned_on` is no longer valid."""
    return earned_on + dt.timedelta(days=valid_for_days)


def renewal_opens_on(expiry: dt.date, remind_days_before: int) -> dt.date:
    """The day its holder is reminded and re-certification work counts toward a new one."""
    return expiry - dt.timedelta(days=remind_days_before)


def validity(expiry: dt.date, today: dt.date, *, revoked: bool = False,
             superseded: bool = False) -> Validity:
    """What a certificate is on `today`: revocation and renewal outrank the dates."""
    if revoked:
        return Validity.REVOKED
    if superseded:
        return Validity.SUPERSEDED
    return Validity.VALID if today < expiry else Validity.EXPIRED


def expiring_soon(expiry: dt.date, today: dt.date, within: int = EXPIRING_WITHIN_DAYS) -> bool:
    """Still valid, but expiring within `within` days of `today`."""
    return today < expiry <= today + dt.timedelta(days=within)


@dataclass(frozen=True)
class Holding:
    """A rep's current certificate of one certification, as renewal needs it."""

    expires_on: dt.date
    revoked_on: dt.date | None = None


def is_earned(requires: Iterable[tuple[str, str]], passed_on: Mapping[tuple[str, str], dt.date],
              holding: Holding | None, remind_days_before: int, today: dt.date) -> bool:
    """Whether a new certificate is earned on `today`. `passed_on` holds the day each
    requirement (kind, slug) was last passed. Without a certificate, every requirement passed
    earns one. With one, a new one is earned only from the day renewal opens (or the day it
    was revoked), with every required quiz and exercise passed again from that day (the
    renewal assigns the quizzes and asks for a new recording); a sign-off once passed still
    counts, as nothing asks for it again."""
    requires = list(requires)
    if any(r not in passed_on for r in requires):
        return False
    if holding is None:
        return True
    since = holding.revoked_on or renewal_opens_on(holding.expires_on, remind_days_before)
    return today >= since and all(passed_on[r] >= since for r in requires
                                  if r[0] in RENEWED_KINDS)
