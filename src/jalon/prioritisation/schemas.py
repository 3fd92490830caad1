"""Pydantic models of the prioritisation API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from jalon.errors import translate
from jalon.prioritisation import vocabulary
from jalon.prioritisation.comparison import Comparison, SwapView
from jalon.prioritisation.models import Formula, OrderSnapshot
from jalon.prioritisation.queries import ItemScores, Ranking, ScoreView

Gettext = Callable[[str], str]
InputValue = float | str | None


class StepOut(BaseModel):
    expression: str
    filled: str
    value: float


class ScoreOut(BaseModel):
    model: str = Field(examples=["rice"])
    label: str = Field(examples=["RICE"])
    formula: str = Field(examples=["(reach * impact * confidence) / effort"])
    inputs: dict[str, InputValue]
    value: float | None = Field(description="The absolute score; null while inputs are missing")
    explanation: str = Field(examples=["(800 × 2 × 0.8) / 4 = 320"])
    steps: list[StepOut]
    missing: list[str] = Field(description="Inputs still to fill in")
    error: str | None = Field(description="Why complete inputs give no score (division by 0...)")

    @classmethod
    def of(cls, view: ScoreView, gettext: Gettext) -> ScoreOut:
        return cls(
            model=view.model.key,
            label=gettext(view.model.label) if not view.model.custom else view.model.label,
            formula=view.model.formula_text,
            inputs=dict(view.inputs),
            value=view.value,
            explanation=view.explanation,
            steps=[
                StepOut(expression=s.expression, filled=s.filled, value=s.value) for s in view.steps
            ],
            missing=list(view.missing),
            error=translate(view.error, gettext) if view.error else None,
        )


class ItemScoresOut(BaseModel):
    item_id: int
    scores: list[ScoreOut]

    @classmethod
    def of(cls, found: ItemScores, gettext: Gettext) -> ItemScoresOut:
        return cls(item_id=found.item.id, scores=[ScoreOut.of(s, gettext) for s in found.scores])


class BulkEntry(BaseModel):
    item_id: int
    inputs: dict[str, InputValue]


class BulkScoresIn(BaseModel):
    model: str = Field(examples=["rice"])
    items: list[BulkEntry] = Field(max_length=5000)


class BulkScoresOut(BaseModel):
    model: str
    scored: int


class RankedOut(BaseModel):
    item_id: int
    title: str
    type: str
    status: str
    value: float | None
    rank: int | None = Field(description="Equal scores share a rank; null when unscored")


class RankingOut(BaseModel):
    model: str
    label: str
    items: list[RankedOut]
    next_cursor: str | None
    scored: int
    total: int

    @classmethod
    def of(cls, ranking: Ranking, gettext: Gettext) -> RankingOut:
        model = ranking.model
        return cls(
            model=model.key,
            label=model.label if model.custom else gettext(model.label),
            items=[
                RankedOut(
                    item_id=r.item.id, title=r.item.title, type=r.item.type,
                    status=r.item.status, value=r.value, rank=r.rank,
                )
                for r in ranking.items
            ],
            next_cursor=ranking.next_cursor,
            scored=ranking.scored,
            total=ranking.total,
        )  # fmt: skip


class FormulaIn(BaseModel):
    name: str = Field(max_length=120, examples=["Weighted value"])
    expression: str = Field(max_length=500, examples=["0.7 * rice + 0.3 * wsjf * 10"])
    key: str | None = Field(
        default=None, description="Made from the name when absent; the model is formula:<key>"
    )


class FormulaPatch(BaseModel):
    name: str | None = Field(default=None, max_length=120)
    expression: str | None = Field(default=None, max_length=500)


class FormulaOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str
    model: str = ""
    name: str
    expression: str
    created_at: datetime
    updated_at: datetime
    scored: int | None = Field(default=None, description="Items scored when the formula was saved")
    failed: int | None = Field(default=None, description="Items with every input but no score")

    @classmethod
    def of(cls, row: Formula, scored: int | None = None, failed: int | None = None) -> FormulaOut:
        out = cls.model_validate(row)
        out.model = vocabulary.model_name(row.key)
        if scored is not None and scored >= 0:
            out.scored, out.failed = scored, failed
        return out


class ModelOut(BaseModel):
    key: str
    label: str


class ShiftOut(BaseModel):
    item_id: int
    title: str
    rank_a: int
    rank_b: int


class PairOut(BaseModel):
    a: str
    b: str
    tau: float | None = Field(description="Kendall's tau-b over items scored under both")
    common: int
    shifts: list[ShiftOut] = Field(description="Items whose rank differs most")


class CompareItemOut(BaseModel):
    item_id: int
    title: str
    ranks: dict[str, int | None]
    scores: dict[str, float | None]


class SuggestionOut(BaseModel):
    item_id: int
    input: str
    old: InputValue
    new: InputValue
    message: str = Field(examples=["Raise Export invoices's reach from 200 to 451."])


class SwapOut(BaseModel):
    model: str
    above_id: int | None
    below_id: int | None
    suggestions: list[SuggestionOut]
    problem: str | None

    @classmethod
    def of(cls, view: SwapView, gettext: Gettext) -> SwapOut:
        above, below = view.above, view.below
        suggestions = []
        if above is not None and below is not None:
            for swap in view.swaps:
                message = swap.message(name_a=above.title, name_b=below.title)
                target = above if swap.item == "a" else below
                suggestions.append(
                    SuggestionOut(
                        item_id=target.id, input=swap.input, old=swap.old, new=swap.new,
                        message=translate(message, gettext),
                    )
                )  # fmt: skip
        return cls(
            model=view.model.key,
            above_id=above.id if above else None,
            below_id=below.id if below else None,
            suggestions=suggestions,
            problem=translate(view.problem, gettext) if view.problem else None,
        )


class CompareOut(BaseModel):
    models: list[ModelOut]
    pairs: list[PairOut]
    items: list[CompareItemOut]
    swap: SwapOut | None

    @classmethod
    def of(cls, found: Comparison, gettext: Gettext) -> CompareOut:
        keys = [m.key for m in found.models]
        return cls(
            models=[
                ModelOut(key=m.key, label=m.label if m.custom else gettext(m.label))
                for m in found.models
            ],
            pairs=[
                PairOut(
                    a=p.a.key, b=p.b.key, tau=p.tau, common=p.common,
                    shifts=[
                        ShiftOut(item_id=s.item_id, title=found.titles.get(s.item_id, ""),
                                 rank_a=s.rank_a, rank_b=s.rank_b)
                        for s in p.shifts
                    ],
                )
                for p in found.pairs
            ],
            items=[
                CompareItemOut(
                    item_id=r.item_id, title=r.title,
                    ranks=dict(zip(keys, r.ranks, strict=True)),
                    scores=dict(zip(keys, r.values, strict=True)),
                )
                for r in found.rows
            ],
            swap=SwapOut.of(found.swap, gettext) if found.swap else None,
        )  # fmt: skip


class ApplyOrderIn(BaseModel):
    model: str = Field(examples=["rice"])


class SnapshotOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    model: str
    created_at: datetime
    undone_at: datetime | None
    items: int | None = Field(default=None, description="Items reordered")

    @classmethod
    def of(cls, snapshot: OrderSnapshot, items: int | None = None) -> SnapshotOut:
        out = cls.model_validate(snapshot)
        out.items = items
        return out
