"""Feedback from users, who sent it, and what it is evidence for.

A customer belongs to at most one segment; its weight (revenue, tier) multiplies the demand
its feedback represents. Weighted demand of a feedback = customer weight × segment weight
(1 when absent) × the link's importance.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jalon.db import Base, UTCDateTime, utcnow

# Where a feedback came from.
SOURCES = ("manual", "csv", "intake", "email", "portal")
# Where a feedback stands in the inbox. Portal submissions start as "pending" (moderation);
# "rejected" ones are kept (spam evidence) but never shown nor counted.
STATES = ("new", "pending", "triaged", "archived", "rejected")
# How much a linked feedback matters to the item or opportunity it supports.
IMPORTANCE = {1: "nice to have", 2: "important", 3: "critical"}


class Segment(Base):
    __tablename__ = "customer_segments"
    __table_args__ = (UniqueConstraint("product_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    weight: Mapped[float] = mapped_column(Float, default=1.0)


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("product_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="")
    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer_segments.id", ondelete="SET NULL")
    )
    # Revenue or tier, as a multiplier of demand (1 = an ordinary customer).
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (
        Index("ix_feedback_product_received", "product_id", "received_at"),
        Index("ix_feedback_product_key", "product_id", "external_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20), default="manual")  # one of SOURCES
    state: Mapped[str] = mapped_column(String(20), default="new")  # one of STATES
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    # Who wrote it when there is no customer record (portal, e-mail sender).
    author_name: Mapped[str] = mapped_column(String(200), default="")
    author_email: Mapped[str] = mapped_column(String(254), default="")
    rating: Mapped[int | None] = mapped_column(Integer)  # 1..5 when the channel gives one
    sentiment: Mapped[float | None] = mapped_column(Float)  # -1..1 when known
    # Id in the source system (CSV key, e-mail Message-ID, intake reference): re-imports
    # update instead of duplicating.
    external_key: Mapped[str | None] = mapped_column(String(300))
    # When the user said it (the e-mail's date, the CSV's date), not when it was typed in.
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_label: Mapped[str] = mapped_column(String(200), default="")


class FeedbackLink(Base):
    """A feedback as evidence for a backlog item or for an opportunity (exactly one of the
    two is set)."""

    __tablename__ = "feedback_links"
    __table_args__ = (
        UniqueConstraint("feedback_id", "item_id", name="uq_feedback_links_item"),
        UniqueConstraint("feedback_id", "opportunity_id", name="uq_feedback_links_opportunity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("feedback.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), index=True
    )
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("tree_nodes.id", ondelete="CASCADE"), index=True
    )
    importance: Mapped[int] = mapped_column(Integer, default=2)  # a key of IMPORTANCE
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IntakeToken(Base):
    """The product's secret for the JSON intake endpoint (one at a time; rotating replaces
    it). Only its SHA-256 hash is kept: the token itself is shown once, when created."""

    __tablename__ = "feedback_intake_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), unique=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(12), default="")  # the token's first characters
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
