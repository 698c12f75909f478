"""Ramp metrics (docs/metrics.md), each checked against a case worked out by hand in the comments."""
import datetime as dt
import math

import pytest

from cev_learn.analytics.metrics import (Observation, RepOutcome, Step, activity_correlations,
                                         cohort_summary, kaplan_meier, median_days,
                                         monthly_attainment, pace, pct_productive_by,
                                         percentile, ramp_curve, spearman,
                                         survival_at, tenure_day, tenure_month,
                                         tenure_week, time_to_productivity, weekly_target)
from cev_learn.cohorts.schedule import milestone_status

AS_OF = dt.date(2026, 6, 30)
START = dt.date(2026, 1, 1)


def day(n, start=START):
    return start + dt.timedelta(days=n)


def event(n):
    return Observation(n, event=True)


def censored(n):
    return Observation(n, event=False)


# --- Tenure ---------------------------------------------------------------------------------

@pytest.mark.parametrize("days,week", [(0, 1), (6, 1), (7, 2), (13, 2), (14, 3), (69, 10)])
def test_tenure_week_starts_at_one_on_the_start_date(days, week):
    start = dt.date(2026, 3, 2)
    assert tenure_day(start, day(days, start)) == days
    assert tenure_week(start, day(days, start)) == week


def test_tenure_day_counts_calendar_days_across_month_ends():
    # Jan 5 → Feb 14: 26 days to Jan 31, then 14 more.
    assert tenure_day(dt.date(2026, 1, 5), dt.date(2026, 2, 14)) == 40


@pytest.mark.parametrize("start,on,month", [
    (dt.date(2026, 1, 31), dt.date(2026, 1, 31), 1),   # start date itself
    (dt.date(2026, 1, 31), dt.date(2026, 2, 1), 2),    # one day later, next calendar month
    (dt.date(2026, 1, 31), dt.date(2026, 2, 28), 2),   # Feb has no 31st: still month 2
    (dt.date(2026, 1, 31), dt.date(2026, 3, 1), 3),
    (dt.date(2026, 1, 31), dt.date(2026, 3, 31), 3),
    (dt.date(2026, 1, 31), dt.date(2027, 1, 1), 13),   # across a year end
    (dt.date(2026, 1, 15), dt.date(2026, 2, 14), 2),   # calendar month, not 30 days
])
def test_tenure_month_one_is_the_starts_calendar_month(start, on, month):
    assert tenure_month(start, on) == month


# --- Time to productivity -------------------------------------------------------------------

def test_productive_rep_is_an_event_at_the_tenure_day_of_productivity():
    rep = RepOutcome(dt.date(2026, 1, 5), None, dt.date(2026, 2, 14))
    assert time_to_productivity(rep, AS_OF) == event(40)


def test_productive_on_as_of_itself_is_an_event():
    assert time_to_productivity(RepOutcome(START, None, AS_OF), AS_OF) == event(180)


def test_leaver_is_censored_at_the_end_date_not_dropped():
    # Jan 5 → Mar 1 = 26 + 28 + 1 = 55 days.
    rep = RepOutcome(dt.date(2026, 1, 5), dt.date(2026, 3, 1), None)
    assert time_to_productivity(rep, AS_OF) == censored(55)


def test_leaver_productive_on_the_last_day_counts_but_not_after_leaving():
    assert time_to_productivity(RepOutcome(START, day(55), day(55)), AS_OF) == event(55)
    assert time_to_productivity(RepOutcome(START, day(55), day(60)), AS_OF) == censored(55)


def test_end_date_after_as_of_censors_at_as_of():
    # Jan 1 → Jun 30 = 31+28+31+30+31+29 = 180 days.
    rep = RepOutcome(START, dt.date(2026, 9, 1), None)
    assert time_to_productivity(rep, AS_OF) == censored(180)


def test_productivity_after_as_of_is_censored_at_as_of():
    # Jun 1 → Jun 30 is day 29; the Jul 10 event is not known yet on Jun 30.
    rep = RepOutcome(dt.date(2026, 6, 1), None, dt.date(2026, 7, 10))
    assert time_to_productivity(rep, AS_OF) == censored(29)


