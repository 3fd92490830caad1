"""Pure forecasting rules: throughput history, "when" and "how many" Monte Carlo forecasts,
and their calibration on the same history. Randomness comes in as a numpy Generator.

Decisions worth knowing:
- History is the count of items done per calendar day (UTC), over a window that ends
  yesterday. Days with nothing done are real zeros. Excluded days (holidays, incidents) are
  left out of the days that the simulation resamples (the days around them join up). The
  simulation draws whole weeks (7 days in a row) of the history, so weekends and busy or
  quiet stretches come as they did: see `montecarlo`.
- The levels are recalibrated on the team's own past windows (`calibration.lower_tail`):
  when its 85% forecast held less often than that, every level is made more cautious; when
  20 windows that share no day held more often, a "how many" forecast is made bolder (a
  "when" forecast never is: its windows check counts, not dates).
- Simulated day 1 is today. "When" gives the day on which the N-th item is done, so a team
  that finishes exactly 2 a day finishes 10 items on day 5, `today + 4 days`. "How many by
  D" simulates every day from today to D inclusive.
- Percentiles: for "when", P85 is the smallest number of days by which at least 85% of the
  trials are done. For "how many", the answer at 85% confidence is the 15th percentile of the
  counts (inverted CDF), so at least 85% of the trials do at least that many.
- The history starts on the first day anything was done: the empty days before it are the
  time before the team (or its use of Jalon) started, not its pace.
- Too little history (fewer than `MIN_DAYS_WITH_DATA` days with at least one item done in
  the window) gives an explanation instead of numbers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from dataclasses import replace as _replace
from datetime import date, timedelta

import numpy as np

from jalon.errors import N_, Invalid, Message
from jalon.forecasting import montecarlo
from jalon.forecasting.calibration import Calibration, backtest

__all__ = [
    "DEFAULT_TRIALS",
    "DEFAULT_WINDOW",
    "LEVELS",
    "Bin",
    "Calibration",
    "DayCount",
    "History",
    "HowManyForecast",
    "WhenForecast",
    "build_history",
    "check_options",
    "forecast_how_many",
    "forecast_when",
]

LEVELS = (50, 70, 85, 95)
DEFAULT_TRIALS = 10_000
MIN_TRIALS, MAX_TRIALS = 100, 1_000_000
DEFAULT_WINDOW = 84  # 12 weeks
MIN_WINDOW, MAX_WINDOW = 14, 730
MIN_DAYS_WITH_DATA = 10
MAX_DAYS = 3650  # ten years: beyond that a forecast means nothing
MAX_ITEMS = 1_000_000
MAX_SEED = 2**63 - 1  # a seed is any whole number from 0 to this
TOO_LITTLE = N_(
    "Not enough history to forecast: {days} days with at least one item done in the last "
    "{window} days, and a forecast needs at least {needed}. Finish a few more items, or "
    "widen the window."
)
TOO_FAR = N_(
    "At the pace of this history, some trials need more than ten years: no honest date can "
    "be given. Check the window and the excluded days."
)


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    count: int
    excluded: bool = False


@dataclass(frozen=True)
class History:
    """Every calendar day from `start` to `end` inclusive, with its count of done items."""

    start: date
    end: date
    days: tuple[DayCount, ...]

    @property
    def included(self) -> list[DayCount]:
        return [d for d in self.days if not d.excluded]

    @property
    def samples(self) -> list[int]:
        return [d.count for d in self.days if not d.excluded]

    @property
    def days_with_data(self) -> int:
        return sum(1 for d in self.days if d.count > 0 and not d.excluded)

    @property
    def total(self) -> int:
        return sum(d.count for d in self.days if not d.excluded)

    @property
    def excluded(self) -> int:
        return sum(1 for d in self.days if d.excluded)

    @property
    def mean(self) -> float:
        samples = self.samples
        return sum(samples) / len(samples) if samples else 0.0

    def last(self, window: int) -> History:
        return self._from(max(0, len(self.days) - window))

    def since_first_done(self) -> History:
        """From the first day something was done: the days before are not the team's pace
        but the time before it (or before Jalon) existed."""
        first = next(
            (i for i, d in enumerate(self.days) if d.count > 0 and not d.excluded),
            len(self.days),
        )
        return self._from(first)

    def _from(self, index: int) -> History:
        days = self.days[index:]
        start = days[0].day if days else self.end + timedelta(days=1)
        return History(start=start, end=self.end, days=days)


def build_history(
    done_dates: Iterable[date], *, start: date, end: date, excluded: Collection[date] = ()
) -> History:
    """Count done items per day from `start` to `end` inclusive; days outside are ignored."""
    per_day = Counter(d for d in done_dates if start <= d <= end)
    skip = set(excluded)
    span = (end - start).days + 1
    days = tuple(
        DayCount(day, per_day.get(day, 0), day in skip)
        for day in (start + timedelta(days=i) for i in range(max(span, 0)))
    )
    return History(start=start, end=end, days=days)


def check_options(*, trials: int, window: int) -> None:
    """Invalid, with one message per field, unless trials and window are in bounds."""
    if problems := option_problems(trials=trials, window=window):
        raise Invalid(N_("Some fields need your attention."), fields=problems)


def option_problems(*, trials: int, window: int) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not MIN_TRIALS <= trials <= MAX_TRIALS:
        problems["trials"] = Message(
            N_("Use between {low} and {high} trials."), low=MIN_TRIALS, high=MAX_TRIALS
        )
    if not MIN_WINDOW <= window <= MAX_WINDOW:
        problems["window"] = Message(
            N_("Use a window of {low} to {high} days."), low=MIN_WINDOW, high=MAX_WINDOW
        )
    return problems


MODES = ("when", "how_many")


@dataclass(frozen=True)
class Request:
    """What a person asks: "when" for N items, a list of items or an epic; or "how many"
    by a date."""

    mode: str = "when"
    count: int | None = None
    item_ids: tuple[int, ...] = ()
    epic_id: int | None = None
    target: date | None = None
    trials: int = DEFAULT_TRIALS
    seed: int | None = None
    window: int = DEFAULT_WINDOW


def check_request(request: Request, *, today: date) -> None:
    """Invalid with a message per field, unless the request can be answered."""
    problems = option_problems(trials=request.trials, window=request.window)
    if request.seed is not None and not 0 <= request.seed <= MAX_SEED:
        problems["seed"] = Message(N_("Use a seed from 0 to {high}."), high=MAX_SEED)
    if request.mode == "when":
        problems.update(_scope_problems(request))
    elif request.mode == "how_many":
        if request.target is None:
            problems["date"] = Message(N_("Choose the date to forecast for."))
        elif request.target < today:
            problems["date"] = Message(N_("Choose today or a later date."))
        elif (request.target - today).days + 1 > MAX_DAYS:
            problems["date"] = Message(N_("Choose a date within ten years."))
    else:
        problems["mode"] = Message(N_("Choose “when” or “how many”."))
    if problems:
        raise Invalid(N_("Some fields need your attention."), fields=problems)


def _scope_problems(request: Request) -> dict[str, str]:
    given = sum(1 for x in (request.count, request.item_ids or None, request.epic_id) if x)
    if request.count is not None and not 1 <= request.count <= MAX_ITEMS:
        return {"items": Message(N_("Forecast at least one item."))}
    if given == 0:
        return {"items": Message(N_("Say how many items, which items, or which epic."))}
    if given > 1:
        return {"items": Message(N_("Give a number of items, a list of items or an epic, "
                                    "not several."))}  # fmt: skip
    return {}


@dataclass(frozen=True, slots=True)
class Bin:
    low: int  # days (when) or items (how many), inclusive
    high: int
    trials: int


@dataclass(frozen=True)
class WhenForecast:
    remaining: int
    today: date
    trials: int
    history: History  # the window the forecast resampled
    percentiles: dict[int, date] | None  # 50, 70, 85, 95 -> the day the work is done
    days: dict[int, int] | None  # the same in days from today (1 = today)
    histogram: tuple[Bin, ...]  # trials per number of days
    explanation: str | None  # why there are no numbers (a Message)
    calibration: Calibration | None

    @property
    def hit_rate(self) -> tuple[int, int] | None:
        return self.calibration.hit_rate if self.calibration else None

    @property
    def reliable(self) -> bool:
        return self.calibration is not None and self.calibration.reliable


@dataclass(frozen=True)
class HowManyForecast:
    target: date
    today: date
    horizon: int  # days simulated, today to target inclusive
    trials: int
    history: History
    percentiles: dict[int, int] | None  # confidence -> at least this many items done
    histogram: tuple[Bin, ...]
    explanation: str | None
    calibration: Calibration | None

    @property
    def hit_rate(self) -> tuple[int, int] | None:
        return self.calibration.hit_rate if self.calibration else None

    @property
    def reliable(self) -> bool:
        return self.calibration is not None and self.calibration.reliable


def _too_little(recent: History, window: int) -> str | None:
    if recent.days_with_data >= MIN_DAYS_WITH_DATA:
        return None
    return Message(TOO_LITTLE, days=recent.days_with_data, window=window, needed=MIN_DAYS_WITH_DATA)


def _calibrate(
    history: History,
    *,
    window: int,
    horizon: int,
    rng: np.random.Generator,
    bolder: bool = True,
) -> Calibration:
    days = history.included
    return backtest(
        [d.count for d in days],
        dates=[d.day for d in days],
        window=window,
        horizon=horizon,
        rng=rng,
        bolder=bolder,
    )


def _bins(values: montecarlo.IntArray) -> tuple[Bin, ...]:
    return tuple(Bin(*b) for b in montecarlo.histogram(values))


def forecast_when(
    history: History,
    remaining: int,
    *,
    today: date,
    window: int = DEFAULT_WINDOW,
    trials: int = DEFAULT_TRIALS,
    rng: np.random.Generator,
) -> WhenForecast:
    """When will `remaining` items be done? `history` may reach back before the window:
    the older days serve the calibration only."""
    check_options(trials=trials, window=window)
    if not 1 <= remaining <= MAX_ITEMS:
        raise Invalid(N_("Forecast at least one item."), field="items")
    history = history.since_first_done()
    recent = history.last(window)
    empty = WhenForecast(remaining, today, trials, recent, None, None, (), None, None)
    if (why := _too_little(recent, window)) is not None:
        return _replace(empty, explanation=why)
    sim, check = rng.spawn(2)
    days = montecarlo.days_until(
        recent.samples, remaining, trials=trials, rng=sim, max_days=MAX_DAYS
    )
    if montecarlo.upper_quantile(days, 0.95) > MAX_DAYS:
        return _replace(empty, explanation=Message(TOO_FAR))
    horizon = montecarlo.upper_quantile(days, 0.85)
    # its windows check counts; turned into days, only the cautious side is safe to follow
    calibration = _calibrate(history, window=window, horizon=horizon, rng=check, bolder=False)
    levels = {p: montecarlo.upper_quantile(days, 1 - calibration.lower_tail(p)) for p in LEVELS}
    if levels[95] > MAX_DAYS:
        return _replace(empty, explanation=Message(TOO_FAR))
    return _replace(
        empty,
        percentiles={p: today + timedelta(days=d - 1) for p, d in levels.items()},
        days=levels,
        histogram=_bins(days),
        calibration=calibration,
    )


def forecast_how_many(
    history: History,
    target: date,
    *,
    today: date,
    window: int = DEFAULT_WINDOW,
    trials: int = DEFAULT_TRIALS,
    rng: np.random.Generator,
) -> HowManyForecast:
    """How many items will be done from today to `target` inclusive?"""
    check_options(trials=trials, window=window)
    if target < today:
        raise Invalid(N_("Choose today or a later date."), field="date")
    horizon = (target - today).days + 1
    if horizon > MAX_DAYS:
        raise Invalid(N_("Choose a date within ten years."), field="date")
    history = history.since_first_done()
    recent = history.last(window)
    empty = HowManyForecast(target, today, horizon, trials, recent, None, (), None, None)
    if (why := _too_little(recent, window)) is not None:
        return _replace(empty, explanation=why)
    sim, check = rng.spawn(2)
    counts = montecarlo.counts_over(recent.samples, horizon, trials=trials, rng=sim)
    calibration = _calibrate(history, window=window, horizon=horizon, rng=check)
    levels = {p: montecarlo.upper_quantile(counts, calibration.lower_tail(p)) for p in LEVELS}
    return _replace(empty, percentiles=levels, histogram=_bins(counts), calibration=calibration)


# --- excluded days ----------------------------------------------------------------------------

MAX_EXCLUDED_SPAN = 92  # days excluded at once: a quarter at most
MAX_REASON = 200


def check_exclusion(*, first: date, last: date | None, reason: str) -> list[date]:
    """The days from `first` to `last` inclusive (one day when `last` is None), or Invalid."""
    last = last or first
    problems: dict[str, str] = {}
    if last < first:
        problems["last"] = Message(N_("The last day cannot be before the first."))
    elif (last - first).days + 1 > MAX_EXCLUDED_SPAN:
        problems["last"] = Message(N_("Exclude at most {n} days at once."), n=MAX_EXCLUDED_SPAN)
    if len(reason.strip()) > MAX_REASON:
        problems["reason"] = Message(N_("Use at most {n} characters."), n=MAX_REASON)
    if problems:
        raise Invalid(N_("Some fields need your attention."), fields=problems)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
