"""Item analysis for coaches: which questions work. Pure functions over plain numbers.

- facility: the mean score fraction of an item (1.0 = everyone gets it right);
- discrimination: the Pearson correlation between the item's score and the rest of the quiz
  (the attempt's score on the other items), so good reps do better on a good item;
- choice counts: how often each option of a choice question is picked.
"""
import math
from dataclasses import dataclass

TOO_EASY = 0.9
TOO_HARD = 0.3
MIN_ATTEMPTS_FOR_DISCRIMINATION = 5  # below this, no discrimination and no flags


@dataclass(frozen=True)
class ItemScores:
    """One attempt as seen by item analysis: item key -> (fraction, points)."""

    items: dict[str, tuple[float, float]]


@dataclass(frozen=True)
class ItemStats:
    key: str
    attempts: int
    facility: float | None
    discrimination: float | None
    flags: tuple[str, ...]


def pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    syy = sum((y - mean_y) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    return sxy / math.sqrt(sxx * syy)


def item_stats(key: str, attempts: list[ItemScores]) -> ItemStats:
    seen = [a for a in attempts if key in a.items]
    if not seen:
        return ItemStats(key, 0, None, None, ())
    item = [a.items[key][0] for a in seen]
    rest = []
    for attempt in seen:
        others = [(f, p) for k, (f, p) in attempt.items.items() if k != key]
        possible = sum(p for _, p in others)
        rest.append(sum(f * p for f, p in others) / possible if possible else 0.0)
    facility = sum(item) / len(item)
    enough = len(seen) >= MIN_ATTEMPTS_FOR_DISCRIMINATION
    discrimination = pearson(item, rest) if enough else None
    return ItemStats(key, len(seen), facility, discrimination,
                     flags(facility, discrimination) if enough else ())


def flags(facility: float | None, discrimination: float | None) -> tuple[str, ...]:
    found = []
    if facility is not None and facility > TOO_EASY:
        found.append("too easy")
    if facility is not None and facility < TOO_HARD:
        found.append("too hard")
    if discrimination is not None and discrimination < 0:
        found.append("discriminates negatively")
    return tuple(found)


def choice_counts(picks: list[list[int]], option_count: int) -> list[int]:
    """How many attempts picked each option (an attempt may pick several)."""
    counts = [0] * option_count
    for picked in picks:
        for index in set(picked):
            if 0 <= index < option_count:
                counts[index] += 1
    return counts
