"""Bulk edits and saved views. One transaction each; a bulk edit writes all or nothing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select

from jalon import activity
from jalon.activity import Subject
from jalon.backlog import queries, search
from jalon.backlog import services as backlog
from jalon.backlog.models import Item, SavedView
from jalon.backlog.queries import Filters
from jalon.db import utcnow
from jalon.errors import N_, Invalid, Label, Message, NotFound
from jalon.permissions import Action, Actor
from jalon.products.services import authorise
from jalon.uow import NOT_FOUND, UnitOfWork

MAX_BULK = 500
MAX_VIEWS = 50
BULK_FIELDS = ("status", "type", "assignee_id")


def _check_selection(item_ids: Sequence[int]) -> list[int]:
    ids = sorted(set(item_ids))
    if not ids:
        raise Invalid("Select at least one item.", field="item_ids")
    if len(ids) > MAX_BULK:
        raise Invalid("Edit at most {n} items at once.", field="item_ids", n=MAX_BULK)
    return ids


def _edit_one(
    uow: UnitOfWork,
    item: Item,
    clean: dict[str, Any],
    tags: tuple[set[str], set[str]],
    actor: Actor,
) -> bool:
    values = dict(clean)
    add, remove = tags
    if add or remove:
        merged = (set(queries.tags_of(uow, item.id)) | add) - remove
        values["tags"] = backlog.clean_tags(merged)  # at most 30 tags
    changes = backlog.apply_changes(uow, item, values, actor)
    if changes:
        backlog.record_update(uow, item, changes, actor)
    return bool(changes)


def _edit_all(
    uow: UnitOfWork,
    product_id: int,
    ids: list[int],
    clean: dict[str, Any],
    tags: tuple[set[str], set[str]],
    actor: Actor,
) -> tuple[list[int], dict[str, str]]:
    """Edit each item; the ids that changed, and a problem per item that cannot."""
    found = {i.id: i for i in uow.session.scalars(select(Item).where(Item.id.in_(ids)))}
    problems: dict[str, str] = {}
    changed: list[int] = []
    for ident in ids:
        item = found.get(ident)
        if item is None or item.product_id != product_id:
            problems[f"items.{ident}"] = Message(
                "The item {ident} is not in this backlog.", ident=ident
            )
            continue
        try:
            if _edit_one(uow, item, clean, tags, actor):
                changed.append(ident)
        except Invalid as exc:
            problems[f"items.{ident}"] = Message(exc.message, **exc.params)
    return changed, problems


def _clean(uow: UnitOfWork, product_id: int, values: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(values) - set(BULK_FIELDS))
    if unknown:
        raise Invalid("Unknown field(s): {names}.", field=unknown[0], names=", ".join(unknown))
    return backlog.normalise(uow, product_id, values)


def bulk_update(
    uow: UnitOfWork,
    *,
    actor: Actor,
    product_id: int,
    item_ids: Sequence[int],
    values: dict[str, Any],
    add_tags: Iterable[str] = (),
    remove_tags: Iterable[str] = (),
) -> list[int]:
    """Set status, type or assignee, and add or remove tags, on many items at once.

    All or nothing: if any item cannot take the edit, nothing is written and the error
    names each such item (`items.<id>`). Returns the ids of the items that changed.
    """
    ids = _check_selection(item_ids)
    tags = (set(backlog.clean_tags(add_tags)), set(backlog.clean_tags(remove_tags)))
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.CONTRIBUTE)
        clean = _clean(uow, product_id, values)
        changed, problems = _edit_all(uow, product_id, ids, clean, tags, actor)
        if problems:
            raise Invalid(
                "Nothing was changed: {n} of the selected items cannot take this edit.",
                fields=problems,
                n=len(problems),
            )
        uow.commit()
    return changed


# --- saved views ----------------------------------------------------------------------------


def _view_subject(view: SavedView) -> Subject:
    return Subject("view", view.id, view.name)


def _check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > 120:
        raise Invalid("Name the view in 1 to 120 characters.", field="name")
    return name


def _existing(uow: UnitOfWork, product_id: int, owner: int | None, name: str) -> SavedView | None:
    stmt = select(SavedView).where(
        SavedView.product_id == product_id,
        SavedView.user_id.is_(None) if owner is None else SavedView.user_id == owner,
        func.lower(SavedView.name) == name.lower(),
    )
    return uow.session.scalars(stmt).first()


def _count(uow: UnitOfWork, product_id: int, owner: int | None) -> int:
    stmt = select(func.count(SavedView.id)).where(
        SavedView.product_id == product_id,
        SavedView.user_id.is_(None) if owner is None else SavedView.user_id == owner,
    )
    return int(uow.session.scalar(stmt) or 0)


def save_view(
    uow: UnitOfWork, *, actor: Actor, product_id: int, name: str, filters: Filters, shared: bool
) -> SavedView:
    """Save the filters under a name, for oneself or shared with everyone on the product.

    Saving again under the same name (same scope) replaces that view's filters. Anyone who
    can read the backlog keeps personal views; sharing one needs the right to contribute.
    """
    name = _check_name(name)
    if actor.id is None and not shared:
        raise Invalid("Only a signed-in person keeps personal views.", field="shared")
    with uow:
        action = Action.CONTRIBUTE if shared else Action.READ
        authorise(uow, product_id=product_id, actor=actor, action=action)
        owner = None if shared else actor.id
        view = _existing(uow, product_id, owner, name)
        if view is None:
            if _count(uow, product_id, owner) >= MAX_VIEWS:
                raise Invalid(
                    "Keep at most {n} views; delete one first.", field="name", n=MAX_VIEWS
                )
            view = SavedView(product_id=product_id, user_id=owner, name=name, created_at=utcnow())
            uow.add(view)
        view.query = filters.as_query()
        uow.flush()
        if shared:
            activity.record(
                uow, "backlog.view.saved", _view_subject(view), actor=actor, product_id=product_id
            )
        uow.commit()
    return view


def delete_view(uow: UnitOfWork, *, actor: Actor, view_id: int) -> int:
    """Delete one's own view, or (with the right to contribute) a shared one; returns the
    product's id."""
    with uow:
        view = uow.session.get(SavedView, view_id)
        if view is None or (view.user_id is not None and view.user_id != actor.id):
            raise NotFound(NOT_FOUND, what=Label("view", N_("view")), ident=view_id)
        action = Action.CONTRIBUTE if view.user_id is None else Action.READ
        authorise(uow, product_id=view.product_id, actor=actor, action=action)
        if view.user_id is None:
            activity.record(
                uow,
                "backlog.view.deleted",
                _view_subject(view),
                actor=actor,
                product_id=view.product_id,
            )
        product_id = view.product_id
        uow.session.delete(view)
        uow.commit()
    return product_id


# --- search index ---------------------------------------------------------------------------


def rebuild_search(uow: UnitOfWork, *, actor: Actor, product_id: int | None = None) -> int:
    """Index the items of one product, or of every product, again; how many items.

    Every write path keeps the index up to date; this repairs it after rows were changed
    behind Jalon's back (a manual SQL fix, a restored partial dump). No activity entry:
    nothing a person sees changes.
    """
    with uow:
        if product_id is not None:
            authorise(uow, product_id=product_id, actor=actor, action=Action.EDIT_PRODUCT)
            count = search.rebuild(uow, product_id)
        elif not actor.is_admin:
            raise Invalid("Only an administrator rebuilds every product's index.", field="product")
        else:
            products = list(uow.session.scalars(select(Item.product_id).distinct()))
            count = sum(search.rebuild(uow, pid) for pid in products)
        uow.commit()
    return count
