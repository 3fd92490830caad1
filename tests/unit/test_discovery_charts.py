"""The assumption map's chart: test-first assumptions in their own series, and the shaded
region covering only the top-left quadrant (an hband bounded on x)."""

from __future__ import annotations

import re

from jalon.charts.data import table
from jalon.charts.svg import render_svg
from jalon.discovery.charts import assumption_map
from jalon.discovery.models import TreeNode


def _nodes() -> list[TreeNode]:
    return [
        TreeNode(id=1, title="Users trust a taxi voucher", importance=0.9, evidence=0.1),
        TreeNode(id=2, title="Drivers accept detours", importance=0.6, evidence=0.8),
        TreeNode(id=3, title="Cheap to run", importance=0.2, evidence=0.2),
    ]


def test_test_first_assumptions_have_their_own_series() -> None:
    chart = assumption_map(_nodes(), str)
    by_key = {s.key: [p.label for p in s.points] for s in chart.series}
    assert by_key == {
        "test-first": ["Users trust a taxi voucher"],
        "others": ["Drivers accept detours", "Cheap to run"],
    }
    rows = table(chart).rows
    assert ["Users trust a taxi voucher", "0.1", "0.9"] in rows


def test_the_shaded_region_is_the_top_left_quadrant_only() -> None:
    svg = render_svg(assumption_map(_nodes(), str), standalone=False)
    band = re.search(
        r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" '
        r'fill="#b3261e" fill-opacity="0.12"><title>Test first</title>',
        svg,
    )
    assert band is not None
    left, width = float(band[1]), float(band[3])
    plot = re.search(r'<line x1="([\d.]+)" x2="([\d.]+)"', svg)  # a grid line spans the plot
    assert plot is not None
    assert left == float(plot[1])
    assert width == (float(plot[2]) - float(plot[1])) / 2  # evidence 0 to 0.5 of 0 to 1
