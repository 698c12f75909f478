"""Time zones: which IANA names cev_learn knows, and a moment written as a person reads it in
theirs ("07 Dec 2026 16:45 CET"). Pure: no request, no current user; the zone is passed in.

Moments are stored in UTC. Each person may choose a zone (their browser's by default); until
they have one, times are shown in UTC and say so.
"""
import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DEFAULT_ZONE = "UTC"
MAX_LENGTH = 64  # the longest IANA name is about half of it
TIME_FORMAT = "%d %b %Y %H:%M"
EXAMPLE = "Europe/Berlin"


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every zone a person may choose, sorted (the old aliases like "US/Eastern" left out:
    their canonical names are there)."""
    names = {name for name in available_timezones() if "/" in name or name == DEFAULT_ZONE}
    legacy = ("US/", "Canada/", "Mexico/", "Brazil/", "Chile/", "Etc/", "SystemV/")
    return tuple(sorted(name for name in names if not name.startswith(legacy)))


def zone_problem(name: str | None) -> str | None:
    """What is wrong with a zone someone typed or sent, in words; None when cev_learn knows it."""
    name = (name or "").strip()
    if not name:
        return f"Choose a time zone, like {EXAMPLE}."
    if name not in _known():
        shown = name if len(name) <= MAX_LENGTH else name[:MAX_LENGTH] + "…"
        return (f"“{shown}” is not a time zone cev_learn knows: choose one from the list, "
                f"like {EXAMPLE}.")
    return None


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(zone_names())


@lru_cache(maxsize=256)
def zone(name: str | None) -> ZoneInfo:
    """The zone of that name; UTC for none or one this machine does not know (a zone stored
    before the time-zone database dropped it still shows a time, in UTC)."""
    if not name or name not in _known():
        return ZoneInfo(DEFAULT_ZONE)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def local(moment: dt.datetime, name: str | None) -> dt.datetime:
    """The moment in that zone (a naive moment is taken as UTC, as the database stores it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(zone(name))


def abbreviation(moment: dt.datetime) -> str:
    """The zone's short name at that moment: CET or CEST, EST or EDT; "UTC+04" where the
    time-zone database has no letters for it."""
    short = moment.strftime("%Z")
    return f"UTC{short}" if short[:1] in "+-" else short


def format_moment(moment: dt.datetime | None, name: str | None, fmt: str = TIME_FORMAT) -> str:
    """The moment as a person in that zone reads it, with the zone's abbreviation:
    "07 Dec 2026 16:45 CET" ("—" for none)."""
    if moment is None:
        return "—"
    shown = local(moment, name)
    return f"{shown.strftime(fmt)} {abbreviation(shown)}"
