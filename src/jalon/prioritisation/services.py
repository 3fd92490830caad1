"""Prioritisation use cases: score items, custom formulas, apply a model's order and undo it.

One transaction each; bad input raises Invalid before anything is written. Scores are
absolute: an item's score is computed from its own inputs only, so scoring one item never
changes another's. A custom formula's scores are computed from the built-in scores and
inputs it reads (`vocabulary.py`), so they are recomputed when those change and, for the
whole backlog at once, when the formula is saved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from jalon import activity, bulk
from jalon.activity import Subject
from jalon.backlog import ranks
from jalon.backlog.models import Item
from jalon.db import utcnow
from jalon.errors import N_, Conflict, Invalid, NotFound
from jalon.permissions import Action, Actor
from jalon.prioritisation import rescore, rules, store, vocabulary
from jalon.prioritisation.models import Formula, ItemScore, OrderSnapshot
from jalon.prioritisation.ranking import ordered_by_score
from jalon.products.services import authorise
from jalon.uow import UnitOfWork

SCORE = Action.CONTRIBUTE  # the team scores items
MANAGE = Action.EDIT_PRODUCT  # the Product Owner defines formulas and reorders the backlog
MAX_BULK = 5000


@dataclass(frozen=True)
class Entry:
    """One item's inputs in a bulk scoring."""

    item_id: int
    inputs: Mapping[str, object]


@dataclass(frozen=True)
class FormulaSaved:
    formula: Formula
    scored: int  # items with a score
    failed: int  # items with every input but no score (a division by zero...)


@dataclass(frozen=True)
class Applied:
    snapshot: OrderSnapshot
    items: int


# --- scoring items -------------------------------------------------------------------------


def _computed(
    model: str, raw: Mapping[str, object], *, partial: bool
) -> tuple[dict[str, Any], float | None]:
    """Clean inputs and the score (None while a partial entry misses inputs)."""
    if partial:
        values, missing = rules.validate_some(model, raw)
        if missing:
            return dict(values), None
        return dict(values), rules.score(model, values).value
    values = rules.validate_inputs(model, raw)
    return dict(values), rules.score(model, values).value


def _put(
    uow: UnitOfWork, item_id: int, model: str, inputs: dict[str, Any], value: float | None
) -> ItemScore | None:
    row = uow.session.get(ItemScore, (item_id, model))
    if not inputs:
        if row is not None:
            uow.session.delete(row)
        return None
    if row is None:
        row = ItemScore(item_id=item_id, model=model)
        uow.add(row)
    row.inputs, row.value, row.error, row.updated_at = inputs, value, "", utcnow()
    return row


def _builtin(model: str) -> str:
    if vocabulary.is_formula(model):
        raise Invalid(
            N_(
                "A formula's score is computed from the scores and inputs it reads; "
                "score the item with those models instead."
            ),
            field="model",
        )
    rules.resolve(model)
    return model


def set_score(
    uow: UnitOfWork, *, actor: Actor, item_id: int, model: str, inputs: Mapping[str, object]
) -> ItemScore:
    """Set an item's inputs under a built-in model; every input is required."""
    with uow:
        item = uow.get(Item, item_id, what=N_("item"))
        authorise(uow, product_id=item.product_id, actor=actor, action=SCORE)
        clean, value = _computed(_builtin(model), store.check_inputs_shape(inputs), partial=False)
        before = uow.session.get(ItemScore, (item.id, model))
        old = dict(before.inputs) if before is not None else None
        row = _put(uow, item.id, model, clean, value)
        uow.flush()
        rescore.items(uow, item.product_id, [item.id])
        activity.record(
            uow,
            "prioritisation.score.set",
            Subject("item", item.id, item.title),
            actor=actor,
            product_id=item.product_id,
            changes={model: [old, clean]},
        )
        uow.commit()
    assert row is not None
    return row


def _product_items(uow: UnitOfWork, product_id: int, ids: set[int]) -> dict[int, Item]:
    stmt = select(Item).where(Item.product_id == product_id, Item.id.in_(ids))
    return {item.id: item for item in uow.session.scalars(stmt)}


