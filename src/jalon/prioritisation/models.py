"""Scores of items under each model, and the custom formulas a product defines."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Computed,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from jalon.db import Base, UTCDateTime, utcnow

# The numeric inputs of each built-in model, in a fixed order: `input_<n>` holds the n-th
# one as a typed column (migration 0022), so a whole-backlog rescore reads plain numbers
# instead of parsing 100,000 JSON documents. tests/unit/test_prioritisation_pure.py checks
# that this matches `rules.MODELS`; changing it needs a migration.
TYPED_INPUTS: dict[str, tuple[str, ...]] = {
    "rice": ("reach", "impact", "confidence", "effort"),
    "ice": ("impact", "confidence", "ease"),
    "wsjf": ("business_value", "time_criticality", "risk_reduction", "job_size"),
    "value_effort": ("value", "effort"),
}
TYPED_COLUMNS = ("input_1", "input_2", "input_3", "input_4")


def _number_sql(dialect: str, name: str) -> str:
    """The input `name` of the row's `inputs` when it is a JSON number, else NULL."""
    if dialect == "postgresql":
        return (
            f"CASE WHEN json_typeof(inputs -> '{name}') = 'number' "
            f"THEN (inputs ->> '{name}')::double precision ELSE NULL END"
        )
    path = f"'$.{name}'"
    return (
        f"CASE WHEN json_type(inputs, {path}) IN ('integer', 'real') "
        f"THEN json_extract(inputs, {path}) ELSE NULL END"
    )


def typed_input_sql(dialect: str, position: int) -> str:
    """The expression of the generated column `input_<position + 1>` for an engine."""
    cases = " ".join(
        f"WHEN '{model}' THEN {_number_sql(dialect, names[position])}"
        for model, names in TYPED_INPUTS.items()
        if position < len(names)
    )
    return f"CASE model {cases} ELSE NULL END"


class TypedInput(ColumnElement[float]):
    """A generated column's expression, written with each engine's JSON functions."""

    inherit_cache = True
    _traverse_internals = [("position", InternalTraversal.dp_plain_obj)]  # noqa: RUF012
    type = Float()

    def __init__(self, position: int) -> None:
        self.position = position


@compiles(TypedInput)
def _typed_input(element: TypedInput, compiler: SQLCompiler, **kw: object) -> str:
    return typed_input_sql(compiler.dialect.name, element.position)


def _typed(position: int) -> Mapped[float | None]:
    return mapped_column(Float, Computed(TypedInput(position)), nullable=True)


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
    # Filled in by the database from `inputs` (see TYPED_INPUTS); never written.
    input_1: Mapped[float | None] = _typed(0)
    input_2: Mapped[float | None] = _typed(1)
    input_3: Mapped[float | None] = _typed(2)
    input_4: Mapped[float | None] = _typed(3)


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
