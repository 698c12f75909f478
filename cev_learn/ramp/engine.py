"""When a rep reached each milestone, computed from plain facts (docs/metrics.md).

Pure: no Flask, no session. Every function takes `as_of` and ignores facts dated after it, so
the same facts and the same `as_of` always give the same answer.

Choices the contract leaves open, made here:
- Activity records count from the rep's start date; quiz attempts, module completions and
  sign-offs count whenever they happened (preboarding work is still work).
- Attainment uses the full monthly quota, also in the start month: records before the start date
  are left out of that month's bookings, but the quota is not prorated.
- Attainment is judged per calendar month once the month is over (its last day ≤ `as_of`):
  a month still in progress neither extends nor breaks a run, so an answer is never a date
  after `as_of`, and a report run mid-month agrees with one run at that month's start.
"""
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from cev_learn.content.schema import MEASURE_SHAPES
from cev_learn.platform.events import ACTIVITIES, MODULES, QUIZZES, QUOTAS, SIGNOFFS

BOOKING_TYPE = "deal_won"


class Activity(NamedTuple):  # facts are named tuples: the engine reads thousands at once
    external_id: str
    occurred_on: dt.date
    type: str
    quantity: int = 1
    amount: float = 0.0


class QuizResult(NamedTuple):
    quiz_slug: str
    submitted_on: dt.date
    score: float  # fraction, 1.0 = full marks


class SignoffResult(NamedTuple):
    rubric_slug: str
    signed_on: dt.date
    passed: bool


@dataclass(frozen=True)
class RepFacts:
    """Everything the engine knows about one rep; quotas are keyed by each month's first day."""

    start_on: dt.date
    activities: Sequence[Activity] = ()
    quotas: Mapping[dt.date, float] = field(default_factory=dict)
    quiz_attempts: Sequence[QuizResult] = ()
    modules_completed: Mapping[str, dt.date] = field(default_factory=dict)
    all_module_slugs: Sequence[str] = ()
    signoffs: Sequence[SignoffResult] = ()


class MilestoneResult(NamedTuple):
    achieved_on: dt.date | None
    value: float
    target: float


def facts_from_months(start_on: dt.date, months: Iterable[tuple[str, dt.date, int, float]],
                      quotas: Mapping[dt.date, float]) -> RepFacts:
    """Facts rebuilt from monthly sums (type, month's first day, quantity, amount) of the
    records counted from the start date: one record per type and month.

    Good for `progress` (totals, bookings per month, attainment runs), which is all that pages
    need between recomputes; not for `achieved_on`, whose day needs the records themselves.
    """
    activities = [Activity(f"{kind}:{month.isoformat()[:7]}", max(month, start_on), kind,
                           quantity, amount)
                  for kind, month, quantity, amount in months]
    return RepFacts(start_on=start_on, activities=activities, quotas=dict(quotas))


def measure_kind(measure: dict) -> str:
    """Name the measure's shape (activity, bookings, attainment, quiz, modules, signoff)."""
    kind = MEASURE_SHAPES.get(frozenset(measure)) if isinstance(measure, dict) else None
    if kind is None:
        raise ValueError(f"not a milestone measure: {measure!r}")
    return kind


# The records each shape of measure is judged from.
MEASURED_FROM = {"activity": frozenset({ACTIVITIES}), "bookings": frozenset({ACTIVITIES}),
                 "attainment": frozenset({ACTIVITIES, QUOTAS}), "quiz": frozenset({QUIZZES}),
                 "modules": frozenset({MODULES}), "signoff": frozenset({SIGNOFFS})}


def measured_from(measure: dict) -> frozenset[str]:
    """The kinds of records (events.ACTIVITIES, …) the measure is judged from."""
    return MEASURED_FROM[measure_kind(measure)]


def achieved_on(measure: dict, facts: RepFacts, as_of: dt.date) -> dt.date | None:
    """Return the day the rep reached the measure, or None if not by as_of."""
    return _outcome(measure, facts, as_of).achieved_on


def known_on(measure: dict, reached: dt.date) -> dt.date:
    """The first day an achievement dated `reached` can be known from the records: the day
    itself, except for an attainment run, which is dated by the end of its first month but is
    complete only once its last month is over. A report as of an earlier day leaves it out."""
    if measure_kind(measure) != "attainment":
        return reached
    month = reached.replace(day=1)
    for _ in range(measure["consecutive_months"] - 1):
        month = _month_end(month) + dt.timedelta(days=1)
    return _month_end(month)


def progress(measure: dict, facts: RepFacts, as_of: dt.date) -> tuple[float, float]:
    """Return (value, target) as of a day, for the at-risk rule."""
    result = _outcome(measure, facts, as_of)
    return result.value, result.target


def evaluate(milestones: Iterable[tuple[str, dict]], facts: RepFacts,
             as_of: dt.date) -> dict[str, MilestoneResult]:
    """Return achieved_on, value and target for each (slug, measure)."""
    return {slug: _outcome(measure, facts, as_of) for slug, measure in milestones}


