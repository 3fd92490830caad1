"""The mechanics of one sprint, applied to a copy of the state (`play`).

Order of play: the answers to the sprint's events take effect; capacity is drawn and reduced
by debt drag, the upkeep of live features, bug fixing, refinement and debt paid down; the
Developers work the plan in order, then pull the next items of the backlog order with what
is left; finished items are released (tech debt and spikes are done, not released); value
is realised by earlier releases (ramping up over `lag` sprints, lowered by open bugs); new
bugs come from debt; stakeholders react; the sprint's feedback and market news arrive.

Rules worth knowing: an item worked on unrefined may blow up (its effort times
`team.blowup_factor`, with the chance `team.blowup` or the item's `risk`); planning more than
the capacity left (overload) adds debt and stress; debt drags capacity (`team.debt_drag` per
point, at most half) and breeds bugs (Poisson, `team.bug_rate` per point); the Sprint Goal is
met when the first planned item is done, at least 70% of the planned effort is done, and no
answer broke it. Met, every stakeholder's trust rises by 2; missed, it falls by 3.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from jalon.academy.sim import scoring
from jalon.academy.sim.outcome import Answer, FeedbackEntry, MarketEntry, Reaction, SprintOutcome
from jalon.academy.sim.scenario import Effects, Scenario, Text
from jalon.academy.sim.state import LIVE, ItemState, SprintRecord, State, rng_for, window_rate

if TYPE_CHECKING:
    from jalon.academy.sim.engine import Decisions

INTERNAL_KINDS = frozenset({"tech_debt", "spike"})
GOAL_MET = Text(en="Sprint Goal met", fr="Objectif de Sprint atteint")
GOAL_MISSED = Text(en="Sprint Goal missed", fr="Objectif de Sprint manqué")
BUGS = Text(en="Bugs reached customers", fr="Des bogues ont atteint les clients")
OVERLOAD_DEBT = 6.0  # debt added per unit of overload (shortcuts taken under pressure)
OVERLOAD_STRESS = 40.0


@dataclass
class Work:
    """The working memory of one resolution."""

    sprint: int
    rng: np.random.Generator
    capacity: float = 0.0  # points added (or removed) by answers
    value: float = 0.0  # value realised (or lost) at once by answers
    stress: float = 0.0
    breaks_goal: bool = False
    reactions: list[Reaction] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)


def _react(state: State, work: Work, key: str, delta: float, reason: Text) -> None:
    before = state.trust[key]
    state.trust[key] = max(0.0, min(100.0, before + delta))
    if state.trust[key] != before:
        work.reactions.append(Reaction(key, round(state.trust[key] - before, 2), reason))


def _apply(scenario: Scenario, state: State, work: Work, effects: Effects, reason: Text) -> None:
    for person in scenario.stakeholders:
        delta = effects.trust.get(person.key, 0.0) + effects.trust_all
        if delta:
            _react(state, work, person.key, delta, reason)
    work.value += effects.value
    work.capacity += effects.capacity
    work.stress += effects.stress
    work.breaks_goal = work.breaks_goal or effects.breaks_goal
    state.debt = max(0.0, state.debt + effects.debt)
    state.responsible += effects.responsible
    state.lost -= effects.opportunity
    for key in effects.unlock:
        state.items[key].available = True
    for key in effects.retire:
        if state.items[key].status == LIVE:
            state.items[key].status = "retired"
    for key, factor in effects.value_factor.items():
        state.items[key].factor *= factor


def _answer_events(scenario: Scenario, state: State, work: Work, decisions: Decisions) -> None:
    for event in scenario.events:
        if event.sprint != work.sprint:
            continue
        chosen = decisions.answers[event.key]
        option = next(o for o in event.options if o.key == chosen)
        state.answers[event.key] = chosen
        _apply(scenario, state, work, option.effects, event.title)
        work.answers.append(
            Answer(event.key, chosen, option.informed, option.explanation, event.guide_ref)
        )


@dataclass
class Capacity:
    gross: float
    eaten: float  # debt drag + upkeep + bug fixing
    refine: float
    paid: float
    net: float  # left for the plan


def refine_cost(scenario: Scenario, keys: tuple[str, ...]) -> float:
    share = scenario.team.refine_cost
    return round(sum(share * scenario.opportunity(k).effort.mid for k in keys), 3)


def _capacity(scenario: Scenario, state: State, work: Work, decisions: Decisions) -> Capacity:
    team = scenario.team
    gross = max(0.0, float(work.rng.normal(team.capacity_mean, team.capacity_sd)) + work.capacity)
    left = gross * (1 - min(0.5, state.debt * team.debt_drag))
    left -= sum(scenario.opportunity(k).upkeep for k, i in state.items.items() if i.status == LIVE)
    fixed = (
        state.bugs if team.bug_cost <= 0 else min(state.bugs, int(max(0.0, left) // team.bug_cost))
    )
    state.bugs -= fixed
    left -= fixed * team.bug_cost
    eaten = gross - max(0.0, left)
    refine = min(max(0.0, left), refine_cost(scenario, decisions.refine))
    paid = min(max(0.0, left - refine), float(decisions.pay_debt))
    net = max(0.0, left - refine - paid)
    state.debt = max(0.0, state.debt - paid)
    for key in decisions.refine:
        state.items[key].refined = True
    return Capacity(round(gross, 3), round(min(eaten, gross), 3), round(refine, 3), paid, net)


def _left(scenario: Scenario, item: ItemState) -> float:
    if item.remaining is None:
        team = scenario.team
        grows = item.blowup and not item.refined
        item.remaining = item.effort * (team.blowup_factor if grows else 1.0)
    return item.remaining


@dataclass
class Progress:
    done: list[str]
    unfinished: list[str]
    overload: float
    goal_met: bool


def _work(
    scenario: Scenario, state: State, work: Work, decisions: Decisions, net: float
) -> Progress:
    planned = {k: _left(scenario, state.items[k]) for k in decisions.plan}
    total = sum(planned.values())
    overload = min(2.0, max(0.0, total / net - 1)) if net > 0 else (1.0 if total else 0.0)
    budget, done = net, []
    pulled = [k for k in decisions.order if k not in planned]
    for key in [*decisions.plan, *pulled]:
        item = state.items[key]
        if budget <= 1e-9 or item.status != "backlog" or not item.available:
            continue
        spent = min(budget, _left(scenario, item))
        budget -= spent
        item.remaining = max(0.0, (item.remaining or 0.0) - spent)
        if item.remaining <= 1e-9:
            done.append(key)
            item.status = "done"
    unfinished = [k for k in decisions.plan if k not in done]
    share = sum(planned[k] for k in decisions.plan if k in done) / total if total else 0.0
    met = not work.breaks_goal and decisions.plan[0] in done and share >= 0.7
    return Progress(done, unfinished, overload, met)


def _finish(scenario: Scenario, state: State, work: Work, done: list[str]) -> list[str]:
    released = []
    for key in done:
        opp, item = scenario.opportunity(key), state.items[key]
        state.debt = max(0.0, state.debt + opp.debt)
        state.responsible += len(scoring.RESPONSIBLE_TAGS & set(opp.tags))
        for other in opp.reveals:
            state.items[other].revealed = True
        if opp.kind in INTERNAL_KINDS:
            continue
        item.status, item.released_at = LIVE, work.sprint
        state.debt += scenario.team.debt_per_point * item.effort
        released.append(key)
        delta = round(1 + min(4.0, item.value / 3), 1)
        reason = Text(en=f"Delivered: {opp.title.en}", fr=f"Livré\u00a0: {opp.title.fr}")
        for person in opp.stakeholders:
            _react(state, work, person, delta, reason)
    return released


def _realise(scenario: Scenario, state: State, work: Work) -> float:
    total = 0.0
    for key, item in state.items.items():
        if item.status != LIVE or item.released_at is None or item.released_at >= work.sprint:
            continue
        opp = scenario.opportunity(key)
        rate = window_rate(opp, item.value * item.factor, item.released_at)
        total += rate * min(1.0, (work.sprint - item.released_at) / scenario.lag)
    quality = 1 - min(0.3, state.bugs * 0.03)
    state.rate = round(total * quality, 3)
    value = state.rate + work.value
    state.realised = round(state.realised + value, 3)
    return round(value, 3)


def _missed_windows(scenario: Scenario, state: State, sprint: int) -> None:
    for opp in scenario.opportunities:
        item = state.items[opp.key]
        late = item.released_at is None or item.released_at > sprint
        if opp.window is not None and opp.window.until == sprint and late:
            state.lost += item.value * item.factor * (opp.window.factor - 1)


def _after(scenario: Scenario, state: State, work: Work, progress: Progress) -> int:
    team = scenario.team
    state.debt += OVERLOAD_DEBT * progress.overload
    new_bugs = int(work.rng.poisson(team.bug_rate * state.debt))
    state.bugs += new_bugs
    state.stress = max(0.0, min(100.0, 0.5 * state.stress + OVERLOAD_STRESS * progress.overload))
    state.stress = max(0.0, min(100.0, state.stress + work.stress))
    reason, delta = (GOAL_MET, 2.0) if progress.goal_met else (GOAL_MISSED, -3.0)
    for person in scenario.stakeholders:
        _react(state, work, person.key, delta, reason)
        if new_bugs >= 2:
            _react(state, work, person.key, -0.5 * new_bugs, BUGS)
    for opp in scenario.opportunities:
        if opp.sprint == work.sprint + 1 and not opp.hidden:
            state.items[opp.key].available = True
    return new_bugs


def _news(scenario: Scenario, sprint: int) -> tuple[list[FeedbackEntry], list[MarketEntry]]:
    feedback = [
        FeedbackEntry(f.text, f.theme, f.weak_signal)
        for f in scenario.feedback
        if f.sprint == sprint
    ]
    market = [MarketEntry(m.title, m.text) for m in scenario.market if m.sprint == sprint]
    market += [
        MarketEntry(e.title, e.text) for e in scenario.events if e.market and e.sprint == sprint
    ]
    return feedback, market


def kpis(scenario: Scenario, state: State) -> dict[str, float]:
    return {k.key: round(k.base + k.per_value * state.rate, 2) for k in scenario.kpis}


def play(scenario: Scenario, before: State, decisions: Decisions) -> tuple[State, SprintOutcome]:
    """Resolve the next sprint on a copy of `before` (decisions already validated)."""
    state = before.copy()
    work = Work(sprint=state.sprint + 1, rng=rng_for(state.seed, state.sprint + 1))
    _answer_events(scenario, state, work, decisions)
    capacity = _capacity(scenario, state, work, decisions)
    progress = _work(scenario, state, work, decisions, capacity.net)
    released = _finish(scenario, state, work, progress.done)
    value = _realise(scenario, state, work)
    _missed_windows(scenario, state, work.sprint)
    new_bugs = _after(scenario, state, work, progress)
    state.sprint = work.sprint
    record = SprintRecord(
        capacity.gross,
        capacity.eaten,
        len(released),
        scoring.health_now(state),
        round(progress.overload, 3),
        progress.goal_met,
    )
    state.history.append(record)
    state.scores = scoring.compute(scenario, state)
    return state, _outcome(scenario, state, work, capacity, progress, released, value, new_bugs)


def _outcome(
    scenario: Scenario,
    state: State,
    work: Work,
    capacity: Capacity,
    progress: Progress,
    released: list[str],
    value: float,
    new_bugs: int,
) -> SprintOutcome:
    feedback, market = _news(scenario, work.sprint)
    return SprintOutcome(
        sprint=work.sprint,
        capacity=round(capacity.net, 2),
        refine_cost=round(capacity.refine, 2),
        debt_paid=round(capacity.paid, 2),
        done=progress.done,
        unfinished=progress.unfinished,
        bugs=new_bugs,
        debt=round(state.debt, 2),
        released=released,
        value_realised=value,
        kpis=kpis(scenario, state),
        goal_met=progress.goal_met,
        feedback=feedback,
        market=market,
        reactions=work.reactions,
        answers=work.answers,
        scores=dict(state.scores),
    )