def _check_entries(
    uow: UnitOfWork, product_id: int, model: str, entries: Sequence[Entry], partial: bool
) -> dict[int, tuple[dict[str, Any], float | None]]:
    """Every entry checked; Invalid with one message per bad cell (`<item id>.<input>`)."""
    if len(entries) > MAX_BULK:
        raise Invalid(N_("Score at most {count} items at once."), field="items", count=MAX_BULK)
    known = _product_items(uow, product_id, {e.item_id for e in entries})
    problems: dict[str, str] = {}
    computed: dict[int, tuple[dict[str, Any], float | None]] = {}
    for entry in entries:
        if entry.item_id not in known:
            problems[str(entry.item_id)] = N_("This product has no such item.")
            continue
        try:
            computed[entry.item_id] = _computed(model, entry.inputs, partial=partial)
        except Invalid as error:
            problems.update({f"{entry.item_id}.{k}": m for k, m in error.fields.items()})
    if problems:
        raise Invalid(
            N_("Nothing was saved: {count} value(s) need your attention."),
            fields=problems,
            count=len(problems),
        )
    return computed


def score_items(
    uow: UnitOfWork,
    *,
    actor: Actor,
    product_id: int,
    model: str,
    entries: Sequence[Entry],
    partial: bool = False,
) -> int:
    """Score many items at once, all or nothing. `partial` (the grid) keeps what is filled in
    so far: blank inputs are left out, and an item with no input left loses its score."""
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=SCORE)
        computed = _check_entries(uow, product_id, _builtin(model), entries, partial)
        for item_id, (clean, value) in computed.items():
            _put(uow, item_id, model, clean, value)
        uow.flush()
        rescore.items(uow, product_id, list(computed))
        activity.record(
            uow,
            "prioritisation.scores.set",
            Subject("product", product_id, product.name),
            actor=actor,
            product_id=product_id,
            changes={model: [None, len(computed)]},
        )
        uow.commit()
    return len(computed)


# --- custom formulas ---------------------------------------------------------------------------


def _formula_subject(row: Formula) -> Subject:
    return Subject("formula", row.id, row.name)


def create_formula(
    uow: UnitOfWork,
    *,
    actor: Actor,
    product_id: int,
    name: str,
    expression: str,
    key: str | None = None,
) -> FormulaSaved:
    """Check a formula, save it and score every item of the backlog with it."""
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=MANAGE)
        name = vocabulary.check_name(name)
        key = vocabulary.check_key(key.strip() if key else vocabulary.make_key(name))
        parsed = store.parse_formula(expression)
        taken = select(Formula.id).where(Formula.product_id == product_id, Formula.key == key)
        if uow.session.scalar(taken) is not None:
            raise Invalid(N_("This product already has a formula {key!r}."), field="key", key=key)
        now = utcnow()
        row = Formula(
            product_id=product_id, key=key, name=name, expression=parsed.text.strip(),
            created_at=now, updated_at=now,
        )  # fmt: skip
        uow.add(row)
        uow.flush()
        scored, failed = rescore.product(uow, product_id, key, parsed)
        activity.record(
            uow, "prioritisation.formula.created", _formula_subject(row), actor=actor,
            product_id=product_id, changes={"expression": [None, row.expression]},
        )  # fmt: skip
        uow.commit()
    return FormulaSaved(row, scored, failed)


def update_formula(
    uow: UnitOfWork,
    *,
    actor: Actor,
    product_id: int,
    key: str,
    name: str | None = None,
    expression: str | None = None,
) -> FormulaSaved:
    """Rename a formula or change its expression; a new expression rescores the backlog."""
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=MANAGE)
        row = store.formula_row(uow, product_id, key)
        before = {"name": row.name, "expression": row.expression}
        if name is not None:
            row.name = vocabulary.check_name(name)
        scored = failed = -1
        if expression is not None and expression.strip() != row.expression:
            parsed = store.parse_formula(expression)
            row.expression = parsed.text.strip()
            scored, failed = rescore.product(uow, product_id, key, parsed)
        changes = activity.diff(before, {"name": row.name, "expression": row.expression})
        if changes:
            row.updated_at = utcnow()
            activity.record(
                uow, "prioritisation.formula.updated", _formula_subject(row), actor=actor,
                product_id=product_id, changes=changes,
            )  # fmt: skip
        uow.commit()
    return FormulaSaved(row, scored, failed)


