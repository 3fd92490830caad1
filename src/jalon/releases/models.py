"""Releases (versions) of a product, their scope, readiness checklist and release notes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jalon.db import Base, UTCDateTime, utcnow


class ReleaseSettings(Base):
    """Per product: the default readiness checklist and whether the changelog is public."""

    __tablename__ = "release_settings"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    checklist: Mapped[list[str]] = mapped_column(JSON, default=list)
    public_changelog: Mapped[bool] = mapped_column(Boolean, default=False)


class Release(Base):
    __tablename__ = "releases"
    __table_args__ = (UniqueConstraint("product_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    target_date: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default="planned")  # planned/released
    # The readiness checklist copied from the product's default: [{"text", "done"}].
    checklist: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")  # Markdown, edited by the PO
    notes_language: Mapped[str] = mapped_column(String(5), default="")
    notes_generated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_by: Mapped[str] = mapped_column(String(200), default="")
    # What the releaser confirmed past: unticked checklist entries, items not done.
    release_warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class ReleaseItem(Base):
    """An item in a release's scope. `open_item_id` repeats `item_id` while the release is
    unreleased and is NULL after: its unique constraint keeps an item in at most one
    unreleased release, on every engine."""

    __tablename__ = "release_items"

    release_id: Mapped[int] = mapped_column(
        ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    open_item_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
