"""A run's whole state, JSON-serialisable, and the hidden draws made at the start of a run.

Randomness: every draw comes from `numpy.random.default_rng([seed, sprint])` (sprint 0 for the
start of the run), so a sprint's outcome depends only on the state before it, the decisions
and the seed: replaying a log gives the same run, bit for bit.
"""

from __future__ import annotations

import copy
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from jalon.academy.sim.scenario import Opportunity, Scenario

LIVE = "released"
STATUSES = ("backlog", "done", "released", "retired")


@dataclass
class ItemState:
    """One opportunity during a run. `value`, `effort` and `blowup` are hidden."""

    key: str
    value: float  # true value per sprint once released
    effort: float  # true effort, in points, when refined before work starts
    blowup: bool  # worked on unrefined, its effort is multiplied by team.blowup_factor
    available: bool  # in the Product Backlog (visible to the trainee)
    refined: bool = False
    revealed: bool = False  # its true value is known (a spike revealed it)
    status: str = "backlog"
    remaining: float | None = None  # points left once work has started
    released_at: int | None = None  # the sprint it was released in (0: live at the start)
    factor: float = 1.0  # value multiplier from events


@dataclass
class SprintRecord:
    """What the scores need to remember of a resolved sprint."""

    gross: float  # capacity before debt, bugs and upkeep
    eaten: float  # capacity eaten by debt drag, bug fixing and upkeep
    released: int  # items released in the sprint
    health: float  # team health at the end of the sprint (0..100)
    overload: float  # planned effort over available capacity, minus one (0 when within)
    goal_met: bool


@dataclass
class State:
    """The run: what happened so far, the hidden truth, and the scores."""

    scenario: str
    seed: int
    sprints: int
    items: dict[str, ItemState]
    trust: dict[str, float]
    debt: float
    reference: float  # the value a good plan realises over the run (scales current value)
    sprint: int = 0  # sprints resolved so far
    stress: float = 0.0
    bugs: int = 0  # open bugs
    realised: float = 0.0  # value realised since the start
    rate: float = 0.0  # value realised in the last sprint
    lost: float = 0.0  # opportunity lost for good (missed windows, harmful answers)
    responsible: float = 0.0  # points of the responsible-product index
    answers: dict[str, str] = field(default_factory=dict)  # event key -> option key
    history: list[SprintRecord] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.sprint >= self.sprints

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> State:
        data = copy.deepcopy(data)
        data["items"] = {k: ItemState(**v) for k, v in data["items"].items()}
        data["history"] = [SprintRecord(**r) for r in data.get("history", [])]
        return cls(**data)

    def copy(self) -> State:
        return copy.deepcopy(self)


def rng_for(seed: int, sprint: int, stream: int = 0) -> np.random.Generator:
    """The generator of one sprint of one run (stream 1 is the random policy's)."""
    return np.random.default_rng([seed, sprint, stream])


def earned(rate: float, released_at: int, last: int, lag: int) -> float:
    """Value a release earns from the sprint after it up to sprint `last`, ramping over `lag`."""
    return sum(rate * min(1.0, (s - released_at) / lag) for s in range(released_at + 1, last + 1))


def window_rate(opp: Opportunity, value: float, released_at: int | None) -> float:
    """The value per sprint, with the early-release bonus when released in the window."""
    if opp.window is not None and released_at is not None and released_at <= opp.window.until:
        return value * opp.window.factor
    return value


def _reference(scenario: Scenario, items: dict[str, ItemState]) -> float:
    """Value realised by a greedy plan (best value per point first, mean capacity, no risk)."""
    team = scenario.team
    per_sprint = team.capacity_mean * (1 - min(0.5, team.initial_debt * team.debt_drag))
    candidates = [o for o in scenario.opportunities if not (o.hidden or o.released)]

    def density(o: Opportunity) -> float:
        best = window_rate(o, items[o.key].value, o.window.until if o.window else None)
        return best / items[o.key].effort

    total, used = 0.0, 0.0
    for opp in sorted(candidates, key=density, reverse=True):
        used += items[opp.key].effort
        released = max(opp.sprint, math.ceil(used / per_sprint))
        if released >= scenario.sprints:
            break
        rate = window_rate(opp, items[opp.key].value, released)
        total += earned(rate, released, scenario.sprints, scenario.lag)
    return max(total, 1.0)


def _draw(opp: Opportunity, rng: np.random.Generator, blowup: float) -> ItemState:
    value = float(rng.uniform(opp.value.low, opp.value.high))
    effort = float(rng.uniform(opp.effort.low, opp.effort.high))
    risk = opp.risk if opp.risk is not None else blowup
    item = ItemState(
        key=opp.key,
        value=round(value, 3),
        effort=round(effort, 3),
        blowup=bool(rng.random() < risk),
        available=not opp.hidden and (opp.sprint <= 1 or opp.released),
    )
    if opp.released:
        item.status, item.released_at = LIVE, 0
    return item


def start(scenario: Scenario, seed: int) -> State:
    """A fresh run of the scenario: the hidden truth drawn from the seed (>= 0); no scores."""
    if seed < 0:
        raise ValueError("the seed must be zero or more")
    rng = rng_for(seed, 0)
    items = {o.key: _draw(o, rng, scenario.team.blowup) for o in scenario.opportunities}
    return State(
        scenario=scenario.key,
        seed=seed,
        sprints=scenario.sprints,
        items=items,
        trust={s.key: float(s.trust) for s in scenario.stakeholders},
        debt=scenario.team.initial_debt,
        reference=round(_reference(scenario, items), 3),
    )
