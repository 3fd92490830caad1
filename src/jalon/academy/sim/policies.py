"""Built-in policies: a policy decides a sprint from the scenario and the state.

- informed: knows the hidden truth (true value, effort, which items blow up unrefined) and the
  informed answer to every event: the reference the debrief compares a trainee with.
- value-effort: orders by visible value per point of effort, refines what it commits to,
  plans to the capacity hint, pays debt down when it grows, answers events by stance
  (negotiate, then other, decline, accept) without hidden knowledge.
- random: random order, no refinement, a random plan of random size, random answers.
- yes-to-all: value-effort, but accepts every demand (every option whose stance is accept).
- guarded: value-effort, but declines mid-sprint scope changes.

Each is deterministic given the state (the random one draws from the seed and sprint).
"""

from __future__ import annotations

from collections.abc import Callable

from jalon.academy.sim import engine, resolve, views
from jalon.academy.sim.engine import Decisions
from jalon.academy.sim.scenario import Event, Scenario
from jalon.academy.sim.state import ItemState, State, rng_for

Policy = Callable[[Scenario, State], Decisions]
DEBT_VALUE = 0.3  # value per sprint a policy credits to each point of debt an item removes
INSIGHT_VALUE = 0.3  # value per sprint credited to a spike per unit of value range it reveals
PAY_ABOVE = 15.0  # debt above which the value-effort policies pay some down
PAY_SHARE = 0.15  # the share of the capacity hint they then spend on it
PREFERENCE = ("negotiate", "other", "decline", "accept")

QUIET_GOAL = "Pay down technical debt and keep the product sound"  # nothing left to plan


def _backlog(scenario: Scenario, state: State) -> list[str]:
    return [
        o.key
        for o in scenario.opportunities
        if state.items[o.key].available and state.items[o.key].status == "backlog"
    ]


def _visible_worth(scenario: Scenario, state: State, key: str) -> float:
    """Value per sprint a PO can see: the value hint's middle, debt relief, a spike's insight."""
    opp, item = scenario.opportunity(key), state.items[key]
    worth = item.value if item.revealed else opp.value.mid
    worth += DEBT_VALUE * max(0.0, -opp.debt)
    hidden = [scenario.opportunity(k).value for k in opp.reveals if not state.items[k].revealed]
    return worth + INSIGHT_VALUE * sum(r.high - r.low for r in hidden)


def _visible_effort(scenario: Scenario, state: State, key: str) -> float:
    item = state.items[key]
    low, high = views.effort_range(scenario, item)
    return max(0.5, (low + high) / 2)


def _pick(event: Event, preference: tuple[str, ...]) -> str:
    for stance in preference:
        for option in event.options:
            if option.stance == stance:
                return option.key
    return event.options[0].key


def _events(scenario: Scenario, state: State) -> list[Event]:
    return [e for e in scenario.events if e.sprint == state.sprint + 1]


def _fill(
    order: list[str], effort: Callable[[str], float], budget: float, cost: Callable[[str], float]
) -> tuple[list[str], list[str]]:
    """Greedy plan in order: (plan, items to refine), keeping effort plus refining in budget."""
    plan: list[str] = []
    refine: list[str] = []
    for key in order:
        need = effort(key) + cost(key)
        if need <= budget or not plan:
            plan.append(key)
            budget -= need
            if cost(key) > 0:
                refine.append(key)
    return plan, refine


def _value_effort(
    scenario: Scenario, state: State, preference: Callable[[Event], tuple[str, ...]]
) -> Decisions:
    keys = _backlog(scenario, state)
    order = sorted(
        keys,
        key=lambda k: _visible_worth(scenario, state, k) / _visible_effort(scenario, state, k),
        reverse=True,
    )
    low, high = views.capacity_hint(scenario, state)
    pay = round(PAY_SHARE * (low + high) / 2) if state.debt > PAY_ABOVE else 0

    def cost(key: str) -> float:
        return 0.0 if state.items[key].refined else resolve.refine_cost(scenario, (key,))

    plan, refine = _fill(order, lambda k: _visible_effort(scenario, state, k), low - pay, cost)
    answers = {e.key: _pick(e, preference(e)) for e in _events(scenario, state)}
    goal = f"Deliver {scenario.opportunity(plan[0]).title.en}" if plan else QUIET_GOAL
    return Decisions(tuple(order), tuple(refine), goal, tuple(plan), answers, pay)


