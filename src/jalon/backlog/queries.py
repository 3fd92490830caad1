"""Backlog reads: the ordered, filtered, paginated backlog and one item with its context."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select

from jalon.accounts.models import User
from jalon.backlog import rules, search
from jalon.backlog.models import (
    BacklogSettings,
    Comment,
    Item,
    ItemTag,
    SavedView,
    StatusChange,
)
from jalon.errors import Invalid
from jalon.permissions import Action, Actor
from jalon.prioritisation.models import ItemScore
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
    """What the backlog list shows; every filter given must hold (AND)."""

    types: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    tag: str | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    parent_id: int | None = None
    ready: bool | None = None
    score_model: str | None = None
    score_min: float | None = None
    score_max: float | None = None
    q: str = ""

    def as_query(self) -> dict[str, Any]:
        """The filters as query parameters (saved views, links to the next page)."""
        out: dict[str, Any] = {"type": self.types, "status": self.statuses}
        assignee = "none" if self.unassigned else self.assignee_id
        ready = None if self.ready is None else ("yes" if self.ready else "no")
        for name, value in (
            ("tag", self.tag),
            ("assignee_id", assignee),
            ("parent_id", self.parent_id),
            ("ready", ready),
            ("score_model", self.score_model),
            ("score_min", self.score_min),
            ("score_max", self.score_max),
            ("q", self.q),
        ):
            if value not in (None, ""):
                out[name] = value
        return {k: v for k, v in out.items() if v not in ([], None)}


@dataclass(frozen=True)
class Page:
    items: list[Item]
    tags: dict[int, list[str]]
    next_cursor: str | None
    ready: dict[int, bool] = field(default_factory=dict)
    assignees: dict[int, str] = field(default_factory=dict)


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


def _score_clause(filters: Filters) -> ColumnElement[bool]:
    cond = [ItemScore.item_id == Item.id, ItemScore.model == filters.score_model]
    if filters.score_min is not None:
        cond.append(ItemScore.value >= filters.score_min)
    if filters.score_max is not None:
        cond.append(ItemScore.value <= filters.score_max)
    if filters.score_min is None and filters.score_max is None:
        cond.append(ItemScore.value.is_not(None))
    return exists(select(ItemScore.item_id).where(*cond))


def _check_filters(settings: BacklogSettings, filters: Filters) -> None:
    known = {str(s["key"]) for s in settings.statuses}
    unknown = [s for s in filters.statuses if s not in known]
    if unknown:
        raise Invalid(
            "Unknown status {value!r}; this product's statuses are {names}.",
            field="status",
            value=unknown[0],
            names=", ".join(sorted(known)),
        )


def _filtered(
    uow: UnitOfWork, stmt: Select[Any], filters: Filters, settings: BacklogSettings
) -> Select[Any]:
    _check_filters(settings, filters)
    conditions: list[ColumnElement[bool]] = []
    if filters.types:
        conditions.append(Item.type.in_(filters.types))
    if filters.statuses:
        conditions.append(Item.status.in_(filters.statuses))
    if filters.unassigned:
        conditions.append(Item.assignee_id.is_(None))
    elif filters.assignee_id is not None:
        conditions.append(Item.assignee_id == filters.assignee_id)
    if filters.parent_id is not None:
        conditions.append(Item.parent_id == filters.parent_id)
    if filters.tag:
        tagged = select(ItemTag.item_id).where(ItemTag.tag == filters.tag.strip().lower())
        conditions.append(Item.id.in_(tagged))
    if filters.ready is not None:
        conditions.append(
            search.ready_clause(uow, settings.definition_of_ready, ready=filters.ready)
        )
    if filters.score_model:
        conditions.append(_score_clause(filters))
    terms = search.parse(filters.q) if filters.q else None
    if terms:
        conditions.append(search.matching(uow, terms, settings.product_id))
    return stmt.where(*conditions)


def _ticked_ready(item: Item) -> list[str]:
    found = (item.checks or {}).get("ready") or []
    return [str(t) for t in found] if isinstance(found, list) else []


def _page_extras(
    uow: UnitOfWork, items: list[Item], settings: BacklogSettings
) -> tuple[dict[int, list[str]], dict[int, bool], dict[int, str]]:
    tags: dict[int, list[str]] = {i.id: [] for i in items}
    if items:
        for item_id, tag in uow.session.execute(
            select(ItemTag.item_id, ItemTag.tag)
            .where(ItemTag.item_id.in_(tags))
            .order_by(ItemTag.tag)
        ):
            tags[item_id].append(tag)
    dor = settings.definition_of_ready
    ready = {i.id: rules.readiness(dor, _ticked_ready(i)).ready for i in items}
    wanted = {i.assignee_id for i in items if i.assignee_id is not None}
    if not wanted:  # no round trip for an empty IN
        return tags, ready, {}
    people = uow.session.execute(select(User.id, User.name, User.email).where(User.id.in_(wanted)))
    return tags, ready, {uid: name or email for uid, name, email in people}


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
        settings = backlog_settings(uow, product_id)
        return page_in(uow, product_id, settings, filters=filters, cursor=cursor, limit=limit)


def page_in(
    uow: UnitOfWork,
    product_id: int,
    settings: BacklogSettings,
    *,
    filters: Filters | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """`list_items` inside the caller's unit of work, the actor already authorised."""
    stmt = select(Item).where(Item.product_id == product_id)
    stmt = _filtered(uow, stmt, filters or Filters(), settings)
    if cursor:
        rank, ident = decode_cursor(cursor)
        stmt = stmt.where(or_(Item.rank > rank, and_(Item.rank == rank, Item.id > ident)))
    rows = list(uow.session.scalars(stmt.order_by(Item.rank, Item.id).limit(limit + 1)))
    items, more = rows[:limit], len(rows) > limit
    tags, ready, assignees = _page_extras(uow, items, settings)
    return Page(items, tags, encode_cursor(items[-1]) if more else None, ready, assignees)


