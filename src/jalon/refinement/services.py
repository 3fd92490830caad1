"""Refinement use cases: backlog settings, Definition of Ready/Done ticks, links between items.

One transaction each, with its activity entry; the same role checks as the backlog.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import insert, select, update

from jalon import activity
from jalon.activity import Subject
from jalon.backlog import rules as backlog_rules
from jalon.backlog.models import Item, ItemLink, StatusChange
from jalon.backlog.services import ensure_settings
from jalon.db import utcnow
from jalon.errors import N_, Conflict, Invalid, NotFound
from jalon.permissions import Action, Actor
from jalon.products.services import authorise
from jalon.refinement import queries, rules
from jalon.uow import UnitOfWork

__all__ = ["add_link", "remove_link", "set_ticks", "update_settings"]


def _item(uow: UnitOfWork, item_id: int, actor: Actor, action: Action) -> Item:
    item = uow.get(Item, item_id, what=N_("item"))
    authorise(uow, product_id=item.product_id, actor=actor, action=action)
    return item


def _subject(item: Item) -> Subject:
    return Subject("item", item.id, item.title)


# --- settings -------------------------------------------------------------------------------


def _labels(statuses: Sequence[dict[str, str]], keys: Iterable[str]) -> tuple[str, ...]:
    names = {s["key"]: s["label"] for s in statuses}
    return tuple(names.get(k, k) for k in keys)


def _check_removal(
    uow: UnitOfWork,
    product_id: int,
    gone: list[str],
    statuses: list[dict[str, str]],
    move_to: str | None,
) -> dict[str, int]:
    """Items still in a removed status: refuse unless `move_to` names a status they go to."""
    counts = queries.status_counts(uow, product_id)
    used = {k: counts[k] for k in gone if counts.get(k)}
    if not used:
        return {}
    if not move_to:
        old = ensure_settings(uow, product_id).statuses
        raise Conflict(
            "Items still use {statuses} ({n} in all): choose a status to move them to, "
            "or keep the status.",
            field="move_to",
            statuses=_labels(old, used),
            n=sum(used.values()),
        )
    if move_to not in {s["key"] for s in statuses}:
        raise Invalid("Move the items to a status of the new workflow.", field="move_to")
    return used


def _move_items(
    uow: UnitOfWork, product_id: int, gone: list[str], target: str, actor: Actor, done: bool
) -> None:
    rows = uow.session.execute(
        select(Item.id, Item.status).where(Item.product_id == product_id, Item.status.in_(gone))
    ).all()
    now = utcnow()
    uow.session.execute(
        update(Item)
        .where(Item.product_id == product_id, Item.status.in_(gone))
        .values(
            status=target, version=Item.version + 1, updated_at=now, done_at=now if done else None
        )
    )
    changes = [
        {"item_id": i, "from_status": s, "to_status": target, "actor_id": actor.id,
         "actor_label": actor.label, "at": now}
        for i, s in rows
    ]  # fmt: skip
    uow.session.execute(insert(StatusChange), changes)


def _settings_changes(
    before: dict[str, object], after: rules.CleanSettings
) -> dict[str, list[object]]:
    def show(name: str, value: object) -> object:
        if name == "statuses" and isinstance(value, list):
            return " → ".join(s["label"] for s in value)
        if isinstance(value, list):
            return " · ".join(str(v) for v in value) or None
        return value

    now = vars(after)
    return {k: [show(k, before[k]), show(k, now[k])] for k in now if before[k] != now[k]}


def update_settings(
    uow: UnitOfWork,
    *,
    actor: Actor,
    product_id: int,
    draft: rules.Draft,
    move_to: str | None = None,
) -> rules.CleanSettings:
    """Save a product's workflow, estimation scale and Definition of Ready and of Done.

    Removing a status that items still use is refused (409) unless `move_to` names the
    status they move to; they then move in the same transaction, with their history.
    """
    clean = rules.check_settings(draft)
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.EDIT_PRODUCT)
        row = ensure_settings(uow, product_id)
        before = {k: getattr(row, k) for k in vars(clean)}
        gone = rules.removed_statuses(row.statuses, clean.statuses)
        used = _check_removal(uow, product_id, gone, clean.statuses, move_to)
        if used and move_to:
            done = backlog_rules.is_done(move_to, clean.statuses)
            _move_items(uow, product_id, list(used), move_to, actor, done)
        for name, value in vars(clean).items():
            setattr(row, name, value)
        changes = _settings_changes(before, clean)
        if changes:
            activity.record(
                uow,
                "refinement.settings.updated",
                Subject("product", product_id, product.name),
                actor=actor,
                product_id=product_id,
                changes=changes,
            )
        uow.commit()
    return clean


# --- Definition of Ready and of Done ticks --------------------------------------------------


def set_ticks(
    uow: UnitOfWork, *, actor: Actor, item_id: int, ticks: Mapping[str, Iterable[str]]
) -> Item:
    """Tick (and untick) entries of the item's Definition of Ready (`ready`) and/or of Done
    (`done`): each list given replaces that checklist's ticks, all in one transaction.

    Ticks are kept by entry text; they do not change the item's version, so a tick never
    makes someone's open edit form stale.
    """
    with uow:
        item = _item(uow, item_id, actor, Action.CONTRIBUTE)
        settings = ensure_settings(uow, item.product_id)
        changes: dict[str, list[object]] = {}
        for checklist, ticked in ticks.items():
            field = rules.CHECKLIST_FIELDS.get(checklist, "")
            entries = list(getattr(settings, field, []) or []) if field else []
            before = rules.ticked(item.checks, checklist)
            item.checks = rules.with_ticks(item.checks, checklist, ticked, entries)
            after = rules.ticked(item.checks, checklist)
            if before != after:
                changes[field] = [" · ".join(before) or None, " · ".join(after) or None]
        if changes:
            activity.record(
                uow,
                "refinement.checks.changed",
                _subject(item),
                actor=actor,
                product_id=item.product_id,
                changes=changes,
            )
        uow.commit()
    return item


# --- links ----------------------------------------------------------------------------------


def _existing_links(uow: UnitOfWork, a: int, b: int) -> set[tuple[int, int, str]]:
    stmt = select(ItemLink.from_id, ItemLink.to_id, ItemLink.kind).where(
        ItemLink.from_id.in_((a, b)), ItemLink.to_id.in_((a, b))
    )
    return {(int(f), int(t), str(k)) for f, t, k in uow.session.execute(stmt)}


def add_link(uow: UnitOfWork, *, actor: Actor, item_id: int, kind: str, to_id: int) -> ItemLink:
    """Link two items of a product: blocks (or is blocked by), relates to, duplicates."""
    stored, reverse = rules.parse_link_kind(kind)
    with uow:
        item = _item(uow, item_id, actor, Action.CONTRIBUTE)
        other = uow.session.get(Item, to_id)
        if other is None:
            raise Invalid("No item has the number #{ident}.", field="to_id", ident=to_id)
        a, b = (other.id, item.id) if reverse else (item.id, other.id)
        rules.check_link(
            from_id=a,
            to_id=b,
            kind=stored,
            same_product=other.product_id == item.product_id,
            existing=_existing_links(uow, a, b),
        )
        link = ItemLink(from_id=a, to_id=b, kind=stored)
        uow.add(link)
        uow.flush()
        activity.record(
            uow,
            "refinement.link.added",
            _subject(item),
            actor=actor,
            product_id=item.product_id,
            changes={"link": [None, f"{kind} #{other.id} {other.title}"[:200]]},
        )
        uow.commit()
    return link


def remove_link(uow: UnitOfWork, *, actor: Actor, item_id: int, link_id: int) -> None:
    """Remove a link, from the page of either of its items."""
    with uow:
        item = _item(uow, item_id, actor, Action.CONTRIBUTE)
        link = uow.session.get(ItemLink, link_id)
        if link is None or item.id not in (link.from_id, link.to_id):
            raise NotFound("This link does not exist any more.")
        other_id = link.to_id if link.from_id == item.id else link.from_id
        uow.session.delete(link)
        activity.record(
            uow,
            "refinement.link.removed",
            _subject(item),
            actor=actor,
            product_id=item.product_id,
            changes={"link": [f"{link.kind} #{other_id}", None]},
        )
        uow.commit()
