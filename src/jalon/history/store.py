"""Reading and writing snapshot tables in bulk, with SQLAlchemy Core (used by services and
queries; never by routes). Everything here works the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from typing import cast

from sqlalchemy import ColumnElement, Table, and_, func, or_, select

from jalon.backlog.models import BacklogSettings, Item, StatusChange
from jalon.backlog.workflow import default_workflow
from jalon.bulk import insert_many
from jalon.history.models import (
    Completion,
    DailySprintStatus,
    DailyStatus,
    ItemSnapshot,
    ItemSnapshotHead,
    SnapshotDay,
)
from jalon.history.rules import Change, Tally
from jalon.sprints.models import Sprint
from jalon.uow import UnitOfWork

CHUNK = 5000
SNAPSHOT_COLUMNS = (
    "item_id",
    "valid_from",
    "status",
    "estimate",
    "sprint_id",
    "parent_id",
    "type",
    "removed",
)


def chunks(values: Sequence[int], size: int = CHUNK) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def categories(uow: UnitOfWork, product_id: int) -> dict[str, str]:
    """status key → category (todo, doing, done, rejected) of the product's workflow."""
    found = uow.session.get(BacklogSettings, product_id)
    statuses = found.statuses if found is not None and found.statuses else default_workflow()
    return {s["key"]: s["category"] for s in statuses}


def status_order(uow: UnitOfWork, product_id: int) -> list[tuple[str, str]]:
    """(key, label) in workflow order."""
    found = uow.session.get(BacklogSettings, product_id)
    statuses = found.statuses if found is not None and found.statuses else default_workflow()
    return [(s["key"], s.get("label") or s["key"]) for s in statuses]


STATE = ("status", "estimate", "sprint_id", "parent_id", "type")
HEAD_COLUMNS = (*SNAPSHOT_COLUMNS, "doing_since")


def changed_items(uow: UnitOfWork, product_id: int) -> list[Change]:
    """Items whose state differs from their latest snapshot row (their head), or that have
    none (new) or whose latest row says removed (back again): one join, in SQL."""
    h = ItemSnapshotHead
    now = [getattr(Item, name) for name in STATE]
    then = [getattr(h, name) for name in STATE]
    differs = [
        h.item_id.is_(None),
        h.removed.is_(True),
        *(old.is_distinct_from(new) for old, new in zip(then, now, strict=True)),
    ]
    stmt = (
        select(Item.id, *now, h.removed, *then, h.doing_since)
        .outerjoin(h, and_(h.product_id == product_id, h.item_id == Item.id))
        .where(Item.product_id == product_id, or_(*differs))
    )
    out = []
    for r in uow.session.connection().execute(stmt):
        before = None if r[6] is None or r[6] else (r[7], r[8], r[9], r[10], r[11])
        out.append(Change(r[0], (r[1], r[2], r[3], r[4], r[5]), False, before, r[12]))
    return out


def vanished_items(uow: UnitOfWork, product_id: int) -> list[Change]:
    """Items whose latest row is present but which no longer exist (deleted or moved away).
    The job asks only when the count of items says one is missing."""
    h = ItemSnapshotHead
    stmt = select(h.item_id, *(getattr(h, name) for name in STATE)).where(
        h.product_id == product_id,
        h.removed.is_(False),
        ~select(Item.id).where(Item.id == h.item_id).exists(),
    )
    rows = uow.session.connection().execute(stmt)
    return [Change(r[0], (r[1], r[2], r[3], r[4], r[5]), True, None) for r in rows]


def doing_starts(
    uow: UnitOfWork, product_id: int, doing: Sequence[str], *, leave_out: Sequence[str] = ()
) -> list[tuple[int, str, date | None]]:
    """(item id, status, first day of its run in progress as of the last snapshot) of the
    items in a doing status now, but those of the `leave_out` types; None when no snapshot
    saw the item in progress."""
    h = ItemSnapshotHead
    stmt = (
        select(Item.id, Item.status, h.doing_since)
        .outerjoin(
            h,
            and_(
                h.product_id == product_id,
                h.item_id == Item.id,
                h.status.in_(doing),
                h.removed.is_(False),
            ),
        )
        .where(Item.product_id == product_id, Item.status.in_(doing), Item.type.not_in(leave_out))
    )
    return [(int(i), str(s), d) for i, s, d in uow.session.connection().execute(stmt)]


def count_items(uow: UnitOfWork, product_id: int) -> int:
    return int(
        uow.session.scalar(select(func.count(Item.id)).where(Item.product_id == product_id)) or 0
    )


