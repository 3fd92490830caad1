"""Themes (groups of feedback) and which theme each feedback belongs to.

People's corrections win: a theme a person named keeps its label (`label_locked`), and a
membership a person set (`pinned`) survives every re-clustering.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from jalon.db import Base, UTCDateTime, utcnow

RUN_STATES = ("queued", "running", "done", "failed")
THEME_STATES = ("active", "merged")


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


class ThemeCentroid(Base):
    """A theme's centre in the vector space of one text model (placement compares to it)."""

    __tablename__ = "theme_centroids"

    theme_id: Mapped[int] = mapped_column(
        ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True
    )
    model: Mapped[str] = mapped_column(String(60))
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float32, L2-normalised


class FeedbackVector(Base):
    """A feedback's text embedding, computed once when it arrives (float32 blob)."""

    __tablename__ = "feedback_vectors"
    __table_args__ = (Index("ix_feedback_vectors_product_model", "product_id", "model"),)

    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    model: Mapped[str] = mapped_column(String(60))
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class TextModel(Base):
    """The fitted state of a product's text model (TF-IDF vocabulary, idf and SVD basis, and
    whether the sentence model's vector comes first, as an .npz blob)."""

    __tablename__ = "theme_text_models"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    model: Mapped[str] = mapped_column(String(60))
    state: Mapped[bytes] = mapped_column(LargeBinary)
    fitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ClusteringRun(Base):
    """One full re-clustering of a product's feedback, run in the background."""

    __tablename__ = "clustering_runs"
    __table_args__ = (Index("ix_clustering_runs_product_state", "product_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(20), default="queued")  # RUN_STATES
    progress: Mapped[float] = mapped_column(Float, default=0.0)  # 0..1
    step: Mapped[str] = mapped_column(String(40), default="")
    model: Mapped[str] = mapped_column(String(60), default="")
    feedback_count: Mapped[int] = mapped_column(Integer, default=0)
    theme_count: Mapped[int] = mapped_column(Integer, default=0)
    created_themes: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(String(500), default="")
    started_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FeedbackDuplicate(Base):
    """A feedback merged into another as its duplicate (its links moved to the survivor)."""

    __tablename__ = "feedback_duplicates"

    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True
    )
    survivor_id: Mapped[int] = mapped_column(
        ForeignKey("feedback.id", ondelete="CASCADE"), index=True
    )
    merged_by: Mapped[str] = mapped_column(String(200), default="")
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
