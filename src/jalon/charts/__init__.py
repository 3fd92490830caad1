"""Charts: one small definition (`spec.Chart`) rendered to accessible SVG, to PNG from that
same SVG, to a data table and to JSON. Pure and framework-free, so any area can use it."""

from jalon.charts.spec import Annotation, Axis, Chart, Point, Series

__all__ = ["Annotation", "Axis", "Chart", "Point", "Series"]
