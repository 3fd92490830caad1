"""Which single input change would swap two items: pure, through the model's formula.

For a pair where A ranks above B, each input is tried on A (to bring A's score below B's)
and on B (to bring B's above A's). Choices are tried nearest first; numbers are searched
outwards from the current value by doubling steps, then bisected to the crossing point and
rounded to a readable value that still swaps. Every suggestion is checked before it is
returned, so applying it really puts B strictly above A.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jalon.errors import N_, Invalid, Label, Message
from jalon.prioritisation.formula import Formula, display_number

if TYPE_CHECKING:
    from jalon.prioritisation.rules import InputSpec, InputValue

BISECTIONS = 60
PRECISION = 1e-10  # relative; finer than the finest rounding tried by _readable
SEARCH_SPAN = 1e6  # how far an unbounded input is searched, relative to its size


@dataclass(frozen=True, slots=True)
class Swap:
    item: str  # "a" (lower A's score) or "b" (raise B's)
    input: str
    label: str
    old: float | str
    new: float | str
    up: bool  # the input is raised
    score_a: float  # the two scores once the change is made
    score_b: float
    shown_old: str
    shown_new: str

    def message(self, *, name_a: str = "A", name_b: str = "B") -> Message:
        """`Raise B's reach from 200 to 451.`, translated when shown."""
        template = (
            N_("Raise {item}'s {input} from {old} to {new}.")
            if self.up
            else N_("Lower {item}'s {input} from {old} to {new}.")
        )
        return Message(
            template,
            item=name_a if self.item == "a" else name_b,
            input=Label(self.input, self.label),
            old=self.shown_old,
            new=self.shown_new,
        )


class _Pair:
    def __init__(
        self, formula: Formula, numbers_a: dict[str, float], numbers_b: dict[str, float]
    ) -> None:
        self.formula = formula
        self.numbers = {"a": numbers_a, "b": numbers_b}
        self.score_a = formula.evaluate(numbers_a)
        self.score_b = formula.evaluate(numbers_b)

    def swapped(self, item: str, name: str, value: float) -> tuple[float, float] | None:
        """The two scores if changing `name` of `item` to `value` puts B above A."""
        try:
            changed = self.formula.evaluate({**self.numbers[item], name: value})
        except Invalid:
            return None
        a, b = (changed, self.score_b) if item == "a" else (self.score_a, changed)
        return (a, b) if b > a else None


def find_swaps(
    specs: tuple[InputSpec, ...],
    formula: Formula,
    inputs_a: Mapping[str, InputValue],
    inputs_b: Mapping[str, InputValue],
) -> list[Swap]:
    """Single-input changes that put B strictly above A; empty when B already is."""
    numbers_a = {s.name: s.ordinal(inputs_a[s.name]) for s in specs}
    numbers_b = {s.name: s.ordinal(inputs_b[s.name]) for s in specs}
    pair = _Pair(formula, numbers_a, numbers_b)
    if pair.score_b > pair.score_a:
        return []
    found = (
        _swap(pair, spec, item, {"a": inputs_a, "b": inputs_b}[item][spec.name])
        for spec in specs
        for item in ("a", "b")
    )
    return [swap for swap in found if swap is not None]


def _swap(pair: _Pair, spec: InputSpec, item: str, old: InputValue) -> Swap | None:
    current = pair.numbers[item][spec.name]
    if spec.choices:
        new = _nearest_choice(pair, spec, item, current)
    else:
        new = _nearest_number(spec, current, lambda v: _valid_swap(pair, spec, item, v))
    if new is None:
        return None
    scores = pair.swapped(item, spec.name, new)
    if scores is None:  # pragma: no cover - every candidate was checked
        return None
    value: InputValue = new
    if spec.categorical:
        value = next(c.code for c in spec.choices if c.value == new)
    return Swap(
        item,
        spec.name,
        spec.label,
        old,
        value,
        new > current,
        *scores,
        shown_old=_shown(spec, old),
        shown_new=_shown(spec, value),
    )


def _shown(spec: InputSpec, value: InputValue) -> str:
    if isinstance(value, str):
        return next(Label(c.code, c.label) for c in spec.choices if c.code == value)
    return display_number(value)


def _valid_swap(pair: _Pair, spec: InputSpec, item: str, value: float) -> bool:
    return spec.allows(value) and pair.swapped(item, spec.name, value) is not None


def _nearest_choice(pair: _Pair, spec: InputSpec, item: str, current: float) -> float | None:
    others = sorted(
        (c.value for c in spec.choices if c.value != current), key=lambda v: (abs(v - current), v)
    )
    return next((v for v in others if pair.swapped(item, spec.name, v)), None)


def _nearest_number(
    spec: InputSpec, current: float, swaps: Callable[[float], bool]
) -> float | None:
    """The readable value closest to `current` (either side) for which `swaps` holds."""
    best: float | None = None
    for direction in (1, -1):
        edge = _search(spec, current, direction, swaps)
        if edge is None:
            continue
        value = _readable(spec, current, edge, swaps)
        if best is None or abs(value - current) < abs(best - current):
            best = value
    return best


def _limit(spec: InputSpec, current: float, direction: int) -> float:
    span = max(abs(current), 1.0) * SEARCH_SPAN
    if direction > 0:
        return spec.maximum if spec.maximum is not None else current + span
    if spec.minimum is None:
        return current - span
    return spec.minimum + (max(abs(spec.minimum), 1.0) * 1e-9 if spec.above_minimum else 0)


def _search(
    spec: InputSpec, current: float, direction: int, swaps: Callable[[float], bool]
) -> float | None:
    """A value that swaps, just past the crossing, searching one way from `current`."""
    limit = _limit(spec, current, direction)
    inside, delta = current, spec.step or max(abs(current), 1.0) / 100
    while True:
        candidate = current + direction * delta
        last = (candidate - limit) * direction >= 0
        candidate = limit if last else candidate
        if swaps(candidate):
            return _bisect(inside, candidate, swaps)
        if last:
            return None
        inside, delta = candidate, delta * 2


def _bisect(inside: float, outside: float, swaps: Callable[[float], bool]) -> float:
    for _ in range(BISECTIONS):
        if abs(outside - inside) <= PRECISION * max(abs(outside), 1.0):
            break
        middle = (inside + outside) / 2
        if swaps(middle):
            outside = middle
        else:
            inside = middle
    return outside


def _readable(
    spec: InputSpec, current: float, edge: float, swaps: Callable[[float], bool]
) -> float:
    """`edge` rounded away from `current` to the coarsest step that still swaps."""
    round_away = math.ceil if edge > current else math.floor
    exponent = math.floor(math.log10(abs(edge))) if edge else 0
    quanta = [spec.step / 10**k for k in range(3)] if spec.step else []
    quanta += [10.0 ** (exponent - k) for k in (2, 4, 6)]
    for quantum in quanta:
        rounded = float(f"{round_away(edge / quantum) * quantum:.12g}")
        if rounded != current and swaps(rounded):
            return rounded
    return edge
