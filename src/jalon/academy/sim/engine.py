"""The engine's contract: start a run, show a turn, validate and resolve a sprint, replay.

    state = new_run(scenario, seed=7)
    turn = view(scenario, state)                 # what the trainee sees
    state, outcome = resolve_sprint(scenario, state, decisions)
    state2, outcomes = replay(scenario, 7, log)  # the same run, from its decisions log

Everything is pure: the input state is never mutated, and the seed decides every draw.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jalon.academy.sim import resolve, scoring, views
from jalon.academy.sim.outcome import (
    Answer,
    FeedbackEntry,
    MarketEntry,
    Reaction,
    SprintOutcome,
)
from jalon.academy.sim.scenario import Scenario
from jalon.academy.sim.state import State, start
from jalon.academy.sim.views import EventView, OpportunityView, StakeholderView, TurnView
from jalon.errors import N_, Message

__all__ = [
    "Answer",
    "DecisionError",
    "Decisions",
    "EventView",
    "FeedbackEntry",
    "MarketEntry",
    "OpportunityView",
    "Reaction",
    "SprintOutcome",
    "StakeholderView",
    "State",
    "TurnView",
    "ebm_score",
    "new_run",
    "replay",
    "resolve_sprint",
    "validate",
    "view",
]

ebm_score = scoring.ebm_score


@dataclass(frozen=True)
class Decisions:
    """The trainee's decisions for one sprint."""

    order: tuple[str, ...] = ()  # the backlog order (opportunity keys; may be partial)
    refine: tuple[str, ...] = ()
    goal: str = ""
    plan: tuple[str, ...] = ()  # the Sprint Backlog, in the order the team works it
    answers: Mapping[str, str] = field(default_factory=dict)  # event key -> option key
    pay_debt: int = 0  # capacity points spent paying down technical debt

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Decisions:
        def keys(name: str) -> tuple[str, ...]:
            value = data.get(name) or ()
            if isinstance(value, str) or not isinstance(value, Iterable):
                raise ValueError(f"{name} must be a list of keys")
            return tuple(str(k) for k in value)

        answers = data.get("answers") or {}
        if not isinstance(answers, Mapping):
            raise ValueError("answers must map event keys to option keys")
        return cls(
            order=keys("order"),
            refine=keys("refine"),
            goal=str(data.get("goal") or ""),
            plan=keys("plan"),
            answers={str(k): str(v) for k, v in answers.items()},
            pay_debt=int(data.get("pay_debt") or 0),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "order": list(self.order),
            "refine": list(self.refine),
            "goal": self.goal,
            "plan": list(self.plan),
            "answers": dict(self.answers),
            "pay_debt": self.pay_debt,
        }


class DecisionError(Exception):
    """Decisions the engine refuses; `messages` are (field, message) pairs."""

    def __init__(self, messages: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in messages))
        self.messages = messages


def new_run(scenario: Scenario, seed: int) -> State:
    """A fresh run of the scenario; the seed (>= 0) decides the hidden truth and every draw."""
    state = start(scenario, seed)
    state.scores = scoring.compute(scenario, state)
    return state


def view(scenario: Scenario, state: State) -> TurnView:
    """What the trainee sees before deciding the next sprint."""
    return views.build(scenario, state)


def _keys(name: str, keys: Sequence[str], state: State) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for key, count in Counter(keys).items():
        item = state.items.get(key)
        if item is None:
            problems.append((name, Message(N_("Unknown item: {key}."), key=key)))
        elif item.status != "backlog" or not item.available:
            problems.append((name, Message(N_("{key} is not in the Product Backlog."), key=key)))
        elif count > 1:
            problems.append((name, Message(N_("{key} is listed more than once."), key=key)))
    return problems


def _answers(scenario: Scenario, state: State, answers: Mapping[str, str]) -> list[tuple[str, str]]:
    due = {e.key: e for e in scenario.events if e.sprint == state.sprint + 1}
    problems: list[tuple[str, str]] = []
    for key in answers:
        if key not in due:
            msg = Message(N_("{key} is not an event of this sprint."), key=key)
            problems.append((f"answers.{key}", msg))
    for key, event in due.items():
        chosen = answers.get(key)
        if chosen is None:
            problems.append((f"answers.{key}", Message(N_("Answer this event."))))
        elif chosen not in {o.key for o in event.options}:
            msg = Message(N_("Unknown option: {option}."), option=chosen)
            problems.append((f"answers.{key}", msg))
    return problems


def validate(scenario: Scenario, state: State, decisions: Decisions) -> list[tuple[str, str]]:
    """(field, message) for every problem of the decisions; empty when they can be played."""
    if state.finished:
        return [("run", Message(N_("The run is finished: there is no sprint left to play.")))]
    problems = _keys("order", decisions.order, state) + _keys("refine", decisions.refine, state)
    problems += [
        ("refine", Message(N_("{key} is already refined."), key=key))
        for key in dict.fromkeys(decisions.refine)
        if key in state.items and state.items[key].refined
    ]
    problems += _keys("plan", decisions.plan, state)
    if not decisions.plan and any(
        i.available and i.status == "backlog" for i in state.items.values()
    ):
        problems.append(("plan", Message(N_("Plan at least one item for the sprint."))))
    if not decisions.goal.strip():
        problems.append(("goal", Message(N_("Set a Sprint Goal."))))
    if decisions.pay_debt < 0:
        problems.append(("pay_debt", Message(N_("Paying down debt cannot be negative."))))
    return problems + _answers(scenario, state, decisions.answers)


def resolve_sprint(
    scenario: Scenario, state: State, decisions: Decisions
) -> tuple[State, SprintOutcome]:
    """The next sprint, played: a new state and the outcome (DecisionError on bad decisions)."""
    problems = validate(scenario, state, decisions)
    if problems:
        raise DecisionError(problems)
    return resolve.play(scenario, state, decisions)


def replay(
    scenario: Scenario, seed: int, log: Sequence[Decisions]
) -> tuple[State, list[SprintOutcome]]:
    """The run rebuilt from its seed and decisions log."""
    state, outcomes = new_run(scenario, seed), []
    for decisions in log:
        state, outcome = resolve_sprint(scenario, state, decisions)
        outcomes.append(outcome)
    return state, outcomes
