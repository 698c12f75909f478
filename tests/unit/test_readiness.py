"""The readiness score's pure core: each measure, the weighted means, the trend, and that
nothing dated after as_of counts."""
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from cev_learn.analytics.readiness import (Evidence, modules_done, quiz_mastery, readiness,
                                           recent_pace, signoff_level, weighted_mean)

START = dt.date(2026, 1, 5)


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


COMPETENCIES = [
    {"slug": "discovery", "title": "Discovery", "weight": 2.0, "measures": [
        {"kind": "quiz_tag", "target": "discovery", "items": [], "weight": 1.0,
         "question_keys": ["q1", "q2"]},
        {"kind": "signoff", "target": "pitch", "items": ["Questions"], "weight": 1.0,
         "question_keys": []}]},
    {"slug": "cadence", "title": "Cadence", "weight": 1.0, "measures": [
        {"kind": "modules", "target": "", "items": ["intro", "cadence"], "weight": 1.0,
         "question_keys": []},
        {"kind": "pace", "target": "call", "items": [], "weight": 3.0, "question_keys": []}]},
]
TARGETS = {"call": [10, 20]}


def test_quiz_mastery_takes_each_question_s_latest_answer_by_as_of():
    answers = [("q1", 0.0, day(3)), ("q1", 1.0, day(10)), ("q2", 0.5, day(4)), ("q9", 1.0, day(1))]
    assert quiz_mastery(["q1", "q2"], answers, day(5)) == 0.25
    assert quiz_mastery(["q1", "q2"], answers, day(10)) == 0.75
    assert quiz_mastery(["q1", "q2"], answers, day(2)) == 0.0  # nothing answered yet


def test_a_sign_off_reads_its_latest_scores_from_1_to_5_as_0_to_1():
    signoffs = [("pitch", day(10), {"Questions": 2, "Story": 5}),
                ("pitch", day(20), {"Questions": 5, "Story": 1})]
    assert signoff_level("pitch", ["Questions"], signoffs, day(15)) == 0.25
    assert signoff_level("pitch", ["Questions", "Story"], signoffs, day(20)) == 0.5
    assert signoff_level("pitch", ["Questions"], signoffs, day(9)) == 0.0


def test_modules_count_once_completed_by_as_of():
    completed = {"intro": day(1), "cadence": day(8)}
    assert modules_done(["intro", "cadence"], completed, day(7)) == 0.5
    assert modules_done(["intro", "cadence"], completed, day(8)) == 1.0


def test_pace_averages_the_last_weeks_that_are_over_capped_at_target():
    weekly = {1: 20, 2: 10, 3: 5}  # targets 10, 20, 20: paces 1 (capped), 0.5, 0.25
    assert recent_pace([10, 20], weekly, START, day(5)) is None  # week 1 not over yet
    assert recent_pace([10, 20], weekly, START, day(6)) == 1.0
    assert recent_pace([10, 20], weekly, START, day(20)) == (1.0 + 0.5 + 0.25) / 3


def test_weeks_without_a_target_are_left_out_of_pace():
    assert recent_pace([0, 4], {1: 3, 2: 2}, START, day(13)) == 0.5


def test_the_score_is_the_weighted_mean_of_competencies_with_their_trend():
    evidence = Evidence(START, answers=[("q1", 1.0, day(2)), ("q2", 1.0, day(30))],
                        signoffs=[("pitch", day(31), {"Questions": 5})],
                        completed={"intro": day(1), "cadence": day(29)},
                        weekly={"call": {1: 10, 2: 20, 3: 20, 4: 20, 5: 0}})
    shown = readiness(COMPETENCIES, evidence, TARGETS, day(35))
    discovery, cadence = shown.competencies
    assert discovery.score == 1.0          # both questions right, sign-off at 5
    assert cadence.score == (1.0 + 3 * 0.75) / 4   # modules 1, pace of weeks 2-5: 1, 1, 1, 0
    assert shown.score == 100 * (2 * 1.0 + cadence.score) / 3
    # 28 days before (day 7): q1 right, no sign-off; intro of 2 modules, week 1 at pace
    assert discovery.trend[28] == 0.5 and cadence.trend[28] == (0.5 + 3 * 1.0) / 4
    assert shown.change(28) == shown.score - shown.trend[28]


