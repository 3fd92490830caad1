"""The chart definition: what to draw, not how. Renderers (svg.py, png.py, data.py) read it.

A `Chart` has a default `kind` (line, step, bar, area, scatter) that each `Series` may
override, an x axis (number, date or category), a y axis (number), and annotations:
horizontal or vertical reference lines (percentiles, a mean, today) and horizontal bands (a
range). Every text is already translated by the caller; the spec holds no framework object.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Kind = Literal["line", "step", "bar", "area", "scatter"]
AxisKind = Literal["number", "date", "category"]
X = float | int | date | str
KINDS: tuple[str, ...] = ("line", "step", "bar", "area", "scatter")


@dataclass(frozen=True, slots=True)
class Point:
    x: X
    y: float
    label: str = ""  # shown as the point's tooltip (<title>) and in the data table


@dataclass(frozen=True, slots=True)
class Series:
    key: str
    label: str
    points: tuple[Point, ...]
    kind: Kind | None = None  # None: the chart's kind
    colour: str | None = None  # None: the next colour of the palette
    dashed: bool = False


@dataclass(frozen=True, slots=True)
class Axis:
    label: str
    kind: AxisKind = "number"
    minimum: float | date | None = None  # None: from the data (y: 0 unless values are < 0)
    maximum: float | date | None = None
    categories: tuple[str, ...] = ()  # order of a category axis; empty: order of appearance
    unit: str = ""  # appended to tick labels of a number axis ("d" for days)
    integer: bool = False  # counts (items, days): ticks on whole numbers only


@dataclass(frozen=True, slots=True)
class Annotation:
    kind: Literal["hline", "vline", "hband"]
    value: X
    label: str = ""
    to: float | None = None  # the upper edge of an hband
    colour: str | None = None
    x_to: float | None = None  # an hband's right edge on a number x axis (None: full width)


@dataclass(frozen=True, slots=True)
class Chart:
    key: str  # unique on a page: prefixes the SVG ids and names the download files
    title: str
    description: str  # the text alternative: what the chart shows, in a sentence or two
    kind: Kind
    x: Axis
    y: Axis
    series: tuple[Series, ...]
    annotations: tuple[Annotation, ...] = ()
    stacked: bool = False  # area and bar series are stacked in order (cumulative flow)
    width: int = 760
    height: int = 400
    legend: bool = True
    extra: dict[str, str] = field(default_factory=dict)  # free notes for the page (not drawn)

    def __post_init__(self) -> None:
        kinds = [self.kind, *(s.kind for s in self.series if s.kind)]
        if any(k not in KINDS for k in kinds):
            raise ValueError(f"unknown chart kind in {kinds}")
        if self.width < 200 or self.height < 150:
            raise ValueError("a chart must be at least 200 x 150")

    @property
    def empty(self) -> bool:
        return not any(s.points for s in self.series)


def series(
    key: str,
    label: str,
    pairs: Sequence[tuple[X, float]],
    *,
    kind: Kind | None = None,
    colour: str | None = None,
    dashed: bool = False,
) -> Series:
    """A series from (x, y) pairs: the short way to build one."""
    points = tuple(Point(x, float(y)) for x, y in pairs)
    return Series(key, label, points, kind=kind, colour=colour, dashed=dashed)
