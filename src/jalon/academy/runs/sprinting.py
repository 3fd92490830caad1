"""The sandbox's sprints: each simulated sprint becomes a real sprint of the sandbox's team,
written inside the play's unit of work (no commit and no activity here: `services.py`).

Like `jalon.demo_history`, the past cannot go through the services (they stamp everything
with the present), so this module writes what they would have written, dated on the run's
simulated calendar (`calendar.py`): the sprint with the trainee's Sprint Goal, its entries
(the plan committed at Sprint Planning, items the Developers pulled in later), each item's
status changes on the day it happened, and, day by day, the snapshot the nightly job would
have taken (`history.services`' own non-committing writer), so that the sprint pages,
burndown, burnup, velocity, flow charts and forecasts read real data. The sprint is closed
on its last day the way the sprints area closes one: done items stay, the others go back
to the Product Backlog.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select, update

from jalon.academy.runs import calendar, rules
from jalon.academy.runs.models import SimRun
from jalon.academy.sim import engine
from jalon.academy.sim.scenario import Scenario
from jalon.backlog.models import Item, StatusChange
from jalon.history import services as history_services
from jalon.history import store as history_store
from jalon.history.models import SnapshotDay
from jalon.products.models import Product
from jalon.sprints import planning
from jalon.sprints import rules as sprint_rules
from jalon.sprints.models import Sprint, SprintEntry, SprintSettings, Team, TeamMember
from jalon.uow import UnitOfWork

TEAM_NAMES = {"en": "{product} team", "fr": "Équipe {product}"}
DONE, DOING = "done", "in_progress"  # preferred keys, when the workflow has them


@dataclass(frozen=True)
class Resolved:
    """A sprint the engine resolved: the state before and after, the trainee's decisions."""

    before: engine.State
    after: engine.State
    decisions: engine.Decisions
    outcome: engine.SprintOutcome


def span_of(run: SimRun, scenario: Scenario, sprint: int) -> calendar.Span:
    """Where sprint `sprint` of the run falls on its calendar."""
    length = calendar.sprint_length(scenario.sprint_days)
    return calendar.sprint_span(
        run.created_at.date(), sprint=sprint, sprints=run.sprints, length=length
    )


def ensure_team(uow: UnitOfWork, *, run: SimRun, scenario: Scenario) -> Team:
    """The sandbox's team (its first one), made with the trainee as member when there is
    none (a new run, or one started before sprints were recorded), with the scenario's
    sprint length."""
    assert run.product_id is not None
    stmt = select(Team).where(Team.product_id == run.product_id).order_by(Team.id).limit(1)
    found = uow.session.scalars(stmt).first()
    if found is not None:
        return found
    product = uow.session.get_one(Product, run.product_id)
    name = TEAM_NAMES["fr" if run.language == "fr" else "en"].format(product=product.name)
    first = span_of(run, scenario, 1).days()[0]
    team = Team(product_id=product.id, name=name[:100], created_at=calendar.at(first, 9))
    uow.add(team)
    uow.flush()
    uow.add(TeamMember(team_id=team.id, user_id=run.user_id, focus_factor=1.0))
    if uow.session.get(SprintSettings, product.id) is None:
        length = calendar.sprint_length(scenario.sprint_days)
        unit = sprint_rules.Unit.POINTS.value
        uow.add(SprintSettings(product_id=product.id, length_days=length, capacity_unit=unit,
                               wip_limits={}))  # fmt: skip
    return team


def prepare(uow: UnitOfWork, *, run: SimRun, scenario: Scenario) -> None:
    """A new run's sandbox: its team, and its backlog dated from the calendar's first day."""
    ensure_team(uow, run=run, scenario=scenario)
    first = span_of(run, scenario, 1).days()[0]
    backdate(uow, run.item_map.values(), calendar.at(first, calendar.PLANNING_HOUR))


