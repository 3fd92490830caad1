"""Backlog use cases: create, edit (optimistic locking), move. One transaction each.

Comments live in `jalon.collaboration.services`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select

from jalon import activity
from jalon.accounts.models import User
from jalon.activity import Subject
from jalon.backlog import queries, ranks, reorder, rules, search
from jalon.backlog.models import BacklogSettings, Item, ItemTag, StatusChange
from jalon.db import utcnow
from jalon.errors import N_, Invalid, Message, PreconditionFailed
from jalon.permissions import Action, Actor
from jalon.products.services import authorise, role_of
from jalon.uow import UnitOfWork

TEXT_LIMITS = {"title": 200, "description": 20000, "acceptance_criteria": 10000}
EDITABLE = (
    "title",
    "description",
    "acceptance_criteria",
    "type",
    "status",
    "estimate",
    "business_value",
    "parent_id",
    "assignee_id",
    "due_date",
    "tags",
)


@dataclass(frozen=True)
class Placement:
    """Where an item goes: before or after another item, or to the top or the bottom."""

    before_id: int | None = None
    after_id: int | None = None
    to: str | None = None


def _item(uow: UnitOfWork, item_id: int, actor: Actor, action: Action) -> Item:
    item = uow.get(Item, item_id, what=N_("item"))
    authorise(uow, product_id=item.product_id, actor=actor, action=action)
    return item


def _subject(item: Item) -> Subject:
    return Subject("item", item.id, item.title)


def _check_text(values: Mapping[str, Any]) -> None:
    problems: dict[str, str] = {}
    if "title" in values and not str(values["title"] or "").strip():
        problems["title"] = N_("Give the item a title.")
    for name, limit in TEXT_LIMITS.items():
        if len(str(values.get(name) or "")) > limit:
            problems[name] = N_("This text is too long.")
    if problems:
        raise Invalid("Some fields need your attention.", fields=problems)


def clean_tags(tags: Any) -> list[str]:
    cleaned = sorted({str(t).strip().lower()[:50] for t in (tags or []) if str(t).strip()})
    if len(cleaned) > 30:
        raise Invalid("An item takes at most 30 tags.", field="tags")
    return cleaned


def _set_tags(uow: UnitOfWork, item: Item, tags: list[str]) -> None:
    uow.session.execute(delete(ItemTag).where(ItemTag.item_id == item.id))
    for tag in tags:
        uow.add(ItemTag(item_id=item.id, tag=tag))


def _check_parent(
    uow: UnitOfWork, item: Item, parent_id: int | None, item_type: str | None = None
) -> None:
    if parent_id is None:
        return
    parent = uow.session.get(Item, parent_id)
    if parent is None or parent.product_id != item.product_id:
        raise Invalid("The parent must be an item of the same product.", field="parent_id")
    rules.check_parent(item_type or item.type, parent.type)
    if item.id is not None:
        parent_of = queries.parent_map(uow, item.product_id)
        rules.check_no_cycle(item.id, parent_id, parent_of)


def check_place(uow: UnitOfWork, item: Item, item_type: str, parent_id: int | None) -> None:
    """The item, with this type, must fit under this parent and over its own children."""
    _check_parent(uow, item, parent_id, item_type)
    children = uow.session.scalars(select(Item.type).where(Item.parent_id == item.id))
    for child_type in set(children):
        rules.check_parent(child_type, item_type)


def _check_assignee(uow: UnitOfWork, product_id: int, assignee_id: int | None) -> None:
    if assignee_id is None:
        return
    if uow.session.get(User, assignee_id) is None:
        raise Invalid("No user has the id {ident}.", field="assignee_id", ident=assignee_id)
    if role_of(uow, product_id=product_id, user_id=assignee_id) is None:
        raise Invalid("Assign the item to a member of the product.", field="assignee_id")


def _number(raw: Any, field: str) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise Invalid("Write a number, like 8 or 2.5.", field=field) from None
    if not 0 <= value <= 1_000_000:
        raise Invalid("Use a number from 0 to 1,000,000.", field=field)
    return value


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        raise Invalid("Write the date as YYYY-MM-DD, like 2026-03-31.", field="due_date") from None


def normalise(uow: UnitOfWork, product_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """Check and convert the editable fields of an item against its product's settings."""
    settings = queries.backlog_settings(uow, product_id)
    out = dict(values)
    if "type" in out:
        out["type"] = rules.parse_type(str(out["type"]))
    if "status" in out:
        out["status"] = rules.parse_status(str(out["status"]), settings.statuses)
    if "estimate" in out:
        out["estimate"] = rules.parse_estimate(settings.scale, out["estimate"])
    if "business_value" in out:
        out["business_value"] = _number(out["business_value"], "business_value")
    if "due_date" in out and isinstance(out["due_date"], str):
        out["due_date"] = _day(out["due_date"])
    for name in ("title", "description", "acceptance_criteria"):
        if name in out:
            out[name] = str(out[name] or "").strip()
    _check_text(out)
    if "tags" in out:
        out["tags"] = clean_tags(out["tags"])
    _check_assignee(uow, product_id, out.get("assignee_id"))
    return out


