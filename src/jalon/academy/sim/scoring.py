"""The scores of a run, 0 to 100 each, and the EBM composite. Velocity is never a score.

- current_value: value realised by released items since the start, against the value a
  greedy plan with perfect knowledge would realise over the whole run (`State.reference`).
- unrealised_value: how much of the product's potential the PO keeps within reach and knows:
  (1 - lost / potential) * (0.4 + 0.3 * discovered + 0.3 * insight), where `lost` is value
  gone for good (an early-release window missed, an answer that burns an opportunity),
  `discovered` the share of the potential brought into the backlog (unlocked by answers to
  events, arrived with feedback), and `insight` the share of the backlog's value the PO has
  evidence on (refined, revealed by a spike, or released). Higher is better.
- time_to_market: half for how early the first release came (sprint 1 scores full), half
  for release frequency (the share of sprints that released something).
- ability_to_innovate: the mean share of capacity not eaten by debt drag, bug fixing and the
  upkeep of live features.
- trust: stakeholders' trust, weighted by their influence.
- team_health: the mean over sprints of 100 - stress - 0.8 * debt (overload raises stress).
- responsible: points earned (a11y, eco and ethics items delivered, one point per tag; the
  responsible effect of answers) over the points the scenario makes possible.

`ebm_score` weighs them: current value 25%, unrealised value 10%, time to market 15%, ability
to innovate 15%, trust 15%, team health 10%, responsible product 10%.
"""

from __future__ import annotations

from collections.abc import Mapping

from jalon.academy.sim.scenario import Scenario
from jalon.academy.sim.state import State, window_rate
from jalon.errors import N_

RESPONSIBLE_TAGS = frozenset({"a11y", "eco", "ethics"})
WEIGHTS: dict[str, float] = {
    "current_value": 0.25,
    "unrealised_value": 0.10,
    "time_to_market": 0.15,
    "ability_to_innovate": 0.15,
    "trust": 0.15,
    "team_health": 0.10,
    "responsible": 0.10,
}
SCORES = tuple(WEIGHTS)
LABELS: dict[str, str] = {
    "current_value": N_("Current value"),
    "unrealised_value": N_("Unrealised value"),
    "time_to_market": N_("Time to market"),
    "ability_to_innovate": N_("Ability to innovate"),
    "trust": N_("Stakeholder trust"),
    "team_health": N_("Team health"),
    "responsible": N_("Responsible product"),
    "ebm": N_("EBM score"),
}


def ebm_score(scores: Mapping[str, float]) -> float:
    """The weighted composite of the scores present (0..100)."""
    weights = {k: w for k, w in WEIGHTS.items() if k in scores}
    total = sum(weights.values())
    if not total:
        return 0.0
    return round(sum(scores[k] * w for k, w in weights.items()) / total, 2)


def _clamp(value: float) -> float:
    return round(max(0.0, min(100.0, value)), 2)


def _unrealised(scenario: Scenario, state: State) -> float:
    def worth(key: str) -> float:
        opp = scenario.opportunity(key)
        return window_rate(opp, state.items[key].value, opp.window.until if opp.window else None)

    keys = [o.key for o in scenario.opportunities if not o.released]
    potential = sum(worth(k) for k in keys) or 1.0
    backlog = [k for k in keys if state.items[k].available or state.items[k].status != "backlog"]
    known = [
        k
        for k in backlog
        if state.items[k].refined or state.items[k].revealed or state.items[k].status != "backlog"
    ]
    discovered = sum(worth(k) for k in backlog) / potential
    insight = sum(worth(k) for k in known) / (sum(worth(k) for k in backlog) or 1.0)
    kept = max(0.0, 1 - state.lost / potential)
    return 100 * kept * (0.4 + 0.3 * discovered + 0.3 * insight)


def _time_to_market(state: State) -> float:
    if not state.history:
        return 0.0
    released = [i for i, record in enumerate(state.history, start=1) if record.released]
    if not released:
        return 0.0
    early = 1 - (released[0] - 1) / state.sprints
    frequency = len(released) / len(state.history)
    return 100 * (0.5 * early + 0.5 * frequency)


def _ability(scenario: Scenario, state: State) -> float:
    if not state.history:
        return 100 * (1 - min(0.5, state.debt * scenario.team.debt_drag))
    shares = [1 - r.eaten / r.gross if r.gross > 0 else 0.0 for r in state.history]
    return 100 * sum(shares) / len(shares)


def _trust(scenario: Scenario, state: State) -> float:
    total = sum(s.influence for s in scenario.stakeholders)
    return sum(state.trust[s.key] * s.influence for s in scenario.stakeholders) / total


def health_now(state: State) -> float:
    return _clamp(100 - state.stress - 0.8 * state.debt)


def _health(state: State) -> float:
    if not state.history:
        return health_now(state)
    return sum(r.health for r in state.history) / len(state.history)


def responsible_points(scenario: Scenario) -> float:
    """The most responsible-product points a run of this scenario can earn."""
    tagged = sum(len(RESPONSIBLE_TAGS & set(o.tags)) for o in scenario.opportunities)
    answers = sum(
        max(0.0, *(option.effects.responsible for option in event.options))
        for event in scenario.events
    )
    return tagged + answers


def _responsible(scenario: Scenario, state: State) -> float:
    possible = responsible_points(scenario)
    if possible <= 0:
        return 100.0 if state.responsible >= 0 else 0.0
    return 100 * state.responsible / possible


def compute(scenario: Scenario, state: State) -> dict[str, float]:
    """Every score of the run so far."""
    return {
        "current_value": _clamp(100 * state.realised / state.reference),
        "unrealised_value": _clamp(_unrealised(scenario, state)),
        "time_to_market": _clamp(_time_to_market(state)),
        "ability_to_innovate": _clamp(_ability(scenario, state)),
        "trust": _clamp(_trust(scenario, state)),
        "team_health": _clamp(_health(state)),
        "responsible": _clamp(_responsible(scenario, state)),
    }
