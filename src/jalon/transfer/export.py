"""Exports, streamed: Jalon's lossless JSON (one item per line) and a Jira-like CSV.

Both read the backlog a chunk of items at a time, in backlog order, with one query per
chunk and kind of data, so memory holds one chunk whatever the size of the product.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select

from jalon.accounts.models import User
from jalon.backlog.models import (
    BacklogSettings,
    Comment,
    Item,
    ItemLink,
    ItemTag,
    SavedView,
    StatusChange,
)
from jalon.backlog.queries import backlog_settings
from jalon.backlog.rules import TYPE_LABELS, ItemType, estimate_label
from jalon.db import utcnow
from jalon.prioritisation.models import Formula, ItemScore
from jalon.products.models import Product
from jalon.transfer import document
from jalon.uow import UnitOfWork

CHUNK = 1000


Key = tuple[str, int]  # (rank, id): the backlog order


def _order(uow: UnitOfWork, product_id: int) -> list[Key]:
    stmt = select(Item.rank, Item.id).where(Item.product_id == product_id)
    return [(r, int(i)) for r, i in uow.session.execute(stmt.order_by(Item.rank, Item.id))]


def _emails(uow: UnitOfWork) -> dict[int, str]:
    return {int(i): e for i, e in uow.session.execute(select(User.id, User.email))}


def _window(product_id: int, first: Key, last: Key) -> ColumnElement[bool]:
    """The items from `first` to `last` in backlog order: a range, not a list of ids (long
    IN lists cost more to send than to run, on PostgreSQL above all)."""
    (low, low_id), (high, high_id) = first, last
    return and_(
        Item.product_id == product_id,
        Item.rank >= low,  # a range on the (product_id, rank) index...
        Item.rank <= high,
        or_(Item.rank > low, Item.id >= low_id),  # ...then ties on the edges, by id
        or_(Item.rank < high, Item.id <= high_id),
    )


def _by_item(uow: UnitOfWork, model: Any, window: Any, order: Any) -> dict[int, list[Any]]:
    """Rows of a table attached to the items of a window (as mappings), by item id."""
    found: dict[int, list[Any]] = {}
    inside = model.item_id.in_(select(Item.id).where(window))
    for row in uow.session.execute(
        select(model.__table__).where(inside).order_by(order)
    ).mappings():
        found.setdefault(row["item_id"], []).append(row)
    return found


class _Chunk:
    """One chunk of items with everything attached to them, read as plain rows."""

    def __init__(
        self, uow: UnitOfWork, product_id: int, keys: Sequence[Key], *, full: bool
    ) -> None:
        window = _window(product_id, keys[0], keys[-1])
        stmt = select(Item.__table__).where(window).order_by(Item.rank, Item.id)
        self.items = list(uow.session.execute(stmt).mappings())
        self.tags: dict[int, list[str]] = {row["id"]: [] for row in self.items}
        inside = ItemTag.item_id.in_(select(Item.id).where(window))
        tags = select(ItemTag.item_id, ItemTag.tag).where(inside).order_by(ItemTag.tag)
        for item_id, tag in uow.session.execute(tags):
            self.tags.setdefault(item_id, []).append(tag)
        if not full:
            return
        self.comments = _by_item(uow, Comment, window, Comment.id)
        self.history = _by_item(uow, StatusChange, window, StatusChange.id)
        self.scores = _by_item(uow, ItemScore, window, ItemScore.model)


def _chunks(
    uow: UnitOfWork, product_id: int, order: list[Key], *, full: bool = True
) -> Iterator[_Chunk]:
    for start in range(0, len(order), CHUNK):
        yield _Chunk(uow, product_id, order[start : start + CHUNK], full=full)


def _row(obj: Any) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns}


# --- JSON ------------------------------------------------------------------------------------


def _item(chunk: _Chunk, item: Any, refs: dict[int, int], emails: dict[int, str]) -> dict[str, Any]:
    def person(user_id: int | None) -> str | None:
        return emails.get(user_id) if user_id is not None else None

    ident, parent = item["id"], item["parent_id"]
    out: dict[str, Any] = {"ref": refs[ident], "id": ident}
    out["parent"] = refs.get(parent) if parent is not None else None
    out["assignee"] = person(item["assignee_id"])
    out.update(document.encode("items", item))
    out["tags"] = chunk.tags.get(ident, [])
    out["comments"] = [
        {"author": person(c["author_id"]), **document.encode("item_comments", c)}
        for c in chunk.comments.get(ident, [])
    ]
    out["status_history"] = [
        {"actor": person(h["actor_id"]), **document.encode("item_status_changes", h)}
        for h in chunk.history.get(ident, [])
    ]
    out["scores"] = [document.encode("item_scores", s) for s in chunk.scores.get(ident, [])]
    return out


def _head(uow: UnitOfWork, product: Product, emails: dict[int, str]) -> dict[str, Any]:
    settings = uow.session.get(BacklogSettings, product.id) or backlog_settings(uow, product.id)
    formulas = uow.session.scalars(
        select(Formula).where(Formula.product_id == product.id).order_by(Formula.key)
    )
    views = uow.session.scalars(
        select(SavedView).where(SavedView.product_id == product.id).order_by(SavedView.id)
    )
    return {
        "format": document.FORMAT,
        "version": document.VERSION,
        "exported_at": utcnow().isoformat(),
        "product": {name: getattr(product, name) for name in document.PRODUCT_FIELDS},
        "backlog_settings": document.encode("backlog_settings", _row(settings)),
        "formulas": [document.encode("formulas", _row(f)) for f in formulas],
        "saved_views": [
            {
                "user": emails.get(v.user_id) if v.user_id else None,
                **document.encode("saved_views", _row(v)),
            }
            for v in views
        ],
    }


def _links(uow: UnitOfWork, product_id: int, refs: dict[int, int]) -> Iterator[dict[str, Any]]:
    stmt = (
        select(ItemLink.from_id, ItemLink.to_id, ItemLink.kind)
        .join(Item, Item.id == ItemLink.from_id)
        .where(Item.product_id == product_id)
        .order_by(ItemLink.id)
    )
    for from_id, to_id, kind in uow.session.execute(stmt):
        if to_id in refs:
            yield {"from": refs[from_id], "to": refs[to_id], "kind": kind}


def json_lines(uow: UnitOfWork, product_id: int) -> Iterator[str]:
    """The whole product as one JSON document, a line at a time (one line per item)."""
    with uow:
        product = uow.get(Product, product_id, what="product")
        order, emails = _order(uow, product_id), _emails(uow)
        refs = {item_id: n for n, (_rank, item_id) in enumerate(order, start=1)}
        head = json.dumps(_head(uow, product, emails), ensure_ascii=False)
        yield head[:-1] + ',\n"items": [\n'
        first = True
        for chunk in _chunks(uow, product_id, order):
            lines = [
                json.dumps(_item(chunk, item, refs, emails), ensure_ascii=False)
                for item in chunk.items
                if item["id"] in refs  # not one added while the export runs
            ]
            if lines:
                yield ("" if first else ",\n") + ",\n".join(lines)
                first = False
        yield '\n],\n"links": [\n'
        yield ",\n".join(json.dumps(link) for link in _links(uow, product_id, refs))
        yield "\n]}\n"


# --- CSV -------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "Issue key",
    "Summary",
    "Issue Type",
    "Status",
    "Story Points",
    "Parent",
    "Labels",
    "Created",
    "Resolved",
    "Description",
    "Acceptance criteria",
    "Business value",
    "Assignee",
    "Due date",
    "Jalon id",
    "Rank",
)


def _key(item_id: int, keys: dict[int, str | None]) -> str:
    return keys.get(item_id) or f"JALON-{item_id}"


def _csv_row(item: Any, tags: list[str], ctx: dict[str, Any]) -> list[Any]:
    keys, emails, scale, labels = ctx["keys"], ctx["emails"], ctx["scale"], ctx["statuses"]
    assignee, parent = item["assignee_id"], item["parent_id"]
    return [
        _key(item["id"], keys),
        item["title"],
        TYPE_LABELS[ItemType(item["type"])],
        labels.get(item["status"], item["status"]),
        estimate_label(scale, item["estimate"]),
        _key(parent, keys) if parent else "",
        ",".join(tags),
        _iso(item["created_at"]),
        _iso(item["done_at"]),
        item["description"],
        item["acceptance_criteria"],
        "" if item["business_value"] is None else f"{item['business_value']:g}",
        emails.get(assignee, "") if assignee else "",
        _iso(item["due_date"]),
        item["id"],
        item["rank"],
    ]


def _iso(value: Any) -> str:
    return value.isoformat() if value else ""


def csv_lines(uow: UnitOfWork, product_id: int) -> Iterator[str]:
    """The backlog in order as CSV (UTF-8, comma-separated), Jira's column names first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    with uow:
        settings = backlog_settings(uow, product_id)
        stmt = select(Item.id, Item.external_key).where(Item.product_id == product_id)
        ctx = {
            "keys": {int(i): k for i, k in uow.session.execute(stmt)},
            "emails": _emails(uow),
            "scale": settings.scale,
            "statuses": {s["key"]: s.get("label") or s["key"] for s in settings.statuses},
        }
        writer.writerow(CSV_COLUMNS)
        for chunk in _chunks(uow, product_id, _order(uow, product_id), full=False):
            for item in chunk.items:
                writer.writerow(_csv_row(item, chunk.tags.get(item["id"], []), ctx))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()
