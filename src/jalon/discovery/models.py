"""The opportunity solution tree: desired outcome → opportunities → solutions → assumptions
(experiments hang from assumptions, in their own table).

One table holds every node; `kind` says which level it is, and a node's parent is always of
the level above (checked by the rules, not by the database).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jalon.db import Base, UTCDateTime, utcnow

KINDS = ("outcome", "opportunity", "solution", "assumption")


class TreeNode(Base):
    __tablename__ = "tree_nodes"
    __table_args__ = (Index("ix_tree_nodes_product_kind", "product_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("tree_nodes.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # one of KINDS
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # For assumptions: how much the solution depends on it, and how much evidence backs it
    # (0..1 each), which place it on the assumption map.
    importance: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[float | None] = mapped_column(Float)
    position: Mapped[int] = mapped_column(Integer, default=0)  # order among siblings
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
