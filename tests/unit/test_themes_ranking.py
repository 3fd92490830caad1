"""Similar feedback are read best first from a partition, not a sort of every feedback; the
order must be exactly that of a full stable sort, across the partition's edge."""

from __future__ import annotations

import numpy as np
import pytest

from jalon.themes import placement


@pytest.mark.parametrize("wanted", [1, 7, 55, 120, 400, 5000])
def test_ranked_chunks_give_the_order_of_a_full_stable_sort(wanted: int) -> None:
    rng = np.random.default_rng(wanted)
    scores = rng.random(1000).astype(np.float32)
    chunks = list(placement._ranked_chunks(scores, wanted))
    assert all(len(c) <= placement.CANDIDATES for c in chunks)
    assert np.array_equal(np.concatenate(chunks), np.argsort(-scores, kind="stable"))


def test_the_rest_is_only_sorted_when_it_is_read() -> None:
    scores = np.arange(10_000, dtype=np.float32)
    first = next(placement._ranked_chunks(scores, 60))
    assert list(first) == list(range(9_999, 9_999 - placement.CANDIDATES, -1))
