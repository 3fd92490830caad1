"""Reads of runs shared by pages, the API and the path area (`runs_of`).

Reading a run is allowed to its trainee, their trainer and administrators
(`access.require_work_visible`); anyone else gets 403.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from jalon.academy import access
from jalon.academy.runs import rules
from jalon.academy.runs.models import FINISHED, SimRun
from jalon.academy.sim import engine
from jalon.academy.sim.scenario import Scenario, list_scenarios, load_scenario
from jalon.backlog.models import Item
from jalon.errors import N_
from jalon.permissions import Actor
from jalon.products.models import Product
from jalon.uow import UnitOfWork


@dataclass(frozen=True)
class RunRow:
    """One run, as lists show it (the path's progress, the trainer's dashboard)."""

    id: int
    scenario_key: str
    scenario_title: str
    seed: int
    sprint: int  # sprints played
    sprints: int
    finished: bool
    ebm: float | None
    started_at: datetime
    status: str = "playing"
    product_id: int | None = None


@dataclass(frozen=True)
class BacklogRow:
    """An opportunity as the turn shows it, in the sandbox backlog's current order."""

    key: str
    item_id: int | None
    title: str
    kind: str
    tags: tuple[str, ...]
    effort_low: float
    effort_high: float
    refined: bool
    status: str
    estimate: float | None
    value_low: float  # the visible value hint, per sprint once released
    value_high: float
    started: bool = False  # unfinished work carried over
    stakeholders: tuple[str, ...] = ()  # who cares when it ships (stakeholder keys)


@dataclass(frozen=True)
class RunView:
    run: SimRun
    scenario: Scenario
    turn: engine.TurnView
    backlog: list[BacklogRow]
    product: Product | None


@contextlib.contextmanager
def _opened(uow: UnitOfWork) -> Iterator[UnitOfWork]:
    """Use the caller's open unit of work, or open this one for the read."""
    try:
        uow.session  # noqa: B018 - raises when the unit of work is not open
    except RuntimeError:
        with uow:
            yield uow
        return
    yield uow


def scenario_title(key: str, language: str) -> str:
    try:
        return rules.text_in(load_scenario(key).title, language)
    except KeyError:
        return key


def row_of(run: SimRun, language: str | None = None) -> RunRow:
    return RunRow(
        id=run.id, scenario_key=run.scenario_key,
        scenario_title=scenario_title(run.scenario_key, language or run.language),
        seed=run.seed, sprint=run.sprint, sprints=run.sprints, finished=run.status == FINISHED,
        ebm=run.ebm, started_at=run.created_at, status=run.status, product_id=run.product_id,
    )  # fmt: skip


def runs_of(uow: UnitOfWork, user_id: int, *, language: str | None = None) -> list[RunRow]:
    """The runs of one learner, newest first (no access check: callers check it)."""
    with _opened(uow) as opened:
        stmt = select(SimRun).where(SimRun.user_id == user_id)
        found = opened.session.scalars(stmt.order_by(SimRun.created_at.desc(), SimRun.id.desc()))
        return [row_of(run, language) for run in found]


def scenarios() -> list[Scenario]:
    return list_scenarios()


def load_run(uow: UnitOfWork, run_id: int) -> SimRun:
    return uow.get(SimRun, run_id, what=N_("run"))


def visible_run(uow: UnitOfWork, *, actor: Actor, run_id: int) -> SimRun:
    """The run, if the actor may read it (its trainee, their trainer, an admin), else 403."""
    run = load_run(uow, run_id)
    access.require_work_visible(uow, actor, run.user_id)
    return run


def get_run(uow: UnitOfWork, *, actor: Actor, run_id: int) -> SimRun:
    with uow:
        return visible_run(uow, actor=actor, run_id=run_id)


def sandbox_order(uow: UnitOfWork, run: SimRun) -> list[tuple[str, Item]]:
    """(opportunity key, item) of the run's sandbox backlog, in its current order."""
    if run.product_id is None:
        return []
    keys = {item_id: key for key, item_id in run.item_map.items()}
    stmt = select(Item).where(Item.product_id == run.product_id, Item.id.in_(list(keys)))
    items = uow.session.scalars(stmt.order_by(Item.rank, Item.id))
    return [(keys[item.id], item) for item in items]


def _backlog(
    turn: engine.TurnView, order: list[tuple[str, Item]], language: str
) -> list[BacklogRow]:
    by_key = {o.key: o for o in turn.opportunities}
    items = dict(order)
    keys = [k for k, _item in order if k in by_key]
    keys += [o.key for o in turn.opportunities if o.key not in items]
    rows = []
    for key in keys:
        o, item = by_key[key], items.get(key)
        rows.append(BacklogRow(
            key=key, item_id=item.id if item else None,
            title=item.title if item else rules.text_in(o.title, language), kind=o.kind,
            tags=tuple(o.tags), effort_low=o.effort_low, effort_high=o.effort_high,
            refined=o.refined, status=o.status, estimate=item.estimate if item else None,
            value_low=o.value_low, value_high=o.value_high, started=o.started,
            stakeholders=tuple(o.stakeholders),
        ))  # fmt: skip
    return rows


def run_view(uow: UnitOfWork, *, actor: Actor, run_id: int) -> RunView:
    """Everything the run page shows: the turn as the trainee sees it, the sandbox's order."""
    with uow:
        run = visible_run(uow, actor=actor, run_id=run_id)
        scenario = load_scenario(run.scenario_key)
        turn = engine.view(scenario, engine.State.from_dict(run.state))
        product = uow.session.get(Product, run.product_id) if run.product_id else None
        backlog = _backlog(turn, sandbox_order(uow, run), run.language)
        return RunView(run, scenario, turn, backlog, product)


def sandbox_run(uow: UnitOfWork, product_id: int, *, language: str | None = None) -> RunRow | None:
    """The run a sandbox product belongs to (for the banner of its pages)."""
    with _opened(uow) as opened:
        run = opened.session.scalar(select(SimRun).where(SimRun.product_id == product_id))
        return row_of(run, language) if run is not None else None


def own_runs(uow: UnitOfWork, actor: Actor) -> list[SimRun]:
    """The actor's own runs, newest first."""
    with uow:
        stmt = select(SimRun).where(SimRun.user_id == (actor.id or -1))
        return list(uow.session.scalars(stmt.order_by(SimRun.created_at.desc(), SimRun.id.desc())))
