"""The milestone engine: achieved_on and progress per docs/metrics.md, worked by hand."""
import datetime as dt

import pytest

from cev_learn.ramp.engine import (Activity, MilestoneResult, QuizResult, RepFacts, SignoffResult,
                                   achieved_on, crossing_activity, evaluate, known_on, progress)

D = dt.date
START = D(2026, 3, 10)  # a Tuesday, mid-month on purpose


def act(external_id, on, kind="meeting", quantity=1, amount=0.0):
    return Activity(external_id, on, kind, quantity, amount)


def deal(external_id, on, amount):
    return Activity(external_id, on, "deal_won", 1, amount)


def facts(start_on=START, **kwargs):
    return RepFacts(start_on=start_on, **kwargs)


def test_activity_threshold_is_crossed_by_the_record_first_by_date_then_external_id():
    # Sorted by (date, external_id): m-01 (12th), m-03, m-07, m-10 (all 20th), m-00 (25th).
    # Running total 1, 2, 3 -> m-07 reaches 3. Insertion order would pick m-10, external_id
    # alone would pick m-03 (m-00 first), date alone with a stable sort would pick m-10.
    rep = facts(activities=[act("m-03", D(2026, 3, 20)), act("m-00", D(2026, 3, 25)),
                            act("m-10", D(2026, 3, 20)), act("m-01", D(2026, 3, 12)),
                            act("m-07", D(2026, 3, 20))])
    measure = {"activity": "meeting", "at_least": 3}
    as_of = D(2026, 4, 30)
    assert achieved_on(measure, rep, as_of) == D(2026, 3, 20)
    assert crossing_activity(measure, rep, as_of).external_id == "m-07"
    assert progress(measure, rep, as_of) == (5, 3)  # the whole total, not capped at the target


def test_activity_sums_quantity_of_its_own_type_only():
    # Calls 4 + 5 = 9 on the 12th, + 1 = 10 on the 13th. The 50 emails do not count, and
    # counting records instead of quantity would never reach 10.
    rep = facts(activities=[act("c-1", D(2026, 3, 11), "call", 4),
                            act("c-2", D(2026, 3, 12), "call", 5),
                            act("e-1", D(2026, 3, 12), "email", 50),
                            act("c-3", D(2026, 3, 13), "call", 1)])
    measure = {"activity": "call", "at_least": 10}
    assert achieved_on(measure, rep, D(2026, 3, 31)) == D(2026, 3, 13)
    assert progress(measure, rep, D(2026, 3, 12)) == (9, 10)


def test_records_dated_before_the_start_date_are_ignored():
    # The meeting on the 9th is the day before the start (day -1): only the one on the 15th counts.
    rep = facts(activities=[act("m-1", D(2026, 3, 9)), act("m-2", D(2026, 3, 15))])
    as_of = D(2026, 3, 31)
    assert achieved_on({"activity": "meeting", "at_least": 1}, rep, as_of) == D(2026, 3, 15)
    assert achieved_on({"activity": "meeting", "at_least": 2}, rep, as_of) is None
    assert progress({"activity": "meeting", "at_least": 2}, rep, as_of) == (1, 2)
    # The start date itself is day 0 and counts.
    on_start = facts(activities=[act("m-1", START)])
    assert achieved_on({"activity": "meeting", "at_least": 1}, on_start, as_of) == START


def test_records_dated_after_as_of_are_ignored():
    rep = facts(activities=[act("m-1", D(2026, 3, 20)), act("m-2", D(2026, 4, 1))])
    measure = {"activity": "meeting", "at_least": 2}
    assert achieved_on(measure, rep, D(2026, 3, 31)) is None
    assert progress(measure, rep, D(2026, 3, 31)) == (1, 2)
    assert achieved_on(measure, rep, D(2026, 4, 1)) == D(2026, 4, 1)  # as_of itself counts


