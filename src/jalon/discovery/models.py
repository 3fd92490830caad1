"""The opportunity solution tree: desired outcome → opportunities → solutions → assumptions
(experiments hang from assumptions, in their own table), hypotheses, experiments,
the product vision board and personas.

One table holds every node; `kind` says which level it is, and a node's parent is always of
the level above (checked by the rules, not by the database).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
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


class Hypothesis(Base):
    """ "We believe [capability] for [people] will result in [outcome]. We will know when
    [signal]." — on a solution or an assumption (at most one per node)."""

    __tablename__ = "hypotheses"

    node_id: Mapped[int] = mapped_column(
        ForeignKey("tree_nodes.id", ondelete="CASCADE"), primary_key=True
    )
    capability: Mapped[str] = mapped_column(Text)
    people: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(Text)
    signal: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# How an experiment is run; "ab_test" is judged by a two-proportion test.
METHODS = ("interview", "survey", "prototype", "fake_door", "concierge", "ab_test", "other")
OPERATORS = (">=", ">", "<=", "<", "=")
DECISIONS = ("persevere", "pivot", "stop")


class Experiment(Base):
    """A test of an assumption: a metric, a success threshold, dates, a result, a decision."""

    __tablename__ = "experiments"
    __table_args__ = (Index("ix_experiments_product", "product_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    assumption_id: Mapped[int] = mapped_column(
        ForeignKey("tree_nodes.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(20), default="other")  # one of METHODS
    metric: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(20), default="")  # "%", "users", "" (a count)
    # Success: result <operator> threshold; for an A/B test, a relative lift of at least
    # `threshold` percent, significant at `alpha`.
    operator: Mapped[str] = mapped_column(String(2), default=">=")
    threshold: Mapped[float] = mapped_column(Float)
    alpha: Mapped[float] = mapped_column(Float, default=0.05)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    result: Mapped[float | None] = mapped_column(Float)
    result_unit: Mapped[str] = mapped_column(String(20), default="")
    control_n: Mapped[int | None] = mapped_column(Integer)
    control_conversions: Mapped[int | None] = mapped_column(Integer)
    variant_n: Mapped[int | None] = mapped_column(Integer)
    variant_conversions: Mapped[int | None] = mapped_column(Integer)
    decision: Mapped[str | None] = mapped_column(String(20))  # one of DECISIONS
    rationale: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExperimentItem(Base):
    """A backlog item a decision created."""

    __tablename__ = "experiment_items"

    experiment_id: Mapped[int] = mapped_column(
        ForeignKey("experiments.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )


class VisionBoard(Base):
    """Roman Pichler's product vision board, one per product (Markdown fields)."""

    __tablename__ = "vision_boards"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    vision: Mapped[str] = mapped_column(Text, default="")
    target_group: Mapped[str] = mapped_column(Text, default="")
    needs: Mapped[str] = mapped_column(Text, default="")
    product: Mapped[str] = mapped_column(Text, default="")
    business_goals: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Persona(Base):
    __tablename__ = "personas"
    __table_args__ = (UniqueConstraint("product_id", "name", name="uq_personas_product_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(200), default="")
    goals: Mapped[str] = mapped_column(Text, default="")
    frustrations: Mapped[str] = mapped_column(Text, default="")
    quote: Mapped[str] = mapped_column(Text, default="")
    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer_segments.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
