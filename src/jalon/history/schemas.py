"""Pydantic models of the history API: a chart's data, snapshot days, an item's history."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from jalon.charts.data import to_json
from jalon.charts.spec import Chart
from jalon.history.queries import DayTaken, ItemState

XValue = date | float | str


class PointOut(BaseModel):
    x: XValue = Field(description="A date, a number or a category, by the x axis' kind")
    y: float
    label: str | None = Field(default=None, description="The item a dot stands for")


class SeriesOut(BaseModel):
    key: str = Field(examples=["remaining"])
    label: str = Field(examples=["Remaining"])
    kind: str = Field(examples=["step"], description="line, step, bar, area or scatter")
    points: list[PointOut]


class AxisOut(BaseModel):
    label: str
    kind: str = Field(description="number, date or category")
    unit: str


class AnnotationOut(BaseModel):
    kind: str = Field(description="hline (a y value), vline (an x value) or hband (y to `to`)")
    value: XValue
    label: str
    to: float | None = None


class ChartOut(BaseModel):
    key: str = Field(examples=["cycle-time"])
    title: str
    description: str = Field(description="The chart in words (its text alternative)")
    kind: str
    stacked: bool
    x: AxisOut
    y: AxisOut
    series: list[SeriesOut]
    annotations: list[AnnotationOut]

    @classmethod
    def of(cls, chart: Chart) -> ChartOut:
        data: dict[str, Any] = to_json(chart)
        return cls.model_validate(data)


class SnapshotDayOut(BaseModel):
    day: date
    items: int = Field(description="Items of the product that day")
    changed: int = Field(description="Rows written: items whose state changed")

    @classmethod
    def of(cls, row: DayTaken) -> SnapshotDayOut:
        return cls(day=row.day, items=row.items, changed=row.changed)


class ItemStateOut(BaseModel):
    valid_from: date = Field(description="The state holds from this day until the next row")
    status: str
    estimate: float | None
    sprint_id: int | None
    parent_id: int | None
    type: str
    removed: bool

    @classmethod
    def of(cls, row: ItemState) -> ItemStateOut:
        return cls(
            valid_from=row.valid_from,
            status=row.status,
            estimate=row.estimate,
            sprint_id=row.sprint_id,
            parent_id=row.parent_id,
            type=row.type,
            removed=row.removed,
        )
