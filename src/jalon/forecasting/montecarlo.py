"""Vectorised Monte Carlo by resampling whole weeks of the throughput history (a moving-block
bootstrap), in pure numpy.

The history is cut into every run of `BLOCK_DAYS` consecutive days (days 1-7, 2-8, 3-9 ...),
and a simulated future is a sequence of such weeks drawn at random, with replacement, each
keeping its days in their order. Drawing weeks rather than single days keeps what a daily
draw loses: busy days come together (a release, a freeze, a holiday), so the total of a few
weeks varies as much as the team's real weeks do, where independent days would average out
and give over-confident forecasts. `days_until` adds weeks until the goal is reached, then
finds the day within the last week; `counts_over` sums the weeks of a fixed number of days
(a last partial week counts the first days of a drawn week). Both work in blocks, so that a
million trials never hold more than about `BUDGET` numbers in memory at once.

Two exact shortcuts keep a million trials within a couple of seconds: the total of w drawn
weeks has a known distribution, the w-fold convolution of the weekly one (computed by FFT),
so a trial far from its goal jumps w weeks with one draw from it, and "how many in H days"
draws each trial's total at once. Both give the same distribution as drawing every week
(the unit tests compare them with exact distributions). Draws come from a seeded numpy
Generator, so a seed always gives the same result.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

BLOCK_DAYS = 7  # days per drawn block: a week keeps the weekly rhythm and busy stretches
BUDGET = 2_000_000  # numbers held per block (trials x weeks); about 16 MB at most
MIN_CHUNK_WEEKS = 3
TRIAL_BLOCK = 1 << 18
JUMPS = (64, 32, 16, 8, 4, 2)  # weeks per jump far from the goal
STEPS_BEFORE_SEARCH = 2  # one-index steps before the few remaining draws get a binary search
MAX_EXACT = 1 << 22  # largest total whose distribution is computed (beyond: week by week)
ROUNDING = 1e-13  # probabilities below this, out of an FFT, are rounding noise


class Weeks:
    """Every run of `BLOCK_DAYS` consecutive days of a history (fewer for a shorter one)."""

    def __init__(self, samples: npt.ArrayLike) -> None:
        pool = np.asarray(samples, dtype=np.int64)
        if pool.ndim != 1 or pool.size == 0:
            raise ValueError("the history must be a non-empty list of daily counts")
        if (pool < 0).any():
            raise ValueError("daily counts cannot be negative")
        self.k = min(BLOCK_DAYS, pool.size)  # days per week drawn
        self.sums = np.lib.stride_tricks.sliding_window_view(pool, self.k).cumsum(axis=1)
        self.totals = np.ascontiguousarray(self.sums[:, -1])
        self.count = self.totals.size
        self.index_type: type[np.unsignedinteger] = np.uint16 if self.count <= 65_535 else np.uint32

    def pick(self, rng: np.random.Generator, shape: tuple[int, int]) -> npt.NDArray[np.intp]:
        return rng.integers(0, self.count, size=shape, dtype=self.index_type).astype(np.intp)

    def pmf(self, days: int | None = None) -> FloatArray:
        """Distribution of the total of a drawn week's first `days` days (all by default)."""
        totals = self.totals if days is None else self.sums[:, days - 1]
        return np.bincount(totals) / self.count

    def largest(self, days: int) -> int:
        """The most items `days` simulated days can hold (the history's best weeks)."""
        weeks, rest = divmod(days, self.k)
        return weeks * int(self.totals.max()) + (int(self.sums[:, rest - 1].max()) if rest else 0)


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

    Far from the goal, a trial jumps w weeks at once, drawing their total from its exact
    distribution (the w-fold convolution of the weekly one): that is only done while even w
    of the history's best weeks cannot reach the goal, so the week of arrival is always drawn
    on its own, and the result has the same distribution as drawing every week."""
    weeks = Weeks(samples)
    result = np.full(trials, max_days + 1, dtype=np.int64)
    if remaining <= 0:
        return np.zeros(trials, dtype=np.int64)
    if not weeks.totals.any():
        return result
    steps = _steps(weeks, remaining)
    for start in range(0, trials, TRIAL_BLOCK):
        size = min(trials, start + TRIAL_BLOCK) - start
        done = np.zeros(size, dtype=np.int64)
        day = np.zeros(size, dtype=np.int64)
        _skip_ahead(done, day, remaining, steps=steps, rng=rng, max_days=max_days)
        result[start : start + size] = _last_days(
            weeks, remaining, done=done, day=day, rng=rng, max_days=max_days
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


def _steps(weeks: Weeks, remaining: int) -> list[tuple[int, int, Sampler]]:
    """(days per jump, safe limit, sampler of the jump's total) for each jump, largest first."""
    pmf = weeks.pmf()
    best = pmf.size - 1  # the most items the history ever did in a week
    steps = []
    for w in JUMPS:
        limit = remaining - w * best  # a trial with fewer done cannot arrive within w weeks
        if limit <= 0 or w * best >= MAX_EXACT:
            continue
        steps.append((w * weeks.k, limit, Sampler(_total_cdf(pmf, w))))
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
    weeks: Weeks,
    remaining: int,
    *,
    done: IntArray,
    day: IntArray,
    rng: np.random.Generator,
    max_days: int,
) -> IntArray:
    """Draw week by week from where each trial stands to the day it reaches `remaining`."""
    gap = float(np.mean(remaining - done))
    chunk = math.ceil(gap / float(weeks.totals.mean()) * 1.15)
    chunk = int(min(max(chunk, MIN_CHUNK_WEEKS), math.ceil(max_days / weeks.k)))
    block = max(1, BUDGET // chunk)
    days = np.empty(done.size, dtype=np.int64)
    for start in range(0, done.size, block):
        part = slice(start, start + block)
        days[part] = day[part] + _days_block(
            weeks, remaining, carried=done[part], rng=rng, chunk=chunk, max_days=max_days
        )
    days[days > max_days] = max_days + 1
    return days


def _days_block(
    weeks: Weeks,
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
        width = min(chunk, math.ceil((max_days - elapsed) / weeks.k))
        picks = weeks.pick(rng, (active.size, width))
        sums = np.cumsum(weeks.totals[picks], axis=1) + carried[:, None]
        reached = sums[:, -1] >= remaining
        if (rows := np.flatnonzero(reached)).size:
            before = (sums[rows] < remaining).sum(axis=1)  # whole weeks before the arrival
            start = np.where(before > 0, sums[rows, before - 1], carried[rows])
            within = weeks.sums[picks[rows, before]] + start[:, None]
            days[active[rows]] = elapsed + before * weeks.k + (within < remaining).sum(axis=1) + 1
        carried = sums[~reached, -1]
        active = active[~reached]
        elapsed += width * weeks.k
        chunk = max(MIN_CHUNK_WEEKS, chunk // 4)  # the stragglers need far fewer weeks
    return days


def counts_over(
    samples: npt.ArrayLike, days: int, *, trials: int, rng: np.random.Generator
) -> IntArray:
    """For each trial, the number of items done over `days` simulated days.

    Each trial's total is drawn from the exact distribution of the total of `days` simulated
    days (whole weeks, then the first days of one more): the same distribution as drawing
    every week, at one draw per trial. Histories with huge days (a bulk close of thousands
    of items) are summed week by week instead."""
    weeks = Weeks(samples)
    if days <= 0:
        return np.zeros(trials, dtype=np.int64)
    if (cdf := total_cdf(weeks, days)) is not None:
        return Sampler(cdf).draw(rng, trials)
    whole, rest = divmod(days, weeks.k)
    result = np.zeros(trials, dtype=np.int64)
    block = max(1, BUDGET // max(1, whole))
    for start in range(0, trials, block):
        size = min(trials, start + block) - start
        total = weeks.totals[weeks.pick(rng, (size, whole))].sum(axis=1)
        if rest:
            total += weeks.sums[weeks.pick(rng, (size, 1))[:, 0], rest - 1]
        result[start : start + size] = total
    return result


def total_cdf(weeks: Weeks, days: int) -> FloatArray | None:
    """The exact CDF of the items done over `days` simulated days, or None when the history's
    huge days make it too long to compute."""
    if weeks.largest(days) >= MAX_EXACT:
        return None
    whole, rest = divmod(days, weeks.k)
    return _total_cdf(weeks.pmf(), whole, head=weeks.pmf(rest) if rest else None)


def _total_cdf(pmf: FloatArray, count: int, *, head: FloatArray | None = None) -> FloatArray:
    """The CDF of the total of `count` independent draws from `pmf`, plus one from `head`
    when given (by FFT)."""
    size = count * (pmf.size - 1) + (head.size if head is not None else 1)
    fft_size = 1 << (size - 1).bit_length()
    spectrum = np.fft.rfft(pmf, fft_size) ** count
    if head is not None:
        spectrum *= np.fft.rfft(head, fft_size)
    total = np.fft.irfft(spectrum, fft_size)[:size]
    cdf = np.cumsum(np.where(total > ROUNDING, total, 0.0))  # FFT noise is not a chance
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
