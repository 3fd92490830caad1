"""JSON shapes of scenarios, runs, sprint outcomes, debriefs and replays.

Texts come in the caller's language (the scenario carries English and French).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class StakeholderOut(BaseModel):
    key: str
    name: str
    role: str
    influence: int = Field(description="1 (little) to 5 (decisive)")


class ScenarioOut(BaseModel):
    key: str
    title: str
    summary: str
    sprints: int
    sprint_days: int
    product: str = Field(description="The name of the sandbox product a run creates")
    stakeholders: list[StakeholderOut]


class RunIn(_In):
    scenario: str = Field(description="A scenario key, from GET /academy/scenarios")
    seed: int | None = Field(
        None, ge=0, le=2**31 - 1, description="Replay a seed; drawn at random when absent"
    )


class SprintIn(_In):
    """The trainee's decisions for the next sprint (see the run's `turn`)."""

    order: list[str] | None = Field(
        None,
        description="Opportunity keys: reorders the sandbox backlog (these first, in this "
        "order); absent, the sandbox's current order is used",
    )
    refine: list[str] = Field(default_factory=list, description="Opportunities to refine")
    goal: str = Field("", description="The Sprint Goal")
    plan: list[str] = Field(default_factory=list, description="Opportunities planned")
    answers: dict[str, str] = Field(
        default_factory=dict, description="Event key → option key, for every event of the turn"
    )
    pay_debt: int = Field(0, description="Capacity points spent on paying down debt")


class OptionOut(BaseModel):
    key: str
    label: str


class EventOut(BaseModel):
    key: str
    title: str
    text: str
    guide_ref: str
    options: list[OptionOut]


class OpportunityOut(BaseModel):
    key: str
    item_id: int | None = Field(description="The sandbox backlog item showing it")
    title: str
    kind: str
    tags: list[str]
    effort_low: float
    effort_high: float
    refined: bool
    status: str = Field(description="backlog, done, released or retired")


class TrustOut(BaseModel):
    key: str
    name: str
    trust: float


class TurnOut(BaseModel):
    """What the trainee sees before deciding: the next sprint, its events, the backlog in
    the sandbox's current order."""

    sprint: int = Field(description="The next sprint (1-based)")
    sprints: int
    finished: bool
    capacity_hint: list[float] = Field(description="[low, high] points the team may do")
    debt: float
    kpis: dict[str, float]
    scores: dict[str, float]
    stakeholders: list[TrustOut]
    events: list[EventOut]
    backlog: list[OpportunityOut]


class RunOut(BaseModel):
    id: int
    scenario: str
    scenario_title: str
    seed: int
    language: str
    status: str = Field(description="playing, finished or abandoned")
    sprint: int = Field(description="Sprints played")
    sprints: int
    product_id: int | None = Field(description="The sandbox product")
    user_id: int
    scores: dict[str, float]
    ebm: float | None = Field(description="The EBM composite after the last sprint")
    created_at: datetime
    updated_at: datetime
    turn: TurnOut | None = Field(None, description="The next turn (single run reads only)")


class SprintOut(BaseModel):
    run: RunOut
    outcome: dict[str, Any] = Field(
        description="The sprint's outcome: capacity, done, unfinished, bugs, debt, released, "
        "value_realised, kpis, goal_met, feedback, market, reactions, answers, scores"
    )


class ReplayOut(BaseModel):
    run_id: int
    seed: int
    sprints: int = Field(description="Sprints replayed from the log")
    identical: bool = Field(description="The replay gives exactly the stored state")
    scores: list[dict[str, float]] = Field(description="Scores after each sprint, replayed")
    ebm: list[float] = Field(description="The EBM composite after each sprint, replayed")


class DebriefOut(BaseModel):
    run_id: int
    complete: bool = Field(description="The run is finished (else the debrief is partial)")
    debrief: dict[str, Any] = Field(
        description="Per sprint, the trainee's and the informed policy's scores; the "
        "biggest gaps with their explanation, guide section and lesson; every event "
        "answered with the informed option"
    )
