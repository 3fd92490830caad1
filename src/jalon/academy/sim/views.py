"""What the trainee sees before deciding a sprint (`TurnView`): never the hidden truth."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jalon.academy.sim import resolve
from jalon.academy.sim.outcome import jsonable
from jalon.academy.sim.scenario import Scenario, Text
from jalon.academy.sim.state import LIVE, ItemState, State

REFINED_SPREAD = 0.1  # a refined item's effort is known within +/- 10%
HINT_Z = 1.28  # the capacity hint spans the middle 80% of the team's capacity


@dataclass(frozen=True)
class OpportunityView:
    key: str
    title: Text
    description: Text
    kind: str
    tags: tuple[str, ...]
    effort_low: float
    effort_high: float
    refined: bool
    status: str  # backlog, done, released, retired
    value_low: float  # the visible value hint (per sprint once released)
    value_high: float  # equal to value_low once a spike revealed the true value
    stakeholders: tuple[str, ...]
    debt: float  # change to the technical debt when done
    started: bool  # work has begun (an unfinished item keeps its progress)


@dataclass(frozen=True)
class EventView:
    key: str
    kind: str
    title: Text
    text: Text
    options: list[tuple[str, Text]]
    guide_ref: str
    stakeholder: str | None


@dataclass(frozen=True)
class StakeholderView:
    key: str
    name: str
    trust: float


@dataclass(frozen=True)
class TurnView:
    sprint: int  # the next sprint to play, 1-based (sprints + 1 once finished)
    sprints: int
    finished: bool
    capacity_hint: tuple[float, float]
    opportunities: list[OpportunityView]
    events: list[EventView]
    debt: float
    bugs: int
    kpis: dict[str, float]
    scores: dict[str, float]
    stakeholders: list[StakeholderView]

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = jsonable(self)
        return result


def effort_range(scenario: Scenario, item: ItemState) -> tuple[float, float]:
    if item.remaining is not None:
        spread = item.remaining * REFINED_SPREAD
        return round(item.remaining - spread, 1), round(item.remaining + spread, 1)
    if item.refined:
        return round(item.effort * (1 - REFINED_SPREAD), 1), round(
            item.effort * (1 + REFINED_SPREAD), 1
        )
    effort = scenario.opportunity(item.key).effort
    return effort.low, effort.high


def _opportunity(scenario: Scenario, item: ItemState) -> OpportunityView:
    opp = scenario.opportunity(item.key)
    low, high = effort_range(scenario, item)
    value_low, value_high = (
        (item.value, item.value) if item.revealed else (opp.value.low, opp.value.high)
    )
    return OpportunityView(
        key=opp.key,
        title=opp.title,
        description=opp.description,
        kind=opp.kind,
        tags=opp.tags,
        effort_low=low,
        effort_high=high,
        refined=item.refined,
        status=item.status,
        value_low=round(value_low, 2),
        value_high=round(value_high, 2),
        stakeholders=opp.stakeholders,
        debt=opp.debt,
        started=item.remaining is not None,
    )


def capacity_hint(scenario: Scenario, state: State) -> tuple[float, float]:
    """The range (80%) of points the team will have for refinement, debt and the plan."""
    team = scenario.team
    keep = 1 - min(0.5, state.debt * team.debt_drag)
    upkeep = sum(scenario.opportunity(k).upkeep for k, i in state.items.items() if i.status == LIVE)
    bugs = state.bugs * team.bug_cost
    low = (team.capacity_mean - HINT_Z * team.capacity_sd) * keep - upkeep - bugs
    high = (team.capacity_mean + HINT_Z * team.capacity_sd) * keep - upkeep - bugs
    return round(max(0.0, low), 1), round(max(0.0, high), 1)


def build(scenario: Scenario, state: State) -> TurnView:
    sprint = state.sprint + 1
    events = [] if state.finished else [e for e in scenario.events if e.sprint == sprint]
    return TurnView(
        sprint=sprint,
        sprints=state.sprints,
        finished=state.finished,
        capacity_hint=capacity_hint(scenario, state),
        opportunities=[
            _opportunity(scenario, state.items[o.key])
            for o in scenario.opportunities
            if state.items[o.key].available or state.items[o.key].status != "backlog"
        ],
        events=[
            EventView(
                e.key,
                e.kind,
                e.title,
                e.text,
                [(o.key, o.label) for o in e.options],
                e.guide_ref,
                e.stakeholder,
            )
            for e in events
        ],
        debt=round(state.debt, 2),
        bugs=state.bugs,
        kpis=resolve.kpis(scenario, state),
        scores=dict(state.scores),
        stakeholders=[
            StakeholderView(s.key, s.name, round(state.trust[s.key], 2))
            for s in scenario.stakeholders
        ],
    )
