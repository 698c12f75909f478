"""The booster schedule: Leitner boxes at 2, 7, 21 and 60 days."""
import datetime as dt

from hypothesis import given, strategies as st

from cev_learn.quizzes.leitner import (INTERVALS, LAST_BOX, Step, after_answer, first_due,
                                       is_right, pick_questions)

DAY = dt.date(2026, 12, 7)


def test_a_new_booster_is_due_two_days_after_the_module_was_completed():
    assert first_due(DAY) == dt.date(2026, 12, 9)


def test_right_answers_climb_the_boxes_at_growing_intervals_then_retire():
    box, day, gaps = 1, DAY, []
    while True:
        step = after_answer(box, True, day)
        if step.retired:
            break
        gaps.append((step.due_on - day).days)
        box, day = step.box, step.due_on
    assert gaps == [7, 21, 60] and box == LAST_BOX


def test_a_wrong_answer_sends_it_back_to_box_one_in_two_days():
    for box in range(1, LAST_BOX + 1):
        assert after_answer(box, False, DAY) == Step(1, dt.date(2026, 12, 9))


def test_a_box_outside_the_boxes_is_refused():
    for box in (0, LAST_BOX + 1):
        try:
            after_answer(box, True, DAY)
        except ValueError as error:
            assert str(box) in str(error)
        else:
            raise AssertionError(f"box {box} accepted")


def test_full_marks_count_as_right_partial_ones_do_not():
    assert is_right(1.0) and not is_right(0.5) and not is_right(None) and not is_right(0.0)


@given(st.lists(st.booleans(), max_size=40), st.dates(dt.date(2000, 1, 1), dt.date(2090, 1, 1)))
def test_any_run_of_answers_keeps_a_booster_in_a_box_due_after_the_answer(answers, start):
    box, day = 1, first_due(start)
    for correct in answers:
        step = after_answer(box, correct, day)
        if step.retired:
            assert correct and box == LAST_BOX
            return
        assert 1 <= step.box <= LAST_BOX
        assert step.box == (box + 1 if correct else 1)
        assert (step.due_on - day).days == INTERVALS[step.box - 1]
        box, day = step.box, step.due_on


@given(st.integers(min_value=1, max_value=10**6),
       st.sets(st.text(alphabet="0123456789abcdef", min_size=16, max_size=16), max_size=20),
       st.integers(min_value=0, max_value=8))
def test_picking_is_stable_bounded_and_from_the_pool(rep_id, keys, count):
    picked = pick_questions(keys, rep_id, count)
    assert picked == pick_questions(sorted(keys, reverse=True), rep_id, count)
    assert len(picked) == min(count, len(keys)) and set(picked) <= keys
