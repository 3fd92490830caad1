"""Render a `Chart` to a standalone, accessible SVG string.

The SVG carries its own presentation attributes (no page CSS), so the very same text is
shown inline, downloaded as `.svg` and rasterised to `.png`. It has a viewBox, role="img",
a <title> (aria-labelledby) and a <desc> (aria-describedby), a legend, and a <title> per point.
Colours are dark enough for 3:1 contrast on white; reference lines are dashed and labelled.
"""

from __future__ import annotations

from collections.abc import Iterator

from jalon.charts import scale
from jalon.charts.marks import (
    CHAR_WIDTH,
    FONT,
    GRID,
    MUTED,
    Frame,
    Spans,
    YPx,
    bands,
    colours,
    esc,
    fmt,
    kind_of,
    legend,
    references,
    series_marks,
    text,
)
from jalon.charts.spec import Chart, Series


def _legend_rows(chart: Chart, available: float) -> list[list[tuple[Series, float]]]:
    if not (chart.legend and chart.series):
        return []
    rows: list[list[tuple[Series, float]]] = [[]]
    used = 0.0
    for s in chart.series:
        width = 26 + len(s.label) * CHAR_WIDTH + 18
        if rows[-1] and used + width > available:
            rows.append([])
            used = 0.0
        rows[-1].append((s, used))
        used += width
    return rows


def _frame(chart: Chart, standalone: bool, legend_rows: int) -> Frame:
    top = 20 + (28 if standalone else 0)
    bottom = chart.height - 46 - legend_rows * 20
    return Frame(64, top, chart.width - 24, bottom)


def stack(chart: Chart) -> Spans:
    """(bottom, top) of each point; stacked area/bar series pile up in series order."""
    totals: dict[object, float] = {}
    result: Spans = {}
    for s in chart.series:
        if not chart.stacked or kind_of(chart, s) not in ("area", "bar"):
            result[s.key] = [(0.0, p.y) for p in s.points]
            continue
        spans = []
        for p in s.points:
            base = totals.get(p.x, 0.0)
            spans.append((base, base + p.y))
            totals[p.x] = base + p.y
        result[s.key] = spans
    return result


def _y_values(chart: Chart, spans: Spans) -> Iterator[float]:
    for values in spans.values():
        for low, high in values:
            yield low
            yield high
    for a in chart.annotations:
        if a.kind in ("hline", "hband") and not isinstance(a.value, str):
            yield scale.as_number(a.value)
        if a.to is not None:
            yield a.to


def render_svg(chart: Chart, *, standalone: bool = True) -> str:
    """The chart as SVG text. `standalone` draws the title inside the image (downloads);
    a page that shows its own heading passes False (the <title> element stays)."""
    rows = _legend_rows(chart, chart.width - 88)
    frame = _frame(chart, standalone, len(rows))
    spans = stack(chart)
    y_low, y_high, y_step = scale.y_bounds(chart.y, list(_y_values(chart, spans)))
    bars = any(kind_of(chart, s) == "bar" for s in chart.series)
    xs = [p.x for s in chart.series for p in s.points]
    xs += [a.value for a in chart.annotations if a.kind == "vline"]
    x_scale = scale.x_scale(chart, frame.left, frame.width, xs, bars)

    def y_px(value: float) -> float:
        return frame.bottom - (value - y_low) / (y_high - y_low) * frame.height

    ink = colours(chart)
    parts = [_open(chart)]
    if standalone:
        parts.append(text(frame.left, 28, chart.title, size=15, weight="600"))
    parts += _grid(chart, frame, (y_low, y_high, y_step), y_px, x_scale)
    if chart.empty:
        parts.append(
            text(
                frame.left + frame.width / 2,
                frame.top + frame.height / 2,
                chart.extra.get("empty", "—"),
                anchor="middle",
                fill=MUTED,
            )
        )
    parts += bands(chart, frame, y_px, x_scale)
    parts += series_marks(chart, spans, ink, x_scale, y_px)
    parts += references(chart, frame, y_px, x_scale)
    parts += legend(chart, rows, ink, frame)
    parts.append("</svg>")
    return "\n".join(parts)


def _open(chart: Chart) -> str:
    k = esc(chart.key)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {chart.width} {chart.height}" '
        f'width="{chart.width}" height="{chart.height}" role="img" '
        f'aria-labelledby="{k}-title" aria-describedby="{k}-desc" '
        f'font-family="{esc(FONT)}" class="chart-svg">\n'
        f'<title id="{k}-title">{esc(chart.title)}</title>\n'
        f'<desc id="{k}-desc">{esc(chart.description)}</desc>\n'
        f'<rect width="{chart.width}" height="{chart.height}" fill="#ffffff"/>'
    )


def _grid(
    chart: Chart, frame: Frame, y_axis: tuple[float, float, float], y_px: YPx, xs: scale.XScale
) -> list[str]:
    """Horizontal grid lines with the y ticks, the x ticks, the base line, the axis labels."""
    low, high, step = y_axis
    out = []
    for i in range(round((high - low) / step) + 1):
        y, label = y_px(low + i * step), scale.number(low + i * step, chart.y.unit)
        out.append(_hline(frame, y, GRID))
        out.append(text(frame.left - 6, y + 4, label, size=11, anchor="end", fill=MUTED))
    for x, label in _thin(xs.ticks, frame.width):
        anchor = "end" if x > frame.right - 30 else "start" if x < frame.left + 30 else "middle"
        shift = {"end": 4, "start": -4, "middle": 0}[anchor]
        out.append(text(x + shift, frame.bottom + 16, label, size=11, anchor=anchor, fill=MUTED))
    out.append(_hline(frame, frame.bottom, MUTED))
    return out + _axis_labels(chart, frame)


def _hline(frame: Frame, y: float, colour: str) -> str:
    return (
        f'<line x1="{fmt(frame.left)}" x2="{fmt(frame.right)}" y1="{fmt(y)}" y2="{fmt(y)}" '
        f'stroke="{colour}" stroke-width="1"/>'
    )


def _axis_labels(chart: Chart, frame: Frame) -> list[str]:
    mid_x, mid_y = frame.left + frame.width / 2, frame.top + frame.height / 2
    turn = f' transform="rotate(-90 16 {fmt(mid_y)})"'
    return [
        text(mid_x, frame.bottom + 34, chart.x.label, anchor="middle", fill=MUTED),
        text(16, mid_y, chart.y.label, anchor="middle", fill=MUTED, extra=turn),
    ]


def _thin(ticks: list[tuple[float, str]], width: float) -> list[tuple[float, str]]:
    """Every n-th tick, so that labels do not overlap."""
    if not ticks:
        return []
    widest = max(len(label) for _x, label in ticks) * 6.2 + 10
    every = max(1, int(len(ticks) * widest // max(width, 1)) + 1)
    return ticks[::every]