def test_reps_starting_after_as_of_are_left_out_and_a_start_on_as_of_counts():
    assert time_to_productivity(RepOutcome(dt.date(2026, 7, 1), None, None), AS_OF) is None
    assert time_to_productivity(RepOutcome(AS_OF, None, None), AS_OF) == censored(0)


# --- Kaplan–Meier ---------------------------------------------------------------------------

# Eight reps. Day 10 has two events AND one censoring; day 45 has one of each.
#   day  nᵢ  dᵢ  cᵢ  S(t)
#   10   8   2   1   1 − 2/8           = 0.75
#   20   5   0   1   0.75
#   30   4   1   0   0.75 × (1 − 1/4)  = 0.5625
#   45   3   1   1   0.5625 × (1 − 1/3) = 0.375
#   60   1   0   1   0.375
# (Censoring before events on day 10 would give n=7 and S=5/7 instead.)
EIGHT_REPS = [event(10), censored(10), event(10), censored(20), event(30), censored(45),
              event(45), censored(60)]
EIGHT_REPS_CURVE = [Step(10, 0.75, 8, 2, 1), Step(20, 0.75, 5, 0, 1), Step(30, 0.5625, 4, 1, 0),
                    Step(45, 0.375, 3, 1, 1), Step(60, 0.375, 1, 0, 1)]


def test_kaplan_meier_counts_events_before_censorings_on_the_same_day():
    assert kaplan_meier(EIGHT_REPS) == EIGHT_REPS_CURVE


def test_survival_is_one_before_the_first_step_and_holds_between_and_after_steps():
    curve = kaplan_meier(EIGHT_REPS)
    assert [survival_at(curve, d) for d in (0, 9, 10, 29, 30, 44, 45, 60, 365)] == [
        1.0, 1.0, 0.75, 0.75, 0.5625, 0.5625, 0.375, 0.375, 0.375]


def test_median_is_the_first_day_survival_drops_to_half_or_below():
    assert median_days(kaplan_meier(EIGHT_REPS)) == 45  # S(30)=0.5625 > 0.5, S(45)=0.375
    # n=4, two events on day 5: S(5) = 1 − 2/4 = 0.5 exactly, and "≤ 0.5" includes it.
    assert median_days(kaplan_meier([event(5), event(5), censored(9), censored(9)])) == 5


def test_median_is_none_when_everyone_is_censored():
    curve = kaplan_meier([censored(12), censored(40), censored(40)])
    assert [s.survival for s in curve] == [1.0, 1.0]
    assert median_days(curve) is None
    assert pct_productive_by(curve) == {"30": 0.0, "60": 0.0, "90": 0.0, "180": 0.0}


def test_median_is_none_when_fewer_than_half_are_known_productive():
    # n=3, one event on day 10: S = 2/3 and never lower.
    assert median_days(kaplan_meier([event(10), censored(20), censored(30)])) is None


def test_pct_productive_by_day_is_one_minus_survival():
    curve = kaplan_meier(EIGHT_REPS)
    # 30: 1 − 0.5625; 60, 90, 180: 1 − 0.375 (the last value holds).
    assert pct_productive_by(curve) == {"30": 0.4375, "60": 0.625, "90": 0.625, "180": 0.625}
    assert pct_productive_by(curve, days=(9, 10)) == {"9": 0.0, "10": 0.25}


def test_pct_productive_is_rounded_to_four_places():
    # n=3, one event: 1 − 2/3 = 0.3333…
    assert pct_productive_by(kaplan_meier([event(1), censored(5), censored(5)]), days=(2,)) == {
        "2": 0.3333}


def test_cohort_summary_keeps_censored_reps_in_the_denominator():
    # As of Jun 30 (day 180 from Jan 1):
    #   A  productive day 20                          → event 20
    #   B  productive day 50                          → event 50
    #   C  left on day 40, never productive           → censored 40
    #   D  productive Aug 1, after as_of              → censored 180
    #   E  started Jun 1, not yet productive          → censored 29
    #   F  starts Jul 1                               → left out
    # KM: day 20 n=5 d=1 → 0.8; 29, 40 censorings; day 50 n=2 d=1 → 0.4; 180 censoring.
    outcomes = [RepOutcome(START, None, day(20)), RepOutcome(START, None, day(50)),
                RepOutcome(START, day(40), None), RepOutcome(START, None, dt.date(2026, 8, 1)),
                RepOutcome(dt.date(2026, 6, 1), None, None),
                RepOutcome(dt.date(2026, 7, 1), None, dt.date(2026, 7, 2))]
    summary = cohort_summary(outcomes, AS_OF)
    assert (summary.reps, summary.productive, summary.censored) == (5, 2, 3)
    assert summary.median_days_to_productivity == 50  # not 35, the mean of the two events
    assert summary.pct_productive_by_day == {"30": 0.2, "60": 0.6, "90": 0.6, "180": 0.6}


