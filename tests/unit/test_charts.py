"""One chart definition rendered to SVG, PNG, a data table and JSON: structure,
accessibility, scales, and that every output tells the same figures."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from jalon.charts import scale
from jalon.charts.data import table, to_json
from jalon.charts.marks import PALETTE
from jalon.charts.png import PNG_SIGNATURE, render_png
from jalon.charts.spec import Annotation, Axis, Chart, Point, Series, series
from jalon.charts.svg import render_svg, stack
from jalon.charts.view import view

SVG = "{http://www.w3.org/2000/svg}"
D0 = date(2026, 3, 2)


def _burndown(**extra: object) -> Chart:
    days = [D0 + timedelta(n) for n in range(5)]
    return Chart(
        "burndown-7",
        "Burndown <Sprint 7>",
        "Remaining points per day & scope.",
        "step",
        Axis("Day", "date"),
        Axis("Points"),
        (
            series("remaining", "Remaining", [(d, 20 - 4 * n) for n, d in enumerate(days)]),
            series(
                "scope",
                "Scope",
                [(d, 20 + (5 if n > 2 else 0)) for n, d in enumerate(days)],
                dashed=True,
            ),
        ),
        (Annotation("vline", days[3], "Scope +5"), Annotation("hline", 10, "Half")),
        **extra,  # type: ignore[arg-type]
    )


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_the_svg_is_accessible_and_self_contained() -> None:
    root = _parse(render_svg(_burndown()))
    assert root.get("role") == "img" and root.get("viewBox") == "0 0 760 400"
    assert root.get("aria-labelledby") == "burndown-7-title"
    assert root.get("aria-describedby") == "burndown-7-desc"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == "Burndown <Sprint 7>"  # escaped, then read back
    assert desc is not None and desc.text == "Remaining points per day & scope."
    assert not root.findall(f".//{SVG}style")  # presentation attributes only: same look as PNG
    legend = [t.text for t in root.iter(f"{SVG}text")]
    assert "Remaining" in legend and "Scope" in legend and "Scope +5" in legend


def test_a_page_chart_leaves_its_heading_to_the_page() -> None:
    inline = [t.text for t in _parse(render_svg(_burndown(), standalone=False)).iter(f"{SVG}text")]
    standalone = [t.text for t in _parse(render_svg(_burndown())).iter(f"{SVG}text")]
    assert "Burndown <Sprint 7>" in standalone and "Burndown <Sprint 7>" not in inline


def test_a_step_series_holds_its_value_until_the_next_day() -> None:
    root = _parse(render_svg(_burndown()))
    paths = [p.get("d", "") for p in root.iter(f"{SVG}path")]
    step = next(d for d in paths if "H" in d)
    assert step.startswith("M") and step.count("H") == 4 and step.count("V") == 4


def test_the_png_is_the_svg_at_the_charts_size() -> None:
    png = render_png(_burndown(width=640, height=320))
    assert png.startswith(PNG_SIGNATURE)
    assert struct.unpack(">II", png[16:24]) == (640, 320)
    assert struct.unpack(">II", render_png(_burndown(), scale=2)[16:24]) == (1520, 800)


def test_the_table_and_json_carry_the_same_figures() -> None:
    chart = _burndown()
    t = table(chart)
    assert t.headers == ["Day", "Remaining", "Scope"]
    assert t.rows[0] == ["2026-03-02", "20", "20"] and t.rows[-1] == ["2026-03-06", "4", "25"]
    assert t.notes == ["Scope +5: 2026-03-05", "Half: 10"]
    data = to_json(chart)
    assert data["series"][0]["points"][1] == {"x": "2026-03-03", "y": 16.0}
    assert data["annotations"][0] == {"kind": "vline", "value": "2026-03-05", "label": "Scope +5"}


def test_a_scatter_is_listed_point_by_point_with_tooltips() -> None:
    dots = (Point(D0, 3, "#1 Login"), Point(D0 + timedelta(2), 8, "#2 Export"))
    chart = Chart(
        "ct",
        "Cycle time",
        "Two items.",
        "scatter",
        Axis("Done on", "date"),
        Axis("Days", integer=True),
        (Series("items", "Items", dots),),
    )
    assert table(chart).rows == [["#1 Login", "2026-03-02", "3"], ["#2 Export", "2026-03-04", "8"]]
    titles = [t.text for t in _parse(render_svg(chart)).iter(f"{SVG}title")]
    assert "#1 Login — Items: 2026-03-02, 3" in titles


def test_stacked_areas_pile_up_in_series_order() -> None:
    chart = Chart(
        "cfd",
        "Flow",
        "Items.",
        "area",
        Axis("Day", "date"),
        Axis("Items"),
        (
            series("done", "Done", [(D0, 2), (D0 + timedelta(1), 3)]),
            series("doing", "Doing", [(D0, 1), (D0 + timedelta(1), 4)]),
        ),
        stacked=True,
    )
    assert stack(chart) == {"done": [(0, 2), (0, 3)], "doing": [(2, 3), (3, 7)]}


def test_bars_on_categories_are_grouped_and_an_empty_chart_says_so() -> None:
    bars = Chart(
        "v",
        "Velocity",
        "Points.",
        "bar",
        Axis("Sprint", "category"),
        Axis("Points"),
        (
            series("committed", "Committed", [("S1", 10), ("S2", 12)]),
            series("done", "Done", [("S1", 8), ("S2", 12)]),
        ),
        (Annotation("hband", 8, "Range", to=12),),
    )
    rects = [
        r for r in _parse(render_svg(bars)).iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None
    ]
    assert len(rects) == 5  # 4 bars and the band
    empty = Chart(
        "e",
        "Nothing",
        "No data.",
        "line",
        Axis("Day", "date"),
        Axis("Items"),
        (series("s", "S", []),),
        extra={"empty": "No snapshot yet."},
    )
    assert empty.empty and "No snapshot yet." in render_svg(empty)


def test_the_palette_keeps_three_to_one_contrast_on_white() -> None:
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    assert all(1.05 / (luminance(c) + 0.05) >= 3 for c in PALETTE)


@pytest.mark.parametrize(
    ("low", "high", "integer", "expected"),
    [
        (0, 37, False, (0, 40, 10)),
        (0, 1.2, False, (0, 1.25, 0.25)),
        (0, 1.04, True, (0, 2, 1)),
        (0, 12, True, (0, 15, 5)),
        (5, 5, False, (5, 10, 1)),
    ],
)
def test_axes_round_outwards_to_readable_steps(
    low: float, high: float, integer: bool, expected: tuple[float, float, float]
) -> None:
    assert scale.nice_bounds(low, high, integer=integer) == pytest.approx(expected)


def test_numbers_read_without_useless_decimals() -> None:
    assert [scale.number(v) for v in (3.0, 2.5, 0.125, 1200)] == ["3", "2.5", "0.12", "1200"]
    assert scale.number(4, "d") == "4d"


def test_a_spec_refuses_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="kind"):
        Chart("x", "X", "X.", "pie", Axis("a"), Axis("b"), ())  # type: ignore[arg-type]


def test_a_view_links_both_downloads_to_the_same_query() -> None:
    v = view(_burndown(), href="/products/1/sprints/7/charts/burndown", query="a=1")
    assert (v.svg_url, v.png_url) == (
        "/products/1/sprints/7/charts/burndown.svg?a=1",
        "/products/1/sprints/7/charts/burndown.png?a=1",
    )
    assert v.svg.startswith("<svg") and v.table.headers[0] == "Day"
