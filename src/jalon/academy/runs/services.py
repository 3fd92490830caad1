"""Run use cases: start a scenario on a new sandbox product, play a sprint, abandon a run.

One transaction each: starting writes the sandbox product, its backlog, its first feedback
and the run together; playing checks the decisions with the engine (Invalid with a message
per field, nothing written), resolves the sprint and writes the outcome back into the
sandbox (statuses, estimates, new items, new feedback) with the run's new state.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jalon import activity
from jalon.academy import access
from jalon.academy.runs import queries, rules, sandbox, sprinting
from jalon.academy.runs.models import ABANDONED, FINISHED, PLAYING, SimRun
from jalon.academy.sim import engine
from jalon.academy.sim.scenario import Scenario, load_scenario
from jalon.activity import Subject
from jalon.db import utcnow
from jalon.errors import N_, Conflict, Invalid, Unauthenticated
from jalon.permissions import Actor
from jalon.uow import UnitOfWork


@dataclass(frozen=True)
class Played:
    run: SimRun
    outcome: engine.SprintOutcome


def find_scenario(key: str) -> Scenario:
    try:
        return load_scenario(str(key or "").strip())
    except KeyError:
        raise Invalid(N_("Choose one of the scenarios."), field="scenario") from None


def _subject(run: SimRun, scenario: Scenario) -> Subject:
    return Subject("run", run.id, rules.text_in(scenario.title, run.language))


def _learner(actor: Actor) -> int:
    if actor.id is None:
        raise Unauthenticated("Sign in to continue.")
    return actor.id


def start_run(
    uow: UnitOfWork, *, actor: Actor, scenario: str, seed: object = None, language: str = "en"
) -> SimRun:
    """A new run of a built-in scenario on a new sandbox product (the seed is drawn when
    none is given, and stored: the run can be replayed)."""
    found = find_scenario(scenario)
    chosen = rules.parse_seed(seed)
    chosen = secrets.randbelow(rules.MAX_SEED + 1) if chosen is None else chosen
    state = engine.new_run(found, chosen)
    turn = engine.view(found, state)
    user_id = _learner(actor)
    with uow:
        product = sandbox.create_product(uow, actor=actor, scenario=found, language=language)
        now = utcnow()
        run = SimRun(
            user_id=user_id, product_id=product.id, scenario_key=found.key, seed=chosen,
            language="fr" if language == "fr" else "en", sprint=0, sprints=turn.sprints,
            status=PLAYING, state=state.to_dict(), log=[], outcomes=[], item_map={},
            scores=dict(turn.scores), ebm=None, created_at=now, updated_at=now,
        )  # fmt: skip
        uow.add(run)
        uow.flush()
        run.item_map = sandbox.add_items(
            uow, actor=actor, run=run, opportunities=turn.opportunities
        )
        sprinting.prepare(uow, run=run, scenario=found)
        sandbox.add_feedback(
            uow, product_id=product.id, entries=sandbox.scenario_feedback(found, 1),
            language=run.language,
        )  # fmt: skip
        activity.record(
            uow, "products.product.created", Subject("product", product.id, product.name),
            actor=actor, product_id=product.id, changes={"name": [None, product.name]},
        )  # fmt: skip
        activity.record(
            uow, "academy.run.started", _subject(run, found), actor=actor, product_id=product.id,
            changes={"scenario": [None, found.key], "seed": [None, chosen]},
        )  # fmt: skip
        uow.commit()
    return run


def _playable(uow: UnitOfWork, actor: Actor, run_id: int) -> SimRun:
    """The actor's own run, still playing, locked (PostgreSQL) so that two submissions of
    the same turn cannot both play it."""
    run = uow.session.get(SimRun, run_id, with_for_update=True)
    if run is None:
        run = queries.load_run(uow, run_id)  # NotFound, worded as everywhere
    access.require_own(actor, run.user_id)
    if run.status != PLAYING:
        raise Conflict(N_("This run is over: start a new one to play again."))
    return run


def decisions_for(
    uow: UnitOfWork, run: SimRun, turn: engine.TurnView, chosen: Mapping[str, Any]
) -> engine.Decisions:
    """The engine's decisions: the trainee's choices, with the backlog order read from the
    sandbox (opportunities still in the backlog, in the sandbox's current order)."""
    open_keys = {o.key for o in turn.opportunities if o.status == "backlog"}
    order = [k for k, _item in queries.sandbox_order(uow, run) if k in open_keys]
    return engine.Decisions(
        order=tuple(order),
        refine=tuple(str(k) for k in chosen.get("refine") or ()),
        goal=str(chosen.get("goal") or "").strip(),
        plan=tuple(str(k) for k in chosen.get("plan") or ()),
        answers={str(k): str(v) for k, v in dict(chosen.get("answers") or {}).items()},
        pay_debt=int(chosen.get("pay_debt") or 0),
    )


def _check(scenario: Scenario, state: engine.State, made: engine.Decisions) -> None:
    problems = engine.validate(scenario, state, made)
    if problems:
        raise Invalid(
            N_("The sprint cannot start yet: see the fields marked."),
            fields=rules.field_errors(problems),
        )


def play_sprint(
    uow: UnitOfWork,
    *,
    actor: Actor,
    run_id: int,
    decisions: Mapping[str, Any],
    order: Sequence[str] | None = None,
) -> Played:
    """Play one sprint with the trainee's decisions (`order`, when given, first reorders the
    sandbox backlog); the outcome is written back into the sandbox."""
    with uow:
        run = _playable(uow, actor, run_id)
        scenario = load_scenario(run.scenario_key)
        state = engine.State.from_dict(run.state)
        turn = engine.view(scenario, state)
        if order is not None:
            sandbox.apply_order(uow, run, [str(k) for k in order])
            uow.flush()
        made = decisions_for(uow, run, turn, decisions)
        _check(scenario, state, made)
        new_state, outcome = engine.resolve_sprint(scenario, state, made)
        resolved = sprinting.Resolved(state, new_state, made, outcome)
        _write_back(uow, actor=actor, run=run, scenario=scenario, resolved=resolved)
        run.log = [*run.log, made.to_dict()]
        activity.record(
            uow, "academy.run.played", _subject(run, scenario), actor=actor,
            product_id=run.product_id, changes={"sprint": [run.sprint - 1, run.sprint]},
        )  # fmt: skip
        uow.commit()
    return Played(run, outcome)


def _write_back(
    uow: UnitOfWork,
    *,
    actor: Actor,
    run: SimRun,
    scenario: Scenario,
    resolved: sprinting.Resolved,
) -> None:
    """The sprint into the sandbox: a closed sprint with its dated history, then the items
    the engine now shows (new ones dated at the sprint's end), their statuses and estimates,
    and the feedback that arrived."""
    state, outcome = resolved.after, resolved.outcome
    turn = engine.view(scenario, state)
    if run.product_id is not None:
        sprint = sprinting.record_sprint(uow, run=run, scenario=scenario, resolved=resolved)
        known = set(run.item_map)
        run.item_map = sandbox.add_items(
            uow, actor=actor, run=run, opportunities=turn.opportunities
        )
        if sprint is not None and sprint.closed_at is not None:
            new = [i for k, i in run.item_map.items() if k not in known]
            sprinting.backdate(uow, new, sprint.closed_at)
        uow.flush()
        sandbox.sync_items(uow, actor=actor, run=run, opportunities=turn.opportunities)
        entries = [{"text": f.text, "theme": f.theme} for f in outcome.feedback]
        sandbox.add_feedback(uow, product_id=run.product_id, entries=entries, language=run.language)
    run.state = state.to_dict()
    run.outcomes = [*run.outcomes, outcome.to_dict()]
    run.sprint = outcome.sprint
    run.scores = {k: float(v) for k, v in outcome.scores.items()}
    run.ebm = float(engine.ebm_score(outcome.scores))
    run.status = FINISHED if turn.finished else PLAYING
    run.updated_at = utcnow()


def abandon_run(uow: UnitOfWork, *, actor: Actor, run_id: int) -> SimRun:
    """Stop a run: it stays readable (and its debrief too) but cannot be played."""
    with uow:
        run = _playable(uow, actor, run_id)
        scenario = load_scenario(run.scenario_key)
        run.status, run.updated_at = ABANDONED, utcnow()
        activity.record(
            uow, "academy.run.abandoned", _subject(run, scenario), actor=actor,
            product_id=run.product_id, changes={"status": [PLAYING, ABANDONED]},
        )  # fmt: skip
        uow.commit()
    return run
