"""What a sprint's resolution tells the trainee: `SprintOutcome` and its parts (JSON-safe)."""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from typing import Any

from pydantic import BaseModel

from jalon.academy.sim.scenario import Text


def jsonable(value: Any) -> Any:
    """Dataclasses, pydantic models, tuples and dicts as plain JSON values."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def _text(data: Any) -> Text:
    return Text.model_validate(data)


@dataclass(frozen=True)
class FeedbackEntry:
    text: Text
    theme: str
    weak_signal: bool


@dataclass(frozen=True)
class MarketEntry:
    title: Text
    text: Text


@dataclass(frozen=True)
class Reaction:
    stakeholder: str
    delta: float
    reason: Text


@dataclass(frozen=True)
class Answer:
    event: str
    option: str
    informed: bool
    explanation: Text
    guide_ref: str


@dataclass(frozen=True)
class SprintOutcome:
    sprint: int
    capacity: float  # points available for the plan, after every deduction
    refine_cost: float
    debt_paid: float
    done: list[str]
    unfinished: list[str]
    bugs: int  # new bugs found in the sprint
    debt: float  # technical debt at the end of the sprint
    released: list[str]
    value_realised: float
    kpis: dict[str, float]
    goal_met: bool
    feedback: list[FeedbackEntry]
    market: list[MarketEntry]
    reactions: list[Reaction]
    answers: list[Answer]
    scores: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = jsonable(self)
        return result

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SprintOutcome:
        values = dict(data)
        values["feedback"] = [
            FeedbackEntry(_text(f["text"]), f["theme"], f["weak_signal"]) for f in data["feedback"]
        ]
        values["market"] = [
            MarketEntry(_text(m["title"]), _text(m["text"])) for m in data["market"]
        ]
        values["reactions"] = [
            Reaction(r["stakeholder"], r["delta"], _text(r["reason"])) for r in data["reactions"]
        ]
        values["answers"] = [
            Answer(a["event"], a["option"], a["informed"], _text(a["explanation"]), a["guide_ref"])
            for a in data["answers"]
        ]
        return cls(**values)