def test_cohort_summary_of_an_empty_cohort():
    summary = cohort_summary([RepOutcome(dt.date(2026, 7, 1), None, None)], AS_OF)
    assert (summary.reps, summary.productive, summary.censored) == (0, 0, 0)
    assert summary.median_days_to_productivity is None


# --- Milestone status -----------------------------------------------------------------------

@pytest.mark.parametrize("achieved_on,progress,target,due_day,on_day,expected", [
    (dt.date(2026, 3, 1), 0, 1, 21, 40, "complete"),   # achieved, even if late
    (None, 9, 10, 21, 22, "behind"),                   # past due, not achieved
    (None, 9, 10, 21, 21, "at_risk"),                  # due today: 0.9 < 21/21
    (None, 1, 4, 20, 10, "on_track"),                  # 0.25 < 10/20, but 10 days left
    (None, 1, 4, 20, 16, "at_risk"),                   # 0.25 < 16/20, 4 days left (horizon)
    (None, 2, 4, 20, 10, "on_track"),                  # 0.5 = 10/20: exactly on pace
    (None, 3, 4, 20, 10, "on_track"),
    (None, 0, 1, 20, 0, "not_started"),                # day 0: nothing towards it yet
    (None, 0, 1, 20, 15, "not_started"),               # 5 days left: not near yet
    (None, 0, None, 20, 10, "on_track"),               # nothing to measure: cannot be at risk
    (None, 0, None, 20, 21, "behind"),
])
def test_milestone_status(achieved_on, progress, target, due_day, on_day, expected):
    assert milestone_status(achieved_on, progress, target, due_day, on_day) == expected


# --- Attainment and the ramp curve ----------------------------------------------------------

def test_monthly_attainment_only_for_months_with_a_quota():
    bookings = {1: 5000, 2: 12000, 3: 0}
    quotas = {2: 10000, 3: 10000, 4: 10000, 5: 0}
    # month 1: no quota; 4: quota, no bookings → 0; 5: a zero quota is no quota.
    assert monthly_attainment(bookings, quotas) == {2: 1.2, 3: 0.0, 4: 0.0}


def test_ramp_curve_percentiles_interpolate_between_closest_ranks():
    points = [(4, 1.5), (4, 0.1), (4, 0.9), (4, 0.3), (4, 0.5),
              (2, 0.6), (2, 0.2),
              (1, 0.4),
              (3, 1.2), (3, 0.0), (3, 1.0), (3, 0.2)]
    assert ramp_curve(points) == [
        # n=1: every percentile is the one value.
        {"month": 1, "n": 1, "p25": 0.4, "median": 0.4, "p75": 0.4},
        # n=2 [0.2, 0.6]: h = 0.25, 0.5, 0.75 → 0.2 + h × 0.4.
        {"month": 2, "n": 2, "p25": 0.3, "median": 0.4, "p75": 0.5},
        # n=4 [0.0, 0.2, 1.0, 1.2]: h = 0.75 → 0.0 + .75 × 0.2 = 0.15;
        #   h = 1.5 → 0.2 + .5 × 0.8 = 0.6;  h = 2.25 → 1.0 + .25 × 0.2 = 1.05.
        {"month": 3, "n": 4, "p25": 0.15, "median": 0.6, "p75": 1.05},
        # n=5 [0.1, 0.3, 0.5, 0.9, 1.5]: h = 1, 2, 3 fall on ranks exactly.
        {"month": 4, "n": 5, "p25": 0.3, "median": 0.5, "p75": 0.9},
    ]


def test_percentile_ends_and_empty_input():
    assert percentile([1.0, 2.0, 4.0], 0.0) == 1.0
    assert percentile([1.0, 2.0, 4.0], 1.0) == 4.0
    with pytest.raises(ValueError):
        percentile([], 0.5)