def test_bookings_threshold_crossed_by_one_large_deal():
    # Won: 5,000 + 3,000 = 8,000, then one 60,000 deal on Apr 15 takes it to 68,000 >= 50,000.
    # The 100,000 opportunity has an amount but is not a won deal.
    rep = facts(activities=[deal("d-1", D(2026, 3, 20), 5000), deal("d-2", D(2026, 4, 2), 3000),
                            act("o-1", D(2026, 3, 12), "opportunity", amount=100_000),
                            deal("d-3", D(2026, 4, 15), 60_000)])
    measure = {"bookings": 50_000}
    assert achieved_on(measure, rep, D(2026, 6, 30)) == D(2026, 4, 15)
    assert crossing_activity(measure, rep, D(2026, 6, 30)).external_id == "d-3"
    assert progress(measure, rep, D(2026, 6, 30)) == (68_000, 50_000)
    assert achieved_on(measure, rep, D(2026, 4, 14)) is None
    assert progress(measure, rep, D(2026, 4, 14)) == (8000, 50_000)


@pytest.mark.parametrize("february_quota", [None, 0])
def test_attainment_run_is_broken_by_a_month_without_quota(february_quota):
    # θ = 1.0, k = 2. Jan 12k/10k qualifies; Feb has no quota (or 0) so it breaks the run even
    # with 15k booked; Mar 10k/10k and Apr 11k/10k form the first run -> last day of March.
    # Treating the quota-less February as a pass would answer Jan 31.
    quotas = {D(2026, 1, 1): 10_000, D(2026, 3, 1): 10_000, D(2026, 4, 1): 10_000}
    if february_quota is not None:
        quotas[D(2026, 2, 1)] = february_quota
    rep = facts(start_on=D(2026, 1, 1), quotas=quotas,
                activities=[deal("d-1", D(2026, 1, 20), 12_000), deal("d-2", D(2026, 2, 10), 15_000),
                            deal("d-3", D(2026, 3, 5), 10_000), deal("d-4", D(2026, 4, 28), 11_000)])
    measure = {"attainment": 1.0, "consecutive_months": 2}
    assert achieved_on(measure, rep, D(2026, 5, 15)) == D(2026, 3, 31)


def test_attainment_answer_is_the_first_month_of_the_first_full_run():
    # θ = 0.8, k = 2, quota 10k a month. Dec 8,000 (exactly 0.8: qualifies), Jan 7,999 (miss),
    # Feb 9,000 and Mar 8,000 (run of two). Answer: last day of February 2026 (not a leap year).
    # Dec alone would be Dec 31; the month that completes the run would be Mar 31.
    quotas = {D(2025, 12, 1): 10_000, D(2026, 1, 1): 10_000, D(2026, 2, 1): 10_000,
              D(2026, 3, 1): 10_000}
    rep = facts(start_on=D(2025, 12, 1), quotas=quotas,
                activities=[deal("d-1", D(2025, 12, 3), 8000), deal("d-2", D(2026, 1, 30), 7999),
                            deal("d-3", D(2026, 2, 2), 4000), deal("d-4", D(2026, 2, 27), 5000),
                            deal("d-5", D(2026, 3, 31), 8000)])
    measure = {"attainment": 0.8, "consecutive_months": 2}
    assert achieved_on(measure, rep, D(2026, 4, 10)) == D(2026, 2, 28)
    assert achieved_on({"attainment": 0.8, "consecutive_months": 1}, rep,
                       D(2026, 4, 10)) == D(2025, 12, 31)


def test_attainment_start_month_counts_from_the_start_date():
    # Start Mar 10, quota 10k a month, θ = 1.0, k = 1. The 9,000 deal on Mar 5 is before the
    # start; March has only 6,000 from the 20th -> 0.6, a miss; April 10k/10k -> Apr 30.
    # Counting the Mar 5 deal would make March 15k and answer Mar 31.
    quotas = {D(2026, 3, 1): 10_000, D(2026, 4, 1): 10_000}
    measure = {"attainment": 1.0, "consecutive_months": 1}
    rep = facts(quotas=quotas, activities=[deal("d-0", D(2026, 3, 5), 9000),
                                           deal("d-1", D(2026, 3, 20), 6000),
                                           deal("d-2", D(2026, 4, 8), 10_000)])
    assert achieved_on(measure, rep, D(2026, 5, 31)) == D(2026, 4, 30)
    # The start month is month one: enough booked after the start date makes it count.
    strong = facts(quotas=quotas, activities=[deal("d-1", D(2026, 3, 25), 10_000)])
    assert achieved_on(measure, strong, D(2026, 5, 31)) == D(2026, 3, 31)


