"""Demo CRM outcomes: weekly activity, won deals and monthly quotas that tell a ramp story.

The generation is pure: each function takes a `random.Random`, dates and a rep profile and
returns plain rows (dicts ready for a bulk insert). `write_rep_outcomes` is the only part that
touches the database. Only for `cev-learn demo seed`.
"""
import datetime as dt
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import insert

from cev_learn.platform.db import db
from cev_learn.ramp.models import ActivityRecord, Quota

SOURCE = "demo"
FULL_QUOTA = 40_000.0
QUOTA_RAMP = (0.25, 0.5, 0.75)  # share of the full quota in tenure months 1–3, then all of it
DAILY = {"call": 16, "email": 24}  # per working day at full pace
WEEKLY = {"meeting": 5.0, "demo": 2.0, "opportunity": 1.2}  # per week at full pace
DEAL_SIZES = range(6_000, 18_001, 500)
AVERAGE_DEAL = (DEAL_SIZES.start + DEAL_SIZES.stop - DEAL_SIZES.step) / 2
WEEKS_PER_MONTH = 4.35
DEAL_RAMP_WEEKS = 6  # weeks after the first deal until deals come at the rep's steady rate
KINDS = ("typical", "slipping", "struggling", "never")
# Days to a first deal ∝ pace^−PACE_EFFECT × a log-normal spread: a cohort that gets busy
# three times as fast in its first weeks closes about three times as soon.
PACE_EFFECT = 1.07
DEAL_SPREAD = 0.1
CHUNK = 10_000


@dataclass(frozen=True)
class RepProfile:
    """How one demo rep sells. `key` prefixes the rep's external ids."""

    key: str
    start_on: dt.date
    end_on: dt.date | None     # left the company
    pace: float                # steady activity as a share of full pace
    ramp_weeks: float          # weeks until the rep works at steady pace
    first_meeting_day: int     # no meeting before this tenure day (late for a struggling rep)
    meeting_share: float       # 1.0 books meetings like the others; low for a struggling rep
    first_opportunity_day: int
    first_deal_day: int | None  # tenure day of the first won deal; None: never gets there
    win_rate: float            # steady bookings as a share of the full quota


def rep_profile(rng: random.Random, key: str, start_on: dt.date, *, median_ttp: int,
                end_on: dt.date | None = None, kind: str = "typical") -> RepProfile:
    """A rep of a cohort whose typical rep closes a first deal around day `median_ttp`.

    `kind`: typical (a spread of fast and slow), slipping, struggling (few meetings, far
    behind) or never (busy enough, but no deal while in the data).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown rep kind {kind!r}")
    skill = {"slipping": 0.72, "struggling": 0.45, "never": 0.6}.get(kind) or min(
        1.6, max(0.6, math.exp(rng.gauss(0, 0.25))))
    pace = min(1.4, max(0.4, skill * rng.uniform(0.8, 1.2)))
    # The pace a rep keeps drives how soon they close (the same way within a cohort and
    # across cohorts, so early pace predicts it: docs/metrics.md, the forecast).
    first_deal = round(median_ttp * pace ** -PACE_EFFECT * math.exp(rng.gauss(0, DEAL_SPREAD)))
    return RepProfile(
        key=key, start_on=start_on, end_on=end_on, pace=pace,
        # Earlier cohorts (slower to a first deal) also took longer to get busy.
        ramp_weeks=max(2.0, median_ttp / 7 * 0.5),
        first_meeting_day=rng.randint(28, 40) if kind == "struggling" else rng.randint(3, 12),
        meeting_share=0.25 if kind == "struggling" else 1.0,
        first_opportunity_day=max(7, first_deal - rng.randint(14, 35)),
        first_deal_day=None if kind == "never" else first_deal,
        win_rate=min(1.5, max(0.45, skill * rng.uniform(0.85, 1.15))))


def activity_rows(rng: random.Random, profile: RepProfile, today: dt.date) -> list[dict]:
    """Every activity of the rep from the start date to today (or the day they left)."""
    last = min(today, profile.end_on or today)
    rows: list[tuple[dt.date, str, int, float]] = []
    week_start, week = profile.start_on, 1
    while week_start <= last:
        workdays = [day for day in (week_start + dt.timedelta(days=n) for n in range(7))
                    if day.weekday() < 5 and day <= last]
        if workdays:
            rows.extend(_week(rng, profile, week, workdays))
        week_start, week = week_start + dt.timedelta(days=7), week + 1
    rows.extend(_deals(rng, profile, last))
    return [{"external_id": f"demo-{profile.key}-{number:05d}", "occurred_on": day, "type": kind,
             "quantity": quantity, "amount": amount, "source": SOURCE}
            for number, (day, kind, quantity, amount) in enumerate(rows, start=1)]


def _week(rng: random.Random, profile: RepProfile, week: int,
          workdays: list[dt.date]) -> list[tuple[dt.date, str, int, float]]:
    """One tenure week: daily calls and emails, then meetings, demos and opportunities."""
    ramp = min(1.0, week / profile.ramp_weeks)
    level = profile.pace * ramp
    rows = []
    for day in workdays:
        for kind, per_day in DAILY.items():
            quantity = round(per_day * level * rng.uniform(0.6, 1.4))
            if quantity:
                rows.append((day, kind, quantity, 0.0))
    share = len(workdays) / 5
    meetings = WEEKLY["meeting"] * level * profile.meeting_share
    demos = WEEKLY["demo"] / WEEKLY["meeting"] * meetings * ramp  # demos follow meetings
    for kind, mean, first_day in (
            ("meeting", meetings, profile.first_meeting_day),
            ("demo", demos, profile.first_meeting_day),
            ("opportunity", WEEKLY["opportunity"] * level, profile.first_opportunity_day)):
        first = profile.start_on + dt.timedelta(days=first_day)
        days = [day for day in workdays if day >= first]
        if kind == "opportunity" and days and workdays[0] <= first:
            rows.append((days[0], kind, 1, 0.0))  # the week of the first one has at least one
        for _ in range(_poisson(rng, mean * share) if days else 0):
            rows.append((rng.choice(days), kind, 1, 0.0))
    return rows


def _deals(rng: random.Random, profile: RepProfile,
           last: dt.date) -> list[tuple[dt.date, str, int, float]]:
    """Won deals: the first on the profile's day, then at a rate that grows to the steady one."""
    if profile.first_deal_day is None:
        return []
    first = _weekday_on_or_before(profile.start_on + dt.timedelta(days=profile.first_deal_day))
    if first > last or first < profile.start_on:
        return []
    rows = [(first, "deal_won", 1, _deal_amount(rng))]
    steady = FULL_QUOTA * profile.win_rate / AVERAGE_DEAL / WEEKS_PER_MONTH
    week_start, week = first + dt.timedelta(days=1), 1
    while week_start <= last:
        days = [day for day in (week_start + dt.timedelta(days=n) for n in range(7))
                if day.weekday() < 5 and day <= last]
        mean = steady * min(1.0, week / DEAL_RAMP_WEEKS) * len(days) / 5
        for _ in range(_poisson(rng, mean) if days else 0):
            rows.append((rng.choice(days), "deal_won", 1, _deal_amount(rng)))
        week_start, week = week_start + dt.timedelta(days=7), week + 1
    return rows


