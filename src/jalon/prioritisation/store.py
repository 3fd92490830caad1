"""Reads shared by the prioritisation services and queries, inside their unit of work.

Nothing here commits: services write through these helpers and commit once; queries only
read. Whole-backlog reads select plain columns (no ORM objects), so 100,000 items stay cheap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from jalon import bulk
from jalon.backlog.models import Item
from jalon.errors import N_, Invalid, NotFound
from jalon.prioritisation import formula as f
from jalon.prioritisation import rules, vocabulary
from jalon.prioritisation.models import TYPED_COLUMNS, TYPED_INPUTS, Formula, ItemScore
from jalon.uow import UnitOfWork

Scores = dict[str, tuple[dict[str, Any], float | None]]


def parse_formula(expression: str) -> f.Formula:
    """A custom formula checked against the names it may read (FormulaError otherwise)."""
    return f.parse(expression, allowed_names=vocabulary.NAMES)


def formula_row(uow: UnitOfWork, product_id: int, key: str) -> Formula:
    row = uow.session.scalar(
        select(Formula).where(Formula.product_id == product_id, Formula.key == key)
    )
    if row is None:
        raise NotFound(N_("This product has no formula {key!r}."), key=key)
    return row


def formulas(uow: UnitOfWork, product_id: int) -> list[Formula]:
    stmt = select(Formula).where(Formula.product_id == product_id).order_by(Formula.name)
    return list(uow.session.scalars(stmt))


def resolve(uow: UnitOfWork, product_id: int, model: str) -> str | f.Formula:
    """A model name as `rules` takes it: a built-in key, or a product's parsed formula."""
    if vocabulary.is_formula(model):
        row = formula_row(uow, product_id, vocabulary.formula_key(model))
        return parse_formula(row.expression)
    rules.resolve(model)  # Invalid for an unknown model
    return model


def check_model(uow: UnitOfWork, product_id: int, model: str) -> None:
    resolve(uow, product_id, model)


def builtin_scores(uow: UnitOfWork, item_ids: Iterable[int]) -> dict[int, Scores]:
    """{item id: {built-in model: (inputs, value)}} for these items."""
    ids = list(item_ids)
    found: dict[int, Scores] = {item_id: {} for item_id in ids}
    if not ids:
        return found
    stmt = select(ItemScore.item_id, ItemScore.model, ItemScore.inputs, ItemScore.value).where(
        ItemScore.item_id.in_(ids), ItemScore.model.in_(rules.MODELS)
    )
    for item_id, model, inputs, value in uow.session.execute(stmt):
        found[item_id][model] = (dict(inputs or {}), value)
    return found


def score_rows(uow: UnitOfWork, item_ids: Iterable[int], model: str) -> dict[int, ItemScore]:
    ids = list(item_ids)
    if not ids:
        return {}
    stmt = select(ItemScore).where(ItemScore.item_id.in_(ids), ItemScore.model == model)
    return {row.item_id: row for row in uow.session.scalars(stmt)}


def score_map(uow: UnitOfWork, product_id: int, model: str) -> dict[int, float | None]:
    """Every item of the product with its score under `model` (None when unscored)."""
    joined = and_(ItemScore.item_id == Item.id, ItemScore.model == model)
    stmt = (
        select(Item.id, ItemScore.value)
        .outerjoin(ItemScore, joined)
        .where(Item.product_id == product_id)
    )
    return {item_id: value for item_id, value in uow.session.execute(stmt)}


def ordered_scores(uow: UnitOfWork, product_id: int, model: str) -> list[tuple[int, float | None]]:
    """(item id, score) in the backlog's current order."""
    joined = and_(ItemScore.item_id == Item.id, ItemScore.model == model)
    stmt = (
        select(Item.id, ItemScore.value)
        .outerjoin(ItemScore, joined)
        .where(Item.product_id == product_id)
        .order_by(Item.rank, Item.id)
    )
    return [(item_id, value) for item_id, value in uow.session.execute(stmt)]


@dataclass(frozen=True)
class Backlog:
    """A whole backlog as `formula.evaluate_many` takes it, with a formula's stored scores."""

    ids: list[int]  # every item of the product
    columns: dict[str, list[float | None]]  # one list per name the formula reads, by `ids`
    # The formula's stored scores, by `ids` too: the item's id where it has one, else None.
    stored: list[int | None]
    values: list[float | None]
    errors: list[str | None]


def _source_column(alias: Any, source: vocabulary.Source) -> Any:
    """A formula name's column: a model's score, or the typed column of one of its inputs."""
    if source.input is None:
        return alias.value
    position = TYPED_INPUTS[source.model].index(source.input)
    return getattr(alias, TYPED_COLUMNS[position])


def read_backlog(uow: UnitOfWork, product_id: int, names: frozenset[str], model: str) -> Backlog:
    """Every item's inputs for a formula and its current score under `model`, in one query.

    The inputs come from the typed columns (`ItemScore.input_<n>`), so no JSON is parsed and
    the driver's own tuples are used as they are: 100,000 items in a fraction of a second.
    """
    ordered = sorted(names)
    aliases = {m: aliased(ItemScore) for m in sorted(vocabulary.models_read(names))}
    current = aliased(ItemScore)
    stmt = select(
        Item.id,
        *[_source_column(aliases[vocabulary.NAMES[n].model], vocabulary.NAMES[n]) for n in ordered],
        current.item_id, current.value, current.error,
    )  # fmt: skip
    for source_model, alias in [*aliases.items(), (model, current)]:
        stmt = stmt.outerjoin(alias, and_(alias.item_id == Item.id, alias.model == source_model))
    rows = bulk.raw_rows(uow, stmt.where(Item.product_id == product_id))  # any order: no sort
    flipped = [list(c) for c in zip(*rows, strict=True)] if rows else [[]] * (len(ordered) + 4)
    columns = {name: flipped[k] for k, name in enumerate(ordered, start=1)}
    return Backlog(flipped[0], columns, flipped[-3], flipped[-2], flipped[-1])


def check_inputs_shape(inputs: object) -> dict[str, object]:
    if not isinstance(inputs, dict):
        raise Invalid(N_("Send the inputs as an object of name and value."), field="inputs")
    return dict(inputs)
