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
from collections.abc import Callable, ItemsView, Iterator, MutableMapping, ValuesView
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

LIMIT = 20_000  # entries kept in memory before the mapping moves to disk
BUFFER = 4096  # once on disk: writes kept back and sent in one executemany, 5-10x cheaper
CACHE_KIB = 4096  # SQLite's page cache for the spilled entries
BLOOM_BITS = 1 << 22  # once on disk: a 512 KiB filter that answers most misses in memory
_MASK = BLOOM_BITS - 1
_MIX = 0x9E3779B97F4A7C15  # spreads integer keys, whose hash is themselves


def _bits(key: Any) -> tuple[int, int]:
    """The filter's two bits for a key."""
    h = hash(key)
    return h & _MASK, (h * _MIX >> 32) & _MASK


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
        self._bloom = bytearray()  # once on disk: a bit set per key ever written
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
        self._scan = f"SELECT k, {columns} FROM kv ORDER BY rowid"  # noqa: S608 (no user input)

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
        self._bloom = bytearray(BLOOM_BITS >> 3)
        for key in memory:
            self._remember(key)
        db.executemany(self._upsert, ((k, *self._parts(v)) for k, v in memory.items()))
        return db

    def _remember(self, key: Any) -> None:
        a, b = _bits(key)
        self._bloom[a >> 3] |= 1 << (a & 7)
        self._bloom[b >> 3] |= 1 << (b & 7)

    def _maybe(self, key: Any) -> bool:
        """False when the key was never written since the spill (no false negatives)."""
        a, b = _bits(key)
        return bool(self._bloom[a >> 3] >> (a & 7) & self._bloom[b >> 3] >> (b & 7) & 1)

    def _row(self, key: Any) -> tuple[Any, ...] | None:
        """The stored parts of a spilled entry, or None."""
        row = self._pending.get(key)
        if row is None and self._maybe(key):
            assert self._db is not None
            row = self._db.execute(self._select, (key,)).fetchone()
        return row

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
        row = self._row(key)
        if row is None:
            raise KeyError(key)
        return self._make(*row)

    def get(self, key: K, default: Any = None) -> Any:
        if self._memory is not None:
            return self._memory.get(key, default)
        row = self._row(key)
        return default if row is None else self._make(*row)

    def __setitem__(self, key: K, value: V) -> None:
        if self._memory is not None:
            if len(self._memory) < self._limit or key in self._memory:
                self._memory[key] = value
                return
            self._spill()
        self._pending[key] = self._parts(value)
        self._remember(key)
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
        if not self._maybe(key):
            return False
        assert self._db is not None
        return self._db.execute("SELECT 1 FROM kv WHERE k = ?", (key,)).fetchone() is not None

    def __iter__(self) -> Iterator[K]:
        if self._memory is not None:
            return iter(list(self._memory))
        return (row[0] for row in self._sent().execute("SELECT k FROM kv ORDER BY rowid"))

    def _pairs(self) -> Iterator[tuple[K, V]]:
        """(key, value) in insertion order: one scan of the file, not a lookup per key."""
        if self._memory is not None:
            yield from list(self._memory.items())
            return
        for row in self._sent().execute(self._scan):
            yield row[0], self._make(*row[1:])

    def items(self) -> ItemsView[K, V]:
        return _Items(self)

    def values(self) -> ValuesView[V]:
        return _Values(self)

    def __len__(self) -> int:
        if self._memory is not None:
            return len(self._memory)
        return int(self._sent().execute("SELECT count(*) FROM kv").fetchone()[0])

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        self._pending.clear()
        self._memory, self._bloom = {}, bytearray()


class _Items(ItemsView[K, V]):
    _mapping: SpillDict[K, V]

    def __iter__(self) -> Iterator[tuple[K, V]]:
        return self._mapping._pairs()


class _Values(ValuesView[V]):
    _mapping: SpillDict[Any, V]

    def __iter__(self) -> Iterator[V]:
        return (value for _key, value in self._mapping._pairs())
