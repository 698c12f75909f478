"""The projected productivity date and its backtest (docs/metrics.md), on plain data."""
import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cev_learn.analytics import backtest, forecast, synthetic
from cev_learn.analytics.forecast import (COX, FORECAST, KAPLAN_MEIER, LEFT, MIN_HISTORY,
                                          NO_FORECAST, PRODUCTIVE, Model, RepHistory)
from cev_learn.analytics.metrics import Observation

AS_OF = dt.date(2026, 6, 30)
START = dt.date(2026, 1, 5)
TARGETS = {"call": [20, 40, 60, 80]}


def rep(rep_id, start=START, productive_day=None, end_day=None, calls=None, cohort=1):
    productive_on = None if productive_day is None else start + dt.timedelta(days=productive_day)
    weekly = {"call": {w: q for w, q in enumerate(calls, 1)}} if calls else {}
    return RepHistory(rep_id, cohort, start,
                      None if end_day is None else start + dt.timedelta(days=end_day),
                      productive_on, productive_on, weekly)


def history(productive_days, censored_days=()):
    return [(Observation(d, True), None) for d in productive_days] + [
        (Observation(d, False), None) for d in censored_days]


# --- The early pace -------------------------------------------------------------------------

def test_early_pace_averages_the_weeks_over_by_as_of_against_their_targets():
    # Weeks 1–2 are over on day 13: 10/20 and 40/40 → mean 0.75; week 3 is not over yet.
    r = rep(1, calls=[10, 40, 300])
    assert forecast.early_pace(r, TARGETS, START + dt.timedelta(days=13)) == pytest.approx(0.75)
    assert forecast.early_pace(r, TARGETS, START + dt.timedelta(days=6)) == pytest.approx(0.5)
    assert forecast.early_pace(r, TARGETS, START + dt.timedelta(days=5)) is None


def test_early_pace_is_kept_between_its_floor_and_cap():
    assert forecast.early_pace(rep(1, calls=[0, 0, 0, 0]), TARGETS, AS_OF) == forecast.PACE_FLOOR
    assert forecast.early_pace(rep(1, calls=[900] * 4), TARGETS, AS_OF) == forecast.PACE_CAP


# --- The model and projections --------------------------------------------------------------

def test_too_little_history_gives_no_forecast_and_says_why():
    model = forecast.fit(history(range(30, 30 + MIN_HISTORY - 1), [200] * 40))
    assert model.method == NO_FORECAST and str(MIN_HISTORY) in model.note
    assert forecast.project(model, 10, None) is None


def test_without_paces_the_forecast_is_conditional_kaplan_meier():
    # 20 reps productive on days 10, 20, …, 200: S(t) drops 0.05 a step.
    model = forecast.fit(history(range(10, 201, 10)))
    assert model.method == KAPLAN_MEIER and model.beta == 0
    # From day 0: the median is day 100 (S = 0.5), the 80% interval days 20 and 180.
    assert forecast.project(model, 0, None) == forecast.Projection(20, 100, 180, 200)
    # Not productive on day 100: S(t | T > 100) = S(t) / 0.5, so the median is day 150.
    assert forecast.project(model, 100, None).median == 150


def test_projection_is_open_when_the_history_never_gets_that_far():
    model = forecast.fit(history(range(10, 160, 10), [300] * 15))  # S stops at 0.5
    projection = forecast.project(model, 0, None)
    assert projection.median == 150 and projection.high is None and projection.beyond == 300


def test_cox_finds_that_faster_early_pace_means_sooner_productive():
    org = synthetic.generate(seed=7, cohorts=12, reps_per_cohort=100)
    model = forecast.fit_track(org.reps, org.targets, org.as_of)
    assert model.method == COX
    assert abs(model.beta - synthetic.TRUE_BETA) < 3 * model.standard_error
    fast, slow = (forecast.project(model, 0, pace) for pace in (1.5, 0.7))
    assert fast.median < slow.median


def test_a_fit_that_fails_falls_back_to_kaplan_meier(monkeypatch):
    monkeypatch.setattr(forecast, "_cox", lambda *args: None)
    paced = [(o, 0.5 + i / 100) for i, (o, _) in enumerate(history(range(10, 201, 10)))]
    model = forecast.fit(paced)
    assert model.method == KAPLAN_MEIER and "did not converge" in model.note


# --- Per rep --------------------------------------------------------------------------------

KM_MODEL = forecast.fit(history(range(10, 201, 10)))


def test_a_rep_already_productive_is_forecast_their_actual_day():
    made = forecast.forecast_rep(KM_MODEL, rep(1, productive_day=40), TARGETS, AS_OF)
    assert made.state == PRODUCTIVE and made.low == made.median == made.high == 40
    assert made.median_on == START + dt.timedelta(days=40)


def test_leavers_and_reps_not_started_get_no_forecast():
    assert forecast.forecast_rep(KM_MODEL, rep(1, end_day=20), TARGETS, AS_OF).state == LEFT
    assert forecast.forecast_rep(KM_MODEL, rep(1, start=AS_OF + dt.timedelta(days=1)),
                                 TARGETS, AS_OF) is None


def test_a_rep_with_no_history_in_the_track_gets_not_enough_history():
    model = forecast.fit_track([rep(1)], TARGETS, AS_OF)
    made = forecast.forecast_rep(model, rep(1), TARGETS, AS_OF)
    assert made.state == NO_FORECAST and made.median is None


