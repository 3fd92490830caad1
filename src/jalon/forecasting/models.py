"""Days a product leaves out of its throughput history (holidays, incidents)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jalon.backlog.models import Item
from jalon.db import Base, UTCDateTime, utcnow


class ExcludedDay(Base):
    __tablename__ = "forecast_excluded_days"
    __table_args__ = (UniqueConstraint("product_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# The throughput history reads a product's done items by date (declared here, on the items
# table, so that the backlog's model stays as it is). Partial: only done items are in it, so
# the planner never prefers it to (product_id, rank) for reads of the whole backlog (a full
# index here made the JSON export on PostgreSQL three times slower).
Index(
    "ix_items_product_done_at",
    Item.product_id,
    Item.done_at,
    postgresql_where=Item.done_at.is_not(None),
    sqlite_where=Item.done_at.is_not(None),
)