def value_effort(scenario: Scenario, state: State) -> Decisions:
    return _value_effort(scenario, state, lambda e: PREFERENCE)


def yes_to_all(scenario: Scenario, state: State) -> Decisions:
    return _value_effort(scenario, state, lambda e: ("accept", *PREFERENCE))


def guarded(scenario: Scenario, state: State) -> Decisions:
    def preference(event: Event) -> tuple[str, ...]:
        return ("decline", *PREFERENCE) if event.kind == "scope-change" else PREFERENCE

    return _value_effort(scenario, state, preference)


def _true_worth(scenario: Scenario, state: State, key: str) -> float:
    opp, item = scenario.opportunity(key), state.items[key]
    worth = item.value * item.factor
    if opp.window is not None and state.sprint + 1 <= opp.window.until:
        worth *= opp.window.factor
    return worth + DEBT_VALUE * max(0.0, -opp.debt)


def _true_left(scenario: Scenario, item: ItemState) -> float:
    if item.remaining is not None:
        return item.remaining
    return item.effort


def informed(scenario: Scenario, state: State) -> Decisions:
    """The reference: hidden truth, informed answers, refines only what would blow up."""
    backlog = _backlog(scenario, state)
    keys = [k for k in backlog if not scenario.opportunity(k).reveals] or backlog
    order = sorted(
        keys,
        key=lambda k: _true_worth(scenario, state, k) / _true_left(scenario, state.items[k]),
        reverse=True,
    )
    low, high = views.capacity_hint(scenario, state)
    pay = round(PAY_SHARE * (low + high) / 2) if state.debt > PAY_ABOVE else 0

    def cost(key: str) -> float:
        item = state.items[key]
        risky = item.blowup and not item.refined and item.remaining is None
        return resolve.refine_cost(scenario, (key,)) if risky else 0.0

    budget = low - pay
    plan, refine = _fill(order, lambda k: _true_left(scenario, state.items[k]), budget, cost)
    answers = {
        e.key: next(o.key for o in e.options if o.informed) for e in _events(scenario, state)
    }
    goal = f"Deliver {scenario.opportunity(plan[0]).title.en}" if plan else QUIET_GOAL
    return Decisions(tuple(order), tuple(refine), goal, tuple(plan), answers, pay)


def random_policy(scenario: Scenario, state: State) -> Decisions:
    """No method: a shuffled backlog, a plan of random size, random answers."""
    rng = rng_for(state.seed, state.sprint + 1, stream=1)
    keys = _backlog(scenario, state)
    order = [keys[i] for i in rng.permutation(len(keys))]
    low, high = views.capacity_hint(scenario, state)
    target = float(rng.uniform(0.6, 1.6)) * (low + high) / 2
    plan: list[str] = []
    used = 0.0
    for key in order:
        if used >= target and plan:
            break
        plan.append(key)
        used += _visible_effort(scenario, state, key)
    answers = {
        e.key: e.options[int(rng.integers(len(e.options)))].key for e in _events(scenario, state)
    }
    return Decisions(tuple(order), (), "Get things done", tuple(plan), answers, 0)


POLICIES: dict[str, Policy] = {
    "informed": informed,
    "value-effort": value_effort,
    "random": random_policy,
    "yes-to-all": yes_to_all,
    "guarded": guarded,
}


def play(scenario: Scenario, policy: Policy, seed: int, sprints: int | None = None) -> State:
    """A whole run (or its first `sprints` sprints) played by a policy; the final state."""
    state = engine.new_run(scenario, seed)
    for _ in range(min(sprints or scenario.sprints, scenario.sprints)):
        state, _outcome = engine.resolve_sprint(scenario, state, policy(scenario, state))
    return state
