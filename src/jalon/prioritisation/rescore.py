"""Recompute custom formula scores: for a few items, or for a whole backlog at once.

Used by the services inside their unit of work (nothing here commits). A whole backlog is
read in one query as one list per input (`store.read_backlog`, typed columns), scored by
`formula.evaluate_many`, and only the scores that changed are written back: one UPDATE
from arrays on PostgreSQL, one prepared `executemany` on SQLite.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
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


def _failures(
    parsed: f.Formula, columns: dict[str, list[float | None]], results: list[float | None]
) -> tuple[list[int], dict[int, str]]:
    """The indices of the items that have every input the formula reads (scored or failed),
    and why each failed one failed."""
    names = sorted(parsed.names)
    aligned = zip(*(columns[n] for n in names), strict=True) if names else iter([()] * len(results))
    complete = [i for i, values in enumerate(aligned) if None not in values]
    failed = [i for i in complete if results[i] is None]
    reasons = f.failure_reasons(
        parsed, {n: [columns[n][i] for i in failed] for n in names}, [None] * len(failed)
    )
    return complete, {failed[k]: str(reason)[:300] for k, reason in reasons.items()}


@dataclass
class Scores:
    """Rows as parallel lists (numbers and text, which the garbage collector does not track,
    unlike 100,000 tuples): item ids, scores, errors."""

    ids: list[int] = field(default_factory=list)
    values: list[float | None] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, item_id: int, value: float | None, error: str) -> None:
        self.ids.append(item_id)
        self.values.append(value)
        self.errors.append(error)


@dataclass
class Changes:
    """What a rescore writes: scores that changed, new ones, and those to drop."""

    updated: Scores = field(default_factory=Scores)
    added: Scores = field(default_factory=Scores)
    dropped: list[int] = field(default_factory=list)
    scored: int = 0  # items with a score
    failed: int = 0  # items with every input but no score


def _changes(backlog: store.Backlog, results: list[float | None], parsed: f.Formula) -> Changes:
    """Compare the new scores with the stored ones, item by item (plain lists: 100,000 items
    in a few tens of milliseconds)."""
    complete, errors = _failures(parsed, backlog.columns, results)
    ids, stored, values, stored_errors = backlog.ids, backlog.stored, backlog.values, backlog.errors
    changes = Changes()
    for i in complete:
        value, error = results[i], errors.get(i, "")
        if stored[i] is None:
            changes.added.add(ids[i], value, error)
        elif values[i] != value or stored_errors[i] != error:
            changes.updated.add(ids[i], value, error)
    changes.failed = sum(1 for i in complete if results[i] is None)
    changes.scored = len(complete) - changes.failed
    kept = set(complete)
    changes.dropped = [ids[i] for i, s in enumerate(stored) if s is not None and i not in kept]
    return changes


UPDATE_PG = (  # our own names; the values travel as three array literals, in one round trip
    "UPDATE item_scores SET value = u.value, error = u.error, updated_at = %s "
    "FROM (SELECT unnest(%s::integer[]) AS item_id, unnest(%s::double precision[]) AS value, "
    "unnest(%s::text[]) AS error) AS u "  # unnest in the select list streams; FROM would store
    "WHERE item_scores.item_id = u.item_id AND item_scores.model = %s"
)
UPDATE_SQLITE = (
    "UPDATE item_scores SET value = ?, error = ?, updated_at = ? WHERE item_id = ? AND model = ?"
)


def _numbers(values: Iterable[float | None]) -> str:
    """A PostgreSQL array literal of numbers. Built here rather than by the driver, which
    quotes element by element in Python (seconds for 100,000 values); repr() round-trips."""
    return "{" + ",".join("NULL" if v is None else repr(v) for v in values) + "}"


def _texts(values: Iterable[str]) -> str:
    quoted = (v.replace("\\", "\\\\").replace('"', '\\"') if v else v for v in values)
    return "{" + ",".join(f'"{v}"' for v in quoted) + "}"


def _update(uow: UnitOfWork, model: str, rows: Scores, now: datetime) -> None:
    """Overwrite the scores of rows that exist, in place: only `value`, `error` and
    `updated_at` change, none of them indexed, so PostgreSQL keeps each new version on its
    page (a HOT update, room left by fillfactor 70) and writes no index entry."""
    if not rows.ids:
        return
    conn = uow.session.connection()
    column = bulk.table_of(ItemScore).c.updated_at
    process = column.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    stamp = process(now) if process is not None else now
    if conn.dialect.name == "postgresql":
        arrays = (_numbers(rows.ids), _numbers(rows.values), _texts(rows.errors))
        conn.exec_driver_sql(UPDATE_PG, (stamp, *arrays, model))
        return
    every = zip(rows.values, rows.errors, rows.ids, strict=True)
    params = [(value, error, stamp, item_id, model) for value, error, item_id in every]
    conn.exec_driver_sql(UPDATE_SQLITE, params)


def _delete(uow: UnitOfWork, model: str, ids: list[int], chunk: int = 5000) -> None:
    for start in range(0, len(ids), chunk):
        stmt = delete(ItemScore).where(
            ItemScore.model == model, ItemScore.item_id.in_(ids[start : start + chunk])
        )
        uow.session.execute(stmt, execution_options={"synchronize_session": False})


def _write(uow: UnitOfWork, model: str, changes: Changes) -> None:
    """Write only what changed: changed scores in place, new ones inserted, and the scores
    of items that lost an input deleted; a formula saved again with the same scores writes
    nothing. (Measured on PostgreSQL: deleting every score and COPYing them in again, or an
    upsert of every row, cost more and left 100,000 dead rows per rescore.)"""
    now = utcnow()
    _update(uow, model, changes.updated, now)
    added = list(zip(changes.added.ids, changes.added.values, changes.added.errors, strict=True))
    bulk.insert_many(
        uow, bulk.table_of(ItemScore), added, columns=("item_id", "value", "error"),
        constants={"model": model, "inputs": {}, "updated_at": now},
        conflict=("item_id", "model"),
    )  # fmt: skip
    _delete(uow, model, changes.dropped)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a whole backlog is scored. The rows read
    are 100,000 tuples, none of them in a cycle, yet each batch of them sets off a full
    collection of the process's heap: measured, a fifth of the rescore's Python time.
    Nothing is lost by the pause; the next collection sees whatever it would have."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def product(uow: UnitOfWork, product_id: int, key: str, parsed: f.Formula) -> tuple[int, int]:
    """Score every item of the product with the formula: one read, then only the changes."""
    model = vocabulary.model_name(key)
    with _collector_paused():
        backlog = store.read_backlog(uow, product_id, parsed.names, model)
        results = f.evaluate_many(parsed, backlog.columns)
        changes = _changes(backlog, results, parsed)
        del backlog
        _write(uow, model, changes)
    return changes.scored, changes.failed
