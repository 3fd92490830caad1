"""History reads: the figures every chart needs, from snapshots and their daily tallies.

Each function authorises the reader, then returns plain data (no chart, no translation):
`figures.py` turns them into chart definitions. "Today" is not snapshotted yet, so a range
that reaches today gets today's live figures from the items themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from jalon.backlog.models import Item
from jalon.db import utcnow
from jalon.errors import N_
from jalon.history import rules, store
from jalon.history.models import (
    DailySprintStatus,
    DailyStatus,
    ItemSnapshot,
    SnapshotDay,
)
from jalon.history.rules import Tally
from jalon.permissions import Action, Actor
from jalon.products.models import Product
from jalon.products.services import authorise
from jalon.sprints.models import Sprint
from jalon.uow import UnitOfWork

CONTAINER_TYPES = ("epic",)  # an epic's stories are the work: flow metrics leave epics out
MAX_POINTS = 1500  # dots drawn on a scatter (the percentiles use every item)
REFERENCE_DAYS = 90  # cycle times that give aging work its reference percentiles


def today_utc() -> date:
    return utcnow().date()


def list_product_ids(reader: UnitOfWork) -> list[int]:
    """Every product but Academy sandboxes, whose history their simulation writes, dated
    on its own calendar (academy/runs/sprinting.py)."""
    with reader:
        stmt = select(Product.id).where(Product.is_sandbox.is_(False))
        return list(reader.session.scalars(stmt.order_by(Product.id)))


def last_snapshot_day(reader: UnitOfWork, *, product_id: int) -> date | None:
    with reader:
        return store.last_day(reader, product_id)


def products_missing_day(reader: UnitOfWork, *, day: date) -> list[int]:
    """Products with no snapshot for `day` yet (the scheduler's to-do list), sandboxes
    aside (see `list_product_ids`)."""
    with reader:
        taken = select(SnapshotDay.product_id).where(SnapshotDay.day == day)
        stmt = select(Product.id).where(Product.id.not_in(taken), Product.is_sandbox.is_(False))
        stmt = stmt.order_by(Product.id)
        return list(reader.session.scalars(stmt))


def tallies(
    reader: UnitOfWork,
    table: type[DailyStatus | DailySprintStatus],
    owner: int,
    start: date,
    end: date,
) -> dict[date, Tally]:
    """Stored tallies of a product (DailyStatus) or a sprint (DailySprintStatus) over
    [start, end], plus the latest day before `start` (to carry it forward)."""
    column = DailyStatus.product_id if table is DailyStatus else DailySprintStatus.sprint_id
    before = reader.session.scalar(
        select(func.max(table.day)).where(column == owner, table.day < start)
    )
    rows = reader.session.execute(
        select(table.day, table.status, table.items, table.points).where(
            column == owner, table.day >= (before or start), table.day <= end
        )
    )
    out: dict[date, Tally] = {}
    for day, status, items, points in rows:
        out.setdefault(day, {})[status] = (int(items), float(points))
    return out


@dataclass(frozen=True, slots=True)
class Flow:
    statuses: list[tuple[str, str, str]]  # key, label, category, in workflow order
    days: dict[date, Tally]
    start: date
    end: date
    live: bool  # the last day is today, read live


def statuses_of(reader: UnitOfWork, product_id: int) -> list[tuple[str, str, str]]:
    categories = store.categories(reader, product_id)
    return [(k, label, categories[k]) for k, label in store.status_order(reader, product_id)]


def flow(
    reader: UnitOfWork, *, actor: Actor, product_id: int, start: date, end: date, today: date
) -> Flow:
    """Items and points per status and day (cumulative flow)."""
    rules.check_range(start, end, today=today)
    with reader:
        authorise(reader, product_id=product_id, actor=actor, action=Action.READ)
        end = min(end, today)
        stored = tallies(reader, DailyStatus, product_id, start, end)
        live = end == today and today not in stored
        if live:
            stored[today] = store.tally_items(reader, Item.product_id == product_id)
        days = rules.carry_forward(stored, start, end)
        return Flow(statuses_of(reader, product_id), days, start, end, live)


@dataclass(frozen=True, slots=True)
class SprintLink:
    id: int
    name: str
    starts_on: date
    ends_on: date
    state: str


def recent_sprints(
    reader: UnitOfWork, *, actor: Actor, product_id: int, limit: int = 12
) -> list[SprintLink]:
    """The product's latest sprints, newest first (links to their charts)."""
    with reader:
        authorise(reader, product_id=product_id, actor=actor, action=Action.READ)
        rows = reader.session.scalars(
            select(Sprint)
            .where(Sprint.product_id == product_id)
            .order_by(Sprint.starts_on.desc(), Sprint.id.desc())
            .limit(limit)
        )
        return [SprintLink(s.id, s.name, s.starts_on, s.ends_on, s.state) for s in rows]


@dataclass(frozen=True, slots=True)
class DayTaken:
    day: date
    items: int
    changed: int


def list_snapshot_days(
    reader: UnitOfWork, *, actor: Actor, product_id: int, limit: int = 100
) -> list[DayTaken]:
    """The days snapshotted, newest first."""
    with reader:
        authorise(reader, product_id=product_id, actor=actor, action=Action.READ)
        rows = reader.session.scalars(
            select(SnapshotDay)
            .where(SnapshotDay.product_id == product_id)
            .order_by(SnapshotDay.day.desc())
            .limit(limit)
        )
        return [DayTaken(r.day, r.items, r.changed) for r in rows]


@dataclass(frozen=True, slots=True)
class ItemState:
    valid_from: date
    status: str
    estimate: float | None
    sprint_id: int | None
    parent_id: int | None
    type: str
    removed: bool


def item_history(reader: UnitOfWork, *, actor: Actor, item_id: int) -> list[ItemState]:
    """An item's snapshot rows, oldest first: its state on any day is the latest row on or
    before that day."""
    with reader:
        item = reader.get(Item, item_id, what=N_("item"))
        authorise(reader, product_id=item.product_id, actor=actor, action=Action.READ)
        rows = reader.session.scalars(
            select(ItemSnapshot)
            .where(ItemSnapshot.product_id == item.product_id, ItemSnapshot.item_id == item_id)
            .order_by(ItemSnapshot.valid_from)
        )
        return [
            ItemState(
                r.valid_from, r.status, r.estimate, r.sprint_id, r.parent_id, r.type, r.removed
            )
            for r in rows
        ]
