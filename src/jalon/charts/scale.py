"""Pure geometry for the renderers: nice axis bounds and ticks, and x/y to pixels."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial

from jalon.charts.spec import Axis, Chart, X

DAY_STEPS = (1, 2, 3, 7, 14, 28, 56, 91, 182, 364, 728)
MAX_TICKS = 8


def number(value: float, unit: str = "") -> str:
    """12, 12.5, 0.25 — never 12.0; a unit is appended with no space when short ("3d")."""
    if math.isclose(value, round(value), abs_tol=1e-9):
        text = str(round(value))
    else:
        text = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{text}{unit}"


def nice_step(span: float, ticks: int = 5, *, integer: bool = False) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) that cuts `span` in ≤ `ticks`;
    a whole number (1, 2, 5, 10, 20...) for an axis of counts."""
    raw = max(span, 1e-9) / ticks
    if integer:
        raw = max(raw, 1.0)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    steps = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)
    return next(m * magnitude for m in steps if m * magnitude >= raw - 1e-12)


def nice_bounds(
    low: float, high: float, ticks: int = 5, *, integer: bool = False
) -> tuple[float, float, float]:
    """(low, high, step) rounded outwards; a flat range gets some room."""
    if high <= low:
        high = low + (abs(low) or 1.0)
    step = nice_step(high - low, ticks, integer=integer)
    return math.floor(low / step + 1e-9) * step, math.ceil(high / step - 1e-9) * step, step


def as_number(x: X) -> float:
    if isinstance(x, date):
        return float(x.toordinal())
    if isinstance(x, str):
        raise TypeError("a category is not a number")
    return float(x)


def categories(chart: Chart) -> list[str]:
    if chart.x.categories:
        return list(chart.x.categories)
    seen: dict[str, None] = {}
    for s in chart.series:
        for p in s.points:
            seen.setdefault(str(p.x), None)
    return list(seen)


@dataclass(frozen=True, slots=True)
class XScale:
    """Maps an x value to a pixel; `band` is the width a bar may use at one x."""

    to_px: Callable[[X], float]
    ticks: list[tuple[float, str]]
    band: float


def _date_ticks(low: float, high: float) -> list[float]:
    span = high - low
    step = next((s for s in DAY_STEPS if span / s <= MAX_TICKS - 1), DAY_STEPS[-1])
    first = math.ceil(low / step) * step if step < 7 else low
    return [first + i * step for i in range(int((high - first) // step) + 1)]


def _min_gap(values: Sequence[float]) -> float:
    distinct = sorted(set(values))
    gaps = [b - a for a, b in itertools.pairwise(distinct)]
    return min(gaps) if gaps else 1.0


def x_scale(chart: Chart, left: float, width: float, xs: Sequence[X], bars: bool) -> XScale:
    if chart.x.kind == "category":
        names = categories(chart)
        band = width / max(len(names), 1)
        index = {name: i for i, name in enumerate(names)}
        ticks = [(left + band * (i + 0.5), name) for i, name in enumerate(names)]
        return XScale(lambda x: left + band * (index.get(str(x), 0) + 0.5), ticks, band)
    data = [as_number(x) for x in xs]
    values = data + [as_number(v) for v in (chart.x.minimum, chart.x.maximum) if v is not None]
    if not values:  # an empty chart: no ticks, nothing to place
        return XScale(lambda _x: left + width / 2, [], width)
    gap = _min_gap(data)
    low = as_number(chart.x.minimum) if chart.x.minimum is not None else min(values)
    high = as_number(chart.x.maximum) if chart.x.maximum is not None else max(values)
    if bars:
        low, high = low - gap / 2, high + gap / 2
    if chart.x.kind == "date":
        high = max(high, low + 1)
        tick_values = _date_ticks(math.ceil(low), math.floor(high) if bars else high)
        label: Callable[[float], str] = _date_label
    else:
        low, high, step = nice_bounds(low, high) if not bars else (low, max(high, low + 1), 0)
        tick_values = _number_ticks(low, high, step)
        label = partial(number, unit=chart.x.unit)
    span = high - low

    def to_px(x: X) -> float:
        return left + (as_number(x) - low) / span * width

    ticks = [(to_px(v), label(v)) for v in tick_values]
    return XScale(to_px, ticks, width * gap / span)


def _date_label(value: float) -> str:
    return date.fromordinal(int(value)).isoformat()


def _number_ticks(low: float, high: float, step: float) -> list[float]:
    if step <= 0:
        _low, _high, step = nice_bounds(low, high)
        low = math.ceil(low / step - 1e-9) * step
    count = round((high - low) / step) + 1
    return [low + i * step for i in range(count) if low + i * step <= high + 1e-9]


def y_bounds(axis: Axis, values: Sequence[float]) -> tuple[float, float, float]:
    values = list(values) or [0.0]
    low = as_number(axis.minimum) if axis.minimum is not None else min(0.0, *values)
    high = as_number(axis.maximum) if axis.maximum is not None else max(values) * 1.04
    return nice_bounds(low, high, integer=axis.integer)