def _bottom_rank(uow: UnitOfWork, product_id: int) -> str:
    reorder.lock_product(uow, product_id)  # two additions at once get different ranks
    last = uow.session.scalar(select(func.max(Item.rank)).where(Item.product_id == product_id))
    return ranks.key_between(last, None)


def _status_change(item: Item, actor: Actor, before: str | None) -> StatusChange:
    return StatusChange(
        item_id=item.id,
        from_status=before,
        to_status=item.status,
        actor_id=actor.id,
        actor_label=actor.label,
        at=utcnow(),
    )


def _new_item(uow: UnitOfWork, product_id: int, clean: dict[str, Any]) -> Item:
    now = utcnow()
    item = Item(
        product_id=product_id,
        rank=_bottom_rank(uow, product_id),
        version=1,
        created_at=now,
        updated_at=now,
        checks={},
        **clean,
    )
    item.status = item.status or queries.first_status(uow, product_id)
    item.type = item.type or "story"
    _check_parent(uow, item, item.parent_id)
    return item


def create_item(uow: UnitOfWork, *, actor: Actor, product_id: int, values: dict[str, Any]) -> Item:
    """Add an item at the bottom of the backlog."""
    if not str(values.get("title") or "").strip():
        raise Invalid("Give the item a title.", field="title")
    with uow:
        item = add_item(uow, actor=actor, product_id=product_id, values=values)
        uow.commit()
    return item


def add_item(uow: UnitOfWork, *, actor: Actor, product_id: int, values: dict[str, Any]) -> Item:
    """`create_item` inside a unit of work the caller opened and commits (one transaction
    for a use case that makes an item along with something else)."""
    if not str(values.get("title") or "").strip():
        raise Invalid("Give the item a title.", field="title")
    authorise(uow, product_id=product_id, actor=actor, action=Action.CONTRIBUTE)
    clean = normalise(uow, product_id, values)
    tags = clean.pop("tags", [])
    item = _new_item(uow, product_id, clean)
    uow.add(item)
    uow.flush()
    _set_tags(uow, item, tags)
    uow.add(_status_change(item, actor, None))
    search.refresh(uow, [item.id])
    activity.record(
        uow,
        "backlog.item.created",
        _subject(item),
        actor=actor,
        product_id=product_id,
        changes={"title": [None, item.title]},
    )
    return item


def apply_changes(
    uow: UnitOfWork, item: Item, clean: dict[str, Any], actor: Actor
) -> dict[str, Any]:
    before = {k: getattr(item, k) for k in clean if k != "tags"}
    if "tags" in clean:
        before["tags"] = queries.tags_of(uow, item.id)
    changes = activity.diff(before, clean)
    if "parent_id" in changes or "type" in changes:
        check_place(uow, item, clean.get("type", item.type), clean.get("parent_id", item.parent_id))
    for key, value in clean.items():
        if key == "tags":
            _set_tags(uow, item, value)
        else:
            setattr(item, key, value)
    if "status" in changes:
        uow.add(_status_change(item, actor, changes["status"][0]))
        done = rules.is_done(item.status, queries.backlog_settings(uow, item.product_id).statuses)
        item.done_at = utcnow() if done else None
    return changes


@dataclass(frozen=True)
class Edited:
    """An edited item, and the warning of a move to done with the DoD not all ticked."""

    item: Item
    warning: Message | None = None


def record_update(uow: UnitOfWork, item: Item, changes: dict[str, Any], actor: Actor) -> None:
    item.version += 1
    item.updated_at = utcnow()
    if {"title", "description", "acceptance_criteria"} & set(changes):
        search.refresh(uow, [item.id])
    activity.record(
        uow,
        "backlog.item.updated",
        _subject(item),
        actor=actor,
        product_id=item.product_id,
        changes=_printable(changes),
    )


def _done_warning(uow: UnitOfWork, item: Item, changes: dict[str, Any]) -> Message | None:
    if "status" not in changes or item.done_at is None:
        return None
    dod = queries.backlog_settings(uow, item.product_id).definition_of_done
    return rules.done_warning(dod, (item.checks or {}).get("done") or [])


