"""Pure sprint rules: dates and overlaps, capacity, commitment against history, WIP limits.

Values in, values out: no database, no clock (today is passed in where it matters).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from jalon.errors import N_, Conflict, Invalid, Label


class State(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    CLOSED = "closed"


class Unit(StrEnum):
    POINTS = "points"
    ITEMS = "items"


STATE_LABELS = {
    State.PLANNED: N_("Planned"),
    State.ACTIVE: N_("Active"),
    State.CLOSED: N_("Closed"),
}
UNIT_LABELS = {Unit.POINTS: N_("Story points"), Unit.ITEMS: N_("Item count")}
OUTCOME_LABELS = {
    "done": N_("Done"),
    "removed": N_("Removed"),
    "backlog": N_("Back to the backlog"),
    "next_sprint": N_("Moved to the next sprint"),
}
SPILL_CHOICES = ("backlog", "next")
DEFAULT_LENGTH = 14
MAX_LENGTH = 60
MAX_NAME = 100
MAX_GOAL = 2000
HISTORY_SPRINTS = 3


# --- names, dates and overlaps ------------------------------------------------------------


def check_name(raw: str, *, field: str = "name") -> str:
    name = (raw or "").strip()
    if not name:
        raise Invalid("Give it a name.", field=field)
    if len(name) > MAX_NAME:
        raise Invalid("Use at most {n} characters.", field=field, n=MAX_NAME)
    return name


def check_goal(raw: str) -> str:
    goal = (raw or "").strip()
    if len(goal) > MAX_GOAL:
        raise Invalid("Use at most {n} characters.", field="goal", n=MAX_GOAL)
    return goal


def check_length(raw: object) -> int:
    try:
        length = int(str(raw).strip())
    except ValueError:
        raise Invalid("Write a whole number of days, like 14.", field="length_days") from None
    if not 1 <= length <= MAX_LENGTH:
        raise Invalid("A sprint lasts 1 to {n} days.", field="length_days", n=MAX_LENGTH)
    return length


def parse_unit(raw: str) -> Unit:
    try:
        return Unit(str(raw).strip())
    except ValueError:
        raise Invalid("Count capacity in points or in items.", field="capacity_unit") from None


def default_end(starts_on: date, length_days: int) -> date:
    """The last day (inclusive) of a sprint of `length_days` days starting on `starts_on`."""
    return starts_on + timedelta(days=length_days - 1)


def check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise Invalid(
            "The sprint ends ({end}) before it starts ({start}).",
            field="ends_on",
            end=ends_on.isoformat(),
            start=starts_on.isoformat(),
        )
    if (ends_on - starts_on).days + 1 > MAX_LENGTH:
        raise Invalid("A sprint lasts at most {n} days.", field="ends_on", n=MAX_LENGTH)


@dataclass(frozen=True)
class Span:
    """Another sprint of the same team, as far as overlaps are concerned."""

    id: int
    name: str
    starts_on: date
    ends_on: date


def overlapping(starts_on: date, ends_on: date, others: Iterable[Span]) -> Span | None:
    """The first other sprint sharing at least one day with [starts_on, ends_on]."""
    for other in sorted(others, key=lambda s: (s.starts_on, s.id)):
        if other.starts_on <= ends_on and starts_on <= other.ends_on:
            return other
    return None


def check_no_overlap(starts_on: date, ends_on: date, others: Iterable[Span]) -> None:
    found = overlapping(starts_on, ends_on, others)
    if found is not None:
        raise Invalid(
            "These dates overlap the sprint {name} ({start} to {end}) of the same team.",
            field="starts_on",
            name=found.name,
            start=found.starts_on.isoformat(),
            end=found.ends_on.isoformat(),
        )


def next_name(name: str) -> str:
    """ "Sprint 7" → "Sprint 8"; a name without a number gets " 2"."""
    match = re.search(r"(\d+)\s*$", name)
    if match is None:
        return f"{name} 2"[:MAX_NAME]
    return f"{name[: match.start(1)]}{int(match.group(1)) + 1}"[:MAX_NAME]


# --- life cycle -----------------------------------------------------------------------------


def _state_label(state: str) -> Label:
    return Label(state, STATE_LABELS.get(state, state))  # type: ignore[call-overload]


def check_open(state: str) -> None:
    if state == State.CLOSED:
        raise Conflict("This sprint is closed; its content no longer changes.")


def check_can_start(state: str, goal: str, *, active_name: str | None) -> None:
    """A planned sprint with a Sprint Goal, and no other active sprint in the team."""
    if state != State.PLANNED:
        raise Conflict(
            "Only a planned sprint can start; this one is {state}.", state=_state_label(state)
        )
    if not goal.strip():
        raise Invalid(
            "Write the Sprint Goal before starting the sprint: it says why the sprint is "
            "worth doing.",
            field="goal",
        )
    if active_name is not None:
        raise Conflict(
            "The team's sprint {name} is still active; close it before starting another.",
            name=active_name,
        )


def check_can_close(state: str) -> None:
    if state != State.ACTIVE:
        raise Conflict(
            "Only an active sprint can close; this one is {state}.", state=_state_label(state)
        )


def parse_spill(raw: str, *, field: str = "unfinished") -> str:
    choice = str(raw or "").strip()
    if choice not in SPILL_CHOICES:
        raise Invalid("Choose backlog or next for the unfinished items.", field=field)
    return choice


# --- team members, availability, capacity ------------------------------------------------


def check_focus(raw: object) -> float:
    try:
        focus = float(str(raw).strip().replace(",", "."))
    except ValueError:
        raise Invalid("Write a number, like 0.8.", field="focus_factor") from None
    if not 0 < focus <= 1:
        raise Invalid(
            "The focus factor is above 0 and at most 1 (1 = the whole day).", field="focus_factor"
        )
    return focus


def check_days_off(raw: object, working_days: int, *, field: str = "days_off") -> float:
    text = str(raw if raw is not None else "").strip().replace(",", ".")
    if not text:
        return 0.0
    try:
        days = float(text)
    except ValueError:
        raise Invalid("Write a number of days, like 2 or 0.5.", field=field) from None
    if not 0 <= days <= working_days:
        raise Invalid(
            "Between 0 and the {n} working days of the sprint.", field=field, n=working_days
        )
    return days


def working_days(starts_on: date, ends_on: date) -> int:
    """Monday to Friday days from starts_on to ends_on, both included."""
    if ends_on < starts_on:
        return 0
    total = (ends_on - starts_on).days + 1
    weeks, rest = divmod(total, 7)
    extra = sum(1 for i in range(rest) if (starts_on.weekday() + i) % 7 < 5)
    return weeks * 5 + extra


@dataclass(frozen=True)
class Member:
    focus: float
    days_off: float = 0.0


def person_days(members: Iterable[Member], days: int) -> float:
    """Σ (working days − days off) × focus factor."""
    return sum(max(0.0, days - m.days_off) * m.focus for m in members)


@dataclass(frozen=True)
class Past:
    """A closed sprint of the team: what it finished, and the person-days it had."""

    done: float
    person_days: float


def rate(history: Sequence[Past]) -> float | None:
    """What the team finishes per person-day (points or items); None without history."""
    total_days = sum(p.person_days for p in history)
    if not history or total_days <= 0:
        return None
    return sum(p.done for p in history) / total_days


@dataclass(frozen=True)
class Usual:
    mean: float
    low: float
    high: float
    sprints: int


def usual_done(done: Sequence[float]) -> Usual | None:
    """Mean and range of what the last closed sprints finished; None without any."""
    if not done:
        return None
    return Usual(sum(done) / len(done), min(done), max(done), len(done))


@dataclass(frozen=True)
class Capacity:
    person_days: float
    expected: float | None  # in the capacity unit, when the team has history
    commitment: float
    usual: Usual | None

    @property
    def over_usual(self) -> bool:
        """The commitment is above what the team usually finishes."""
        return self.usual is not None and self.commitment > self.usual.mean

    @property
    def over_capacity(self) -> bool:
        return self.expected is not None and self.commitment > self.expected

    @property
    def percent(self) -> int:
        """How full the bar is: the commitment against capacity (or the usual), capped at 100."""
        limit = self.expected if self.expected else (self.usual.mean if self.usual else None)
        if not limit:
            return 100 if self.commitment else 0
        return min(100, round(100 * self.commitment / limit))


def commitment(estimates: Sequence[float | None], unit: str) -> float:
    """Σ estimates (a missing estimate counts 0), or the number of items."""
    if unit == Unit.ITEMS:
        return float(len(estimates))
    return float(sum(e or 0.0 for e in estimates))


def capacity(
    members: Iterable[Member],
    days: int,
    *,
    history: Sequence[Past],
    committed: float,
) -> Capacity:
    pdays = person_days(members, days)
    per_day = rate(history)
    expected = pdays * per_day if per_day is not None else None
    return Capacity(pdays, expected, committed, usual_done([p.done for p in history]))


# --- WIP limits -----------------------------------------------------------------------------


def check_wip_limits(raw: Mapping[str, object], statuses: Sequence[str]) -> dict[str, int]:
    """Limits per status: a whole number ≥ 0, or blank/None for no limit."""
    limits: dict[str, int] = {}
    for key, value in raw.items():
        field = f"wip_limits.{key}"
        if key not in statuses:
            raise Invalid("Unknown status {key!r}.", field=field, key=key)
        text = "" if value is None else str(value).strip()
        if not text:
            continue
        try:
            limit = int(text)
        except ValueError:
            raise Invalid("Write a whole number, or leave it empty.", field=field) from None
        if limit < 0:
            raise Invalid("A WIP limit cannot be below zero.", field=field)
        limits[key] = limit
    return limits


def over_limits(counts: Mapping[str, int], limits: Mapping[str, int]) -> dict[str, int]:
    """The statuses holding more cards than their WIP limit: {status: limit}."""
    return {k: n for k, n in limits.items() if counts.get(k, 0) > n}
