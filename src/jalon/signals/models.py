"""Market watch: the feeds a product follows, the entries read from them, the watchlists of
keywords, and the market signals (entries that matched a watchlist).

Trend signals (emerging and accelerating themes) are computed from the themes when they are
read; they have no table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jalon.db import Base, UTCDateTime, utcnow


class Feed(Base):
    """An RSS or Atom feed, with what its last fetch gave (or why it failed)."""

    __tablename__ = "watch_feeds"
    __table_args__ = (UniqueConstraint("product_id", "url", name="uq_watch_feeds_product_url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(1000))
    kind: Mapped[str] = mapped_column(String(20), default="other")  # one of rules.FEED_KINDS
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # paused feeds are not fetched
    # HTTP validators of the last answer, sent back as If-None-Match / If-Modified-Since.
    etag: Mapped[str] = mapped_column(String(300), default="")
    modified: Mapped[str] = mapped_column(String(100), default="")
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why the last fetch failed: a code of rules.FETCH_ERRORS and its detail ("" when it worked).
    error_code: Mapped[str] = mapped_column(String(20), default="")
    error_detail: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedEntry(Base):
    """One entry of a feed, stored once (deduplicated by its guid, else its link)."""

    __tablename__ = "watch_entries"
    __table_args__ = (
        UniqueConstraint("feed_id", "key", name="uq_watch_entries_feed_key"),
        Index("ix_watch_entries_feed_fetched", "feed_id", "fetched_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("watch_feeds.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(500))  # the guid, else the link, else a digest
    title: Mapped[str] = mapped_column(String(500), default="")
    link: Mapped[str] = mapped_column(String(1000), default="")
    summary: Mapped[str] = mapped_column(Text, default="")  # plain text, HTML removed
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Watchlist(Base):
    """Keywords and phrases to look for in the entries of the product's feeds."""

    __tablename__ = "watchlists"
    __table_args__ = (UniqueConstraint("product_id", "name", name="uq_watchlists_product_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MarketSignal(Base):
    """An entry that matched a watchlist: triaged (new / watching / dismissed), and possibly
    linked to an opportunity of the tree or turned into a backlog item."""

    __tablename__ = "market_signals"
    __table_args__ = (Index("ix_market_signals_product_state", "product_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("watch_entries.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[str] = mapped_column(String(20), default="new")  # one of rules.STATES
    matched: Mapped[list[str]] = mapped_column(JSON, default=list)  # the keywords found
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("tree_nodes.id", ondelete="SET NULL"), index=True
    )
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
