"""Item analysis against a small example worked out by hand."""
import pytest

from cev_learn.quizzes.analysis import ItemScores, choice_counts, item_stats, pearson

# Five attempts at a three-question quiz, one point each (1 = right, 0 = wrong).
ATTEMPTS = [ItemScores({"q1": (a, 1.0), "q2": (b, 1.0), "q3": (c, 1.0)}) for a, b, c in [
    (1, 1, 0), (1, 0, 0), (0, 1, 1), (1, 1, 1), (0, 0, 1)]]


def test_facility_is_the_mean_item_score():
    assert item_stats("q1", ATTEMPTS).facility == pytest.approx(0.6)
    assert item_stats("q2", ATTEMPTS).facility == pytest.approx(0.6)


def test_discrimination_correlates_the_item_with_the_rest_of_the_quiz():
    # q1: item [1,1,0,1,0] vs rest [.5,0,1,1,.5]: sxy=-0.30, sxx=1.2, syy=0.70
    assert item_stats("q1", ATTEMPTS).discrimination == pytest.approx(-0.30 / (1.2 * 0.70) ** 0.5)
    # q2: item [1,0,1,1,0] vs rest [.5,.5,.5,1,.5]: sxy=0.20, sxx=1.2, syy=0.20
    assert item_stats("q2", ATTEMPTS).discrimination == pytest.approx(0.20 / (1.2 * 0.20) ** 0.5)


def test_flags():
    assert item_stats("q1", ATTEMPTS).flags == ("discriminates negatively",)
    assert item_stats("q2", ATTEMPTS).flags == ()
    easy = [ItemScores({"e": (1, 1.0), "o": (x, 1.0)}) for x in (0, 1, 0, 1, 1)]
    assert "too easy" in item_stats("e", easy).flags
    hard = [ItemScores({"h": (0, 1.0), "o": (x, 1.0)}) for x in (0, 1, 0, 1, 1)]
    assert "too hard" in item_stats("h", hard).flags


def test_too_few_attempts_give_no_discrimination_and_no_flags():
    assert item_stats("q1", ATTEMPTS[:4]).discrimination is None
    assert item_stats("q1", ATTEMPTS[:4]).flags == ()
    assert item_stats("missing", ATTEMPTS).attempts == 0


def test_pearson_without_variance_is_undefined():
    assert pearson([1, 1, 1], [0, 1, 0]) is None


def test_choice_counts():
    assert choice_counts([[0], [2], [0, 1], [0], [5]], 3) == [3, 1, 1]
