"""Themes (groups of feedback) and which theme each feedback belongs to.

People's corrections win: a theme a person named keeps its label (`label_locked`), and a
membership a person set (`pinned`) survives every re-clustering.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from jalon.db import Base, UTCDateTime, utcnow


class Theme(Base):
    __tablename__ = "themes"
    __table_args__ = (Index("ix_themes_product_state", "product_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(200))
    label_locked: Mapped[bool] = mapped_column(Boolean, default=False)  # named by a person
    state: Mapped[str] = mapped_column(String(20), default="active")  # active / merged
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))
    created_by: Mapped[str] = mapped_column(String(20), default="machine")  # machine / person
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ThemeMember(Base):
    """The theme a feedback belongs to (at most one)."""

    __tablename__ = "theme_members"
    __table_args__ = (Index("ix_theme_members_theme", "theme_id"),)

    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float, default=0.0)  # similarity to the theme, 0..1
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)  # placed by a person
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
