"""Facts from a trainee's run that back a debrief gap ("3 Sprint Goals missed", ...)."""

from __future__ import annotations

from collections.abc import Callable

from jalon.academy.sim.scenario import Option, Scenario, Text
from jalon.academy.sim.scoring import RESPONSIBLE_TAGS
from jalon.academy.sim.state import State

Fact = Callable[[Scenario, State], list[Text]]


def _titles(scenario: Scenario, keys: list[str], language: str) -> str:
    return ", ".join(scenario.opportunity(k).title.get(language) for k in keys)


def _blown_up(scenario: Scenario, state: State) -> list[Text]:
    keys = [
        k for k, i in state.items.items() if i.blowup and not i.refined and i.remaining is not None
    ]
    if not keys:
        return []
    return [
        Text(
            en=f"Worked on without refinement, these took longer than shown: "
            f"{_titles(scenario, keys, 'en')}.",
            fr=f"Travaillés sans affinage, ces éléments ont pris plus longtemps que "
            f"prévu\u00a0: {_titles(scenario, keys, 'fr')}.",
        )
    ]


def _first_release(scenario: Scenario, state: State) -> list[Text]:
    sprints = [i for i, r in enumerate(state.history, start=1) if r.released]
    if not sprints:
        return [Text(en="Nothing was released.", fr="Rien n'a été livré.")]
    quiet = len(state.history) - len(sprints)
    return [
        Text(
            en=f"First release in Sprint {sprints[0]}; {quiet} Sprint(s) released nothing.",
            fr=f"Première livraison au Sprint {sprints[0]}\u00a0; {quiet} Sprint(s) sans "
            f"livraison.",
        )
    ]


def _windows(scenario: Scenario, state: State) -> list[Text]:
    missed = [
        o.key
        for o in scenario.opportunities
        if o.window is not None
        and o.window.until <= state.sprint
        and (state.items[o.key].released_at or state.sprint + 1) > o.window.until
    ]
    if not missed:
        return []
    return [
        Text(
            en=f"Worth more if released early, but released late or never: "
            f"{_titles(scenario, missed, 'en')}.",
            fr=f"Valaient davantage livrés tôt, mais livrés tard ou jamais\u00a0: "
            f"{_titles(scenario, missed, 'fr')}.",
        )
    ]


def _debt(scenario: Scenario, state: State) -> list[Text]:
    live = [
        o.key
        for o in scenario.opportunities
        if o.upkeep and state.items[o.key].status == "released"
    ]
    facts = [
        Text(
            en=f"Technical debt at the end: {state.debt:.0f} points; {state.bugs} open bug(s).",
            fr=f"Dette technique à la fin\u00a0: {state.debt:.0f} points\u00a0; {state.bugs} "
            f"bogue(s) ouvert(s).",
        )
    ]
    if live:
        facts.append(
            Text(
                en=f"Still maintained at a cost: {_titles(scenario, live, 'en')}.",
                fr=f"Toujours maintenu à grands frais\u00a0: {_titles(scenario, live, 'fr')}.",
            )
        )
    return facts


def _answers(scenario: Scenario, state: State) -> list[Text]:
    missed = [k for k, chosen in state.answers.items() if not _option(scenario, k, chosen).informed]
    goals = sum(not r.goal_met for r in state.history)
    return [
        Text(
            en=f"{goals} Sprint Goal(s) missed; {len(missed)} event(s) answered otherwise than "
            f"an informed Product Owner would.",
            fr=f"{goals} objectif(s) de Sprint manqué(s)\u00a0; {len(missed)} événement(s) "
            f"traité(s) autrement que ne l'aurait fait un Product Owner informé.",
        )
    ]


def _option(scenario: Scenario, event: str, option: str) -> Option:
    return next(o for o in scenario.event(event).options if o.key == option)


def _overload(scenario: Scenario, state: State) -> list[Text]:
    heavy = sum(r.overload > 0 for r in state.history)
    return [
        Text(
            en=f"{heavy} Sprint(s) planned beyond the team's capacity; stress at the end: "
            f"{state.stress:.0f}/100.",
            fr=f"{heavy} Sprint(s) planifié(s) au-delà de la capacité de l'équipe\u00a0; "
            f"stress à la fin\u00a0: {state.stress:.0f}/100.",
        )
    ]


def _responsible(scenario: Scenario, state: State) -> list[Text]:
    tagged = [o.key for o in scenario.opportunities if RESPONSIBLE_TAGS & set(o.tags)]
    left = [k for k in tagged if state.items[k].status == "backlog"]
    if not left:
        return []
    return [
        Text(
            en=f"Left in the backlog: {_titles(scenario, left, 'en')}.",
            fr=f"Restés dans le backlog\u00a0: {_titles(scenario, left, 'fr')}.",
        )
    ]


FACTS: dict[str, tuple[Fact, ...]] = {
    "current_value": (_blown_up,),
    "unrealised_value": (_windows,),
    "time_to_market": (_first_release,),
    "ability_to_innovate": (_debt,),
    "trust": (_answers,),
    "team_health": (_overload,),
    "responsible": (_responsible,),
}


def evidence(scenario: Scenario, state: State, score: str) -> tuple[Text, ...]:
    """The facts of the trainee's run behind a score."""
    return tuple(text for fact in FACTS.get(score, ()) for text in fact(scenario, state))
