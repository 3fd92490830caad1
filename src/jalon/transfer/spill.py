"""A mapping that keeps at most `limit` entries in memory, then moves to a temporary disk
database: an import's index of keys and parents stays the same size in memory whatever
the size of the file.

SQLite (the standard library's) holds the spilled entries in a private temporary file,
deleted when the mapping is closed; its page cache is capped, so memory stays flat.
Keys are strings or integers (SQLite keeps `1` and `"1"` apart, as a dict does); a value
is a tuple of plain values, rebuilt by `make`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

LIMIT = 20_000  # entries kept in memory before the mapping moves to disk
BUFFER = 4096  # once on disk: writes kept back and sent in one executemany, 5-10x cheaper
CACHE_KIB = 4096  # SQLite's page cache for the spilled entries


def _identity(*values: Any) -> Any:
    return values[0]


def _split(value: Any) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, tuple) else (value,)


class SpillDict(MutableMapping[K, V], Generic[K, V]):
    """A dict in memory up to `limit` entries, then a table in a temporary SQLite file.

    `width` is the number of plain values a value is stored as; `make` rebuilds a value
    from them, `parts` splits one (a NamedTuple or a plain value by default)."""

    def __init__(
        self,
        *,
        width: int = 1,
        make: Callable[..., V] = _identity,
        parts: Callable[[V], tuple[Any, ...]] = _split,
        limit: int = LIMIT,
    ) -> None:
        self._memory: dict[K, V] | None = {}
        self._pending: dict[K, tuple[Any, ...]] = {}  # written, not yet sent to the file
        self._db: sqlite3.Connection | None = None
        self._width, self._make, self._parts, self._limit = width, make, parts, limit
        columns = ", ".join(f"v{i}" for i in range(width))
        marks = ", ".join("?" * (width + 1))
        updates = ", ".join(f"v{i} = excluded.v{i}" for i in range(width))
        self._select = f"SELECT {columns} FROM kv WHERE k = ?"  # noqa: S608 (no user input)
        self._upsert = (
            f"INSERT INTO kv (k, {columns}) VALUES ({marks}) "  # noqa: S608 (no user input)
            f"ON CONFLICT (k) DO UPDATE SET {updates}"
        )
        self._create = f"CREATE TABLE kv (k PRIMARY KEY, {columns})"

    @property
    def spilled(self) -> bool:
        return self._db is not None

    def _spill(self) -> sqlite3.Connection:
        db = sqlite3.connect("", isolation_level=None)  # "": a private temporary file
        db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute(self._create)
        memory, self._memory, self._db = self._memory or {}, None, db
        db.executemany(self._upsert, ((k, *self._parts(v)) for k, v in memory.items()))
        return db

    def _sent(self) -> sqlite3.Connection:
        """The file, with every pending write in it."""
        assert self._db is not None
        if self._pending:
            self._db.executemany(self._upsert, ((k, *v) for k, v in self._pending.items()))
            self._pending.clear()
        return self._db

    def __getitem__(self, key: K) -> V:
        if self._memory is not None:
            return self._memory[key]
        assert self._db is not None
        row = self._pending.get(key)
        if row is None:
            row = self._db.execute(self._select, (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return self._make(*row)

    def __setitem__(self, key: K, value: V) -> None:
        if self._memory is not None:
            if len(self._memory) < self._limit or key in self._memory:
                self._memory[key] = value
                return
            self._spill()
        self._pending[key] = self._parts(value)
        if len(self._pending) >= BUFFER:
            self._sent()

    def __delitem__(self, key: K) -> None:
        if self._memory is not None:
            del self._memory[key]
            return
        if self._sent().execute("DELETE FROM kv WHERE k = ?", (key,)).rowcount == 0:
            raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        if self._memory is not None:
            return key in self._memory
        if key in self._pending:
            return True
        assert self._db is not None
        return self._db.execute("SELECT 1 FROM kv WHERE k = ?", (key,)).fetchone() is not None

    def __iter__(self) -> Iterator[K]:
        if self._memory is not None:
            return iter(list(self._memory))
        return (row[0] for row in self._sent().execute("SELECT k FROM kv ORDER BY rowid"))

    def __len__(self) -> int:
        if self._memory is not None:
            return len(self._memory)
        return int(self._sent().execute("SELECT count(*) FROM kv").fetchone()[0])

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        self._pending.clear()
        self._memory = {}
