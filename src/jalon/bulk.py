"""Bulk reads and writes of plain rows, inside the caller's unit of work (nothing commits).

At 100,000 rows SQLAlchemy's per-row parameter and result processing costs more than the
database's own work, so these helpers compile a statement once and hand the driver plain
tuples: COPY on PostgreSQL, a prepared `executemany` on SQLite. Values in `rows` must need
no type processing (numbers, text; on PostgreSQL also dates and aware datetimes);
`constants`, the same for every row, are type-processed once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    Table,
    bindparam,
    cast,
    column,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy import table as sa_table
from sqlalchemy.dialects.postgresql import REGCLASS
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.expression import TableClause
from sqlalchemy.types import TypeEngine

from jalon.uow import UnitOfWork


def raw_rows(uow: UnitOfWork, stmt: Any) -> list[tuple[Any, ...]]:
    """Run a SELECT of plain columns (numbers, text) and return the driver's own tuples:
    no per-row result processing, which at 100,000 rows costs more than the query."""
    result = uow.session.connection().execute(stmt)
    rows = list(result.cursor.fetchall())
    result.close()
    return rows


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


def table_of(model: Any) -> Table:
    """The Core table of a mapped class (typed: `__table__` is declared loosely)."""
    table: Table = model.__table__
    return table


def _driver(uow: UnitOfWork) -> Any:
    return uow.session.connection().connection.driver_connection


def copy_rows(
    uow: UnitOfWork, name: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """PostgreSQL: COPY plain rows into the table `name` (our own name, never user input)."""
    statement = f"COPY {name} ({', '.join(columns)}) FROM STDIN"
    with _driver(uow).cursor() as cur, cur.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def stage(uow: UnitOfWork, name: str, table: Table, columns: Sequence[str]) -> TableClause:
    """PostgreSQL: an empty temporary table `name` with these columns of `table` (their
    types, no constraint, no index), dropped at the end of the transaction."""
    uow.session.connection().exec_driver_sql(
        f"CREATE TEMP TABLE {name} ON COMMIT DROP AS "  # noqa: S608 (our own names)
        f"SELECT {', '.join(columns)} FROM {table.name} WITH NO DATA"
    )
    return sa_table(name, *[column(c) for c in columns])


def sequence_of(uow: UnitOfWork, table: Table) -> str:
    """PostgreSQL: the name of the sequence that numbers `table.id`."""
    found = uow.session.scalar(select(func.pg_get_serial_sequence(table.name, "id")))
    return str(found)


def reserve_ids(uow: UnitOfWork, sequence: str, count: int) -> list[int]:
    """PostgreSQL: `count` new ids from `sequence` (`sequence_of`), increasing, for rows
    inserted later with these ids (other sessions take other ids meanwhile)."""
    name = cast(literal(sequence), REGCLASS)  # cast once, not per id
    stmt = select(func.nextval(name)).select_from(func.generate_series(1, count))
    return sorted(int(i) for (i,) in raw_rows(uow, stmt))


def insert_from(
    uow: UnitOfWork,
    table: Table,
    source: Any,
    *,
    columns: Sequence[str],
    constants: Mapping[str, Any],
) -> None:
    """INSERT INTO table (columns, constants) SELECT source's columns, constants: one
    statement. `source` is a table or a mapping of column -> SQL expression."""
    picked = [source[c] if isinstance(source, Mapping) else source.c[c] for c in columns]
    shared = [literal(value, table.c[name].type) for name, value in constants.items()]
    stmt = insert(table).from_select([*columns, *constants], select(*picked, *shared))
    uow.session.connection().execute(stmt)


def _copy_into(
    conn: Any,
    table: Table,
    rows: Sequence[tuple[Any, ...]],
    columns: Sequence[str],
    constants: Mapping[str, Any],
) -> None:
    """PostgreSQL: COPY the rows, followed by the constants, straight into the table.

    JSON constants go in as their text, once, rather than through a per-row JSON dumper."""
    plain = {n: v for n, v in constants.items() if not isinstance(table.c[n].type, JSON)}
    typed = {name: (value, table.c[name].type) for name, value in plain.items()}
    processed = _processed(conn.dialect, typed)
    tail = tuple(
        processed[name] if name in plain else json.dumps(value) for name, value in constants.items()
    )
    names = ", ".join([*columns, *constants])  # our own column names, never user input
    driver = conn.connection.driver_connection
    with driver.cursor() as cur, cur.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row((*row, *tail))


def _copy_then_insert(
    conn: Any,
    table: Table,
    rows: Sequence[tuple[Any, ...]],
    columns: Sequence[str],
    constants: Mapping[str, Any],
    conflict: Sequence[str],
) -> None:
    """PostgreSQL: COPY the rows into a temporary table (the fastest way in), then one
    upsert from it, in the caller's transaction. Without a conflict key, COPY goes
    straight into the table."""
    if not conflict:
        _copy_into(conn, table, rows, columns, constants)
        return
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
    order = [names.index(name) for name in compiled.positiontup or ()]
    if order == list(range(len(names))):  # the statement takes the rows plus the constants
        params: Any = [(*row, *tail) for row in rows]
    else:  # the dialect orders the columns as the table does: permute once per row, in C
        pick = itemgetter(*order)
        params = [pick((*row, *tail)) for row in rows]
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
