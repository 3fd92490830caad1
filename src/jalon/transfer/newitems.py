"""Where an import's new items go: their rows, tags, first status and search text.

- SQLite (`Direct`): each chunk goes straight into the backlog tables; parents named by
  rows further down the file are set at the end with one UPDATE per chunk of them.
- PostgreSQL (`Staged`): each chunk is copied (COPY) into temporary tables, with ids taken
  from the items' sequence, and everything goes into the backlog tables at the end, one
  INSERT ... SELECT per table. A child can then name a parent further down the file
  (Jira exports newest first: most children come before their parents) at no extra cost,
  where a per-chunk insert needs an UPDATE of each such row afterwards: a second version
  of the row and of its nine index entries, since `parent_id` is indexed.

Both index the search text from the values in hand instead of reading them back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.sql.expression import TableClause

from jalon import bulk
from jalon.backlog import search
from jalon.backlog.models import Item, ItemSearch, ItemTag, StatusChange
from jalon.permissions import Actor
from jalon.transfer import writes
from jalon.uow import UnitOfWork

ROW_COLUMNS = ("id", *writes.PER_ROW)
SEARCH_COLUMNS = ("item_id", "title", "body", "comments")
MOVE_COLUMNS = ("item_id", "from_status", "to_status")
MEMO_SIZE = 50_000  # words whose stems are remembered during one import


class Stems(dict[str, str]):
    """A word -> its indexed stems, as `search.stemmed` writes them, remembered: an import
    stems the same few thousand words again and again."""

    def __missing__(self, word: str) -> str:
        found = " ".join(search.stems(word))
        if word.isalpha():  # not numbers and codes: mostly one-offs (ticket numbers)
            if len(self) >= MEMO_SIZE:
                self.clear()
            self[word] = found
        return found

    def text(self, text: str) -> str:
        """The same as `search.stemmed(text)`."""
        return " ".join([self[word] for word in search.words(text)])


class Direct:
    """SQLite: new items go straight into the backlog tables, chunk by chunk."""

    def __init__(self, uow: UnitOfWork, batch_id: int, actor: Actor, now: datetime) -> None:
        self.uow, self.batch_id, self.actor, self.now = uow, batch_id, actor, now
        self.stems = Stems()

    def insert(self, rows: list[dict[str, Any]]) -> list[int]:
        """Insert the rows (ranks new, distinct, increasing); their ids, in order."""
        return writes.insert_new_items(self.uow, rows, self.batch_id)

    def extras(
        self, rows: Sequence[dict[str, Any]], ids: Sequence[int], tags: list[list[str]]
    ) -> None:
        """The tags, first status and search text of inserted rows."""
        writes.set_tags(self.uow, dict(zip(ids, tags, strict=True)), replace=False)
        moves = [(i, None, row["status"]) for i, row in zip(ids, rows, strict=True)]
        writes.add_history(self.uow, moves, self.actor, self.now)
        docs = search_rows(self.stems, rows, ids)
        bulk.insert_many(
            self.uow, bulk.table_of(ItemSearch), docs, columns=SEARCH_COLUMNS, constants={}
        )

    def finish(self, parents: Iterable[tuple[int, int]]) -> None:
        """Set the parents that came after their children: (item id, parent id) pairs."""
        writes.set_parents(self.uow, parents)


def search_rows(
    stems: Stems, rows: Sequence[dict[str, Any]], ids: Sequence[int]
) -> list[tuple[int, str, str, str]]:
    """The search index rows of new items (no comments yet), as `search.documents` has them."""
    return [
        (
            item_id,
            stems.text(row["title"]),
            stems.text(f"{row['description']}\n{row['acceptance_criteria']}"),
            "",
        )
        for row, item_id in zip(rows, ids, strict=True)
    ]


class Staged:
    """PostgreSQL: new items wait in temporary tables until `finish` inserts them all."""

    def __init__(self, uow: UnitOfWork, batch_id: int, actor: Actor, now: datetime) -> None:
        self.uow, self.batch_id, self.actor, self.now = uow, batch_id, actor, now
        self.stems = Stems()
        self.shared: dict[str, Any] | None = None  # the columns every new item shares
        self.items = bulk.stage(uow, "jalon_new_items", bulk.table_of(Item), ROW_COLUMNS)
        self.tags = bulk.stage(uow, "jalon_new_tags", bulk.table_of(ItemTag), ("item_id", "tag"))
        self.moves = bulk.stage(uow, "jalon_new_moves", bulk.table_of(StatusChange), MOVE_COLUMNS)
        self.search = bulk.stage(uow, "jalon_new_search", bulk.table_of(ItemSearch), SEARCH_COLUMNS)
        self.sequence = bulk.sequence_of(uow, bulk.table_of(Item))

    def insert(self, rows: list[dict[str, Any]]) -> list[int]:
        """Stage the rows; the ids they will have, in order."""
        if not rows:
            return []
        self.shared = self.shared or {name: rows[0][name] for name in writes.SHARED}
        ids = bulk.reserve_ids(self.uow, self.sequence, len(rows))
        values = (
            (item_id, *(row[name] for name in writes.PER_ROW))
            for item_id, row in zip(ids, rows, strict=True)
        )
        bulk.copy_rows(self.uow, self.items.name, ROW_COLUMNS, values)
        return ids

    def extras(
        self, rows: Sequence[dict[str, Any]], ids: Sequence[int], tags: list[list[str]]
    ) -> None:
        """Stage the tags, first status and search text of staged rows."""
        if not ids:
            return
        pairs = ((i, tag) for i, names in zip(ids, tags, strict=True) for tag in names)
        bulk.copy_rows(self.uow, self.tags.name, ("item_id", "tag"), pairs)
        moves = ((i, None, row["status"]) for i, row in zip(ids, rows, strict=True))
        bulk.copy_rows(self.uow, self.moves.name, MOVE_COLUMNS, moves)
        docs = search_rows(self.stems, rows, ids)
        bulk.copy_rows(self.uow, self.search.name, SEARCH_COLUMNS, docs)

    def finish(self, parents: Iterable[tuple[int, int]]) -> None:
        """Insert everything staged, each staged item with its parent from `parents`
        ((item id, parent id) pairs) when it is there; then drop the temporary tables."""
        known = bulk.stage(self.uow, "jalon_new_parents", bulk.table_of(Item), ("id", "parent_id"))
        bulk.copy_rows(self.uow, known.name, ("id", "parent_id"), parents)
        self.uow.session.connection().exec_driver_sql(f"CREATE UNIQUE INDEX ON {known.name} (id)")
        if self.shared is not None:
            self._insert(known)
        for staged in (known, self.items, self.tags, self.moves, self.search):
            self.uow.session.connection().exec_driver_sql(f"DROP TABLE {staged.name}")

    def _insert(self, known: TableClause) -> None:
        uow, source = self.uow, self.items
        late = select(known.c.parent_id).where(known.c.id == source.c.id).scalar_subquery()
        chosen: dict[str, Any] = {name: source.c[name] for name in ROW_COLUMNS}
        chosen["parent_id"] = func.coalesce(late, source.c.parent_id)
        assert self.shared is not None
        bulk.insert_from(
            uow, bulk.table_of(Item), chosen, columns=ROW_COLUMNS, constants=self.shared
        )
        bulk.insert_from(
            uow, bulk.table_of(ItemTag), self.tags, columns=("item_id", "tag"), constants={}
        )
        history = {"actor_id": self.actor.id, "actor_label": self.actor.label[:200], "at": self.now}
        bulk.insert_from(
            uow, bulk.table_of(StatusChange), self.moves, columns=MOVE_COLUMNS, constants=history
        )
        found: dict[str, Any] = {name: self.search.c[name] for name in SEARCH_COLUMNS}
        # the tsvector exactly as `search.refresh` builds it (weights A, B, C)
        found["document"] = literal_column(search.VECTOR)
        bulk.insert_from(
            uow,
            bulk.table_of(ItemSearch),
            found,
            columns=(*SEARCH_COLUMNS, "document"),
            constants={},
        )


def for_import(uow: UnitOfWork, batch_id: int, actor: Actor, now: datetime) -> Direct | Staged:
    """Where this engine's import puts its new items."""
    if uow.session.connection().dialect.name == "postgresql":
        return Staged(uow, batch_id, actor, now)
    return Direct(uow, batch_id, actor, now)
