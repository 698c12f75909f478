"""The readiness score: how far a rep has shown the competencies of their track (track.yaml's
`competencies:`), from 0 to 100, with each competency's score and its trend.

Pure: plain data in (a rep's graded answers, sign-offs, completed modules and weekly activity
sums, as `Evidence`), plain numbers out; every function takes `as_of` and counts only what is
dated on or before it. docs/metrics.md defines each value.
"""
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cev_learn.analytics import metrics, reports

TREND_DAYS = (7, 28)   # the trend compares today's score with the score this many days before
PACE_WEEKS = 4         # pace: the mean of the last four tenure weeks that are over
RUBRIC_TOP = 5         # sign-off criteria are scored 1-5


@dataclass(frozen=True)
class Evidence:
    """What one rep has done that competencies measure, each record with its day."""

    start_on: dt.date
    answers: Sequence[tuple[str, float, dt.date]] = ()       # (question key, fraction, graded on)
    signoffs: Sequence[tuple[str, dt.date, Mapping[str, int]]] = ()  # (rubric, signed on, scores)
    completed: Mapping[str, dt.date] = field(default_factory=dict)   # module slug -> completed on
    weekly: Mapping[str, Mapping[int, int]] = field(default_factory=dict)  # type -> week -> qty


@dataclass(frozen=True)
class CompetencyScore:
    slug: str
    title: str
    score: float | None                  # 0..1; None while none of its measures can be read
    trend: dict[int, float | None]       # days back -> score then


@dataclass(frozen=True)
class Readiness:
    score: float | None                  # 0..100
    trend: dict[int, float | None]       # days back -> overall score then (0..100)
    competencies: list[CompetencyScore]

    def change(self, days: int) -> float | None:
        """How much the overall score rose (or fell) over the last `days` days."""
        then = self.trend.get(days)
        return None if self.score is None or then is None else self.score - then


def quiz_mastery(keys: Sequence[str], answers, as_of: dt.date) -> float:
    """The mean of the rep's latest result on each tagged question they have answered by
    as_of (0 when they have answered none)."""
    wanted, latest = set(keys), {}
    for key, fraction, graded_on in sorted(answers, key=lambda a: a[2]):
        if key in wanted and graded_on <= as_of:
            latest[key] = min(1.0, max(0.0, fraction))
    return sum(latest.values()) / len(latest) if latest else 0.0


def signoff_level(rubric: str, criteria: Sequence[str], signoffs, as_of: dt.date) -> float:
    """The latest sign-off on the rubric by as_of, its criteria scored 1-5 read as 0..1 and
    averaged (0 without a sign-off)."""
    dated = [s for s in signoffs if s[0] == rubric and s[1] <= as_of]
    if not dated or not criteria:
        return 0.0
    scores = max(dated, key=lambda s: s[1])[2]
    return sum((scores.get(c, 1) - 1) / (RUBRIC_TOP - 1) for c in criteria) / len(criteria)


def modules_done(modules: Sequence[str], completed: Mapping[str, dt.date],
                 as_of: dt.date) -> float:
    """The share of the modules completed by as_of."""
    if not modules:
        return 0.0
    return sum(1 for m in modules if m in completed and completed[m] <= as_of) / len(modules)


def recent_pace(targets: Sequence[int], weekly: Mapping[int, int], start_on: dt.date,
                as_of: dt.date) -> float | None:
    """The mean of min(1, actual ÷ target) over the last PACE_WEEKS tenure weeks over by
    as_of that have a target above 0; None before the first such week is over."""
    over = reports.completed_weeks(start_on, as_of) if as_of >= start_on else 0
    weeks = [w for w in range(1, over + 1)
             if (metrics.weekly_target(targets, w) or 0) > 0][-PACE_WEEKS:]
    if not weeks:
        return None
    return sum(min(1.0, weekly.get(w, 0) / metrics.weekly_target(targets, w))
               for w in weeks) / len(weeks)


def measure_value(measure: Mapping, evidence: Evidence, targets: Mapping[str, Sequence[int]],
                  as_of: dt.date) -> float | None:
    """One measure of a competency (content.competencies' JSON) in 0..1, as of a day."""
    kind = measure["kind"]
    if kind == "quiz_tag":
        return quiz_mastery(measure["question_keys"], evidence.answers, as_of)
    if kind == "signoff":
        return signoff_level(measure["target"], measure["items"], evidence.signoffs, as_of)
    if kind == "modules":
        return modules_done(measure["items"], evidence.completed, as_of)
    return recent_pace(targets.get(measure["target"], [0]),
                       evidence.weekly.get(measure["target"], {}), evidence.start_on, as_of)


def weighted_mean(pairs: Sequence[tuple[float | None, float]]) -> float | None:
    """Σ weight·value ÷ Σ weight over the values that are known; None if none is."""
    known = [(value, weight) for value, weight in pairs if value is not None and weight > 0]
    total = sum(weight for _, weight in known)
    return sum(value * weight for value, weight in known) / total if total else None


def competency_score(competency: Mapping, evidence: Evidence,
                     targets: Mapping[str, Sequence[int]], as_of: dt.date) -> float | None:
    return weighted_mean([(measure_value(m, evidence, targets, as_of), m["weight"])
                          for m in competency["measures"]])


def overall(scores: Sequence[float | None], weights: Sequence[float]) -> float | None:
    """The overall score, 0..100: the weighted mean of the competency scores."""
    mean = weighted_mean(list(zip(scores, weights)))
    return None if mean is None else 100 * mean


def readiness(competencies: Sequence[Mapping], evidence: Evidence,
              targets: Mapping[str, Sequence[int]], as_of: dt.date,
              weights: Sequence[float] | None = None) -> Readiness:
    """A rep's readiness as of a day, and as of TREND_DAYS before it. `weights` (one per
    competency) default to the competencies' own (1 each unless track.yaml says)."""
    weights = list(weights) if weights is not None else [c.get("weight", 1.0) for c in competencies]
    days = (0, *TREND_DAYS)
    by_day = {d: [competency_score(c, evidence, targets, as_of - dt.timedelta(days=d))
                  for c in competencies] for d in days}
    shown = [CompetencyScore(c["slug"], c["title"], by_day[0][i],
                             {d: by_day[d][i] for d in TREND_DAYS})
             for i, c in enumerate(competencies)]
    return Readiness(overall(by_day[0], weights),
                     {d: overall(by_day[d], weights) for d in TREND_DAYS}, shown)