def tally_items(uow: UnitOfWork, *where: ColumnElement[bool]) -> Tally:
    """Items and points per status of the items that match `where`, now."""
    rows = uow.session.connection().execute(
        select(Item.status, func.count(), func.sum(Item.estimate))
        .where(*where)
        .group_by(Item.status)
    )
    return {status: (int(n), float(points or 0)) for status, n, points in rows}


def tally_sprints(uow: UnitOfWork, sprint_ids: Sequence[int]) -> dict[int, Tally]:
    """Items and points per status of each of these sprints, now."""
    out: dict[int, Tally] = {sprint_id: {} for sprint_id in sprint_ids}
    rows = uow.session.connection().execute(
        select(Item.sprint_id, Item.status, func.count(), func.sum(Item.estimate))
        .where(Item.sprint_id.in_(sprint_ids))
        .group_by(Item.sprint_id, Item.status)
    )
    for sprint_id, status, n, points in rows:
        if sprint_id is not None:
            out[sprint_id][status] = (int(n), float(points or 0))
    return out


def last_day(uow: UnitOfWork, product_id: int) -> date | None:
    return uow.session.scalar(
        select(func.max(SnapshotDay.day)).where(SnapshotDay.product_id == product_id)
    )


def latest_day_row(uow: UnitOfWork, product_id: int) -> SnapshotDay | None:
    return uow.session.scalar(
        select(SnapshotDay)
        .where(SnapshotDay.product_id == product_id)
        .order_by(SnapshotDay.day.desc())
        .limit(1)
    )


def has_day(uow: UnitOfWork, product_id: int, day: date) -> SnapshotDay | None:
    return uow.session.get(SnapshotDay, (product_id, day))


def running_sprints(uow: UnitOfWork, product_id: int, day: date) -> list[Sprint]:
    """Sprints whose charts need this day: from the day before they start (the committed
    scope) to their last day."""
    return list(
        uow.session.scalars(
            select(Sprint).where(
                Sprint.product_id == product_id,
                Sprint.starts_on <= day + timedelta(days=1),
                Sprint.ends_on >= day,
            )
        )
    )


def first_doing_changes(
    uow: UnitOfWork, item_ids: Sequence[int], doing: Iterable[str]
) -> dict[int, date]:
    """The day each item first entered a doing status, from the status-change log (for
    items a snapshot sees for the first time, already done)."""
    out: dict[int, date] = {}
    statuses = list(doing)
    for part in chunks(item_ids):
        rows = uow.session.execute(
            select(StatusChange.item_id, func.min(StatusChange.at))
            .where(StatusChange.item_id.in_(part), StatusChange.to_status.in_(statuses))
            .group_by(StatusChange.item_id)
        )
        out.update({item_id: at.date() for item_id, at in rows if at is not None})
    return out


def done_days(uow: UnitOfWork, item_ids: Sequence[int]) -> dict[int, date]:
    out: dict[int, date] = {}
    for part in chunks(item_ids):
        rows = uow.session.execute(
            select(Item.id, Item.done_at).where(Item.id.in_(part), Item.done_at.is_not(None))
        )
        out.update({i: at.date() for i, at in rows if at is not None})
    return out


def insert_snapshots(uow: UnitOfWork, product_id: int, rows: Sequence[tuple[object, ...]]) -> None:
    insert_many(
        uow,
        cast(Table, ItemSnapshot.__table__),
        rows,
        columns=SNAPSHOT_COLUMNS,
        constants={"product_id": product_id},
    )


def upsert_heads(uow: UnitOfWork, product_id: int, rows: Sequence[tuple[object, ...]]) -> None:
    """Each changed item's new latest row (HEAD_COLUMNS), replacing the previous one."""
    insert_many(
        uow,
        cast(Table, ItemSnapshotHead.__table__),
        rows,
        columns=HEAD_COLUMNS,
        constants={"product_id": product_id},
        conflict=("product_id", "item_id"),
    )


def insert_tallies(uow: UnitOfWork, owner: tuple[str, int], day: date, tallies: Tally) -> None:
    name, ident = owner
    table = cast(Table, (DailyStatus if name == "product_id" else DailySprintStatus).__table__)
    rows = [(status, n, points) for status, (n, points) in sorted(tallies.items())]
    insert_many(
        uow,
        table,
        rows,
        columns=("status", "items", "points"),
        constants={name: ident, "day": day},
    )


def insert_completions(
    uow: UnitOfWork, product_id: int, rows: Sequence[tuple[object, ...]]
) -> None:
    columns = ("item_id", "type", "estimate", "started_on", "done_on", "cycle_days")
    insert_many(
        uow,
        cast(Table, Completion.__table__),
        rows,
        columns=columns,
        constants={"product_id": product_id},
    )