def test_ramp_curve_of_no_points_is_empty():
    assert ramp_curve([]) == []


# --- Weekly pace ----------------------------------------------------------------------------

def test_weekly_target_repeats_the_last_value():
    targets = [20, 40, 60, 80]
    assert [weekly_target(targets, w) for w in (1, 2, 4, 5, 12)] == [20, 40, 80, 80, 80]
    assert weekly_target([], 3) is None
    with pytest.raises(ValueError):
        weekly_target(targets, 0)


def test_pace_against_the_target_of_the_reps_tenure_week():
    start = dt.date(2026, 3, 2)
    targets = [20, 40, 60, 80]
    assert pace(30, weekly_target(targets, tenure_week(start, day(6, start)))) == 1.5  # 30/20
    assert pace(30, weekly_target(targets, tenure_week(start, day(7, start)))) == 0.75  # 30/40
    assert pace(100, weekly_target(targets, tenure_week(start, day(60, start)))) == 1.25  # wk 9: 80


def test_pace_is_none_without_a_target():
    assert pace(5, 0) is None
    assert pace(5, None) is None
    assert pace(0, 10) == 0.0


# --- Correlations ---------------------------------------------------------------------------

def test_spearman_gives_tied_values_their_average_rank():
    # xs = [1, 2, 2, 3, 4] → ranks [1, 2.5, 2.5, 4, 5];  ys = [2, 1, 4, 3, 5] → [2, 1, 4, 3, 5].
    # Mean rank 3. Deviations x: [-2, -.5, -.5, 1, 2], y: [-1, -2, 1, 0, 2].
    # Sxy = 2 + 1 - .5 + 0 + 4 = 6.5;  Sxx = 4 + .25 + .25 + 1 + 4 = 9.5;  Syy = 10.
    # rho = 6.5 / √95 ≈ 0.666886
    # (the no-ties shortcut 1 − 6Σd²/(n(n²−1)) would give 0.675).
    assert spearman([1, 2, 2, 3, 4], [2, 1, 4, 3, 5]) == pytest.approx(6.5 / math.sqrt(95))
    assert spearman([1, 2, 2, 3, 4], [2, 1, 4, 3, 5]) == pytest.approx(0.666886, abs=1e-6)


def test_spearman_uses_ranks_not_values():
    assert spearman([1, 2, 3, 4], [1, 10, 100, 1000]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [9, 7, 5, -50]) == pytest.approx(-1.0)


def test_spearman_is_none_with_too_few_pairs_or_no_variance():
    assert spearman([1, 2], [2, 1]) is None
    assert spearman([3, 3, 3], [1, 2, 3]) is None
    assert spearman([1, 2, 3], [5, 5, 5]) is None
    with pytest.raises(ValueError):
        spearman([1, 2, 3], [1, 2])


def test_activity_correlations_need_fifteen_reps_with_an_observed_ttp():
    # 15 productive reps: call pace rises 0.0 → 1.4 (a zero pace is still a pace) while TTP
    # falls 100 → 86, so rho = −1.  email: 14 of them only → left out.
    reps = [({"call": (i - 1) / 10, **({"email": 1.0 + i} if i < 15 else {})}, 101 - i)
            for i in range(1, 16)]
    # Censored reps say nothing about TTP: not counted, and email stays at 14.
    reps += [({"call": 0.5, "email": 3.0}, None)] * 3
    reps.append(({"email": None}, 50))  # no pace measured: not a pair either
    assert activity_correlations(reps) == {"call": {"rho": -1.0, "n": 15}}
    assert activity_correlations(reps, min_reps=14) == {"call": {"rho": -1.0, "n": 15},
                                                         "email": {"rho": -1.0, "n": 14}}


def test_activity_correlations_round_rho_and_keep_flat_types():
    # The tied example above, five reps: rho ≈ 0.666886 → 0.6669; constant pace → rho None.
    reps = [({"call": x, "demo": 1.0}, y) for x, y in zip([1, 2, 2, 3, 4], [2, 1, 4, 3, 5])]
    assert activity_correlations(reps, min_reps=5) == {"call": {"rho": 0.6669, "n": 5},
                                                       "demo": {"rho": None, "n": 5}}