def test_attainment_counts_a_month_only_once_it_is_over():
    # February's 10k of 10k is booked on Feb 12, but the month is judged when it is over:
    # on Feb 15 nothing is reached yet (January was 50%); from Feb 28 on, k = 1 gives Feb 28.
    quotas = {D(2026, 1, 1): 10_000, D(2026, 2, 1): 10_000}
    rep = facts(start_on=D(2026, 1, 1), quotas=quotas,
                activities=[deal("d-1", D(2026, 1, 9), 5000), deal("d-2", D(2026, 2, 12), 10_000)])
    k1 = {"attainment": 1.0, "consecutive_months": 1}
    assert achieved_on(k1, rep, D(2026, 2, 15)) is None
    assert achieved_on(k1, rep, D(2026, 2, 28)) == D(2026, 2, 28)
    assert achieved_on(k1, rep, D(2026, 3, 5)) == D(2026, 2, 28)
    # k = 2 with both months at quota: known once February is over, dated Jan 31.
    full_january = facts(start_on=D(2026, 1, 1), quotas=quotas,
                         activities=[deal("d-1", D(2026, 1, 9), 10_000),
                                     deal("d-2", D(2026, 2, 12), 10_000)])
    k2 = {"attainment": 1.0, "consecutive_months": 2}
    assert achieved_on(k2, full_january, D(2026, 2, 15)) is None
    assert achieved_on(k2, full_january, D(2026, 2, 28)) == D(2026, 1, 31)


def test_attainment_progress_is_the_current_run_and_a_month_in_progress_breaks_nothing():
    # θ = 1.0, k = 3, quota 10k a month from January. Jan hit, Feb miss, Mar hit, Apr hit.
    quotas = {D(2026, m, 1): 10_000 for m in range(1, 7)}
    rep = facts(start_on=D(2026, 1, 1), quotas=quotas,
                activities=[deal("d-1", D(2026, 1, 9), 10_000), deal("d-2", D(2026, 2, 9), 2000),
                            deal("d-3", D(2026, 3, 9), 10_000), deal("d-4", D(2026, 4, 9), 10_000)])
    measure = {"attainment": 1.0, "consecutive_months": 3}
    assert progress(measure, rep, D(2026, 2, 28)) == (0, 3)  # February over and missed
    assert progress(measure, rep, D(2026, 2, 10)) == (1, 3)  # February not over: Jan still runs
    assert progress(measure, rep, D(2026, 4, 30)) == (2, 3)  # Mar + Apr
    assert progress(measure, rep, D(2026, 5, 20)) == (2, 3)  # May in progress breaks nothing
    assert progress(measure, rep, D(2026, 6, 1)) == (0, 3)  # May over and missed
    assert achieved_on(measure, rep, D(2026, 6, 1)) is None
    done = facts(start_on=D(2026, 1, 1), quotas=quotas,
                 activities=rep.activities + [deal("d-5", D(2026, 5, 2), 10_000)])
    assert evaluate([("streak", measure)], done, D(2026, 5, 3)) == {
        "streak": MilestoneResult(None, 2, 3)}  # May not over yet
    assert evaluate([("streak", measure)], done, D(2026, 5, 31)) == {
        "streak": MilestoneResult(D(2026, 3, 31), 3, 3)}