def test_cohort_median_mixes_actual_days_and_forecasts():
    # Two productive on day 10 and 300 (after the history), one ramping on day 100 whose
    # median is 150: by day 150, 1 + 0.5 of 3 → half.
    made = [forecast.forecast_rep(KM_MODEL, rep(1, productive_day=10), TARGETS, AS_OF),
            forecast.forecast_rep(KM_MODEL, rep(2, start=AS_OF - dt.timedelta(days=100)),
                                  TARGETS, AS_OF),
            dataclasses.replace(forecast.forecast_rep(KM_MODEL, rep(3, productive_day=300),
                                                      TARGETS, START + dt.timedelta(400)))]
    assert forecast.cohort_median(KM_MODEL, made) == 150
    assert forecast.cohort_median(Model(NO_FORECAST, 0, 0), [
        dataclasses.replace(made[1], state=NO_FORECAST)]) is None


# --- Properties -----------------------------------------------------------------------------

reps_drawn = st.lists(st.tuples(st.integers(0, 200), st.one_of(st.none(), st.integers(1, 250)),
                                st.one_of(st.none(), st.integers(1, 300)),
                                st.lists(st.integers(0, 120), max_size=8)),
                      min_size=1, max_size=40)


def _drawn(rows):
    return [rep(i, start=START + dt.timedelta(days=offset), productive_day=productive,
                end_day=end, calls=calls)
            for i, (offset, productive, end, calls) in enumerate(rows, 1)]


def _after(r: RepHistory, as_of: dt.date) -> RepHistory:
    """The same rep with whatever happened after as_of changed: later achievement, more
    activity in weeks not over by then, a later end."""
    weeks_over = ((as_of - r.start_on).days + 1) // 7 if as_of >= r.start_on else 0
    weekly = {"call": {**r.weekly.get("call", {}),
                       **{w: 999 for w in range(max(1, weeks_over + 1), 9)}}}
    productive = r.productive_on if r.productive_on and r.productive_on <= as_of \
        else as_of + dt.timedelta(days=3)
    end = r.end_on if r.end_on and r.end_on <= as_of else None
    return r._replace(weekly=weekly, productive_on=productive, known_on=productive, end_on=end)


@settings(max_examples=40, deadline=None)
@given(reps_drawn, st.integers(0, 300))
def test_records_after_as_of_change_nothing(rows, cut):
    reps = _drawn(rows)
    as_of = START + dt.timedelta(days=cut)
    later = [_after(r, as_of) for r in reps]
    before, after = (forecast.fit_track(rs, TARGETS, as_of) for rs in (reps, later))
    assert before == after
    assert ([forecast.forecast_rep(before, r, TARGETS, as_of) for r in reps]
            == [forecast.forecast_rep(after, r, TARGETS, as_of) for r in later])


@settings(max_examples=40, deadline=None)
@given(reps_drawn, st.integers(0, 300))
def test_a_rep_productive_by_as_of_is_forecast_their_actual_day(rows, cut):
    as_of = START + dt.timedelta(days=cut)
    model = forecast.fit(history(range(10, 201, 10)))
    for r in _drawn(rows):
        made = forecast.forecast_rep(model, r, TARGETS, as_of)
        if r.productive_on is not None and r.start_on <= r.productive_on <= as_of and (
                r.end_on is None or r.productive_on <= r.end_on):
            assert made.state == PRODUCTIVE
            assert made.median_on == made.low_on == made.high_on == r.productive_on


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 250), st.one_of(st.none(), st.floats(0.05, 3)))
def test_the_interval_holds_the_median_and_never_starts_before_today(tenure, pace):
    projection = forecast.project(KM_MODEL, tenure, pace)
    known = [d for d in (projection.low, projection.median, projection.high) if d is not None]
    assert known == sorted(known) and all(d > tenure for d in known)


# --- Backtest -------------------------------------------------------------------------------

def test_backtest_on_a_generated_organisation_is_calibrated_and_beats_the_baseline():
    org = synthetic.generate(seed=1)
    result = backtest.backtest(org.reps, org.starts, org.names, org.targets, org.as_of)
    overall = result.overall
    assert overall.reps > 150
    assert overall.within_target
    assert overall.error <= 0.9 * overall.baseline_error


def test_backtest_scores_calibration_and_errors_by_hand():
    outcomes = [backtest.Outcome(1, 30, 1, actual=50, median=45, low=40, high=60, baseline=70),
                backtest.Outcome(1, 30, 2, actual=90, median=60, low=50, high=80, baseline=70),
                backtest.Outcome(1, 30, 3, actual=200, median=120, low=90, high=None,
                                 baseline=70)]
    score = backtest.score("x", outcomes)
    assert score.calibration == round(2 / 3, 4)  # the open interval holds 200
    assert score.error == 30 and score.baseline_error == 20  # medians of (5,30,80), (20,20,130)


def test_a_cohort_still_ramping_is_not_finished():
    reps = [rep(1, productive_day=40), rep(2, start=AS_OF - dt.timedelta(days=50), cohort=2)]
    starts = {1: START, 2: AS_OF - dt.timedelta(days=50)}
    assert backtest.finished_cohorts(reps, starts, AS_OF) == [1]


def test_the_backtest_uses_only_what_was_known_on_the_replay_day():
    org = synthetic.generate(seed=3, cohorts=8)
    result = backtest.backtest(org.reps, org.starts, org.names, org.targets, org.as_of)
    later = [r._replace(weekly={k: {**v, 8: 10_000} for k, v in r.weekly.items()})
             for r in org.reps]  # week 8 is after every replay day's pace weeks
    assert backtest.backtest(later, org.starts, org.names, org.targets,
                             org.as_of).outcomes == result.outcomes