def quota_rows(profile: RepProfile, today: dt.date) -> list[dict]:
    """Monthly quotas from the start month to this month (or the month they left), ramping up."""
    last = min(today, profile.end_on or today).replace(day=1)
    rows, month, tenure_month = [], profile.start_on.replace(day=1), 0
    while month <= last:
        share = QUOTA_RAMP[tenure_month] if tenure_month < len(QUOTA_RAMP) else 1.0
        rows.append({"month": month, "amount": FULL_QUOTA * share})
        month, tenure_month = (month + dt.timedelta(days=32)).replace(day=1), tenure_month + 1
    return rows


def _weekday_on_or_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=max(0, day.weekday() - 4))


def _deal_amount(rng: random.Random) -> float:
    return float(rng.choice(DEAL_SIZES))


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; the means here are small)."""
    if mean <= 0:
        return 0
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def write_rep_outcomes(reps: Iterable[tuple[int, RepProfile]], today: dt.date,
                       seed: int) -> tuple[int, int]:
    """Insert the activities and quotas of (user id, profile) pairs in bulk; return the counts.

    Each rep draws from their own generator, so their data does not depend on who else is in
    the demo."""
    activities, quotas, counts = [], [], [0, 0]
    for user_id, profile in reps:
        rng = rep_random(seed, profile.key, "activity")
        for row in activity_rows(rng, profile, today):
            row["user_id"] = user_id
            activities.append(row)
        quotas.extend({**row, "user_id": user_id} for row in quota_rows(profile, today))
        if len(activities) >= CHUNK:
            counts[0] += _insert(ActivityRecord, activities)
        if len(quotas) >= CHUNK:
            counts[1] += _insert(Quota, quotas)
    counts[0] += _insert(ActivityRecord, activities)
    counts[1] += _insert(Quota, quotas)
    return counts[0], counts[1]


def rep_random(seed: int, key: str, purpose: str) -> random.Random:
    """One rep's own generator for one purpose (string seeds hash the same in every run)."""
    return random.Random(f"demo-crm:{seed}:{key}:{purpose}")


def _insert(model, rows: list[dict]) -> int:
    count = len(rows)
    if rows:
        db.session.execute(insert(model), rows)
        rows.clear()
    return count
