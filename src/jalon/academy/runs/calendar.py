"""The simulated calendar of a run: the dates of each sprint, and the moments the Developers
start and finish each item within it (pure: dates, points and the seed in, dates out).

The calendar ends the day before the run started: sprint k of M runs from
`started − (M−k+1)·L` to `started − (M−k)·L − 1`, L being the sprint's length in calendar
days. Everything a played sprint writes is therefore in the past, whole days the nightly
snapshot would already have taken, and the charts and forecasts that read "up to today"
see it. Work is spread over the sprint's working days in the order the engine did it,
with a jitter drawn from the run's seed and the sprint: a replay gives the same dates.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

WORKING_WEEK = 5
WEEK = 7
PLANNING_HOUR = 9  # Sprint Planning, the morning of the first day; work starts after it
REVIEW_HOUR = 17  # the sprint is closed at the end of its last day
MIN_POINTS = 0.5  # an item without an estimate still takes some time


def sprint_length(working_days: int) -> int:
    """Calendar days of a sprint of `working_days` working days (10 → 14)."""
    weeks, extra = divmod(max(1, working_days), WORKING_WEEK)
    return weeks * WEEK + extra


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


@dataclass(frozen=True)
class Span:
    number: int
    starts_on: date
    ends_on: date  # inclusive

    def days(self) -> list[date]:
        """Every day of the sprint, from the day before it starts (the snapshot that would
        hold the committed scope) to its last day."""
        count = (self.ends_on - self.starts_on).days + 2
        return [self.starts_on + timedelta(days=n - 1) for n in range(count)]

    def working_days(self) -> list[date]:
        return [d for d in self.days()[1:] if d.weekday() < WORKING_WEEK]


def sprint_span(started_on: date, *, sprint: int, sprints: int, length: int) -> Span:
    """Sprint `sprint` (1-based) of `sprints`, in a calendar ending the day before
    `started_on`."""
    starts_on = started_on - timedelta(days=(sprints - sprint + 1) * length)
    return Span(sprint, starts_on, starts_on + timedelta(days=length - 1))


def calendar_start(started_on: date, *, sprints: int, length: int) -> date:
    """The day before the first sprint: when the backlog was there already."""
    return sprint_span(started_on, sprint=1, sprints=sprints, length=length).days()[0]


@dataclass(frozen=True)
class Work:
    """One item worked in the sprint: when it went in progress, and when it was done (None:
    started but unfinished at the end)."""

    key: str
    started: datetime
    done: datetime | None


def _rng(seed: int, sprint: int) -> random.Random:
    return random.Random(f"academy:{seed}:{sprint}")  # noqa: S311 (a simulation, not a secret)


def schedule(
    span: Span,
    *,
    done: Sequence[tuple[str, float | None]],
    partial: tuple[str, float | None] | None,
    seed: int,
) -> list[Work]:
    """When each item was worked: `done` in the order the engine finished them (key,
    points), then the `partial` one it started without finishing. Each done item finishes
    at its share of the work done so far (jittered), never on the first working day (the
    first snapshot of the sprint holds the whole commitment); the next item starts the day
    the previous one finished."""
    rng = _rng(seed, span.number)
    days = span.working_days()
    last = len(days) - 1
    weights = [max(points or 0.0, MIN_POINTS) * rng.uniform(0.7, 1.3) for _k, points in done]
    partly = max((partial[1] or 0.0) if partial else 0.0, MIN_POINTS) * rng.uniform(0.2, 0.8)
    total = sum(weights) + (partly if partial else 0.0)
    total *= 1 + rng.uniform(0.0, 0.15)  # the team rarely finishes exactly at the end
    out, spent, previous = [], 0.0, 0
    for (key, _points), weight in zip(done, weights, strict=True):
        spent += weight
        index = min(last, max(1, math.ceil(spent / total * last)))
        started = at(days[previous], PLANNING_HOUR + 1 + rng.randrange(2))
        out.append(Work(key, started, at(days[index], PLANNING_HOUR + 3 + rng.randrange(5))))
        previous = index
    if partial is not None:
        out.append(Work(partial[0], at(days[previous], PLANNING_HOUR + 1 + rng.randrange(5)), None))
    return out
