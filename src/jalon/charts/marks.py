"""SVG marks: text, series (line, step, area, bar, scatter), reference lines, bands, legend.

Shared by `svg.render_svg`; every function returns SVG fragments as strings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from jalon.charts import scale
from jalon.charts.spec import Chart, Point, Series, X

PALETTE = (
    "#3340b0",  # blue
    "#c2410c",  # orange
    "#1d6b3a",  # green
    "#7b2cbf",  # purple
    "#0e7490",  # teal
    "#b3261e",  # red
    "#6b5d00",  # olive
    "#505a6b",  # grey
)
INK, MUTED, GRID, REFERENCE = "#1d2230", "#505a6b", "#e3e7ee", "#3d4452"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
CHAR_WIDTH = 6.6  # average width of a 12px character, to lay out legend entries
Spans = dict[str, list[tuple[float, float]]]
YPx = Callable[[float], float]


@dataclass(frozen=True, slots=True)
class Frame:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


def esc(text: object) -> str:
    return escape(str(text), quote=True)


def fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def text(
    x: float,
    y: float,
    content: str,
    *,
    size: int = 12,
    anchor: str = "start",
    fill: str = INK,
    weight: str = "400",
    extra: str = "",
) -> str:
    return (
        f'<text x="{fmt(x)}" y="{fmt(y)}" font-size="{size}" fill="{fill}" '
        f'text-anchor="{anchor}" font-weight="{weight}"{extra}>{esc(content)}</text>'
    )


def colours(chart: Chart) -> dict[str, str]:
    """The colour of each series: its own, or the next free one of the palette."""
    taken = {s.colour for s in chart.series}
    free = iter([c for c in PALETTE if c not in taken] + list(PALETTE) * 4)
    return {s.key: s.colour or next(free) for s in chart.series}


def kind_of(chart: Chart, s: Series) -> str:
    return s.kind or chart.kind


def _tooltip(s: Series, p: Point, chart: Chart) -> str:
    x = p.x.isoformat() if hasattr(p.x, "isoformat") else str(p.x)
    head = f"{p.label} — " if p.label else ""
    value = scale.number(p.y, chart.y.unit)
    return f"<title>{esc(head)}{esc(s.label)}: {esc(x)}, {esc(value)}</title>"


def _path(chart: Chart, s: Series, spans: Spans, x_px: Callable[[X], float], y_px: YPx) -> str:
    coords = [(x_px(p.x), y_px(top)) for p, (_low, top) in zip(s.points, spans[s.key], strict=True)]
    if kind_of(chart, s) == "step":
        steps = [f"M{fmt(coords[0][0])},{fmt(coords[0][1])}"]
        steps += [f"H{fmt(x)}V{fmt(y)}" for x, y in coords[1:]]
        return "".join(steps)
    return "M" + "L".join(f"{fmt(x)},{fmt(y)}" for x, y in coords)


def series_marks(
    chart: Chart, spans: Spans, ink: dict[str, str], xs: scale.XScale, y_px: YPx
) -> list[str]:
    out: list[str] = []
    bar_keys = [s.key for s in chart.series if kind_of(chart, s) == "bar"]
    for s in chart.series:
        if not s.points:
            continue
        kind, colour = kind_of(chart, s), ink[s.key]
        out.append(f'<g class="series" data-series="{esc(s.key)}">')
        if kind == "bar":
            out += _bars(chart, s, spans, colour, xs, y_px, bar_keys)
        elif kind == "scatter":
            out += _dots(chart, s, colour, xs, y_px)
        else:
            out += _lines(chart, s, spans, colour, xs, y_px)
        out.append("</g>")
    return out


def _lines(
    chart: Chart, s: Series, spans: Spans, colour: str, xs: scale.XScale, y_px: YPx
) -> list[str]:
    dash = ' stroke-dasharray="6 4"' if s.dashed else ""
    out = []
    if kind_of(chart, s) == "area":
        top = _path(chart, s, spans, xs.to_px, y_px)
        back = [
            (xs.to_px(p.x), y_px(low)) for p, (low, _t) in zip(s.points, spans[s.key], strict=True)
        ]
        bottom = "".join(f"L{fmt(x)},{fmt(y)}" for x, y in reversed(back))
        out.append(
            f'<path d="{top}{bottom}Z" fill="{colour}" fill-opacity="0.85" '
            f'stroke="#ffffff" stroke-width="1"/>'
        )
    else:
        out.append(
            f'<path d="{_path(chart, s, spans, xs.to_px, y_px)}" fill="none" '
            f'stroke="{colour}" stroke-width="2.5" stroke-linejoin="round"{dash}/>'
        )
    if kind_of(chart, s) != "area" and len(s.points) <= 60:  # points to hover, with a tooltip
        for p, (_low, top_value) in zip(s.points, spans[s.key], strict=True):
            out.append(
                f'<circle cx="{fmt(xs.to_px(p.x))}" cy="{fmt(y_px(top_value))}" r="3" '
                f'fill="{colour}">{_tooltip(s, p, chart)}</circle>'
            )
    return out


def _jitter(chart: Chart, s: Series, band: float) -> list[float]:
    """Dots that share a category spread across its band (golden-ratio steps, no randomness),
    so a column of items of the same status stays readable."""
    if chart.x.kind != "category":
        return [0.0] * len(s.points)
    seen: dict[object, int] = {}
    out = []
    for p in s.points:
        k = seen[p.x] = seen.get(p.x, -1) + 1
        out.append((((k * 0.618034) % 1.0) - 0.5) * band * 0.6 if k else 0.0)
    return out


def _dots(chart: Chart, s: Series, colour: str, xs: scale.XScale, y_px: YPx) -> list[str]:
    shifts = _jitter(chart, s, xs.band)
    dots = [
        f'<circle cx="{xs.to_px(p.x) + dx:.1f}" cy="{y_px(p.y):.1f}" r="4">'
        f"{_tooltip(s, p, chart)}</circle>"
        for p, dx in zip(s.points, shifts, strict=True)
    ]
    head = f'<g fill="{colour}" fill-opacity="0.75" stroke="#ffffff" stroke-width="0.5">'
    return [head, *dots, "</g>"]


def _bars(
    chart: Chart,
    s: Series,
    spans: Spans,
    colour: str,
    xs: scale.XScale,
    y_px: YPx,
    bar_keys: list[str],
) -> list[str]:
    groups = 1 if chart.stacked else len(bar_keys)
    slot = min(xs.band * 0.8, 64.0 * groups)
    width = max(slot / groups, 1.0)
    offset = -slot / 2 + (0 if chart.stacked else bar_keys.index(s.key) * width)
    out = []
    for p, (low, top) in zip(s.points, spans[s.key], strict=True):
        x = xs.to_px(p.x) + offset
        y_top, y_low = y_px(max(low, top)), y_px(min(low, top))
        out.append(
            f'<rect x="{fmt(x)}" y="{fmt(y_top)}" width="{fmt(width)}" '
            f'height="{fmt(max(y_low - y_top, 0))}" fill="{colour}">'
            f"{_tooltip(s, p, chart)}</rect>"
        )
    return out


def bands(chart: Chart, frame: Frame, y_px: YPx, xs: scale.XScale | None = None) -> list[str]:
    out = []
    for a in chart.annotations:
        if a.kind != "hband" or a.to is None or isinstance(a.value, str):
            continue
        low, high = y_px(scale.as_number(a.value)), y_px(a.to)
        width = frame.width
        if a.x_to is not None and xs is not None:  # a region: from the left edge to x_to
            width = min(max(xs.to_px(a.x_to) - frame.left, 0.5), frame.width)
        out.append(
            f'<rect x="{fmt(frame.left)}" y="{fmt(high)}" width="{fmt(width)}" '
            f'height="{fmt(max(low - high, 0.5))}" fill="{a.colour or PALETTE[0]}" '
            f'fill-opacity="0.12"><title>{esc(a.label)}</title></rect>'
        )
    return out


def label(x: float, y: float, content: str, *, colour: str, anchor: str = "end") -> list[str]:
    """A reference's label on a white plate, readable over bars and dots."""
    width = len(content) * 6.4 + 8
    left = x - width + 4 if anchor == "end" else x - 4
    return [
        f'<rect x="{fmt(left)}" y="{fmt(y - 11)}" width="{fmt(width)}" height="15" rx="3" '
        f'fill="#ffffff" fill-opacity="0.9"/>',
        text(x, y, content, size=11, anchor=anchor, fill=colour, weight="600"),
    ]