def edit_item(
    uow: UnitOfWork,
    *,
    actor: Actor,
    item_id: int,
    values: dict[str, Any],
    expected_version: int | None = None,
) -> Edited:
    """Edit an item. With `expected_version`, refuse (412) if someone changed it meanwhile.

    A move to a done status happens even when the Definition of Done is not all ticked;
    the result then carries a warning saying what is missing.
    """
    unknown = sorted(set(values) - set(EDITABLE))
    if unknown:
        raise Invalid("Unknown field(s): {names}.", field=unknown[0], names=", ".join(unknown))
    with uow:
        item = _item(uow, item_id, actor, Action.CONTRIBUTE)
        if expected_version is not None and item.version != expected_version:
            raise PreconditionFailed(
                "Someone changed this item meanwhile (version {current}, you had {mine}).",
                current=item.version,
                mine=expected_version,
            )
        changes = apply_changes(uow, item, normalise(uow, item.product_id, values), actor)
        warning = _done_warning(uow, item, changes)
        if changes:
            record_update(uow, item, changes, actor)
        uow.commit()
    return Edited(item, warning)


def update_item(
    uow: UnitOfWork,
    *,
    actor: Actor,
    item_id: int,
    values: dict[str, Any],
    expected_version: int | None = None,
) -> Item:
    """Edit an item (see `edit_item`, which also says when a move to done misses its DoD)."""
    return edit_item(
        uow, actor=actor, item_id=item_id, values=values, expected_version=expected_version
    ).item


def _printable(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {
        k: [v if isinstance(v, (str, int, float, list, type(None))) else str(v) for v in pair]
        for k, pair in changes.items()
    }


def _step(uow: UnitOfWork, item: Item, where: Placement) -> Placement:
    """Turn "up"/"down" (keyboard moves) into before/after the neighbouring item."""
    if where.to not in ("up", "down"):
        return where
    neighbour = queries.neighbour(uow, item, above=where.to == "up")
    if neighbour is None:
        return Placement(to="top" if where.to == "up" else "bottom")
    if where.to == "up":
        return Placement(before_id=neighbour.id)
    return Placement(after_id=neighbour.id)


def _neighbours(uow: UnitOfWork, item: Item, where: Placement) -> tuple[str | None, str | None]:
    """The rank keys the moved item must fall between."""
    where = _step(uow, item, where)
    if where.to == "top":
        return None, queries.first_rank(uow, item.product_id, exclude=item.id)
    if where.to == "bottom":
        return queries.last_rank(uow, item.product_id, exclude=item.id), None
    anchor_id = where.before_id if where.before_id is not None else where.after_id
    if anchor_id is None or anchor_id == item.id:
        raise Invalid(
            "Say where the item goes: before_id, after_id, top or bottom.", field="before_id"
        )
    anchor = uow.session.get(Item, anchor_id)
    if anchor is None or anchor.product_id != item.product_id:
        raise Invalid(
            "Items can only move among items of the same product.",
            field="before_id" if where.before_id is not None else "after_id",
        )
    if where.before_id is not None:
        return queries.rank_before(uow, anchor, exclude=item.id), anchor.rank
    return anchor.rank, queries.rank_after(uow, anchor, exclude=item.id)


def move_item(uow: UnitOfWork, *, actor: Actor, item_id: int, where: Placement) -> Item:
    """Give the item a rank key between its new neighbours: one row written, nothing renumbered."""
    with uow:
        item = _item(uow, item_id, actor, Action.CONTRIBUTE)
        reorder.lock_order(uow, item)
        low, high = _neighbours(uow, item, where)
        if low is not None and high is not None and low >= high:
            high = None if low == high else high  # equal keys from a concurrent move: go after
        old = item.rank
        item.rank = ranks.key_between(low, high)
        item.version += 1
        item.updated_at = utcnow()
        reorder.rebalance(uow, item)  # rare: only when the new key grew too long
        activity.record(
            uow,
            "backlog.item.moved",
            _subject(item),
            actor=actor,
            product_id=item.product_id,
            changes={"rank": [old, item.rank]},
        )
        uow.commit()
    return item


def ensure_settings(uow: UnitOfWork, product_id: int) -> BacklogSettings:
    """The product's backlog settings row, created with the defaults (inside a uow)."""
    found = uow.session.get(BacklogSettings, product_id)
    if found is None:
        found = queries.default_settings(product_id)
        uow.add(found)
    return found
