"""Flow metrics' reads: cycle times, throughput and aging work in progress, from the
completions the daily snapshot records and the items' current state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, func, select

from jalon.backlog.models import Item
from jalon.history import rules, store
from jalon.history.models import Completion
from jalon.history.queries import statuses_of
from jalon.permissions import Action, Actor
from jalon.products.services import authorise
from jalon.uow import UnitOfWork

CONTAINER_TYPES = ("epic",)  # an epic's stories are the work: flow metrics leave epics out
MAX_POINTS = 1000  # dots drawn on a scatter (counts and percentiles use every item)
REFERENCE_DAYS = 90  # cycle times that give aging work its reference percentiles


def _in_range(product_id: int, start: date, end: date) -> list[ColumnElement[bool]]:
    return [
        Completion.product_id == product_id,
        Completion.done_on >= start,
        Completion.done_on <= end,
        Completion.type.not_in(CONTAINER_TYPES),
    ]


def _cycle_days(reader: UnitOfWork, product_id: int, start: date, end: date) -> list[int]:
    stmt = select(Completion.cycle_days).where(*_in_range(product_id, start, end))
    return [int(n) for n in reader.session.scalars(stmt)]


def _titles(reader: UnitOfWork, item_ids: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for part in store.chunks(item_ids):
        rows = reader.session.execute(select(Item.id, Item.title).where(Item.id.in_(part)))
        out.update({int(i): str(t) for i, t in rows})
    return out


@dataclass(frozen=True, slots=True)
class Done:
    item_id: int
    title: str
    done_on: date
    cycle_days: int


@dataclass(frozen=True, slots=True)
class CycleTimes:
    done: list[Done]  # at most MAX_POINTS, the most recent, oldest first
    total: int
    percentiles: dict[int, float]
    start: date
    end: date


def cycle_times(
    reader: UnitOfWork, *, actor: Actor, product_id: int, start: date, end: date, today: date
) -> CycleTimes:
    """Items done in the range, with their cycle times and the 50/85/95th percentiles."""
    rules.check_range(start, end, today=today)
    with reader:
        authorise(reader, product_id=product_id, actor=actor, action=Action.READ)
        every = _cycle_days(reader, product_id, start, end)
        recent = reader.session.execute(
            select(Completion.item_id, Completion.done_on, Completion.cycle_days)
            .where(*_in_range(product_id, start, end))
            .order_by(Completion.done_on.desc(), Completion.id.desc())
            .limit(MAX_POINTS)
        ).all()
        titles = _titles(reader, [int(r[0]) for r in recent])
    done = [Done(i, titles.get(i, f"#{i}"), d, int(c)) for i, d, c in reversed(recent)]
    return CycleTimes(done, len(every), rules.percentiles(every), start, end)


def throughput(
    reader: UnitOfWork,
    *,
    actor: Actor,
    product_id: int,
    start: date,
    end: date,
    today: date,
    weekly: bool,
) -> list[tuple[date, int]]:
    """Items done per day (or week), zeros included."""
    rules.check_range(start, end, today=today)
    with reader:
        authorise(reader, product_id=product_id, actor=actor, action=Action.READ)
        rows = reader.session.execute(
            select(Completion.done_on, func.count())
            .where(*_in_range(product_id, start, end))
            .group_by(Completion.done_on)
        )
        done_days = [day for day, n in rows for _ in range(int(n))]
    return rules.throughput(done_days, start, min(end, today), weekly=weekly)


@dataclass(frozen=True, slots=True)
class Aging:
    item_id: int
    title: str
    status: str
    age: int


@dataclass(frozen=True, slots=True)
class AgingWork:
    items: list[Aging]  # the oldest MAX_POINTS, oldest first
    total: int
    statuses: list[tuple[str, str, str]]
    percentiles: dict[int, float]  # cycle times of the last REFERENCE_DAYS days


def aging_wip(reader: UnitOfWork, *, actor: Actor, product_id: int, today: date) -> AgingWork:
    """Items in a doing status now, with their age: days since their current run in progress
    began (an item that entered it since the last snapshot is 1 day old)."""
    with reader:
        authorise(reader, product_id=product_id, actor=actor, action=Action.READ)
        statuses = statuses_of(reader, product_id)
        doing = [key for key, _label, category in statuses if category == "doing"]
        rows = store.doing_starts(reader, product_id, doing, leave_out=CONTAINER_TYPES)
        ages = sorted(
            ((rules.cycle_days(min(start or today, today), today), i, s) for i, s, start in rows),
            key=lambda a: (-a[0], a[1]),
        )
        shown = ages[:MAX_POINTS]
        titles = _titles(reader, [i for _a, i, _s in shown])
        reference = _cycle_days(reader, product_id, today - timedelta(REFERENCE_DAYS), today)
    items = [Aging(i, titles.get(i, f"#{i}"), s, age) for age, i, s in shown]
    return AgingWork(items, len(ages), statuses, rules.percentiles(reference))
