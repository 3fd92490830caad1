"""JSON shapes of the opportunity solution tree, experiments and the A/B calculator."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class HypothesisIO(_In):
    capability: str = Field(max_length=1000, description="We believe [this capability]…")
    people: str = Field(max_length=1000, description="…for [these people]…")
    outcome: str = Field(max_length=1000, description="…will result in [this outcome].")
    signal: str = Field(max_length=1000, description="We will know when [this signal].")


class NodeIn(_In):
    kind: Literal["outcome", "opportunity", "solution", "assumption"]
    parent_id: int | None = Field(
        None, description="A node of the level above (none for an outcome)"
    )
    title: str = Field(max_length=200)
    description: str = Field("", max_length=10_000)
    importance: float | None = Field(None, description="Assumptions: 0..1")
    evidence: float | None = Field(None, description="Assumptions: 0..1")


class ExperimentOut(BaseModel):
    id: int
    assumption_id: int
    title: str
    method: str
    metric: str
    unit: str
    operator: str
    threshold: float
    alpha: float
    starts_on: date | None
    ends_on: date | None
    result: float | None
    result_unit: str
    control_n: int | None
    control_conversions: int | None
    variant_n: int | None
    variant_conversions: int | None
    decision: str | None
    rationale: str
    decided_at: datetime | None
    met: bool | None = Field(description="Whether the result met the threshold (None: not yet)")
    item_ids: list[int] = Field(default_factory=list, description="Items the decision created")


class NodeOut(BaseModel):
    id: int
    kind: str
    parent_id: int | None
    title: str
    description: str
    importance: float | None
    evidence: float | None
    evidence_count: int = Field(description="Feedback linked to this opportunity")
    signal_count: int = Field(description="Market signals linked to this opportunity")
    hypothesis: HypothesisIO | None
    experiments: list[ExperimentOut]
    children: list[NodeOut]


class TreeOut(BaseModel):
    product_id: int
    roots: list[NodeOut]


class DecisionIn(_In):
    decision: Literal["persevere", "pivot", "stop"]
    rationale: str = Field(max_length=10_000)
    result: float | None = Field(None, description="The measured value, if not recorded yet")
    result_unit: str | None = Field(None, max_length=20)
    control_n: int | None = None
    control_conversions: int | None = None
    variant_n: int | None = None
    variant_conversions: int | None = None
    items: list[str] = Field(
        default_factory=list, max_length=20, description="Titles of backlog items to create"
    )


class ABTestIn(_In):
    control_n: int = Field(description="Visitors (trials) of the control")
    control_conversions: int
    variant_n: int
    variant_conversions: int
    alpha: float = Field(0.05, description="Significance level, two-sided")


class ABTestOut(BaseModel):
    control_rate: float
    variant_rate: float
    difference: float = Field(description="Variant minus control, as a rate")
    ci_low: float
    ci_high: float
    relative_lift: float | None
    lift_low: float | None
    lift_high: float | None
    z: float
    p_value: float
    alpha: float
    significant: bool


class SampleSizeIn(_In):
    baseline: float = Field(description="Current conversion rate, 0..1")
    effect: float = Field(description="Minimum detectable effect, absolute (0.02 = 2 points)")
    alpha: float = 0.05
    power: float = 0.8


class SampleSizeOut(BaseModel):
    baseline: float
    target: float
    effect: float
    alpha: float
    power: float
    per_arm: int
    total: int


class ExperimentIn(_In):
    title: str = Field(max_length=200)
    method: Literal["interview", "survey", "prototype", "fake_door", "concierge", "ab_test",
                    "other"] = "other"  # fmt: skip
    metric: str = Field("", max_length=200)
    unit: str = Field("", max_length=20, description="Unit of the metric and threshold: %, users…")
    operator: Literal[">=", ">", "<=", "<", "="] = ">="
    threshold: float = Field(
        description="Success threshold; for an A/B test, the minimum relative lift in percent"
    )
    alpha: float = 0.05
    starts_on: date | None = None
    ends_on: date | None = None
