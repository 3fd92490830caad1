"""Bulk reads and writes of an import, inside the caller's unit of work.

Rows go to the database in chunks with one statement each (`insert(...)` with a list of
parameter sets, `update(Item)` by primary key), never one ORM object or query per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update

from jalon import bulk
from jalon.accounts.models import User
from jalon.backlog.models import Item, ItemTag, StatusChange
from jalon.permissions import Actor
from jalon.products.models import Product
from jalon.transfer.rules import Known
from jalon.uow import UnitOfWork

# What an import may change on an existing item, and what undo puts back.
TRACKED = (
    "title",
    "type",
    "status",
    "estimate",
    "description",
    "acceptance_criteria",
    "due_date",
    "done_at",
    "assignee_id",
    "parent_id",
    "version",
    "updated_at",
)
_DATES = {"due_date": date, "done_at": datetime, "updated_at": datetime}
IN_CHUNK = 900  # ids per IN (...) list


def _chunks(values: Sequence[Any], size: int = IN_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def known_items(uow: UnitOfWork, product_id: int) -> list[Known]:
    stmt = select(Item.id, Item.external_key, Item.type, Item.parent_id).where(
        Item.product_id == product_id
    )
    return [Known(int(i), k, str(t), p) for i, k, t, p in uow.session.execute(stmt)]


def last_rank(uow: UnitOfWork, product_id: int, *, lock: bool) -> str | None:
    """The bottom of the backlog. With `lock`, moves and other imports of the product wait
    until this one commits (the row lock moves take; SQLite's write lock already does)."""
    if lock:
        product = select(Product.id).where(Product.id == product_id)
        uow.session.execute(product.with_for_update(key_share=True))
    return uow.session.scalar(select(func.max(Item.rank)).where(Item.product_id == product_id))


def users_by_handle(uow: UnitOfWork) -> dict[str, int]:
    """Active users by e-mail and by the local part of their e-mail (a login, often)."""
    found: dict[str, int] = {}
    for ident, email in uow.session.execute(select(User.id, User.email).where(User.is_active)):
        found.setdefault(email.lower(), ident)
        found.setdefault(email.split("@", 1)[0].lower(), ident)
    return found


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _from_json(name: str, value: Any) -> Any:
    kind = _DATES.get(name)
    if value is None or kind is None:
        return value
    return datetime.fromisoformat(value) if kind is datetime else date.fromisoformat(value)


def snapshots(uow: UnitOfWork, ids: Sequence[int], *, with_tags: bool) -> dict[int, dict[str, Any]]:
    """The tracked values (and tags) of these items, as they are now."""
    out: dict[int, dict[str, Any]] = {}
    columns = [getattr(Item, name) for name in TRACKED]
    for part in _chunks(ids):
        for row in uow.session.execute(select(Item.id, *columns).where(Item.id.in_(part))):
            out[int(row[0])] = dict(zip(TRACKED, row[1:], strict=True))
        if with_tags:
            for item_id in part:
                out[item_id]["tags"] = []
            stmt = select(ItemTag.item_id, ItemTag.tag).where(ItemTag.item_id.in_(part))
            for item_id, tag in uow.session.execute(stmt.order_by(ItemTag.tag)):
                out[item_id]["tags"].append(tag)
    return out


def as_json(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _json(v) for k, v in values.items()}


def from_json(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _from_json(k, v) for k, v in values.items()}


def insert_items(uow: UnitOfWork, rows: list[dict[str, Any]]) -> list[int]:
    """Insert items; their ids, in the order of `rows`.

    One multi-row INSERT ... RETURNING id, rank per chunk, matched back by rank (asking
    SQLAlchemy to keep the order instead costs one statement per row on SQLite). The rare
    row whose rank repeats another's in the same call goes in on its own."""
    ids: list[int] = [0] * len(rows)
    position: dict[str, int] = {}
    alone: list[int] = []
    for index, row in enumerate(rows):
        if row["rank"] in position:
            alone.append(index)
        else:
            position[row["rank"]] = index
    if position:
        # render_nulls: None values stay in each row, so that rows are not split into
        # groups (one statement each) by which of their columns happen to be None.
        bulk = insert(Item).returning(Item.id, Item.rank).execution_options(render_nulls=True)
        for item_id, rank in uow.session.execute(bulk, [rows[i] for i in position.values()]):
            ids[position[rank]] = int(item_id)
    for index in alone:
        one = insert(Item).values(**rows[index]).returning(Item.id)
        ids[index] = int(uow.session.execute(one).scalar_one())
    return ids


# A new item's columns: set per row, or the same for every row of one import.
PER_ROW = ("parent_id", "type", "title", "description", "acceptance_criteria", "status",
           "estimate", "assignee_id", "due_date", "rank", "external_key", "created_at",
           "done_at")  # fmt: skip
SHARED = ("product_id", "business_value", "version", "import_batch_id", "checks", "updated_at")


def insert_new_items(uow: UnitOfWork, rows: list[dict[str, Any]], batch_id: int) -> list[int]:
    """Insert items of an import whose ranks are new, distinct and increasing; their ids.

    COPY on PostgreSQL, a plain multi-row INSERT on SQLite, then one indexed read of the
    ids by rank (RETURNING costs more than that read on PostgreSQL)."""
    if not rows:
        return []
    if uow.session.connection().dialect.name == "postgresql":
        constants = {name: rows[0][name] for name in SHARED}
        values = [tuple(row[name] for name in PER_ROW) for row in rows]
        bulk.insert_many(uow, bulk.table_of(Item), values, columns=PER_ROW, constants=constants)
    else:
        uow.session.execute(insert(Item).execution_options(render_nulls=True), rows)
    stmt = select(Item.rank, Item.id).where(
        Item.product_id == rows[0]["product_id"],
        Item.rank >= rows[0]["rank"],
        Item.rank <= rows[-1]["rank"],
        Item.import_batch_id == batch_id,
    )
    found = {rank: int(ident) for rank, ident in uow.session.execute(stmt)}
    return [found[row["rank"]] for row in rows]


PARENTS_CHUNK = 2000  # (item id, parent id) pairs per UPDATE


def set_parents(uow: UnitOfWork, rows: Iterable[tuple[int, int]]) -> None:
    """(item id, parent id) pairs, read as they come: one UPDATE ... FROM unnest on
    PostgreSQL per `PARENTS_CHUNK` of them."""
    part: list[tuple[int, int]] = []
    for pair in rows:
        part.append(pair)
        if len(part) >= PARENTS_CHUNK:
            bulk.update_many(uow, bulk.table_of(Item), part, key="id", column="parent_id")
            part = []
    if part:
        bulk.update_many(uow, bulk.table_of(Item), part, key="id", column="parent_id")


def update_items(uow: UnitOfWork, rows: list[dict[str, Any]]) -> None:
    """Bulk UPDATE by primary key; rows are grouped by the columns they set."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    for group in groups.values():
        uow.session.execute(update(Item), group)


def set_tags(uow: UnitOfWork, tags: Mapping[int, list[str]], *, replace: bool) -> None:
    ids = list(tags)
    if replace:
        for part in _chunks(ids):
            uow.session.execute(delete(ItemTag).where(ItemTag.item_id.in_(part)))
    rows = [(i, t) for i, names in tags.items() for t in names]
    bulk.insert_many(uow, bulk.table_of(ItemTag), rows, columns=("item_id", "tag"), constants={})


def add_history(
    uow: UnitOfWork, moves: Iterable[tuple[int, str | None, str]], actor: Actor, at: datetime
) -> None:
    rows = list(moves)
    constants = {"actor_id": actor.id, "actor_label": actor.label[:200], "at": at}
    columns = ("item_id", "from_status", "to_status")
    bulk.insert_many(uow, bulk.table_of(StatusChange), rows, columns=columns, constants=constants)


def delete_batch_items(uow: UnitOfWork, batch_id: int) -> int:
    """Remove the items an import created (their tags, history... go with them)."""
    ids = list(uow.session.scalars(select(Item.id).where(Item.import_batch_id == batch_id)))
    for part in _chunks(ids):
        uow.session.execute(delete(Item).where(Item.id.in_(part)))
    return len(ids)


ANALYZE_FROM = 1000  # rows written by an import from which the planner's statistics are renewed
_ANALYZED = "items, item_tags, item_status_changes, item_search"


def renew_statistics(uow: UnitOfWork, written: int) -> None:
    """After a large import on PostgreSQL, renew the planner's statistics of the backlog
    tables inside the import's transaction. Autovacuum does it later; until then the planner
    guesses, and once chose a status index for the export's rank-ordered reads (40-54 s
    instead of 12 s for 100,000 items)."""
    if written >= ANALYZE_FROM and uow.session.connection().dialect.name == "postgresql":
        uow.session.execute(text(f"ANALYZE {_ANALYZED}"))