def crossing_activity(measure: dict, facts: RepFacts, as_of: dt.date) -> Activity | None:
    """Return the record whose running total reached an activity or bookings target."""
    kind = measure_kind(measure)
    if kind not in ("activity", "bookings"):
        raise ValueError(f"a {kind} measure is not reached by an activity record")
    return _running_total(measure, facts, as_of)[0]


def _outcome(measure: dict, facts: RepFacts, as_of: dt.date) -> MilestoneResult:
    return _BY_KIND[measure_kind(measure)](measure, facts, as_of)


def _counted(facts: RepFacts, as_of: dt.date, kind: str) -> list[Activity]:
    """Records of one type from the start date to as_of, in the contract's order."""
    return sorted((a for a in facts.activities
                   if a.type == kind and facts.start_on <= a.occurred_on <= as_of),
                  key=lambda a: (a.occurred_on, a.external_id))


def _running_total(measure: dict, facts: RepFacts,
                   as_of: dt.date) -> tuple[Activity | None, float, float]:
    """Return the record at which the running total first reaches the target, total, target."""
    if "bookings" in measure:
        kind, target, value_of = BOOKING_TYPE, measure["bookings"], _amount
    else:
        kind, target, value_of = measure["activity"], measure["at_least"], _quantity
    total, crossing = 0, None
    for record in _counted(facts, as_of, kind):
        total += value_of(record)
        if crossing is None and total >= target:
            crossing = record
    return crossing, total, target


def _amount(record: Activity) -> float:
    return record.amount


def _quantity(record: Activity) -> float:
    return record.quantity


def _total(measure: dict, facts: RepFacts, as_of: dt.date) -> MilestoneResult:
    crossing, total, target = _running_total(measure, facts, as_of)
    return MilestoneResult(crossing.occurred_on if crossing else None, total, target)


def _attainment(measure: dict, facts: RepFacts, as_of: dt.date) -> MilestoneResult:
    theta, k = measure["attainment"], measure["consecutive_months"]
    months = _monthly_verdicts(theta, facts, as_of)
    run_start, run_length = None, 0
    for month, qualifies in months:
        if not qualifies:
            run_start, run_length = None, 0
            continue
        run_start, run_length = run_start or month, run_length + 1
        if run_length == k:
            return MilestoneResult(_month_end(run_start), k, k)
    current = 0
    for _, qualifies in reversed(months):
        if not qualifies:
            break
        current += 1
    return MilestoneResult(None, current, k)


def _monthly_verdicts(theta: float, facts: RepFacts,
                      as_of: dt.date) -> list[tuple[dt.date, bool]]:
    """Each month from the start month that is over by as_of, and whether bookings ÷ quota ≥ θ."""
    if as_of < facts.start_on:
        return []
    bookings: dict[dt.date, float] = {}
    for record in _counted(facts, as_of, BOOKING_TYPE):
        month = record.occurred_on.replace(day=1)
        bookings[month] = bookings.get(month, 0) + record.amount
    verdicts, month = [], facts.start_on.replace(day=1)
    while _month_end(month) <= as_of:
        quota = facts.quotas.get(month) or 0
        verdicts.append((month, quota > 0 and bookings.get(month, 0) / quota >= theta))
        month = _month_end(month) + dt.timedelta(days=1)
    return verdicts


def _month_end(month: dt.date) -> dt.date:
    next_month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return next_month - dt.timedelta(days=1)


def _quiz(measure: dict, facts: RepFacts, as_of: dt.date) -> MilestoneResult:
    passing = [q.submitted_on for q in facts.quiz_attempts
               if q.quiz_slug == measure["quiz"] and q.submitted_on <= as_of
               and q.score >= measure["min_score"]]
    return _first(passing)


def _signoff(measure: dict, facts: RepFacts, as_of: dt.date) -> MilestoneResult:
    passing = [s.signed_on for s in facts.signoffs
               if s.rubric_slug == measure["signoff"] and s.passed and s.signed_on <= as_of]
    return _first(passing)


def _first(dates: list[dt.date]) -> MilestoneResult:
    first = min(dates, default=None)
    return MilestoneResult(first, int(first is not None), 1)


def _modules(measure: dict, facts: RepFacts, as_of: dt.date) -> MilestoneResult:
    listed = facts.all_module_slugs if measure["modules"] == "all" else measure["modules"]
    slugs = list(dict.fromkeys(listed))
    done = [on for slug in slugs
            if (on := facts.modules_completed.get(slug)) is not None and on <= as_of]
    last = max(done) if slugs and len(done) == len(slugs) else None
    return MilestoneResult(last, len(done), len(slugs))


_BY_KIND: dict[str, Callable[[dict, RepFacts, dt.date], MilestoneResult]] = {
    "activity": _total, "bookings": _total, "attainment": _attainment,
    "quiz": _quiz, "modules": _modules, "signoff": _signoff,
}
