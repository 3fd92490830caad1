"""Recompute custom formula scores: for a few items, or for a whole backlog at once.

Used by the services inside their unit of work (nothing here commits). A whole backlog is
read as one list per input (`store.columns_for`), scored by `formula.evaluate_many`, and
written back with one bulk insert, which keeps 100,000 items within about a second.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from jalon import bulk
from jalon.backlog.models import Item
from jalon.db import utcnow
from jalon.errors import Invalid
from jalon.prioritisation import formula as f
from jalon.prioritisation import store, vocabulary
from jalon.prioritisation.models import ItemScore
from jalon.uow import UnitOfWork


def formula_record(parsed: f.Formula, values: dict[str, float]) -> dict[str, Any] | None:
    """An item's row under a formula; None while the item lacks an input it reads."""
    if parsed.names - set(values):
        return None
    try:
        value, error = parsed.evaluate(values), ""
    except Invalid as failure:
        value, error = None, str(failure)[:300]
    return {"inputs": {}, "value": value, "error": error, "updated_at": utcnow()}


def items(uow: UnitOfWork, product_id: int, ids: list[int]) -> None:
    """Recompute every formula of the product for these items (their inputs changed)."""
    rows = store.formulas(uow, product_id)
    if not rows or not ids:
        return
    models = [vocabulary.model_name(row.key) for row in rows]
    uow.session.execute(
        delete(ItemScore).where(ItemScore.item_id.in_(ids), ItemScore.model.in_(models)),
        execution_options={"synchronize_session": False},
    )
    scores = store.builtin_scores(uow, ids)
    for row, model in zip(rows, models, strict=True):
        parsed = store.parse_formula(row.expression)
        for item_id in ids:
            record = formula_record(parsed, vocabulary.values_of(parsed.names, scores[item_id]))
            if record is not None:
                uow.add(ItemScore(item_id=item_id, model=model, **record))


def clear_model(uow: UnitOfWork, product_id: int, model: str) -> None:
    in_product = select(Item.id).where(Item.product_id == product_id)
    uow.session.execute(
        delete(ItemScore).where(ItemScore.model == model, ItemScore.item_id.in_(in_product)),
        execution_options={"synchronize_session": False},
    )


def _formula_rows(
    parsed: f.Formula,
    ids: list[int],
    columns: dict[str, list[float | None]],
    results: list[float | None],
) -> list[tuple[int, float | None, str]]:
    """Rows for the items that have every input the formula reads (scored or failed)."""
    names = sorted(parsed.names)
    aligned = zip(*(columns[n] for n in names), strict=True) if names else iter([()] * len(ids))
    complete = [i for i, values in enumerate(aligned) if None not in values]
    failed = [i for i in complete if results[i] is None]
    reasons = f.failure_reasons(
        parsed, {n: [columns[n][i] for i in failed] for n in names}, [None] * len(failed)
    )
    errors = {failed[k]: str(reason)[:300] for k, reason in reasons.items()}
    return [(ids[i], results[i], errors.get(i, "")) for i in complete]


def _upsert(
    uow: UnitOfWork, product_id: int, model: str, rows: list[tuple[int, float | None, str]]
) -> None:
    """Write the rows over the model's current scores, then drop the scores not rewritten
    (items that lost an input): existing rows are updated in place, not deleted and
    inserted again, which is what keeps a whole-backlog rescore fast (on PostgreSQL too:
    measured, deleting then COPYing the rows in was slower, as every rescore left 100,000
    dead rows and index entries behind)."""
    now = utcnow()
    constants = {"model": model, "inputs": {}, "updated_at": now}
    table: Any = ItemScore.__table__
    bulk.insert_many(
        uow, table, rows, columns=("item_id", "value", "error"), constants=constants,
        conflict=("item_id", "model"),
    )  # fmt: skip
    in_product = select(Item.id).where(Item.product_id == product_id)
    stale = delete(ItemScore).where(
        ItemScore.model == model, ItemScore.updated_at != now, ItemScore.item_id.in_(in_product)
    )
    uow.session.execute(stale, execution_options={"synchronize_session": False})


def product(uow: UnitOfWork, product_id: int, key: str, parsed: f.Formula) -> tuple[int, int]:
    """Score every item of the product with the formula: one read per model, one insert."""
    ids = store.item_ids(uow, product_id)
    columns = store.columns_for(uow, product_id, parsed.names, ids)
    results = f.evaluate_many(parsed, columns)
    model = vocabulary.model_name(key)
    rows = _formula_rows(parsed, ids, columns, results)
    _upsert(uow, product_id, model, rows)
    scored = sum(1 for row in rows if row[1] is not None)
    return scored, len(rows) - scored
