"""The chart's data as a table (shown next to the SVG, for screen readers and for checking
figures) and as JSON (the API), both read from the same `Chart`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from jalon.charts import scale
from jalon.charts.spec import Chart, X


@dataclass(frozen=True, slots=True)
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]
    notes: list[str]  # annotations, in words: "85th percentile: 9d"


def _x_text(x: X) -> str:
    return x.isoformat() if isinstance(x, date) else (x if isinstance(x, str) else scale.number(x))


def _note(label: str, value: str) -> str:
    """An annotation in words; a label that already states its value is kept as it is."""
    return label if value in label else f"{label}: {value}"


def _notes(chart: Chart) -> list[str]:
    notes = []
    for a in chart.annotations:
        if a.kind == "hband" and a.to is not None and not isinstance(a.value, str):
            low = scale.number(scale.as_number(a.value), chart.y.unit)
            high = scale.number(a.to, chart.y.unit)
            notes.append(
                a.label if low in a.label and high in a.label else f"{a.label}: {low}–{high}"
            )
        elif a.kind == "hline" and not isinstance(a.value, str):
            notes.append(_note(a.label, scale.number(scale.as_number(a.value), chart.y.unit)))
        elif a.kind == "vline":
            notes.append(_note(a.label, _x_text(a.value)))
    return notes


def table(chart: Chart) -> Table:
    """Wide (one row per x, one column per series) unless a series is a scatter, which is
    listed point by point (series, label, x, y)."""
    if any((s.kind or chart.kind) == "scatter" for s in chart.series):
        headers = ["", chart.x.label, chart.y.label]
        rows = [
            [p.label or s.label, _x_text(p.x), scale.number(p.y, chart.y.unit)]
            for s in chart.series
            for p in s.points
        ]
        return Table(chart.title, headers, rows, _notes(chart))
    order: dict[X, dict[str, float]] = {}
    for s in chart.series:
        for p in s.points:
            order.setdefault(p.x, {})[s.key] = p.y
    xs = list(order) if chart.x.kind == "category" else sorted(order, key=scale.as_number)
    rows = [
        [_x_text(x)]
        + [scale.number(order[x][s.key]) if s.key in order[x] else "" for s in chart.series]
        for x in xs
    ]
    headers = [chart.x.label] + [s.label for s in chart.series]
    return Table(chart.title, headers, rows, _notes(chart))


def _json_x(x: X) -> Any:
    return x.isoformat() if isinstance(x, date) else x


def to_json(chart: Chart) -> dict[str, Any]:
    """Plain JSON: the API's body for a chart."""
    return {
        "key": chart.key,
        "title": chart.title,
        "description": chart.description,
        "kind": chart.kind,
        "stacked": chart.stacked,
        "x": {"label": chart.x.label, "kind": chart.x.kind, "unit": chart.x.unit},
        "y": {"label": chart.y.label, "kind": chart.y.kind, "unit": chart.y.unit},
        "series": [
            {
                "key": s.key,
                "label": s.label,
                "kind": s.kind or chart.kind,
                "points": [
                    {"x": _json_x(p.x), "y": p.y} | ({"label": p.label} if p.label else {})
                    for p in s.points
                ],
            }
            for s in chart.series
        ],
        "annotations": [
            {"kind": a.kind, "value": _json_x(a.value), "label": a.label}
            | ({"to": a.to} if a.to is not None else {})
            for a in chart.annotations
        ],
    }