def search_items(
    uow: UnitOfWork, *, actor: Actor, product_id: int, q: str, limit: int = 20
) -> list[Item]:
    """The items that best match the words of `q`, most relevant first."""
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        terms = search.parse(q)
        if not terms:
            return []
        hits = search.relevance(uow, terms)
        stmt = (
            select(Item)
            .join(hits, hits.c.item_id == Item.id)
            .where(Item.product_id == product_id)
            .order_by(hits.c.score, Item.rank, Item.id)
            .limit(limit)
        )
        return list(uow.session.scalars(stmt))


def list_views(uow: UnitOfWork, *, actor: Actor, product_id: int) -> list[SavedView]:
    """The actor's own saved views of the product, then those shared with everyone."""
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        return views_in(uow, product_id, actor.id)


def views_in(uow: UnitOfWork, product_id: int, user_id: int | None) -> list[SavedView]:
    """`list_views` inside the caller's unit of work, the actor already authorised."""
    stmt = (
        select(SavedView)
        .where(
            SavedView.product_id == product_id,
            or_(SavedView.user_id.is_(None), SavedView.user_id == user_id),
        )
        .order_by(SavedView.user_id.is_(None), func.lower(SavedView.name), SavedView.id)
    )
    return list(uow.session.scalars(stmt))


@dataclass(frozen=True)
class ItemView:
    item: Item
    tags: list[str]
    parent: Item | None
    children: list[Item]
    comments: list[Comment]
    history: list[StatusChange]
    settings: BacklogSettings


def item_view(uow: UnitOfWork, item: Item) -> ItemView:
    """An item with its tags, parent, children, comments and status history (inside a uow)."""
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


def get_item(uow: UnitOfWork, *, actor: Actor, item_id: int) -> ItemView:
    with uow:
        item = uow.get(Item, item_id, what="item")
        authorise(uow, product_id=item.product_id, actor=actor, action=Action.READ)
        return item_view(uow, item)
