"""Daily snapshots of items, stored as changes, and the small per-day aggregates charts read.

- `ItemSnapshot`: one row per item and per day its state (status, estimate, sprint, parent,
  type) differs from its previous row. The state on day D is the latest row on or before D.
  Rows are only ever inserted; `item_id` has no foreign key, so history outlives a deleted
  item (a `removed` row records the day it disappeared).
- `ItemSnapshotHead`: each item's latest row (derived, for the daily comparison in SQL).
- `SnapshotDay`: the days a product's snapshot was taken (once per day: idempotent).
- `DailyStatus` / `DailySprintStatus`: per day, items and points per status, for the product
  and for each sprint running that day (burndown, burnup, cumulative flow, velocity).
- `Completion`: one row each time an item reaches a done status, with the day it started
  (first day of its last stint in a doing status) and its cycle time in days.

A snapshot for day D is the state at the end of day D (the job runs shortly after midnight).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from jalon.db import Base, UTCDateTime, utcnow

BigId = BigInteger().with_variant(Integer(), "sqlite")


class ItemSnapshot(Base):
    __tablename__ = "item_snapshots"
    __table_args__ = (
        UniqueConstraint("product_id", "item_id", "valid_from"),
        Index("ix_item_snapshots_product_day", "product_id", "valid_from"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(30))
    estimate: Mapped[float | None] = mapped_column(Float)
    sprint_id: Mapped[int | None] = mapped_column(Integer)
    parent_id: Mapped[int | None] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(20))
    removed: Mapped[bool] = mapped_column(default=False)


class ItemSnapshotHead(Base):
    """Each item's latest snapshot row, kept beside the history for the daily comparison
    (one join on the primary key instead of a search for the latest row of every item),
    with the first day of its current run in a doing status. Derived data: the job
    rewrites a head when it writes the item's new row; the history itself never changes."""

    __tablename__ = "item_snapshot_heads"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    valid_from: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(30))
    estimate: Mapped[float | None] = mapped_column(Float)
    sprint_id: Mapped[int | None] = mapped_column(Integer)
    parent_id: Mapped[int | None] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(20))
    removed: Mapped[bool] = mapped_column(default=False)
    doing_since: Mapped[date | None] = mapped_column(Date)


class SnapshotDay(Base):
    __tablename__ = "snapshot_days"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    items: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)


class DailyStatus(Base):
    __tablename__ = "daily_status"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(30), primary_key=True)
    items: Mapped[int] = mapped_column(Integer, default=0)
    points: Mapped[float] = mapped_column(Float, default=0.0)


class DailySprintStatus(Base):
    __tablename__ = "daily_sprint_status"

    sprint_id: Mapped[int] = mapped_column(
        ForeignKey("sprints.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(30), primary_key=True)
    items: Mapped[int] = mapped_column(Integer, default=0)
    points: Mapped[float] = mapped_column(Float, default=0.0)


class Completion(Base):
    __tablename__ = "completions"
    # Covering the flow charts' reads (throughput, cycle-time percentiles): no row lookups.
    __table_args__ = (
        Index("ix_completions_product_done", "product_id", "done_on", "type", "cycle_days"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(20))
    estimate: Mapped[float | None] = mapped_column(Float)
    started_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date] = mapped_column(Date)
    cycle_days: Mapped[int] = mapped_column(Integer)
