"""Pure history rules: what changed since the last snapshot, cycle times, percentiles, and
the per-day figures of burndown, burnup, cumulative flow, throughput and velocity.

Days are `date`s; "today" is always passed in.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from jalon.errors import Invalid

# An item's tracked state: status, estimate, sprint id, parent id, type.
State = tuple[str, float | None, int | None, int | None, str]
# Per day and status: (items, points).
Tally = dict[str, tuple[int, float]]
PERCENTILES = (50, 85, 95)
MAX_RANGE_DAYS = 366 * 3


@dataclass(frozen=True, slots=True)
class Change:
    item_id: int
    state: State
    removed: bool
    before: State | None  # None: no row yet, or the latest row says removed
    doing_since: date | None = None  # the first day of the run in progress, as of `before`


def doing_since(change: Change, categories: Mapping[str, str], day: date) -> date | None:
    """The first day of the item's current run in a doing status after this change: kept
    while it stays in progress, `day` when it enters, none once it leaves."""
    if change.removed or categories.get(change.state[0]) != "doing":
        return None
    was_doing = change.before is not None and categories.get(change.before[0]) == "doing"
    return (change.doing_since or day) if was_doing else day


def started_on(change: Change, categories: Mapping[str, str], done_on: date) -> date:
    """When an item that reaches done started: the first day of the run in progress it
    comes from; an item never seen in progress by a snapshot started on its done day."""
    was_doing = change.before is not None and categories.get(change.before[0]) == "doing"
    return min(change.doing_since or done_on, done_on) if was_doing else done_on


def vanished(previous_items: int, appearing: int, current_items: int) -> bool:
    """Whether some items of the last snapshot are gone: items now = items then + items that
    appeared (new, or back after removal) − items gone. Exact, so the costly search for the
    gone ones runs only when one is."""
    return previous_items + appearing > current_items


def cycle_days(started_on: date, done_on: date) -> int:
    """Calendar days from start to done, both counted: done the day it started is 1 day."""
    return (done_on - started_on).days + 1


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least p% of values ≤ it."""
    if not values:
        return None
    if not 0 < p <= 100:
        raise ValueError("a percentile is between 0 (excluded) and 100")
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def percentiles(values: Sequence[float]) -> dict[int, float]:
    return {p: v for p in PERCENTILES if (v := percentile(values, p)) is not None}


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(n) for n in range((end - start).days + 1)]


def carry_forward(by_day: Mapping[date, Tally], start: date, end: date) -> dict[date, Tally]:
    """A tally for every day of [start, end]: a day without a snapshot keeps the state of the
    latest earlier one (the state on a day is the latest snapshot on or before it). Days
    before the first snapshot are left out."""
    out: dict[date, Tally] = {}
    last: Tally | None = None
    earlier = [d for d in by_day if d < start]
    if earlier:
        last = by_day[max(earlier)]
    for day in days(start, end):
        last = by_day.get(day, last)
        if last is not None:
            out[day] = last
    return out


@dataclass(frozen=True, slots=True)
class SprintDay:
    day: date
    scope_points: float
    done_points: float
    scope_items: int
    done_items: int

    @property
    def remaining_points(self) -> float:
        return self.scope_points - self.done_points

    @property
    def remaining_items(self) -> int:
        return self.scope_items - self.done_items


def sprint_days(by_day: Mapping[date, Tally], categories: Mapping[str, str]) -> list[SprintDay]:
    """Scope (every item in the sprint but rejected ones) and done, per day."""
    out = []
    for day in sorted(by_day):
        scope_n, scope_p, done_n, done_p = 0, 0.0, 0, 0.0
        for status, (n, points) in by_day[day].items():
            category = categories.get(status, "todo")
            if category == "rejected":
                continue
            scope_n, scope_p = scope_n + n, scope_p + points
            if category == "done":
                done_n, done_p = done_n + n, done_p + points
        out.append(SprintDay(day, scope_p, done_p, scope_n, done_n))
    return out


def scope_changes(series: Sequence[SprintDay], *, points: bool) -> list[tuple[date, float]]:
    """Days the scope changed from the day before, with the change (+ added, − removed)."""
    out = []
    for before, after in itertools.pairwise(series):
        delta = (
            after.scope_points - before.scope_points
            if points
            else float(after.scope_items - before.scope_items)
        )
        if abs(delta) > 1e-9:
            out.append((after.day, delta))
    return out


def ideal_line(start: date, end: date, scope: float) -> list[tuple[date, float]]:
    return [(start, scope), (end, 0.0)]


@dataclass(frozen=True, slots=True)
class Spread:
    mean: float
    low: float
    high: float


def spread(values: Sequence[float]) -> Spread | None:
    if not values:
        return None
    return Spread(sum(values) / len(values), min(values), max(values))


def week_start(day: date) -> date:
    return day - timedelta(day.weekday())


def throughput(
    done_days: Iterable[date], start: date, end: date, *, weekly: bool
) -> list[tuple[date, int]]:
    """Items done per day (or per week, weeks starting on Monday), zeros included."""
    counts: dict[date, int] = {}
    for day in done_days:
        key = week_start(day) if weekly else day
        counts[key] = counts.get(key, 0) + 1
    keys = days(week_start(start), week_start(end))[::7] if weekly else days(start, end)
    return [(key, counts.get(key, 0)) for key in keys]


def check_range(start: date, end: date, *, today: date) -> None:
    if end < start:
        raise Invalid("The end date must not be before the start date.", field="end")
    if (end - start).days > MAX_RANGE_DAYS:
        raise Invalid("Choose a range of at most three years.", field="start")
    if start > today:
        raise Invalid("The start date must not be in the future.", field="start")


def check_snapshot_day(day: date, *, today: date, latest: date | None) -> None:
    if day > today:
        raise Invalid("A snapshot cannot be taken for a day in the future.", field="date")
    if latest is not None and day < latest:
        raise Invalid(
            "A snapshot for {latest} exists already; history is only ever added to, so an "
            "earlier day cannot be taken now.",
            field="date",
            latest=latest.isoformat(),
        )
