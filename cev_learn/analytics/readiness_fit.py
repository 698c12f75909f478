"""Fit weights from history: competency weights that best rank past reps by their time to
productivity, and how well the hand-set and the fitted weights rank reps of cohorts the fit
never saw (Spearman's ρ with its p-value).

Pure: plain data in (each past rep's competency scores on tenure day FIT_DAY and their time to
productivity as `metrics.Observation`), plain numbers out. docs/metrics.md states the rules.
"""
import math
from collections.abc import Sequence
from dataclasses import dataclass

from cev_learn.analytics.metrics import Observation
from cev_learn.analytics.readiness import overall

FIT_DAY = 30       # past reps are scored as they stood on this tenure day
MIN_REPS = 15      # fewer held-out reps than this: never called predictive
ALPHA = 0.05       # nor when the correlation's p-value is this or more
HELD_OUT_SHARE = 1 / 3  # the newest third of the finished cohorts (at least one) is held out


@dataclass(frozen=True)
class PastRep:
    cohort_id: int
    scores: tuple[float | None, ...]   # each competency's score (0..1) on tenure day FIT_DAY
    outcome: Observation               # time to productivity, or censored


@dataclass(frozen=True)
class Correlation:
    """Spearman's ρ between the score and how soon reps became productive (positive: a
    higher score, sooner productive), over n reps."""

    rho: float | None
    p_value: float | None
    n: int

    @property
    def predictive(self) -> bool:
        return (self.n >= MIN_REPS and self.rho is not None and self.rho > 0
                and self.p_value is not None and self.p_value < ALPHA)

    @property
    def verdict(self) -> str:
        if self.n < MIN_REPS:
            return (f"Not predictive: only {self.n} held-out reps can be ranked, and at least "
                    f"{MIN_REPS} are needed.")
        if self.rho is None:
            return "Not predictive: the scores or the outcomes of the held-out reps do not vary."
        if not self.predictive:
            return (f"Not predictive: ρ = {self.rho:.2f} with p = {self.p_value:.2f} could be "
                    f"chance (p must be below {ALPHA} and ρ above 0).")
        return (f"Predictive on held-out cohorts: ρ = {self.rho:.2f}, p = {self.p_value:.3f}, "
                f"n = {self.n}.")


@dataclass(frozen=True)
class Fit:
    hand_weights: tuple[float, ...]
    fitted_weights: tuple[float, ...] | None  # None: too few reps to fit, or nothing to learn
    training_cohorts: tuple[int, ...]
    held_out_cohorts: tuple[int, ...]
    training_reps: int
    hand: Correlation                         # on the held-out reps
    fitted: Correlation | None


def rankable(reps: Sequence[PastRep]) -> list[PastRep]:
    """The reps whose place in a ranking by time to productivity is known: every productive
    rep, and the censored reps observed at least as long as the slowest productive rep took
    (they rank after all of them, tied); a rep censored earlier (who left, say) might have been
    faster than some, so is left out."""
    slowest = max((r.outcome.day for r in reps if r.outcome.event), default=0)
    return [r for r in reps if r.outcome.event or r.outcome.day >= slowest]


def speed(reps: Sequence[PastRep]) -> list[float]:
    """How soon each rep became productive, higher sooner: minus the day, and below every
    productive rep for the censored ones."""
    slowest = max((r.outcome.day for r in reps if r.outcome.event), default=0)
    return [-r.outcome.day if r.outcome.event else -(slowest + 1) for r in reps]


def correlation(reps: Sequence[PastRep], weights: Sequence[float]) -> Correlation:
    reps = rankable(reps)
    scores = [overall(r.scores, weights) for r in reps]
    pairs = [(s, v) for s, v in zip(scores, speed(reps)) if s is not None]
    if len(pairs) < 3 or len({s for s, _ in pairs}) < 2 or len({v for _, v in pairs}) < 2:
        return Correlation(None, None, len(pairs))
    from scipy import stats  # on first use: seconds of every process's start otherwise

    result = stats.spearmanr([s for s, _ in pairs], [v for _, v in pairs])
    rho, p_value = float(result.statistic), float(result.pvalue)
    if math.isnan(rho):
        return Correlation(None, None, len(pairs))
    return Correlation(rho, p_value, len(pairs))


def fit_weights(reps: Sequence[PastRep], competencies: int) -> tuple[float, ...] | None:
    """Non-negative competency weights (summing to 1) whose weighted score best matches the
    reps' ranks by how soon they became productive, by least squares on the ranks with a free
    intercept; None when there are fewer than `competencies` + 2 rankable reps or no weight
    helps."""
    reps = rankable(reps)
    if len(reps) < competencies + 2:
        return None
    import numpy as np
    from scipy import optimize, stats  # on first use, as in `correlation`

    ranks = stats.rankdata(speed(reps)) / len(reps)
    features = np.array([[s or 0.0 for s in r.scores] for r in reps], dtype=float)
    design = np.hstack([features, np.ones((len(reps), 1))])
    lower = [0.0] * competencies + [-np.inf]
    solution = optimize.lsq_linear(design, ranks, bounds=(lower, np.inf)).x[:competencies]
    total = float(solution.sum())
    if not math.isfinite(total) or total <= 1e-9:
        return None
    return tuple(float(w) / total for w in solution)


def split_cohorts(cohort_ids: Sequence[int]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(training, held out) of finished cohorts listed oldest first: the newest third, at
    least one, is held out; nothing is held out with fewer than two cohorts."""
    if len(cohort_ids) < 2:
        return tuple(cohort_ids), ()
    held = max(1, math.ceil(len(cohort_ids) * HELD_OUT_SHARE))
    return tuple(cohort_ids[:-held]), tuple(cohort_ids[-held:])


def fit_from_history(reps: Sequence[PastRep], cohort_ids: Sequence[int],
                     hand_weights: Sequence[float]) -> Fit:
    """Fit on the older finished cohorts, judge both weightings on the newest (`cohort_ids`:
    the finished cohorts, oldest first)."""
    training, held_out = split_cohorts(cohort_ids)
    learn = [r for r in reps if r.cohort_id in training]
    judge = [r for r in reps if r.cohort_id in held_out]
    fitted = fit_weights(learn, len(hand_weights)) if held_out else None
    return Fit(tuple(hand_weights), fitted, tuple(training), tuple(held_out), len(learn),
               correlation(judge, hand_weights),
               correlation(judge, fitted) if fitted is not None else None)
