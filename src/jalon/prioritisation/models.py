"""Scores of items under each model, and the custom formulas a product defines."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jalon.db import Base, UTCDateTime, utcnow


class ItemScore(Base):
    """One item's inputs and absolute score under one model (`rice`, `formula:<key>`...)."""

    __tablename__ = "item_scores"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    model: Mapped[str] = mapped_column(String(60), primary_key=True, index=True)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    value: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Formula(Base):
    __tablename__ = "formulas"
    __table_args__ = (UniqueConstraint("product_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    expression: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrderSnapshot(Base):
    """The backlog order before "apply a model's order", so that it can be undone."""

    __tablename__ = "order_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    model: Mapped[str] = mapped_column(String(60))
    ranks: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
