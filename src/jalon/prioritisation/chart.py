"""The value/effort matrix laid out for an inline SVG: pure geometry, no I/O.

Items are placed by effort (x, left is cheap) and value (y, up is valuable). The quadrants
split at the median value and the median effort of the items shown, so the chart always
separates the backlog into halves whatever scale the team uses:
quick wins (high value, low effort), big bets (high value, high effort),
fill-ins (low value, low effort) and time sinks (low value, high effort).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

from jalon.errors import N_
from jalon.prioritisation.formula import display_number

QUADRANTS = {
    "quick_win": N_("Quick wins"),
    "big_bet": N_("Big bets"),
    "fill_in": N_("Fill-ins"),
    "time_sink": N_("Time sinks"),
}
WIDTH, HEIGHT = 760, 460
LEFT, RIGHT, TOP, BOTTOM = 64, 20, 20, 52


@dataclass(frozen=True, slots=True)
class Point:
    item_id: int
    title: str
    value: float
    effort: float
    quadrant: str
    x: float
    y: float
    anchor: str = "start"  # where the label goes: "end" puts it left of points near the edge


@dataclass(frozen=True, slots=True)
class Layout:
    points: list[Point]
    value_split: float
    effort_split: float
    split_x: float
    split_y: float
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    counts: dict[str, int]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    plot_width: int = WIDTH - LEFT - RIGHT
    plot_height: int = HEIGHT - TOP - BOTTOM


def quadrant(value: float, effort: float, *, value_split: float, effort_split: float) -> str:
    high, cheap = value >= value_split, effort <= effort_split
    if high:
        return "quick_win" if cheap else "big_bet"
    return "fill_in" if cheap else "time_sink"


def _scale(top: float) -> float:
    """A round upper bound for an axis above `top`, so its four steps read well (2.5, 50...)."""
    if top <= 0:
        return 4.0
    raw = top * 1.05 / 4
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return float(step * 4)


def _ticks(
    limit: float, origin: float, length: float, *, vertical: bool
) -> list[tuple[float, str]]:
    ticks = []
    for step in range(5):
        value = limit * step / 4
        offset = length * step / 4
        ticks.append((origin - offset if vertical else origin + offset, display_number(value)))
    return ticks


def layout(entries: Sequence[tuple[int, str, float, float]]) -> Layout:
    """Entries are (item id, title, value, effort); an empty backlog gives an empty chart."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    values = [value for _i, _t, value, _e in entries] or [0.0]
    efforts = [effort for _i, _t, _v, effort in entries] or [0.0]
    value_split, effort_split = float(median(values)), float(median(efforts))
    max_value, max_effort = _scale(max(values)), _scale(max(efforts))

    def x_of(effort: float) -> float:
        return round(LEFT + effort / max_effort * plot_w, 1)

    def y_of(value: float) -> float:
        return round(TOP + plot_h - value / max_value * plot_h, 1)

    points = [
        Point(item_id, title, value, effort, quadrant(
            value, effort, value_split=value_split, effort_split=effort_split
        ), x_of(effort), y_of(value), "end" if effort > max_effort * 0.65 else "start")
        for item_id, title, value, effort in entries
    ]  # fmt: skip
    counts = {key: sum(1 for p in points if p.quadrant == key) for key in QUADRANTS}
    return Layout(
        points, value_split, effort_split, x_of(effort_split), y_of(value_split),
        _ticks(max_effort, LEFT, plot_w, vertical=False),
        _ticks(max_value, TOP + plot_h, plot_h, vertical=True), counts,
    )  # fmt: skip
