"""Walk-forward calibration: how often did the 85% forecast hold on this team's own history,
and how far must the levels be lowered so that it holds as often as it says?

For each origin (a past day), forecast "how many items in the next H days" from the exact
distribution of the simulated total (`montecarlo.total_cdf`), using only the `window` days
before the origin, then compare with what was really done in those H days. The forecast held
when the actual count is at least the forecast. Origins are the most recent ones possible,
spaced H days apart so that no two windows check the same days, unless the history is too
short for that; then they are spread evenly and their periods overlap. Excluded days are
left out of both the training and the checked periods.

Each window also records where the actual count fell in its forecast distribution (its
*position*, P(total <= actual)). A forecast whose history says a 15% risk behaves like a
15% risk has positions below 0.15 in 15% of the windows. When a team's past windows fell
lower more often (its pace changes in ways a resampled window cannot foresee: a freeze, a
reorganisation), the risk is lowered to the 15th percentile of the positions of its last
`PAST_WINDOWS` windows that had ended by then, and the same for every level: the forecast
is recalibrated on the team's own past. Each checked window uses only the windows before it,
as a forecast made that day would have.

The same rank also makes the levels bolder when the team's windows held more often than
promised, but only with evidence: a full `PAST_WINDOWS` windows that do not overlap. With
fewer, or with windows that share days (a short history), the levels are only ever made
more cautious: a forecast that over-promises costs a team more than one a little cautious.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from jalon.forecasting import montecarlo

ORIGINS = 20
LEVEL = 85
RELIABLE_RATE = 0.65
BACKTEST_TRIALS = 2_000  # for histories whose huge days make the exact distribution too long
MIN_TRAINING_DAYS = 10  # days with at least one item done, as for a real forecast
PAST_WINDOWS = 20  # the recalibration learns from this many of the latest ended windows
RECALIBRATE_FROM = 8  # with fewer ended windows, the levels are taken as they are
TINY = 1e-9  # a risk of 0 means the smallest total the window can give, not 0


@dataclass(frozen=True, slots=True)
class Window:
    start: date | None  # the origin: the first day checked
    forecast: int  # at least this many, at 85%
    actual: int
    position: float | None = None  # P(total <= actual) in the forecast's distribution

    @property
    def held(self) -> bool:
        return self.actual >= self.forecast


def lower_tail(positions: Sequence[float], level: int, *, bolder: bool = False) -> float:
    """The quantile of the simulated totals that a `level`% forecast uses: 1 - level/100,
    lowered when enough past windows show it to be too bold. The new risk is the k-th
    smallest past position, k = floor((n + 1) * risk) of n: the split-conformal rank, with
    which a new window holds at least `level`% of the time if the windows are alike. It is
    raised (made `bolder`) only from `PAST_WINDOWS` windows, when the caller allows it."""
    nominal = (100 - level) / 100
    if len(positions) < RECALIBRATE_FROM:
        return nominal
    rank = (len(positions) + 1) * (100 - level) // 100
    if rank < 1:
        return 0.0
    conformal = sorted(positions)[rank - 1]
    if bolder and len(positions) >= PAST_WINDOWS:
        return conformal
    return min(nominal, conformal)


def apart(origins: Sequence[int], horizon: int) -> bool:
    """Whether windows of `horizon` days starting at these sorted origins share no day."""
    return all(b - a >= horizon for a, b in itertools.pairwise(origins))


@dataclass(frozen=True)
class Calibration:
    horizon: int  # days per window
    windows: tuple[Window, ...]  # oldest first
    level: int = LEVEL
    positions: tuple[float, ...] = ()  # of the latest windows, which a forecast today learns from
    # those windows share no day, so they may also make the levels bolder (not for a "when"
    # forecast: its levels are days, and the windows check counts)
    may_be_bolder: bool = False

    @property
    def held(self) -> int:
        return sum(1 for w in self.windows if w.held)

    @property
    def hit_rate(self) -> tuple[int, int] | None:
        return (self.held, len(self.windows)) if self.windows else None

    @property
    def reliable(self) -> bool:
        return bool(self.windows) and self.held / len(self.windows) >= RELIABLE_RATE

    def lower_tail(self, level: int) -> float:
        return lower_tail(self.positions, level, bolder=self.may_be_bolder)

    @property
    def adjusted(self) -> bool:
        """The levels were made more cautious by the past windows."""
        return self.lower_tail(self.level) < (100 - self.level) / 100

    @property
    def bolder(self) -> bool:
        """The levels were made bolder by 20 separate past windows that held more often."""
        return self.lower_tail(self.level) > (100 - self.level) / 100


def _with_data(samples: Sequence[int]) -> npt.NDArray[np.int64]:
    """Cumulative count of days with data: days with data in [a, b) = c[b] - c[a]."""
    return np.concatenate([[0], np.cumsum(np.asarray(samples) > 0)]).astype(np.int64)


def earliest_origin(samples: Sequence[int], *, window: int) -> int | None:
    """The first origin with enough days with data in the `window` days before it."""
    with_data = _with_data(samples)
    origin = np.arange(1, len(samples) + 1)
    enough = with_data[origin] - with_data[np.maximum(0, origin - window)] >= MIN_TRAINING_DAYS
    found = np.flatnonzero(enough)
    return int(origin[found[0]]) if found.size else None


def origins(samples: Sequence[int], *, window: int, horizon: int, count: int) -> list[int]:
    """Indexes of the first day of each checked period, oldest first."""
    latest = len(samples) - horizon
    earliest = earliest_origin(samples, window=window)
    if earliest is None or horizon < 1 or earliest > latest:
        return []
    step = horizon
    if (latest - earliest) // horizon + 1 < count:
        step = max(1, (latest - earliest) // max(1, count - 1))
    chosen = [latest - step * k for k in range(count)]
    return sorted(o for o in chosen if o >= earliest)


def _distribution(
    training: npt.NDArray[np.int64], horizon: int, *, rng: np.random.Generator, trials: int
) -> montecarlo.FloatArray:
    """The CDF of the items done over `horizon` simulated days: exact, or from trials."""
    weeks = montecarlo.Weeks(training)
    if (cdf := montecarlo.total_cdf(weeks, horizon)) is not None:
        return cdf
    counts = montecarlo.counts_over(training, horizon, trials=trials, rng=rng)
    return np.cumsum(np.bincount(counts)) / counts.size


def backtest(
    samples: Sequence[int],
    *,
    window: int,
    horizon: int,
    rng: np.random.Generator,
    dates: Sequence[date] | None = None,
    count: int = ORIGINS,
    trials: int = BACKTEST_TRIALS,
    bolder: bool = True,
) -> Calibration:
    """Check the 85% "how many in the next `horizon` days" forecast at the last `count`
    origins, each recalibrated on the windows before it (up to `PAST_WINDOWS` more origins
    further back are checked for that). With `bolder` false (a "when" forecast), the windows
    may only make the levels more cautious, in the check as in the answer.

    `samples` are the daily counts of the included days, oldest first; `dates` their days."""
    series = np.asarray(samples, dtype=np.int64)
    with_data = _with_data(samples)
    shown = origins(samples, window=window, horizon=horizon, count=count)
    older = [shown[0] - horizon * k for k in range(1, PAST_WINDOWS + 1)] if shown else []
    checked: list[tuple[int, Window]] = []
    for o in sorted({*shown, *(o for o in older if o > 0)}):
        if with_data[o] - with_data[max(0, o - window)] < MIN_TRAINING_DAYS:
            continue  # too little history before this origin: no forecast was possible
        positions, separate = _latest(checked, horizon, until=o)
        risk = lower_tail(positions, LEVEL, bolder=bolder and separate)
        cdf = _distribution(series[max(0, o - window) : o], horizon, rng=rng, trials=trials)
        actual = int(series[o : o + horizon].sum())
        forecast = int(np.searchsorted(cdf, max(risk, TINY), side="left"))
        position = float(cdf[min(actual, cdf.size - 1)])
        checked.append(
            (o + horizon, Window(dates[o] if dates else None, forecast, actual, position))
        )
    windows = tuple(w for (end, w) in checked if end - horizon in shown)
    positions, separate = _latest(checked, horizon, until=None)
    return Calibration(
        horizon=horizon, windows=windows, positions=positions, may_be_bolder=bolder and separate
    )


def _latest(
    checked: Sequence[tuple[int, Window]], horizon: int, *, until: int | None
) -> tuple[tuple[float, ...], bool]:
    """The positions of the last `PAST_WINDOWS` windows ended by `until` (all if None), and
    whether those windows share no day."""
    ended = [
        (end - horizon, w.position)
        for end, w in checked
        if w.position is not None and (until is None or end <= until)
    ][-PAST_WINDOWS:]
    positions = tuple(p for _start, p in ended if p is not None)
    return positions, apart([start for start, _p in ended], horizon)
