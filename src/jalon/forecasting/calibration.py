"""Walk-forward calibration: how often did the 85% forecast hold on this team's own history?

For each origin (a past day), forecast "how many items in the next H days" at 85% using only
the `window` days before the origin, then compare with what was really done in those H days.
The forecast held when the actual count is at least the forecast. Origins are the most recent
ones possible, spaced H days apart so that no two windows check the same days, unless the
history is too short for that; then they are spread evenly and their periods overlap.
Excluded days are left out of both the training and the checked periods.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from jalon.forecasting import montecarlo

ORIGINS = 20
LEVEL = 85
RELIABLE_RATE = 0.65
BACKTEST_TRIALS = 2_000
MIN_TRAINING_DAYS = 10  # days with at least one item done, as for a real forecast


@dataclass(frozen=True, slots=True)
class Window:
    start: date | None  # the origin: the first day checked
    forecast: int  # at least this many, at 85%
    actual: int

    @property
    def held(self) -> bool:
        return self.actual >= self.forecast


@dataclass(frozen=True)
class Calibration:
    horizon: int  # days per window
    windows: tuple[Window, ...]  # oldest first
    level: int = LEVEL

    @property
    def held(self) -> int:
        return sum(1 for w in self.windows if w.held)

    @property
    def hit_rate(self) -> tuple[int, int] | None:
        return (self.held, len(self.windows)) if self.windows else None

    @property
    def reliable(self) -> bool:
        return bool(self.windows) and self.held / len(self.windows) >= RELIABLE_RATE


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


def backtest(
    samples: Sequence[int],
    *,
    window: int,
    horizon: int,
    rng: np.random.Generator,
    dates: Sequence[date] | None = None,
    count: int = ORIGINS,
    trials: int = BACKTEST_TRIALS,
) -> Calibration:
    """Check the 85% "how many in the next `horizon` days" forecast at past origins.

    `samples` are the daily counts of the included days, oldest first; `dates` their days."""
    series = np.asarray(samples, dtype=np.int64)
    with_data = _with_data(samples)
    windows = []
    for o in origins(samples, window=window, horizon=horizon, count=count):
        if with_data[o] - with_data[max(0, o - window)] < MIN_TRAINING_DAYS:
            continue  # too little history before this origin: no forecast was possible
        training = series[max(0, o - window) : o]
        counts = montecarlo.counts_over(training, horizon, trials=trials, rng=rng)
        forecast = montecarlo.upper_quantile(counts, 1 - LEVEL / 100)
        actual = int(series[o : o + horizon].sum())
        windows.append(Window(dates[o] if dates else None, forecast, actual))
    return Calibration(horizon=horizon, windows=tuple(windows))
