"""The scenario schema: a YAML file, validated with pydantic, then cross-checked.

A scenario defines what the trainee sees (the product, personas, stakeholders, the team, the
backlog's opportunities with a value range and an effort range) and what the simulation hides
(each opportunity's true value and true effort, drawn within those ranges from the run's
seed). Every text comes in English and French (`Text`). Built-in scenarios live in
`src/jalon/academy/scenarios/*.yaml` (package data); `jalon academy schema` prints the JSON
Schema of this module's `Scenario`.

Units: effort in points (the team's capacity is in the same points), value in value units per
sprint once the item is released (a KPI such as revenue is `base + per_value * value rate`).
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from jalon.academy.sim import checks

Key = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)]
Kind = Literal["epic", "feature", "story", "bug", "tech_debt", "spike"]
EventKind = Literal["scope-change", "manager", "regulation", "competitor", "retire", "other"]
Stance = Literal["accept", "decline", "negotiate", "other"]
Sprint = Annotated[int, Field(ge=1, le=30)]
NonEmpty = Annotated[str, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Text(_Model):
    """A text in both languages of Jalon."""

    en: NonEmpty
    fr: NonEmpty

    def get(self, language: str) -> str:
        return self.fr if language == "fr" else self.en


class Range(_Model):
    """An interval the simulation draws a hidden true value within (low <= high)."""

    low: float = Field(ge=0)
    high: float = Field(ge=0)

    @property
    def mid(self) -> float:
        return (self.low + self.high) / 2


class ProductSpec(_Model):
    name: Text
    vision: Text
    goal: Text


class Persona(_Model):
    key: Key
    name: Text
    description: Text


class Stakeholder(_Model):
    key: Key
    name: NonEmpty
    role: Text
    goals: Text
    influence: int = Field(ge=1, le=5)
    trust: int = Field(ge=0, le=100)


class Member(_Model):
    name: NonEmpty
    role: Text


class TeamSpec(_Model):
    """The Developers. Capacity per sprint ~ Normal(capacity_mean, capacity_sd), in points."""

    members: tuple[Member, ...] = Field(min_length=1)
    capacity_mean: float = Field(gt=0)
    capacity_sd: float = Field(ge=0)
    initial_debt: float = Field(default=0, ge=0)
    debt_drag: float = Field(default=0.012, ge=0, le=0.05)  # capacity share lost per debt point
    debt_per_point: float = Field(default=0.06, ge=0, le=1)  # debt added per point delivered
    bug_rate: float = Field(default=0.04, ge=0, le=1)  # expected new bugs per debt point
    bug_cost: float = Field(default=1.5, ge=0)  # points to fix one bug
    refine_cost: float = Field(default=0.1, ge=0, le=1)  # share of the effort midpoint
    blowup: float = Field(default=0.35, ge=0, le=1)  # chance an unrefined item blows up
    blowup_factor: float = Field(default=1.7, ge=1, le=4)


class Window(_Model):
    """Released by sprint `until`, the opportunity is worth `factor` times its value."""

    until: Sprint
    factor: float = Field(ge=1, le=10)


class Opportunity(_Model):
    key: Key
    title: Text
    description: Text
    kind: Kind = "story"
    value: Range  # value per sprint once released (hidden true value drawn within)
    effort: Range  # points (hidden true effort drawn within)
    tags: tuple[Key, ...] = ()  # a11y, eco, ethics count for the responsible-product index
    stakeholders: tuple[Key, ...] = ()  # who cares: their trust moves when it ships
    sprint: Sprint = 1  # the sprint it enters the backlog
    hidden: bool = False  # only an event option's `unlock` brings it into the backlog
    released: bool = False  # already live at the start (a feature that may be retired)
    upkeep: float = Field(default=0, ge=0)  # points per sprint while it is live
    window: Window | None = None  # worth more if released early (the weak signal's one)
    debt: float = 0  # change to the technical debt when done (negative pays it down)
    reveals: tuple[Key, ...] = ()  # a spike: when done, the true value of these is known
    risk: float | None = Field(default=None, ge=0, le=1)  # overrides team.blowup

    @field_validator("kind", mode="before")
    @classmethod
    def _dashes(cls, value: Any) -> Any:
        return "tech_debt" if value == "tech-debt" else value


class Effects(_Model):
    """What an event's option does when chosen."""

    trust: dict[Key, float] = Field(default_factory=dict)  # per stakeholder
    trust_all: float = 0  # every stakeholder
    value: float = 0  # value realised (or lost) at once
    debt: float = 0
    capacity: float = 0  # this sprint's capacity, in points
    stress: float = 0  # the team's stress (0..100)
    responsible: float = 0  # points for the responsible-product index
    opportunity: float = 0  # value units of opportunity lost (negative) or opened
    unlock: tuple[Key, ...] = ()  # opportunities that enter the backlog
    retire: tuple[Key, ...] = ()  # live features switched off (no more value nor upkeep)
    value_factor: dict[Key, float] = Field(default_factory=dict)  # times an opportunity's value
    breaks_goal: bool = False  # the Sprint Goal cannot be met this sprint


