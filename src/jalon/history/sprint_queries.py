"""Sprint charts' reads: a sprint's scope and done per day, and the velocity of past sprints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from jalon.backlog.models import Item
from jalon.errors import N_
from jalon.history import rules, store
from jalon.history.models import DailySprintStatus
from jalon.history.queries import tallies
from jalon.history.rules import Spread, SprintDay, Tally
from jalon.permissions import Action, Actor
from jalon.products.services import authorise
from jalon.sprints.models import Sprint
from jalon.uow import UnitOfWork

VELOCITY_SPRINTS = 12


@dataclass(frozen=True, slots=True)
class SprintProgress:
    sprint_id: int
    product_id: int
    name: str
    starts_on: date
    ends_on: date
    days: list[SprintDay]  # from the day before the start (the committed scope) to today/end
    scope_changes: list[tuple[date, float]]  # points added (+) or removed (−), by day
    live: bool


def sprint_progress(
    reader: UnitOfWork, *, actor: Actor, sprint_id: int, today: date
) -> SprintProgress:
    with reader:
        sprint = reader.get(Sprint, sprint_id, what=N_("sprint"))
        authorise(reader, product_id=sprint.product_id, actor=actor, action=Action.READ)
        first, last = sprint.starts_on - timedelta(1), min(sprint.ends_on, today)
        stored = tallies(reader, DailySprintStatus, sprint_id, first, last)
        live = first <= today <= sprint.ends_on and today not in stored
        if live:
            stored[today] = store.tally_items(reader, Item.sprint_id == sprint_id)
        categories = store.categories(reader, sprint.product_id)
    by_day = rules.carry_forward(stored, first, last) if last >= first else {}
    days = rules.sprint_days(by_day, categories)
    return SprintProgress(
        sprint.id,
        sprint.product_id,
        sprint.name,
        sprint.starts_on,
        sprint.ends_on,
        days,
        rules.scope_changes(days, points=True),
        live,
    )


@dataclass(frozen=True, slots=True)
class SprintVelocity:
    sprint_id: int
    name: str
    committed: float  # scope on the day before the start
    done: float  # done on the last day


@dataclass(frozen=True, slots=True)
class Velocity:
    sprints: list[SprintVelocity]
    spread: Spread | None


def velocity(reader: UnitOfWork, *, actor: Actor, product_id: int, today: date) -> Velocity:
    """Points committed and done in the last finished sprints, with the mean and range."""
    with reader:
        authorise(reader, product_id=product_id, actor=actor, action=Action.READ)
        sprints = list(
            reader.session.scalars(
                select(Sprint)
                .where(Sprint.product_id == product_id, Sprint.ends_on < today)
                .order_by(Sprint.ends_on.desc(), Sprint.id.desc())
                .limit(VELOCITY_SPRINTS)
            )
        )
        t = DailySprintStatus
        rows = reader.session.execute(
            select(t.sprint_id, t.day, t.status, t.items, t.points).where(
                t.sprint_id.in_([s.id for s in sprints])
            )
        )
        stored: dict[int, dict[date, Tally]] = {}
        for sprint_id, day, status, items, points in rows:
            stored.setdefault(sprint_id, {}).setdefault(day, {})[status] = (items, points)
        categories = store.categories(reader, product_id)
    out = []
    for sprint in reversed(sprints):
        first = sprint.starts_on - timedelta(1)
        by_day = rules.carry_forward(stored.get(sprint.id, {}), first, sprint.ends_on)
        days = rules.sprint_days(by_day, categories)
        if days:
            done = days[-1].done_points
            out.append(SprintVelocity(sprint.id, sprint.name, days[0].scope_points, done))
    return Velocity(out, rules.spread([v.done for v in out]))
