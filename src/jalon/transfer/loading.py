"""One import, a chunk of rows at a time: read each row, decide create, update or nothing
(by external key), check the whole file's hierarchy at the end and, unless it is a dry run,
write each chunk with a few bulk statements. Memory holds one chunk plus a small index of
the file's keys and parents, whatever the size of the file."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jalon.backlog import ranks, search
from jalon.backlog.rules import is_done
from jalon.errors import Invalid, JalonError, Message
from jalon.permissions import Actor
from jalon.transfer import newitems, writes
from jalon.transfer.csvmap import ParsedRow, RowError
from jalon.transfer.rules import (
    MAX_PREVIEW,
    Node,
    Plan,
    Preview,
    Report,
    changes,
    clean_tags,
    node_of,
    node_value,
)
from jalon.transfer.sources import Source
from jalon.transfer.spill import SpillDict
from jalon.uow import UnitOfWork

CHUNK = 2000
TEXT_LIMITS = {"description": 20000, "acceptance_criteria": 10000}


@dataclass(frozen=True)
class Target:
    product_id: int
    statuses: list[dict[str, str]]
    actor: Actor
    now: datetime
    batch_id: int | None  # None: a dry run, nothing is written


@dataclass
class _Chunk:
    creates: list[tuple[ParsedRow, dict[str, Any]]]
    updates: list[dict[str, Any]]
    tags: dict[int, list[str]]
    new_tags: list[list[str]]
    moves: list[tuple[int, str | None, str]]


class Loader:
    def __init__(self, uow: UnitOfWork, target: Target, source: Source, report: Report) -> None:
        self.uow, self.target, self.source, self.report = uow, target, source, report
        self.fields = source.fields
        self.rank = writes.last_rank(uow, target.product_id, lock=target.batch_id is not None)
        self.spilled: list[SpillDict[Any, Any]] = []
        known = writes.known_items(uow, target.product_id)
        self.plan = Plan(known, source.fields, mapping=self._mapping)
        self.users = writes.users_by_handle(uow) if "assignee" in self.fields else {}
        self.previous: dict[str, dict[str, Any]] = {}
        # item id -> its node, for the items whose parent is set at the end: new ones, and
        # items of the product whose new parent is a new item (inserted at the end, maybe)
        self.pending: MutableMapping[int, Node] = self._mapping(1, node_value)
        self.pending_known: MutableMapping[int, Node] = self._mapping(1, node_value)
        self.new = None
        if target.batch_id is not None:
            self.new = newitems.for_import(uow, target.batch_id, target.actor, target.now)

    def _mapping(self, width: int, make: Callable[..., Any]) -> MutableMapping[Any, Any]:
        """The index's mappings keep a bounded number of entries in memory (spill.py)."""
        mapping: SpillDict[Any, Any] = SpillDict(width=width, make=make)
        self.spilled.append(mapping)
        return mapping

    @property
    def writing(self) -> bool:
        return self.target.batch_id is not None and self.report.ok

    def run(self) -> None:
        try:
            self._rows()
        finally:
            for mapping in self.spilled:
                mapping.close()

    def _rows(self) -> None:
        chunk: list[ParsedRow] = []
        for row in self.source.rows:
            self.report.rows += 1
            if isinstance(row, RowError):
                for name, message in row.errors.items():
                    self.report.problem(row.line, name, message)
            elif (duplicate := self.plan.add(row)) is not None:
                self.report.problem(row.line, "external_key", duplicate)
            else:
                chunk.append(row)
            if len(chunk) >= CHUNK:
                self._chunk(chunk)
                chunk = []
        self._chunk(chunk)
        self._finish()

    # --- one row -------------------------------------------------------------------------

    def _values(self, row: ParsedRow) -> dict[str, Any]:
        """The item columns this row sets (parent and tags aside)."""
        f, out = self.fields, {}
        simple = ("title", "type", "estimate", "description", "acceptance_criteria", "due_date")
        for name in simple:
            if name in f:
                out[name] = str(getattr(row, name)) if name == "type" else getattr(row, name)
        for name, limit in TEXT_LIMITS.items():
            if len(out.get(name) or "") > limit:
                raise Invalid("This text is longer than {n} characters.", field=name, n=limit)
        if "status" in f and row.status:
            out["status"] = row.status
        if "done_at" in f and row.done_at:
            out["done_at"] = row.done_at
        handle = (row.assignee or "").lower()
        if "assignee" in f and handle in self.users:
            out["assignee_id"] = self.users[handle]
        return out

    def _done_at(self, status: str, values: dict[str, Any], before: datetime | None) -> Any:
        if not is_done(status, self.target.statuses):
            return None
        return values.get("done_at") or before or self.target.now

    def _parent(self, row: ParsedRow, *, known: bool = False) -> tuple[int | None, bool]:
        """(parent id, set at the end?) of a row whose parent the file sets. With `known`,
        only an item already in the product counts: new items may not be written yet."""
        if not row.parent_key:
            return None, False
        node = self.plan.resolve(row.parent_key)
        if node is None or (known and node not in self.plan.known):
            return None, True
        found = self.plan.ids.get(node)
        return found, found is None

    def _preview(self, row: ParsedRow, action: str, values: dict[str, Any], tags: Any) -> None:
        if len(self.report.preview) >= MAX_PREVIEW:  # the rest would not be shown
            return
        self.report.show(
            Preview(
                line=row.line,
                action=action,
                key=row.external_key,
                title=row.title,
                type=str(row.type),
                status=str(values.get("status") or ""),
                estimate=row.estimate,
                parent=row.parent_key,
                tags=list(tags or []),
            )
        )

    def _create(self, row: ParsedRow, values: dict[str, Any], tags: list[str], out: _Chunk) -> None:
        values.setdefault("status", self.target.statuses[0]["key"])
        values["done_at"] = self._done_at(values["status"], values, None)
        parent_id, _later = self._parent(row) if "parent_key" in self.fields else (None, False)
        values["parent_id"] = parent_id
        out.creates.append((row, values))
        out.new_tags.append(tags)
        self.report.created += 1
        self._preview(row, "create", values, tags)

    def _update(
        self, row: ParsedRow, values: dict[str, Any], tags: Any, before: dict[str, Any], out: _Chunk
    ) -> None:
        item_id, status = self.plan.ids[row.external_key or row.line], values.get("status")
        values["done_at"] = self._done_at(status or before["status"], values, before["done_at"])
        later = False
        if "parent_key" in self.fields:
            values["parent_id"], later = self._parent(row, known=True)
        diff = changes(before, values)
        if later:
            diff.pop("parent_id", None)
            self.pending_known[item_id] = row.external_key or row.line
        tags_changed = tags is not None and tags != before.get("tags")
        action = "update" if diff or later or tags_changed else "unchanged"
        self._preview(row, action, {**before, **values}, tags)
        if action == "unchanged":
            self.report.unchanged += 1
            return
        self.report.updated += 1
        self.previous[str(item_id)] = writes.as_json(before)
        out.updates.append(
            {"id": item_id, **diff, "version": before["version"] + 1, "updated_at": self.target.now}
        )
        if tags_changed:
            out.tags[item_id] = tags
        if "status" in diff:
            out.moves.append((item_id, before["status"], diff["status"]))

    def _row(self, row: ParsedRow, current: dict[int, dict[str, Any]], out: _Chunk) -> None:
        try:
            values = self._values(row)
            tags = clean_tags(row.tags) if "tags" in self.fields else None
        except JalonError as error:
            name = next(iter(error.fields), "title")
            self.report.problem(row.line, name, Message(error.message, **error.params))
            return
        self.report.unkeyed += row.external_key is None
        known = self.plan.known_item(row.external_key)
        if known is None:
            self._create(row, values, tags or [], out)
        else:
            self._update(row, values, tags, current[known.id], out)

    # --- one chunk -----------------------------------------------------------------------

    def _chunk(self, rows: list[ParsedRow]) -> None:
        if not rows:
            return
        known = [k.id for r in rows if (k := self.plan.known_item(r.external_key)) is not None]
        current = writes.snapshots(self.uow, known, with_tags="tags" in self.fields)
        out = _Chunk([], [], {}, [], [])
        for row in rows:
            self._row(row, current, out)
        if self.writing:
            self._write(out)

    def _write(self, out: _Chunk) -> None:
        target, uow, new = self.target, self.uow, self.new
        assert new is not None
        keys = ranks.keys_between(self.rank, None, len(out.creates)) if out.creates else []
        self.rank = keys[-1] if keys else self.rank
        rows = [
            self._new_row(row, values, rank)
            for (row, values), rank in zip(out.creates, keys, strict=True)
        ]
        ids = new.insert(rows)
        for (row, values), item_id in zip(out.creates, ids, strict=True):
            node = node_of(row.external_key, row.line)
            self.plan.ids[node] = item_id
            if values["parent_id"] is None and row.parent_key and "parent_key" in self.fields:
                self.pending[item_id] = node
        new.extras(rows, ids, out.new_tags)
        writes.update_items(uow, out.updates)
        writes.set_tags(uow, out.tags, replace=True)
        writes.add_history(uow, out.moves, target.actor, target.now)
        if out.updates:
            search.refresh(uow, [u["id"] for u in out.updates])

    def _new_row(self, row: ParsedRow, values: dict[str, Any], rank: str) -> dict[str, Any]:
        now = self.target.now
        return {
            "product_id": self.target.product_id,
            "parent_id": values["parent_id"],
            "type": values.get("type", "story"),
            "title": row.title,
            "description": values.get("description", ""),
            "acceptance_criteria": values.get("acceptance_criteria", ""),
            "status": values["status"],
            "estimate": values.get("estimate"),
            "business_value": None,
            "assignee_id": values.get("assignee_id"),
            "due_date": values.get("due_date"),
            "rank": rank,
            "version": 1,
            "external_key": row.external_key,
            "import_batch_id": self.target.batch_id,
            "checks": {},
            "created_at": row.created_at or now,
            "updated_at": now,
            "done_at": values["done_at"],
        }

    # --- the whole file ------------------------------------------------------------------

    def _finish(self) -> None:
        parents, problems = self.plan.finish()
        for problem in problems:
            self.report.problem(problem.line, problem.column, problem.message)
        self.report.skipped = self.source.skipped
        if not self.writing or self.new is None:
            return
        self.new.finish(self._parents(self.pending, parents))
        writes.set_parents(self.uow, self._parents(self.pending_known, parents))

    def _parents(
        self, pending: MutableMapping[int, Node], parents: Mapping[Node, Node | None]
    ) -> Iterator[tuple[int, int]]:
        """(item id, parent id) of the pending items whose parent the file names."""
        for item_id, node in pending.items():
            if (parent := parents.get(node)) is not None:
                yield item_id, self.plan.ids[parent]
