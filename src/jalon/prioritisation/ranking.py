"""Orders and rank agreement: pure functions over {item id: score}. Re-exported by rules."""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass


def _scored(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def apply_order(scores: Mapping[int, float | None]) -> list[int]:
    """Item ids by score, highest first; unscored items last; ties by id. Deterministic."""

    def key(item: int) -> tuple[bool, float, int]:
        value = scores[item]
        if value is None or not _scored(value):
            return (True, 0.0, item)
        return (False, -value, item)

    return sorted(scores, key=key)


def ranks(scores: Mapping[int, float | None]) -> dict[int, int]:
    """Competition ranks ("1224"): equal scores share a rank; unscored items share the last."""
    result: dict[int, int] = {}
    previous: object = object()
    rank = 0
    for position, item in enumerate(apply_order(scores), start=1):
        value = scores[item] if _scored(scores[item]) else None
        if value != previous:
            rank, previous = position, value
        result[item] = rank
    return result


@dataclass(frozen=True, slots=True)
class RankShift:
    item_id: int
    rank_a: int
    rank_b: int

    @property
    def shift(self) -> int:
        """Positive when the item ranks lower (a larger rank) under the second model."""
        return self.rank_b - self.rank_a


def rank_differences(
    scores_a: Mapping[int, float | None], scores_b: Mapping[int, float | None], top: int = 10
) -> list[RankShift]:
    """The `top` items whose rank differs most between two models, largest shift first."""
    ids = set(scores_a) | set(scores_b)
    ranks_a = ranks({item: scores_a.get(item) for item in ids})
    ranks_b = ranks({item: scores_b.get(item) for item in ids})
    shifts = [RankShift(i, ranks_a[i], ranks_b[i]) for i in ids if ranks_a[i] != ranks_b[i]]
    return sorted(shifts, key=lambda s: (-abs(s.shift), s.item_id))[:top]


def _tied_pairs(values: Iterable[Hashable]) -> int:
    """Pairs of equal values among sorted `values`."""
    total = 0
    for _value, group in itertools.groupby(values):
        size = sum(1 for _ in group)
        total += size * (size - 1) // 2
    return total


def _inversions(values: Sequence[float]) -> int:
    """Pairs i < j with values[i] > values[j], counted with a Fenwick tree: O(n log n)."""
    rank_of = {v: r for r, v in enumerate(sorted(set(values)), start=1)}
    tree = [0] * (len(rank_of) + 1)
    inversions = 0
    for seen, value in enumerate(values):
        index, not_greater = rank_of[value], 0
        while index:
            not_greater += tree[index]
            index -= index & -index
        inversions += seen - not_greater
        index = rank_of[value]
        while index < len(tree):
            tree[index] += 1
            index += index & -index
    return inversions


def kendall_tau(ranking_a: Sequence[float], ranking_b: Sequence[float]) -> float | None:
    """Kendall's tau-b of two paired sequences (ties allowed), in O(n log n) (Knight, 1966).

    1 when both order the items alike, -1 when they order them in reverse. None when it is
    undefined: fewer than two items, or one sequence where every value is equal.
    """
    if len(ranking_a) != len(ranking_b):
        raise ValueError("kendall_tau needs two sequences of the same length")
    pairs = sorted(zip(ranking_a, ranking_b, strict=True))
    count = len(pairs)
    all_pairs = count * (count - 1) // 2
    tied_a = _tied_pairs(a for a, _ in pairs)
    tied_b = _tied_pairs(sorted(ranking_b))
    tied_both = _tied_pairs(pairs)
    discordant = _inversions([b for _, b in pairs])
    denominator = math.sqrt((all_pairs - tied_a) * (all_pairs - tied_b))
    if denominator == 0:
        return None
    tau = (all_pairs - tied_a - tied_b + tied_both - 2 * discordant) / denominator
    return max(-1.0, min(1.0, tau))


def agreement(
    scores_a: Mapping[int, float | None], scores_b: Mapping[int, float | None]
) -> float | None:
    """Kendall's tau-b between two models over the items both have scored."""
    common = sorted(i for i in scores_a if _scored(scores_a[i]) and _scored(scores_b.get(i)))
    return kendall_tau(
        [scores_a[i] or 0.0 for i in common], [scores_b.get(i) or 0.0 for i in common]
    )


def ordered_by_score(current: Sequence[tuple[int, float | None]]) -> list[int]:
    """Item ids of a backlog, given in its current order, put in a model's order.

    Highest score first; equal scores keep their current order, and unscored items follow
    in their current order, so applying a model never shuffles what it cannot tell apart.
    """
    scored = [(item, value) for item, value in current if _scored(value)]
    unscored = [item for item, value in current if not _scored(value)]
    scored.sort(key=lambda pair: -(pair[1] or 0.0))  # sort is stable: ties keep their order
    return [item for item, _value in scored] + unscored
