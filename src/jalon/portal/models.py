"""The public portal of a product: its settings, ideas, votes, comments, and the log of
public writes that rate limits read.

An idea is a public face of one Feedback row (source "portal"): the feedback carries the
text into the inbox, themes and evidence; the idea carries what the public sees (status,
votes, comments).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from jalon.db import Base, UTCDateTime, utcnow


class PortalSettings(Base):
    """Per product: whether the portal is open, at which slug, its welcome text and which
    statuses the public sees."""

    __tablename__ = "portal_settings"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    welcome: Mapped[str] = mapped_column(Text, default="")  # Markdown
    shown_statuses: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Group the public list by the themes of the ideas' feedback (fider #750).
    group_by_theme: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Idea(Base):
    __tablename__ = "ideas"
    __table_args__ = (Index("ix_ideas_product_state", "product_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    feedback_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    author_name: Mapped[str] = mapped_column(String(100), default="")
    author_email: Mapped[str] = mapped_column(String(254), default="")
    # pending (moderation) / published / rejected / merged (see merged_into_id)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    # Set by the PO; when item_id is set, the item's status decides instead (rules.py).
    status: Mapped[str] = mapped_column(String(20), default="under_review")
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("items.id", ondelete="SET NULL"), index=True
    )
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdeaVote(Base):
    """One visitor's vote: a visitor is the id of their signed cookie, and their e-mail when
    they gave one (so one e-mail votes once, whatever the browser)."""

    __tablename__ = "idea_votes"
    __table_args__ = (
        UniqueConstraint("idea_id", "voter", name="uq_idea_votes_voter"),
        UniqueConstraint("idea_id", "email", name="uq_idea_votes_email"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    voter: Mapped[str] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(254))  # NULL when not given
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdeaComment(Base):
    """Published at once (rate limits and the honeypot hold spam back); the PO can hide one."""

    __tablename__ = "idea_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    author_name: Mapped[str] = mapped_column(String(100), default="")
    body: Mapped[str] = mapped_column(Text)
    from_team: Mapped[bool] = mapped_column(Boolean, default=False)  # written in the app
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PortalHit(Base):
    """A public write (submit, vote, comment) by a client address, for the rate limits.
    Only a hash of the address is kept; rows older than the longest window are pruned."""

    __tablename__ = "portal_hits"
    __table_args__ = (Index("ix_portal_hits_lookup", "product_id", "kind", "client", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