def test_a_competency_nobody_can_measure_yet_is_left_out_not_counted_as_zero():
    only_pace = [{"slug": "c", "title": "C", "weight": 1.0, "measures": [
        {"kind": "pace", "target": "call", "items": [], "weight": 1.0, "question_keys": []}]}]
    shown = readiness(only_pace + COMPETENCIES[:1], Evidence(START), TARGETS, day(3))
    assert shown.competencies[0].score is None and shown.score == 0.0
    assert readiness(only_pace, Evidence(START), TARGETS, day(3)).score is None


def test_fitted_weights_replace_the_competencies_own():
    evidence = Evidence(START, completed={"intro": day(1), "cadence": day(2)})
    assert readiness(COMPETENCIES, evidence, {}, day(3), weights=[0.0, 1.0]).score == 100.0


def test_weighted_mean_ignores_unknown_values_and_zero_weights():
    assert weighted_mean([(None, 5.0), (0.5, 1.0), (1.0, 0.0)]) == 0.5
    assert weighted_mean([(None, 1.0)]) is None


# --- Properties -----------------------------------------------------------------------------

days = st.integers(min_value=-10, max_value=120)
fraction = st.floats(min_value=-1, max_value=2, allow_nan=False)
evidence_records = st.fixed_dictionaries({
    "answers": st.lists(st.tuples(st.sampled_from(["q1", "q2", "q3"]), fraction, days)),
    "signoffs": st.lists(st.tuples(days, st.integers(1, 5))),
    "completed": st.dictionaries(st.sampled_from(["intro", "cadence"]), days),
    "weekly": st.dictionaries(st.integers(1, 18), st.integers(0, 100)),
})


def _evidence(records: dict, until: int | None = None) -> Evidence:
    """Evidence from the generated records, keeping only those dated up to `until`."""
    def kept(n):
        return until is None or n <= until
    week_over = {w: q for w, q in records["weekly"].items() if until is None or 7 * w - 1 <= until}
    return Evidence(
        START, [(k, f, day(n)) for k, f, n in records["answers"] if kept(n)],
        [("pitch", day(n), {"Questions": s}) for n, s in records["signoffs"] if kept(n)],
        {m: day(n) for m, n in records["completed"].items() if kept(n)},
        {"call": week_over})


@settings(max_examples=200, deadline=None)
@given(evidence_records, st.integers(0, 90),
       st.lists(st.floats(min_value=0, max_value=10, allow_nan=False), min_size=2, max_size=2))
def test_scores_stay_between_0_and_100_whatever_the_records_and_weights(records, as_of, weights):
    shown = readiness(COMPETENCIES, _evidence(records), TARGETS, day(as_of), weights)
    for value in (shown.score, *shown.trend.values()):
        assert value is None or 0 <= value <= 100
    for competency in shown.competencies:
        assert competency.score is None or 0 <= competency.score <= 1


@settings(max_examples=200, deadline=None)
@given(evidence_records, st.integers(0, 90))
def test_records_dated_after_as_of_change_nothing(records, as_of):
    """The score as of a day is the same with or without every record dated after it (a week
    counts once it is over, as the stored weekly facts give it)."""
    everything = readiness(COMPETENCIES, _evidence(records), TARGETS, day(as_of))
    until_then = readiness(COMPETENCIES, _evidence(records, until=as_of), TARGETS, day(as_of))
    assert everything == until_then


@settings(max_examples=100, deadline=None)
@given(evidence_records, st.integers(0, 90), st.floats(min_value=0.01, max_value=50))
def test_scaling_every_weight_changes_nothing(records, as_of, factor):
    evidence = _evidence(records)
    plain = readiness(COMPETENCIES, evidence, TARGETS, day(as_of), [1.0, 2.0])
    scaled = readiness(COMPETENCIES, evidence, TARGETS, day(as_of), [factor, 2.0 * factor])
    assert (plain.score is None) == (scaled.score is None)
    if plain.score is not None:
        assert abs(plain.score - scaled.score) < 1e-9
