"""Fitting readiness weights from history, and the rule that never calls a score predictive
on too few reps or a correlation that could be chance."""
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from cev_learn.analytics.metrics import Observation
from cev_learn.analytics.readiness_fit import (MIN_REPS, Correlation, PastRep, correlation,
                                               fit_from_history, fit_weights, rankable, speed,
                                               split_cohorts)


def rep(cohort: int, scores, day: int, event: bool = True) -> PastRep:
    return PastRep(cohort, tuple(scores), Observation(day, event))


def test_censored_reps_rank_after_every_productive_rep_or_are_left_out():
    reps = [rep(1, [0.5], 40), rep(1, [0.5], 90), rep(1, [0.5], 200, event=False),
            rep(1, [0.5], 20, event=False)]  # left on day 20: might have been faster
    kept = rankable(reps)
    assert [r.outcome.day for r in kept] == [40, 90, 200]
    assert speed(kept) == [-40, -90, -91]


def test_the_newest_third_of_finished_cohorts_is_held_out():
    assert split_cohorts([1, 2, 3, 4, 5, 6]) == ((1, 2, 3, 4), (5, 6))
    assert split_cohorts([1, 2]) == ((1,), (2,))
    assert split_cohorts([7]) == ((7,), ())


def test_fitting_puts_the_weight_on_the_competency_that_ranks_reps():
    rng = random.Random(4)
    reps = []
    for n in range(40):
        signal = rng.random()
        reps.append(rep(1, [signal, rng.random()], int(200 - 150 * signal)))
    weights = fit_weights(reps, 2)
    assert abs(sum(weights) - 1) < 1e-9 and weights[0] > 0.9


def test_nothing_is_fitted_from_too_few_reps():
    assert fit_weights([rep(1, [0.1, 0.2], 30), rep(1, [0.3, 0.1], 50)], 2) is None


def test_a_strong_correlation_on_enough_held_out_reps_is_predictive():
    train = [rep(1, [s / 30, 0.5], 200 - 5 * s) for s in range(30)]
    held = [rep(2, [s / 20, 0.5], 150 - 5 * s) for s in range(MIN_REPS + 5)]
    fit = fit_from_history(train + held, [1, 2], [1.0, 1.0])
    assert (fit.training_cohorts, fit.held_out_cohorts, fit.training_reps) == ((1,), (2,), 30)
    assert fit.hand.predictive and fit.hand.rho > 0.99 and fit.hand.n == MIN_REPS + 5
    assert fit.fitted.predictive and fit.fitted_weights[0] > 0.9
    assert fit.hand.verdict.startswith("Predictive on held-out cohorts")


def test_a_perfect_ranking_of_too_few_reps_is_not_predictive():
    held = [rep(2, [s / 10], 100 - s) for s in range(MIN_REPS - 1)]
    found = correlation(held, [1.0])
    assert found.rho > 0.99 and found.p_value < 0.05 and not found.predictive
    assert found.verdict == (f"Not predictive: only {MIN_REPS - 1} held-out reps can be ranked, "
                             f"and at least {MIN_REPS} are needed.")


def test_a_correlation_that_could_be_chance_is_not_predictive():
    found = Correlation(rho=0.3, p_value=0.2, n=40)
    assert not found.predictive and found.verdict.startswith("Not predictive: ρ = 0.30")


def test_a_score_that_ranks_reps_backwards_is_not_predictive():
    held = [rep(2, [s / 30], 50 + 5 * s) for s in range(30)]
    found = correlation(held, [1.0])
    assert found.rho < -0.99 and found.p_value < 0.05 and not found.predictive


def test_scores_that_do_not_vary_give_no_correlation():
    found = correlation([rep(2, [0.5], 10 * s) for s in range(1, 20)], [1.0])
    assert (found.rho, found.n, found.predictive) == (None, 19, False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), st.integers(1, 300), st.booleans()),
                min_size=0, max_size=40))
def test_fitted_weights_are_non_negative_and_sum_to_one(rows):
    weights = fit_weights([rep(1, [a, b], day, event) for a, b, day, event in rows], 2)
    if weights is not None:
        assert all(w >= 0 for w in weights) and abs(sum(weights) - 1) < 1e-9