class Option(_Model):
    key: Key
    label: Text
    stance: Stance = "other"
    informed: bool = False  # what an informed Product Owner would choose (exactly one)
    explanation: Text
    effects: Effects = Effects()


class Event(_Model):
    key: Key
    sprint: Sprint  # answered in this sprint's decisions
    kind: EventKind = "other"
    title: Text
    text: Text
    guide_ref: NonEmpty  # a Scrum Guide 2020 section ("Sprint", ...) or "EBM: ..."
    lesson: Key | None = None  # a learning path module key for the debrief
    stakeholder: Key | None = None  # who raises it
    market: bool = False  # also shown in the market watch
    options: tuple[Option, ...] = Field(min_length=2)


class FeedbackSpec(_Model):
    sprint: Sprint  # arrives during this sprint
    theme: Key
    text: Text
    weak_signal: bool = False
    persona: Key | None = None
    opportunity: Key | None = None


class MarketSpec(_Model):
    sprint: Sprint
    title: Text
    text: Text
    opportunity: Key | None = None


class Kpi(_Model):
    """A KPI the product shows: base + per_value * the value realised in a sprint."""

    key: Key
    label: Text
    unit: str = ""
    base: float = 0
    per_value: float = 1


class Scenario(_Model):
    key: Key
    title: Text
    summary: Text
    sprints: Sprint
    sprint_days: int = Field(ge=5, le=30)
    lag: int = Field(default=1, ge=1, le=4)  # sprints for a release's value to show in full
    product: ProductSpec
    personas: tuple[Persona, ...] = Field(min_length=1)
    stakeholders: tuple[Stakeholder, ...] = Field(min_length=1)
    team: TeamSpec
    opportunities: tuple[Opportunity, ...] = Field(min_length=3)
    events: tuple[Event, ...] = ()
    feedback: tuple[FeedbackSpec, ...] = ()
    market: tuple[MarketSpec, ...] = ()
    kpis: tuple[Kpi, ...] = Field(min_length=1)

    def opportunity(self, key: str) -> Opportunity:
        return self._indexes[0][key]

    def event(self, key: str) -> Event:
        return self._indexes[1][key]

    def stakeholder(self, key: str) -> Stakeholder:
        return self._indexes[2][key]

    @functools.cached_property
    def _indexes(self) -> tuple[dict[str, Opportunity], dict[str, Event], dict[str, Stakeholder]]:
        return (
            {o.key: o for o in self.opportunities},
            {e.key: e for e in self.events},
            {s.key: s for s in self.stakeholders},
        )


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ScenarioError(Exception):
    """A scenario that breaks the schema; `messages` are "path.to.field: message" strings."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def _location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(root)"


def parse_data(data: Any) -> Scenario:
    """A scenario from already-loaded data (a dict), or ScenarioError."""
    if not isinstance(data, dict):
        raise ScenarioError(["(root): a scenario is a mapping of fields (key, title, ...)"])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(
            [f"{_location(err['loc'])}: {err['msg']}" for err in exc.errors()]
        ) from None
    messages = checks.cross_check(scenario)
    if messages:
        raise ScenarioError(messages)
    return scenario


def parse_scenario(text: str) -> Scenario:
    """A scenario from YAML text, or ScenarioError with a message per problem."""
    try:
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 (a safe loader, in C when built)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError([f"yaml: {where}{problem}"]) from None
    return parse_data(data)


@functools.cache
def list_scenarios() -> list[Scenario]:
    """The built-in scenarios, sorted by key (a broken file raises ScenarioError)."""
    found: list[Scenario] = []
    folder = resources.files("jalon.academy").joinpath("scenarios")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        try:
            found.append(parse_scenario(entry.read_text(encoding="utf-8")))
        except ScenarioError as exc:
            raise ScenarioError([f"{entry.name}: {m}" for m in exc.messages]) from None
    return sorted(found, key=lambda s: s.key)


def load_scenario(key: str) -> Scenario:
    """A built-in scenario by key; KeyError if there is none."""
    for scenario in list_scenarios():
        if scenario.key == key:
            return scenario
    raise KeyError(key)


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file (without the cross checks of `checks`)."""
    return Scenario.model_json_schema()
