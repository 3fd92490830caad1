"""Reads shared by the prioritisation services and queries, inside their unit of work.

Nothing here commits: services write through these helpers and commit once; queries only
read. Whole-backlog reads select plain columns (no ORM objects), so 100,000 items stay cheap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ARRAY, Table, and_, bindparam, column, func, literal, select, update
from sqlalchemy import table as sa_table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.types import TypeEngine

from jalon.backlog.models import Item
from jalon.errors import N_, Invalid, NotFound
from jalon.prioritisation import formula as f
from jalon.prioritisation import rules, vocabulary
from jalon.prioritisation.models import Formula, ItemScore
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


def item_ids(uow: UnitOfWork, product_id: int) -> list[int]:
    stmt = select(Item.id).where(Item.product_id == product_id).order_by(Item.id)
    return list(uow.session.scalars(stmt))


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


def columns_for(
    uow: UnitOfWork, product_id: int, names: frozenset[str], ids: list[int]
) -> dict[str, list[float | None]]:
    """One list per formula name, aligned with `ids`: what `evaluate_many` takes.

    One query per model read; inputs are extracted by the database (JSON paths), so no
    Python JSON parsing happens per item.
    """
    columns: dict[str, list[float | None]] = {name: [None] * len(ids) for name in names}
    by_model: dict[str, list[tuple[str, str | None]]] = {}
    for name in sorted(names):
        source = vocabulary.NAMES[name]
        by_model.setdefault(source.model, []).append((name, source.input))
    for model, wanted in by_model.items():
        parts = [
            ItemScore.value if source_input is None else ItemScore.inputs[source_input].as_float()
            for _name, source_input in wanted
        ]
        stmt = (
            select(ItemScore.item_id, *parts)
            .join(Item, Item.id == ItemScore.item_id)
            .where(Item.product_id == product_id, ItemScore.model == model)
        )
        rows = uow.session.connection().execute(stmt).all()  # Core rows: no ORM loading
        for k, (name, _source) in enumerate(wanted, start=1):
            found = {row[0]: row[k] for row in rows}  # comprehensions: 100,000 rows in ms
            columns[name] = [found.get(item_id) for item_id in ids]  # floats (typed columns)
    return columns


def _driver_params(compiled: Any, params: dict[str, Any]) -> Any:
    if compiled.positiontup is not None:
        return tuple(params[name] for name in compiled.positiontup)
    return params


def _processed(
    dialect: Any, constants: Mapping[str, tuple[Any, TypeEngine[Any]]] | None
) -> dict[str, Any]:
    shared: dict[str, Any] = {}
    for name, (value, kind) in (constants or {}).items():
        process = kind.dialect_impl(dialect).bind_processor(dialect)
        shared[name] = process(value) if process is not None else value
    return shared


def executemany(
    uow: UnitOfWork,
    stmt: UpdateBase,
    rows: Sequence[Mapping[str, Any]],
    constants: Mapping[str, tuple[Any, TypeEngine[Any]]] | None = None,
) -> None:
    """Run one statement for many rows straight on the driver's `executemany`.

    SQLAlchemy's own executemany builds and type-processes every parameter of every row,
    which costs more than the database's work at 100,000 rows. Here the statement is
    compiled once for the engine's dialect; `constants` (name -> (value, type)) are
    type-processed once; per-row values must need no processing (numbers, text).
    """
    if not rows:
        return
    conn = uow.session.connection()
    compiled = stmt.compile(dialect=conn.dialect)
    shared = _processed(conn.dialect, constants)
    params = [_driver_params(compiled, {**shared, **row}) for row in rows]
    conn.exec_driver_sql(compiled.string, params)


def _dialect_insert(dialect: str, table: Table) -> Any:
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


def _upserting(stmt: Any, conflict: Sequence[str], columns: Sequence[str]) -> Any:
    """On a row that exists (same `conflict` key), overwrite the other columns in place:
    an update that keeps the key touches no index and no foreign key, unlike delete+insert."""
    if not conflict:
        return stmt
    changed = {c: stmt.excluded[c] for c in columns if c not in conflict}
    return stmt.on_conflict_do_update(index_elements=list(conflict), set_=changed)


def _copy_then_insert(
    conn: Any,
    table: Table,
    rows: Sequence[tuple[Any, ...]],
    columns: Sequence[str],
    constants: Mapping[str, Any],
    conflict: Sequence[str],
) -> None:
    """PostgreSQL: COPY the rows into a temporary table (the fastest way in), then one
    INSERT ... SELECT (or upsert) from it, in the caller's transaction."""
    staging = sa_table(f"jalon_staging_{table.name}", *[column(c) for c in columns])
    names = ", ".join(columns)  # our own column names, never user input
    driver = conn.connection.driver_connection
    with driver.cursor() as cur:
        cur.execute(
            f"CREATE TEMP TABLE {staging.name} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {names} FROM {table.name} WITH NO DATA"
        )
        with cur.copy(f"COPY {staging.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    shared = [literal(value, table.c[name].type) for name, value in constants.items()]
    source = select(*[staging.c[c] for c in columns], *shared)
    every = [*columns, *constants]
    stmt = _dialect_insert("postgresql", table).from_select(every, source)
    conn.execute(_upserting(stmt, conflict, every))
    conn.exec_driver_sql(f"DROP TABLE {staging.name}")


def insert_many(
    uow: UnitOfWork,
    table: Table,
    rows: Sequence[tuple[Any, ...]],
    *,
    columns: Sequence[str],
    constants: Mapping[str, Any],
    conflict: Sequence[str] = (),
) -> None:
    """INSERT many rows (or upsert them on the `conflict` key): COPY into a staging table
    then one INSERT ... SELECT on PostgreSQL, one driver `executemany` of a prepared
    statement on SQLite.

    `rows` hold the values of `columns` (numbers and text: no type processing); `constants`
    (column -> value) are the same for every row and are type-processed once.
    """
    if not rows:
        return
    conn = uow.session.connection()
    if conn.dialect.name == "postgresql":
        _copy_then_insert(conn, table, rows, columns, constants, conflict)
    else:
        _sqlite_insert(conn, table, rows, columns, constants, conflict)


def _sqlite_insert(
    conn: Any,
    table: Table,
    rows: Sequence[tuple[Any, ...]],
    columns: Sequence[str],
    constants: Mapping[str, Any],
    conflict: Sequence[str],
) -> None:
    every = [*columns, *constants]
    names = [f"p_{j}" for j in range(len(every))]
    stmt = _dialect_insert("sqlite", table).values(
        {c: bindparam(n) for c, n in zip(every, names, strict=True)}
    )
    compiled = _upserting(stmt, conflict, every).compile(dialect=conn.dialect)
    typed = {
        n: (constants[c], table.c[c].type)
        for n, c in zip(names, every, strict=True)
        if c in constants
    }
    processed = _processed(conn.dialect, typed)
    tail = tuple(processed[n] for n in names[len(columns) :])
    if list(compiled.positiontup or ()) == names:  # the usual case: rows plus the constants
        params: Any = [(*row, *tail) for row in rows]
    else:
        params = [
            _driver_params(compiled, dict(zip(names, (*row, *tail), strict=True))) for row in rows
        ]
    conn.exec_driver_sql(compiled.string, params)


def _arrays(table: Table, names: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> list[Any]:
    """One `unnest(:array)` per column: PostgreSQL zips them back into rows."""
    return [
        func.unnest(bindparam(f"a_{j}", [row[j] for row in rows], type_=ARRAY(table.c[n].type)))
        for j, n in enumerate(names)
    ]


def update_many(
    uow: UnitOfWork, table: Table, rows: Sequence[tuple[Any, Any]], *, key: str, column: str
) -> None:
    """`UPDATE table SET column = ? WHERE key = ?` for many (key, value) rows: one statement
    on PostgreSQL (UPDATE ... FROM unnest), one driver `executemany` elsewhere."""
    if not rows:
        return
    conn = uow.session.connection()
    if conn.dialect.name == "postgresql":
        keys, values = _arrays(table, (key, column), rows)
        source = select(keys.label("k"), values.label("v")).subquery()
        stmt = update(table).where(table.c[key] == source.c.k).values({column: source.c.v})
        conn.execute(stmt)
        return
    plain = update(table).where(table.c[key] == bindparam("b_key"))
    stmt = plain.values({column: bindparam("b_value")})
    executemany(uow, stmt, [{"b_key": k, "b_value": v} for k, v in rows])


def check_inputs_shape(inputs: object) -> dict[str, object]:
    if not isinstance(inputs, dict):
        raise Invalid(N_("Send the inputs as an object of name and value."), field="inputs")
    return dict(inputs)