def backdate(uow: UnitOfWork, item_ids: Iterable[int], when: datetime) -> None:
    """Items the simulation brought in (at the start, or with a sprint's news) are dated on
    the calendar: created `when`, with their first status from then."""
    ids = list(item_ids)
    if not ids:
        return
    uow.flush()
    for item_id in ids:
        item = uow.session.get_one(Item, item_id)
        item.created_at = item.updated_at = when
    uow.session.execute(
        update(StatusChange)
        .where(StatusChange.item_id.in_(ids), StatusChange.from_status.is_(None))
        .values(at=when),
        execution_options={"synchronize_session": False},
    )


@dataclass
class _Sprinting:
    """The working memory of one recorded sprint."""

    uow: UnitOfWork
    sprint: Sprint
    items: dict[str, Item]
    doing: str
    done: str
    members: Sequence[str]
    planned: list[str] = field(default_factory=list)


def record_sprint(
    uow: UnitOfWork, *, run: SimRun, scenario: Scenario, resolved: Resolved
) -> Sprint | None:
    """The resolved sprint, as a closed sprint of the sandbox with its dated history."""
    if run.product_id is None:
        return None
    team = ensure_team(uow, run=run, scenario=scenario)
    span = span_of(run, scenario, resolved.outcome.sprint)
    sim = _start(uow, run, scenario, team, span, resolved)
    work = _work_plan(sim, span, scenario, resolved, seed=run.seed)
    taken = _taken_days(uow, run.product_id, span)
    for day in span.days():
        if day == span.starts_on:
            _plan(sim, resolved, calendar.at(day, calendar.PLANNING_HOUR))
        _work_on(sim, day, work)
        uow.flush()
        if day not in taken:
            history_services.write_day(uow, run.product_id, day)
    _close(sim, span, resolved, work)
    return sim.sprint


def _start(
    uow: UnitOfWork,
    run: SimRun,
    scenario: Scenario,
    team: Team,
    span: calendar.Span,
    resolved: Resolved,
) -> _Sprinting:
    assert run.product_id is not None
    planning_at = calendar.at(span.starts_on, calendar.PLANNING_HOUR)
    sprint = Sprint(product_id=run.product_id, team_id=team.id, name=f"Sprint {span.number}",
                    goal=resolved.decisions.goal.strip()[: sprint_rules.MAX_GOAL],
                    starts_on=span.starts_on, ends_on=span.ends_on, state="active",
                    created_at=planning_at, started_at=planning_at)  # fmt: skip
    uow.add(sprint)
    uow.flush()
    found = uow.session.scalars(select(Item).where(Item.id.in_(list(run.item_map.values()))))
    by_id = {item.id: item for item in found}
    items = {k: by_id[i] for k, i in run.item_map.items() if i in by_id}
    doing, done = _statuses(uow, run.product_id)
    members = [m.name for m in scenario.team.members]
    return _Sprinting(uow, sprint, items, doing, done, members)


def _statuses(uow: UnitOfWork, product_id: int) -> tuple[str, str]:
    """The workflow's in-progress and done statuses (the trainee may have edited it)."""
    categories = history_store.categories(uow, product_id)

    def pick(preferred: str, category: str) -> str:
        if categories.get(preferred) == category:
            return preferred
        return next((k for k, c in categories.items() if c == category), preferred)

    return pick(DOING, "doing"), pick(DONE, "done")


def _left_before(scenario: Scenario, resolved: Resolved, key: str) -> float:
    """The points the item needed before the sprint (the engine's `_left`)."""
    before, after = resolved.before.items[key], resolved.after.items[key]
    if before.remaining is not None:
        return before.remaining
    grows = after.blowup and not after.refined
    return after.effort * (scenario.team.blowup_factor if grows else 1.0)


def _partial(scenario: Scenario, resolved: Resolved) -> str | None:
    """The item the Developers started without finishing (the budget ran out on it)."""
    made, done = resolved.decisions, set(resolved.outcome.done)
    pulled = [k for k in made.order if k not in made.plan]
    for key in dict.fromkeys([*made.plan, *pulled]):
        item = resolved.after.items.get(key)
        if key in done or item is None or item.remaining is None:
            continue
        if item.remaining < _left_before(scenario, resolved, key) - 1e-9:
            return key
    return None


