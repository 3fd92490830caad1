"""How runs read in pages and in the API: the engine's objects in the reader's language,
as the JSON schemas and plain values templates use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jalon.academy.runs import queries, rules
from jalon.academy.runs.models import SimRun
from jalon.academy.runs.schemas import (
    EventOut,
    OpportunityOut,
    OptionOut,
    RunOut,
    ScenarioOut,
    StakeholderOut,
    TrustOut,
    TurnOut,
)
from jalon.academy.sim import engine
from jalon.academy.sim.scenario import Scenario


def localise(value: Any, language: str) -> Any:
    """A JSON value with every {"en": ..., "fr": ...} text replaced by the language's."""
    if isinstance(value, Mapping):
        if set(value) == {"en", "fr"} and all(isinstance(v, str) for v in value.values()):
            return value["fr"] if language == "fr" and value["fr"] else value["en"]
        return {k: localise(v, language) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [localise(v, language) for v in value]
    return value


def scenario_out(s: Scenario, language: str) -> ScenarioOut:
    return ScenarioOut(
        key=s.key, title=s.title.get(language), summary=s.summary.get(language),
        sprints=s.sprints, sprint_days=s.sprint_days, product=s.product.name.get(language),
        stakeholders=[
            StakeholderOut(key=h.key, name=h.name, role=h.role.get(language), influence=h.influence)
            for h in s.stakeholders
        ],
    )  # fmt: skip


def events_out(turn: engine.TurnView, language: str) -> list[EventOut]:
    return [
        EventOut(
            key=e.key, title=rules.text_in(e.title, language), text=rules.text_in(e.text, language),
            guide_ref=e.guide_ref,
            options=[OptionOut(key=k, label=rules.text_in(label, language))
                     for k, label in e.options],
        )
        for e in turn.events
    ]  # fmt: skip


def backlog_out(rows: Sequence[queries.BacklogRow]) -> list[OpportunityOut]:
    return [
        OpportunityOut(
            key=r.key, item_id=r.item_id, title=r.title, kind=r.kind, tags=list(r.tags),
            effort_low=r.effort_low, effort_high=r.effort_high, refined=r.refined,
            status=r.status,
        )
        for r in rows
    ]  # fmt: skip


def turn_out(found: queries.RunView, language: str) -> TurnOut:
    turn = found.turn
    low, high = turn.capacity_hint
    return TurnOut(
        sprint=turn.sprint, sprints=turn.sprints, finished=turn.finished,
        capacity_hint=[float(low), float(high)], debt=float(turn.debt),
        kpis={k: float(v) for k, v in turn.kpis.items()},
        scores={k: float(v) for k, v in turn.scores.items()},
        stakeholders=[TrustOut(key=s.key, name=s.name, trust=float(s.trust))
                      for s in turn.stakeholders],
        events=events_out(turn, language), backlog=backlog_out(found.backlog),
    )  # fmt: skip


def run_out(run: SimRun, language: str, turn: TurnOut | None = None) -> RunOut:
    return RunOut(
        id=run.id, scenario=run.scenario_key,
        scenario_title=queries.scenario_title(run.scenario_key, language), seed=run.seed,
        language=run.language, status=run.status, sprint=run.sprint, sprints=run.sprints,
        product_id=run.product_id, user_id=run.user_id,
        scores={k: float(v) for k, v in (run.scores or {}).items()}, ebm=run.ebm,
        created_at=run.created_at, updated_at=run.updated_at, turn=turn,
    )  # fmt: skip


def score_rows(scores: Mapping[str, float], gettext: Any) -> list[tuple[str, str, float]]:
    """(key, label, value) of the scores, in the page's order (unknown keys last)."""
    known = [k for k in rules.SCORE_LABELS if k in scores]
    others = sorted(k for k in scores if k not in rules.SCORE_LABELS)
    return [
        (k, gettext(rules.SCORE_LABELS[k]) if k in rules.SCORE_LABELS else k, float(scores[k]))
        for k in (*known, *others)
    ]


def grouped_reactions(reactions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A sprint's reactions, one line per stakeholder: the total change and the reasons
    (each once, in order), biggest change first."""
    found: dict[str, dict[str, Any]] = {}
    for r in reactions:
        entry = found.setdefault(r["stakeholder"], {"stakeholder": r["stakeholder"], "delta": 0.0,
                                                    "reasons": []})  # fmt: skip
        entry["delta"] += float(r["delta"])
        if r["reason"] not in entry["reasons"]:
            entry["reasons"].append(r["reason"])
    return sorted(found.values(), key=lambda e: -abs(e["delta"]))