def references(chart: Chart, frame: Frame, y_px: YPx, xs: scale.XScale) -> list[str]:
    out = []
    for a in chart.annotations:
        colour = a.colour or REFERENCE
        line = f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="4 3"'
        if a.kind == "hline" and not isinstance(a.value, str):
            y = y_px(scale.as_number(a.value))
            out.append(
                f'<line x1="{fmt(frame.left)}" x2="{fmt(frame.right)}" y1="{fmt(y)}" '
                f'y2="{fmt(y)}" {line}><title>{esc(a.label)}</title></line>'
            )
            out += label(frame.right - 4, y - 4, a.label, colour=colour)
        elif a.kind == "vline":
            x = xs.to_px(a.value)
            out.append(
                f'<line x1="{fmt(x)}" x2="{fmt(x)}" y1="{fmt(frame.top)}" '
                f'y2="{fmt(frame.bottom)}" {line}><title>{esc(a.label)}</title></line>'
            )
            out += label(x + 4, frame.top + 12, a.label, colour=colour, anchor="start")
        elif a.kind == "hband" and a.to is not None and not isinstance(a.value, str):
            out += label(frame.left + 6, y_px(a.to) + 13, a.label, colour=colour, anchor="start")
    return out


def legend(
    chart: Chart, rows: list[list[tuple[Series, float]]], ink: dict[str, str], frame: Frame
) -> list[str]:
    out = []
    for number, row in enumerate(rows):
        y = frame.bottom + 58 + number * 20
        for s, offset in row:
            x = frame.left + offset
            dash = ' stroke-dasharray="6 4"' if s.dashed else ""
            if kind_of(chart, s) in ("bar", "area", "scatter"):
                out.append(
                    f'<rect x="{fmt(x)}" y="{fmt(y - 10)}" width="20" height="12" '
                    f'fill="{ink[s.key]}"/>'
                )
            else:
                out.append(
                    f'<line x1="{fmt(x)}" x2="{fmt(x + 20)}" y1="{fmt(y - 4)}" '
                    f'y2="{fmt(y - 4)}" stroke="{ink[s.key]}" stroke-width="3"{dash}/>'
                )
            out.append(text(x + 26, y, s.label, fill=INK))
    return out
