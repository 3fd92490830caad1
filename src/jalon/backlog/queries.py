"""Backlog reads: the ordered, filtered, paginated backlog and one item with its context."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, func, or_, select

from jalon.accounts.models import User
from jalon.backlog import rules
from jalon.backlog.models import BacklogSettings, Comment, Item, ItemTag, StatusChange
from jalon.errors import Invalid
from jalon.permissions import Action, Actor
from jalon.products.models import Membership
from jalon.products.services import authorise
from jalon.uow import UnitOfWork

PAGE_SIZE = 100


def default_settings(product_id: int) -> BacklogSettings:
    return BacklogSettings(
        product_id=product_id,
        statuses=rules.default_workflow(),
        scale="fibonacci",
        definition_of_ready=[],
        definition_of_done=[],
    )


def backlog_settings(uow: UnitOfWork, product_id: int) -> BacklogSettings:
    return uow.session.get(BacklogSettings, product_id) or default_settings(product_id)


def first_status(uow: UnitOfWork, product_id: int) -> str:
    return str(backlog_settings(uow, product_id).statuses[0]["key"])


def parent_map(uow: UnitOfWork, product_id: int) -> dict[int, int | None]:
    rows = uow.session.execute(
        select(Item.id, Item.parent_id).where(
            Item.product_id == product_id, Item.parent_id.is_not(None)
        )
    )
    return {int(i): (int(p) if p is not None else None) for i, p in rows}


def tags_of(uow: UnitOfWork, item_id: int) -> list[str]:
    stmt = select(ItemTag.tag).where(ItemTag.item_id == item_id).order_by(ItemTag.tag)
    return list(uow.session.scalars(stmt))


def _edge_rank(uow: UnitOfWork, product_id: int, exclude: int, *, last: bool) -> str | None:
    agg = func.max(Item.rank) if last else func.min(Item.rank)
    stmt = select(agg).where(Item.product_id == product_id, Item.id != exclude)
    return uow.session.scalar(stmt)


def first_rank(uow: UnitOfWork, product_id: int, *, exclude: int) -> str | None:
    return _edge_rank(uow, product_id, exclude, last=False)


def last_rank(uow: UnitOfWork, product_id: int, *, exclude: int) -> str | None:
    return _edge_rank(uow, product_id, exclude, last=True)


def rank_before(uow: UnitOfWork, anchor: Item, *, exclude: int) -> str | None:
    stmt = select(func.max(Item.rank)).where(
        Item.product_id == anchor.product_id, Item.rank < anchor.rank, Item.id != exclude
    )
    return uow.session.scalar(stmt)


def rank_after(uow: UnitOfWork, anchor: Item, *, exclude: int) -> str | None:
    stmt = select(func.min(Item.rank)).where(
        Item.product_id == anchor.product_id, Item.rank > anchor.rank, Item.id != exclude
    )
    return uow.session.scalar(stmt)


def neighbour(uow: UnitOfWork, item: Item, *, above: bool) -> Item | None:
    """The item just above or below in the backlog order (rank, then id)."""
    same = Item.product_id == item.product_id
    if above:
        cond = or_(Item.rank < item.rank, and_(Item.rank == item.rank, Item.id < item.id))
        order = (Item.rank.desc(), Item.id.desc())
    else:
        cond = or_(Item.rank > item.rank, and_(Item.rank == item.rank, Item.id > item.id))
        order = (Item.rank.asc(), Item.id.asc())
    return uow.session.scalar(select(Item).where(same, cond).order_by(*order).limit(1))


def mentioned_members(uow: UnitOfWork, product_id: int, handles: Iterable[str]) -> list[User]:
    """Members of the product (or administrators) named by @handle: e-mail or its local part."""
    wanted = {h.lower() for h in handles}
    if not wanted:
        return []
    stmt = (
        select(User)
        .outerjoin(
            Membership, and_(Membership.user_id == User.id, Membership.product_id == product_id)
        )
        .where(or_(Membership.id.is_not(None), User.is_admin), User.is_active)
    )
    return [
        u
        for u in uow.session.scalars(stmt)
        if u.email in wanted or u.email.split("@", 1)[0] in wanted
    ]


@dataclass
class Filters:
    types: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    tag: str | None = None
    assignee_id: int | None = None
    parent_id: int | None = None


@dataclass(frozen=True)
class Page:
    items: list[Item]
    tags: dict[int, list[str]]
    next_cursor: str | None


def encode_cursor(item: Item) -> str:
    raw = json.dumps([item.rank, item.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        rank, ident = json.loads(raw)
        return str(rank), int(ident)
    except (ValueError, TypeError):
        raise Invalid(
            "This cursor is not valid; start again from the first page.", field="cursor"
        ) from None


def _filtered(stmt: Select[Any], filters: Filters) -> Select[Any]:
    if filters.types:
        stmt = stmt.where(Item.type.in_(filters.types))
    if filters.statuses:
        stmt = stmt.where(Item.status.in_(filters.statuses))
    if filters.assignee_id is not None:
        stmt = stmt.where(Item.assignee_id == filters.assignee_id)
    if filters.parent_id is not None:
        stmt = stmt.where(Item.parent_id == filters.parent_id)
    if filters.tag:
        tagged = select(ItemTag.item_id).where(ItemTag.tag == filters.tag.lower())
        stmt = stmt.where(Item.id.in_(tagged))
    return stmt


def list_items(
    uow: UnitOfWork,
    *,
    actor: Actor,
    product_id: int,
    filters: Filters | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """One page of the backlog in rank order (ties broken by id), after `cursor`."""
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        stmt = _filtered(select(Item).where(Item.product_id == product_id), filters or Filters())
        if cursor:
            rank, ident = decode_cursor(cursor)
            stmt = stmt.where(or_(Item.rank > rank, and_(Item.rank == rank, Item.id > ident)))
        rows = list(uow.session.scalars(stmt.order_by(Item.rank, Item.id).limit(limit + 1)))
        items, more = rows[:limit], len(rows) > limit
        tags: dict[int, list[str]] = {i.id: [] for i in items}
        if items:
            for item_id, tag in uow.session.execute(
                select(ItemTag.item_id, ItemTag.tag)
                .where(ItemTag.item_id.in_(tags))
                .order_by(ItemTag.tag)
            ):
                tags[item_id].append(tag)
        return Page(items, tags, encode_cursor(items[-1]) if more else None)


@dataclass(frozen=True)
class ItemView:
    item: Item
    tags: list[str]
    parent: Item | None
    children: list[Item]
    comments: list[Comment]
    history: list[StatusChange]
    settings: BacklogSettings


def get_item(uow: UnitOfWork, *, actor: Actor, item_id: int) -> ItemView:
    with uow:
        item = uow.get(Item, item_id, what="item")
        authorise(uow, product_id=item.product_id, actor=actor, action=Action.READ)
        children = uow.session.scalars(
            select(Item).where(Item.parent_id == item.id).order_by(Item.rank, Item.id)
        )
        comments = uow.session.scalars(
            select(Comment).where(Comment.item_id == item.id).order_by(Comment.id)
        )
        history = uow.session.scalars(
            select(StatusChange).where(StatusChange.item_id == item.id).order_by(StatusChange.id)
        )
        parent = uow.session.get(Item, item.parent_id) if item.parent_id else None
        return ItemView(
            item,
            tags_of(uow, item.id),
            parent,
            list(children),
            list(comments),
            list(history),
            backlog_settings(uow, item.product_id),
        )
