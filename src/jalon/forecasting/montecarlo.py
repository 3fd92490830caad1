"""Vectorised Monte Carlo by resampling daily throughput (a bootstrap), in pure numpy.

Every simulated day draws one day of the history at random, with replacement, and takes its
count of done items. `days_until` simulates cumulative sums until they reach N; `counts_over`
sums a fixed number of days. Both work in blocks, so that a million trials never hold more
than about `BUDGET` numbers in memory at once.

Two exact shortcuts keep a million trials within a couple of seconds: the total of k
resampled days has a known distribution, the k-fold convolution of the daily one (computed
by FFT), so a trial far from its goal jumps k days with one draw from it, and "how many in H
days" draws each trial's total at once. Both give the same distribution as drawing every
day (the unit tests compare them with exact distributions). Draws come from a seeded numpy
Generator, so a seed always gives the same result.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

BUDGET = 2_000_000  # numbers held per block (trials x days); about 16 MB at most
MIN_CHUNK_DAYS = 16
TRIAL_BLOCK = 1 << 18
JUMPS = (512, 256, 128, 64, 32, 16, 8, 4, 2)  # days per jump far from the goal
STEPS_BEFORE_SEARCH = 2  # one-index steps before the few remaining draws get a binary search
MAX_EXACT = 1 << 22  # largest total whose distribution is computed (beyond: day by day)


def _pool(samples: npt.ArrayLike) -> tuple[npt.NDArray[np.int32], type[np.unsignedinteger]]:
    pool = np.asarray(samples, dtype=np.int32)
    if pool.ndim != 1 or pool.size == 0:
        raise ValueError("the history must be a non-empty list of daily counts")
    if (pool < 0).any():
        raise ValueError("daily counts cannot be negative")
    index_type: type[np.unsignedinteger] = np.uint16 if pool.size <= 65_535 else np.uint32
    return pool, index_type


def _draw(
    rng: np.random.Generator,
    pool: npt.NDArray[np.int32],
    index_type: type[np.unsignedinteger],
    shape: tuple[int, int],
) -> npt.NDArray[np.int32]:
    picks = rng.integers(0, pool.size, size=shape, dtype=index_type)
    return np.take(pool, picks)


def days_until(
    samples: npt.ArrayLike,
    remaining: int,
    *,
    trials: int,
    rng: np.random.Generator,
    max_days: int,
) -> IntArray:
    """For each trial, the number of days (1 = the first simulated day) until `remaining`
    items are done; `max_days + 1` for a trial that does not get there within `max_days`.

    Far from the goal, a trial jumps k days at once, drawing the k-day total from its exact
    distribution (the k-fold convolution of the daily one): that is only done while even k
    days at the history's best pace cannot reach the goal, so the day of arrival is always
    found day by day, and the result has the same distribution as simulating every day."""
    pool, index_type = _pool(samples)
    result = np.full(trials, max_days + 1, dtype=np.int64)
    if remaining <= 0:
        return np.zeros(trials, dtype=np.int64)
    if not pool.any():
        return result
    steps = _steps(pool, remaining)
    for start in range(0, trials, TRIAL_BLOCK):
        size = min(trials, start + TRIAL_BLOCK) - start
        done = np.zeros(size, dtype=np.int64)
        day = np.zeros(size, dtype=np.int64)
        _skip_ahead(done, day, remaining, steps=steps, rng=rng, max_days=max_days)
        result[start : start + size] = _last_days(
            pool, index_type, remaining, done=done, day=day, rng=rng, max_days=max_days
        )
    return result


class Sampler:
    """Draws from a discrete distribution by inverse transform, with a guide table (Chen and
    Asau): the table gives each draw a starting index, which is its answer unless the draw
    fell in a cell the CDF crosses more than once; those take a step or two, and the few
    still short get a binary search. In the thin tails of a k-day total, one cell can hold
    dozens of values, where stepping one index at a time took dozens of passes over the
    array. Same answers as `searchsorted`."""

    def __init__(self, cdf: FloatArray) -> None:
        self.cdf = cdf
        self.size = cdf.size
        self.guide = np.searchsorted(cdf, np.arange(self.size) / self.size, side="right")

    def draw(self, rng: np.random.Generator, count: int) -> IntArray:
        u = rng.random(count)
        found = self.guide[(u * self.size).astype(np.intp)]
        behind = np.flatnonzero(self.cdf[found] <= u)
        for _ in range(STEPS_BEFORE_SEARCH):
            if not behind.size:
                break
            found[behind] += 1
            behind = behind[self.cdf[found[behind]] <= u[behind]]
        if behind.size:
            found[behind] = np.searchsorted(self.cdf, u[behind], side="right")
        return found.astype(np.int64)


def _steps(pool: npt.NDArray[np.int32], remaining: int) -> list[tuple[int, int, Sampler]]:
    """(k, safe limit, sampler of the k-day total) for each jump size, largest first."""
    pmf = np.bincount(pool) / pool.size
    best = pmf.size - 1  # the most items the history ever did in a day
    steps = []
    for k in JUMPS:
        limit = remaining - k * best  # a trial with fewer done cannot arrive within k days
        if limit <= 0 or k * best >= MAX_EXACT:
            continue
        steps.append((k, limit, Sampler(_total_cdf(pmf, k))))
    return steps


def _skip_ahead(
    done: IntArray,
    day: IntArray,
    remaining: int,
    *,
    steps: list[tuple[int, int, Sampler]],
    rng: np.random.Generator,
    max_days: int,
) -> None:
    for k, limit, sampler in steps:
        active = np.flatnonzero((done < limit) & (day + k <= max_days))
        count, days = done[active], day[active]
        latest = int(days.max()) if active.size else 0  # every active trial moves k a turn
        while active.size:
            count += sampler.draw(rng, active.size)
            days += k
            latest += k
            keep = count < limit
            if latest + k > max_days:  # rare: some trial would pass the last day
                keep &= days + k <= max_days
            if not keep.all():
                leave = ~keep
                done[active[leave]], day[active[leave]] = count[leave], days[leave]
                active, count, days = active[keep], count[keep], days[keep]


def _last_days(
    pool: npt.NDArray[np.int32],
    index_type: type[np.unsignedinteger],
    remaining: int,
    *,
    done: IntArray,
    day: IntArray,
    rng: np.random.Generator,
    max_days: int,
) -> IntArray:
    """Simulate day by day from where each trial stands to the day it reaches `remaining`."""
    gap = float(np.mean(remaining - done))
    chunk = int(min(max(math.ceil(gap / float(pool.mean()) * 1.15), MIN_CHUNK_DAYS), max_days))
    block = max(1, BUDGET // chunk)
    days = np.empty(done.size, dtype=np.int64)
    for start in range(0, done.size, block):
        part = slice(start, start + block)
        days[part] = day[part] + _days_block(
            pool, index_type, remaining, carried=done[part], rng=rng, chunk=chunk,
            max_days=max_days,
        )  # fmt: skip
    days[days > max_days] = max_days + 1
    return days


def _days_block(
    pool: npt.NDArray[np.int32],
    index_type: type[np.unsignedinteger],
    remaining: int,
    *,
    carried: IntArray,
    rng: np.random.Generator,
    chunk: int,
    max_days: int,
) -> IntArray:
    days = np.full(carried.size, max_days + 1, dtype=np.int64)
    active = np.arange(carried.size)
    carried = carried.copy()
    elapsed = 0
    while active.size and elapsed < max_days:
        width = min(chunk, max_days - elapsed)
        sums = np.cumsum(_draw(rng, pool, index_type, (active.size, width)), axis=1)
        sums += carried[:, None]
        reached = sums[:, -1] >= remaining
        short = (sums[reached] < remaining).sum(axis=1)
        days[active[reached]] = elapsed + short + 1
        carried = sums[~reached, -1]
        active = active[~reached]
        elapsed += width
        chunk = max(MIN_CHUNK_DAYS, chunk // 4)  # the stragglers need far fewer days
    return days


def counts_over(
    samples: npt.ArrayLike, days: int, *, trials: int, rng: np.random.Generator
) -> IntArray:
    """For each trial, the number of items done over `days` simulated days.

    Each trial's total is drawn from the exact distribution of the sum of `days` resampled
    days (the `days`-fold convolution of the daily distribution): the same distribution as
    adding up `days` draws one by one, at one draw per trial. Histories with huge days
    (a bulk close of thousands of items) are summed day by day instead."""
    pool, index_type = _pool(samples)
    if days <= 0:
        return np.zeros(trials, dtype=np.int64)
    if days * int(pool.max()) < MAX_EXACT:
        cdf = _total_cdf(np.bincount(pool) / pool.size, days)
        return Sampler(cdf).draw(rng, trials)
    result = np.zeros(trials, dtype=np.int64)
    width = min(days, BUDGET)
    block = max(1, BUDGET // width)
    for start in range(0, trials, block):
        stop = min(trials, start + block)
        for first in range(0, days, width):
            drawn = _draw(rng, pool, index_type, (stop - start, min(width, days - first)))
            result[start:stop] += drawn.sum(axis=1, dtype=np.int64)
    return result


def _total_cdf(pmf: FloatArray, days: int) -> FloatArray:
    """The CDF of the total of `days` independent days with this distribution (by FFT)."""
    size = days * (pmf.size - 1) + 1
    fft_size = 1 << (size - 1).bit_length()
    total = np.fft.irfft(np.fft.rfft(pmf, fft_size) ** days, fft_size)[:size]
    cdf = np.cumsum(np.clip(total, 0.0, None))
    cdf /= cdf[-1]
    return cdf


def upper_quantile(values: IntArray, fraction: float) -> int:
    """The smallest value v with at least `fraction` of the values <= v (inverted CDF)."""
    return int(np.quantile(values, fraction, method="inverted_cdf"))


def histogram(values: IntArray, *, max_bins: int = 40) -> list[tuple[int, int, int]]:
    """(low, high, trials) bins of integer values, inclusive bounds, at most `max_bins`."""
    low, high = int(values.min()), int(values.max())
    width = max(1, math.ceil((high - low + 1) / max_bins))
    counts = np.bincount((values - low) // width)
    return [
        (low + i * width, low + (i + 1) * width - 1, int(n)) for i, n in enumerate(counts.tolist())
    ]