def _work_plan(
    sim: _Sprinting, span: calendar.Span, scenario: Scenario, resolved: Resolved, *, seed: int
) -> list[calendar.Work]:
    def points(key: str) -> float | None:
        return sim.items[key].estimate

    done = [(k, points(k)) for k in resolved.outcome.done if k in sim.items]
    started = _partial(scenario, resolved)
    partial = (started, points(started)) if started in sim.items else None
    return calendar.schedule(span, done=done, partial=partial, seed=seed)


def _taken_days(uow: UnitOfWork, product_id: int, span: calendar.Span) -> set[date]:
    """Days snapshotted already (by hand, or the nightly job of an older version)."""
    days = span.days()
    stmt = select(SnapshotDay.day).where(
        SnapshotDay.product_id == product_id,
        SnapshotDay.day >= days[0],
        SnapshotDay.day <= days[-1],
    )
    return set(uow.session.scalars(stmt))


def _move(sim: _Sprinting, item: Item, status: str, when: datetime, index: int) -> None:
    """A status change made by one of the scenario's Developers at `when`."""
    if item.status == status:
        return
    who = sim.members[index % len(sim.members)]
    sim.uow.add(StatusChange(item_id=item.id, from_status=item.status, to_status=status,
                             actor_id=None, actor_label=who, at=when))  # fmt: skip
    item.status, item.updated_at, item.version = status, when, item.version + 1
    item.done_at = when if status == sim.done else None


def _enter(sim: _Sprinting, item: Item, when: datetime, *, late: bool) -> None:
    item.sprint_id = sim.sprint.id
    sim.uow.add(SprintEntry(sprint_id=sim.sprint.id, item_id=item.id, added_at=when,
                            added_after_start=late, estimate_at_entry=item.estimate))  # fmt: skip


def _plan(sim: _Sprinting, resolved: Resolved, when: datetime) -> None:
    """Sprint Planning: the items refined become ready, the plan enters the sprint."""
    backlog_status = rules.item_status("backlog", refined=False)
    for index, key in enumerate(resolved.decisions.refine):
        item = sim.items.get(key)
        if item is not None and item.status == backlog_status:
            _move(sim, item, rules.REFINED_STATUS, when, index)
    for key in dict.fromkeys(resolved.decisions.plan):
        if key in sim.items:
            _enter(sim, sim.items[key], when, late=False)
            sim.planned.append(key)


def _work_on(sim: _Sprinting, day: date, work: Sequence[calendar.Work]) -> None:
    """What the Developers did that day: items started (pulled in when not planned), done."""
    for index, step in enumerate(work):
        item = sim.items[step.key]
        if step.started.date() == day:
            if step.key not in sim.planned:
                _enter(sim, item, step.started, late=True)
                sim.planned.append(step.key)
            _move(sim, item, sim.doing, step.started, index)
        if step.done is not None and step.done.date() == day:
            _move(sim, item, sim.done, step.done, index)


def _close(
    sim: _Sprinting, span: calendar.Span, resolved: Resolved, work: Sequence[calendar.Work]
) -> None:
    """The end of the last day: done items stay, the others go back to the backlog (the
    sprints area's own spill-over), those in progress with their backlog status."""
    closed_at = calendar.at(span.ends_on, calendar.REVIEW_HOUR)
    planning.spill(sim.uow, sim.sprint, choices={}, default="backlog", next_sprint=None,
                   now=closed_at)  # fmt: skip
    sim.sprint.state, sim.sprint.closed_at = sprint_rules.State.CLOSED.value, closed_at
    for index, step in enumerate(work):
        if step.done is None:
            refined = resolved.after.items[step.key].refined
            status = rules.item_status("backlog", refined=refined)
            _move(sim, sim.items[step.key], status, closed_at, index)
