"""What a page needs to show one chart: its SVG, its data table and its download links."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import Response

from jalon.charts.data import Table, table
from jalon.charts.spec import Chart
from jalon.charts.svg import render_svg

MEDIA = {"svg": "image/svg+xml", "png": "image/png"}


@dataclass(frozen=True, slots=True)
class ChartView:
    key: str
    title: str
    description: str
    svg: str  # escaped by the renderer: safe to put in the page as is
    table: Table
    svg_url: str
    png_url: str
    empty: bool


def view(chart: Chart, *, href: str, query: str = "") -> ChartView:
    """`href` is the chart's download path without extension (…/burndown); `query` is
    appended to both downloads so they show exactly what the page shows."""
    suffix = f"?{query}" if query else ""
    return ChartView(
        chart.key,
        chart.title,
        chart.description,
        render_svg(chart, standalone=False),
        table(chart),
        f"{href}.svg{suffix}",
        f"{href}.png{suffix}",
        chart.empty,
    )


def download(chart: Chart, extension: str, name: str) -> Response:
    """The chart as a file: the same definition the page draws, as SVG or PNG."""
    from jalon.charts.png import render_png  # cairosvg loads only when a PNG is asked for

    body: bytes | str = render_png(chart) if extension == "png" else render_svg(chart)
    headers = {"Content-Disposition": f'inline; filename="{name}.{extension}"'}
    return Response(body, media_type=MEDIA[extension], headers=headers)