def test_quiz_first_passing_attempt_by_date_even_if_a_later_one_scores_higher():
    # Listed out of order. By date: Mar 12 0.6 (fail), Mar 14 0.85 (first pass), Mar 20 0.95.
    # The 1.0 on Mar 11 is another quiz.
    rep = facts(quiz_attempts=[QuizResult("icp-basics", D(2026, 3, 20), 0.95),
                               QuizResult("icp-basics", D(2026, 3, 14), 0.85),
                               QuizResult("other-quiz", D(2026, 3, 11), 1.0),
                               QuizResult("icp-basics", D(2026, 3, 12), 0.6)])
    measure = {"quiz": "icp-basics", "min_score": 0.8}
    assert achieved_on(measure, rep, D(2026, 3, 31)) == D(2026, 3, 14)
    assert progress(measure, rep, D(2026, 3, 31)) == (1, 1)
    assert achieved_on(measure, rep, D(2026, 3, 13)) is None
    assert progress(measure, rep, D(2026, 3, 13)) == (0, 1)
    assert achieved_on({"quiz": "icp-basics", "min_score": 0.6}, rep,
                       D(2026, 3, 31)) == D(2026, 3, 12)  # a score equal to min_score passes


def test_modules_all_with_one_completion_after_as_of_is_not_achieved():
    rep = facts(all_module_slugs=["welcome", "icp", "pitch"],
                modules_completed={"welcome": D(2026, 3, 11), "icp": D(2026, 3, 16),
                                   "pitch": D(2026, 4, 2)})
    measure = {"modules": "all"}
    assert achieved_on(measure, rep, D(2026, 3, 31)) is None
    assert progress(measure, rep, D(2026, 3, 31)) == (2, 3)
    assert achieved_on(measure, rep, D(2026, 4, 2)) == D(2026, 4, 2)  # the last of them
    # A listed subset ends with its own last completion; an unlisted later one does not matter.
    assert achieved_on({"modules": ["icp", "welcome"]}, rep, D(2026, 4, 30)) == D(2026, 3, 16)
    missing = facts(all_module_slugs=["welcome", "icp"], modules_completed={"welcome": D(2026, 3, 11)})
    assert achieved_on(measure, missing, D(2026, 12, 31)) is None
    assert progress(measure, missing, D(2026, 12, 31)) == (1, 2)


def test_signoff_that_failed_then_passed_is_achieved_on_the_pass():
    rep = facts(signoffs=[SignoffResult("pitch", D(2026, 3, 20), False),
                          SignoffResult("discovery", D(2026, 3, 15), True),
                          SignoffResult("pitch", D(2026, 3, 27), True)])
    measure = {"signoff": "pitch"}
    assert achieved_on(measure, rep, D(2026, 3, 31)) == D(2026, 3, 27)
    assert achieved_on(measure, rep, D(2026, 3, 25)) is None  # only the failed one by then
    assert progress(measure, rep, D(2026, 3, 25)) == (0, 1)


def test_evaluate_reports_every_milestone_and_rejects_unknown_measures():
    rep = facts(activities=[act("m-1", D(2026, 3, 12))],
                signoffs=[SignoffResult("pitch", D(2026, 3, 20), False)])
    result = evaluate([("first-meeting", {"activity": "meeting", "at_least": 1}),
                       ("pitch-certified", {"signoff": "pitch"})], rep, D(2026, 3, 31))
    assert result == {"first-meeting": (D(2026, 3, 12), 1, 1), "pitch-certified": (None, 0, 1)}
    with pytest.raises(ValueError):
        achieved_on({"activity": "meeting"}, rep, D(2026, 3, 31))
    with pytest.raises(ValueError):
        crossing_activity({"signoff": "pitch"}, rep, D(2026, 3, 31))


def test_an_attainment_run_is_known_once_its_last_month_is_over():
    """Dated by the end of its first month, a two-month run is complete (and a report as of a
    day can count it) only from the end of its second; other measures are known at once."""
    run = {"attainment": 1.0, "consecutive_months": 2}
    assert known_on(run, dt.date(2026, 1, 31)) == dt.date(2026, 2, 28)
    assert known_on({**run, "consecutive_months": 1},
                           dt.date(2026, 1, 31)) == dt.date(2026, 1, 31)
    assert known_on({**run, "consecutive_months": 3},
                           dt.date(2026, 11, 30)) == dt.date(2027, 1, 31)
    assert known_on({"activity": "meeting", "at_least": 1},
                           dt.date(2026, 1, 9)) == dt.date(2026, 1, 9)