def delete_formula(uow: UnitOfWork, *, actor: Actor, product_id: int, key: str) -> None:
    """Remove a formula and its scores."""
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=MANAGE)
        row = store.formula_row(uow, product_id, key)
        rescore.clear_model(uow, product_id, vocabulary.model_name(key))
        activity.record(
            uow, "prioritisation.formula.deleted", _formula_subject(row), actor=actor,
            product_id=product_id, changes={"expression": [row.expression, None]},
        )  # fmt: skip
        uow.session.delete(row)
        uow.commit()


# --- applying a model's order ------------------------------------------------------------------


def _write_ranks(uow: UnitOfWork, new_ranks: Mapping[int, str]) -> None:
    table: Any = Item.__table__
    bulk.update_many(uow, table, list(new_ranks.items()), key="id", column="rank")


def apply_order(uow: UnitOfWork, *, actor: Actor, product_id: int, model: str) -> Applied:
    """Reorder the whole backlog by a model's scores, highest first, in one step.

    Equal scores keep their order; unscored items follow, in their order. The previous
    order is kept in an OrderSnapshot so that `undo_order` can restore it.
    """
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=MANAGE)
        store.check_model(uow, product_id, model)
        current = store.ordered_scores(uow, product_id, model)
        if not any(value is not None for _item, value in current):
            raise Invalid(N_("No item has a score under this model yet."), field="model")
        stmt = select(Item.id, Item.rank).where(Item.product_id == product_id)
        before = {item_id: rank for item_id, rank in uow.session.execute(stmt)}
        order = ordered_by_score(current)
        snapshot = OrderSnapshot(
            product_id=product_id, model=model, actor_label=actor.label[:200],
            ranks={str(item_id): rank for item_id, rank in before.items()}, created_at=utcnow(),
        )  # fmt: skip
        uow.add(snapshot)
        _write_ranks(uow, dict(zip(order, ranks.initial_keys(len(order)), strict=True)))
        uow.flush()
        activity.record(
            uow, "prioritisation.order.applied", Subject("product", product_id, product.name),
            actor=actor, product_id=product_id, changes={"model": [None, model]},
        )  # fmt: skip
        uow.commit()
    return Applied(snapshot, len(order))


def _snapshot(uow: UnitOfWork, product_id: int, snapshot_id: int) -> OrderSnapshot:
    snapshot = uow.session.get(OrderSnapshot, snapshot_id)
    if snapshot is None or snapshot.product_id != product_id:
        raise NotFound(N_("This product has no reordering {ident}."), ident=snapshot_id)
    if snapshot.undone_at is not None:
        raise Conflict(N_("This reordering was already undone."))
    later = select(OrderSnapshot.id).where(
        OrderSnapshot.product_id == product_id,
        OrderSnapshot.id > snapshot.id,
        OrderSnapshot.undone_at.is_(None),
    )
    if uow.session.scalar(later.limit(1)) is not None:
        raise Conflict(N_("The backlog was reordered again since; undo that first."))
    return snapshot


def _restored(snapshot: OrderSnapshot, current: list[int]) -> dict[int, str]:
    """The saved ranks back; items added since go after them, in their current order."""
    saved = {int(item_id): rank for item_id, rank in snapshot.ranks.items()}
    restored = {item_id: saved[item_id] for item_id in current if item_id in saved}
    newer = [item_id for item_id in current if item_id not in saved]
    tail = ranks.keys_between(max(restored.values(), default=None), None, len(newer))
    return restored | dict(zip(newer, tail, strict=True))


def undo_order(
    uow: UnitOfWork, *, actor: Actor, product_id: int, snapshot_id: int
) -> OrderSnapshot:
    """Put the backlog back in the order it had before `apply_order` (409 if already undone)."""
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=MANAGE)
        snapshot = _snapshot(uow, product_id, snapshot_id)
        current = list(
            uow.session.scalars(
                select(Item.id).where(Item.product_id == product_id).order_by(Item.rank, Item.id)
            )
        )
        _write_ranks(uow, _restored(snapshot, current))
        snapshot.undone_at = utcnow()
        activity.record(
            uow, "prioritisation.order.undone", Subject("product", product_id, product.name),
            actor=actor, product_id=product_id, changes={"model": [snapshot.model, None]},
        )  # fmt: skip
        uow.commit()
    return snapshot
