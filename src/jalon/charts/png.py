"""PNG export: the chart's own SVG (`svg.render_svg`), rasterised by cairosvg."""

from __future__ import annotations

import cairosvg

from jalon.charts.spec import Chart
from jalon.charts.svg import render_svg

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def render_png(chart: Chart, *, scale: float = 1.0) -> bytes:
    """The same image as the `.svg` download, `scale` times its size in pixels."""
    svg = render_svg(chart, standalone=True).encode("utf-8")
    width, height = round(chart.width * scale), round(chart.height * scale)
    data = cairosvg.svg2png(bytestring=svg, output_width=width, output_height=height)
    assert isinstance(data, bytes)
    return data
