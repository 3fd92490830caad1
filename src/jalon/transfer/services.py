"""Import use cases: import a file (or dry-run it) and undo a whole import. One transaction
each: a file with any bad row writes nothing at all."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, BinaryIO

from sqlalchemy import select

from jalon import activity
from jalon.activity import Subject
from jalon.backlog import queries as backlog_queries
from jalon.backlog import search
from jalon.backlog.models import BacklogSettings, ImportBatch, Item
from jalon.db import utcnow
from jalon.errors import N_, Conflict, Invalid, Label
from jalon.permissions import Action, Actor
from jalon.products.services import authorise
from jalon.transfer import restore, rules, sources, writes
from jalon.transfer.loading import Loader, Target
from jalon.transfer.rules import FORMAT_LABELS, Report
from jalon.uow import UnitOfWork

MAX_SOURCE = 200


def _load_json(stream: BinaryIO) -> Any:
    try:
        return json.loads(stream.read())
    except UnicodeDecodeError:
        raise Invalid(
            "This JSON file is not UTF-8 text; save it again as UTF-8.", field="file"
        ) from None
    except json.JSONDecodeError as error:
        raise Invalid(
            "This JSON file is not valid at line {line}, column {column}: {detail}.",
            field="file",
            line=error.lineno,
            column=error.colno,
            detail=error.msg,
        ) from None


def open_file(stream: BinaryIO, chosen: str | None) -> tuple[str, Any]:
    """The file's format and its content: the stream itself for CSV, parsed data for JSON."""
    head = stream.read(256)
    stream.seek(0)
    if not head.strip():
        raise Invalid("The file is empty.", field="file")
    rules.check_text(head)
    if chosen == "csv" or (chosen is None and not rules.looks_like_json(head)):
        return "csv", stream
    data = _load_json(stream)
    found = rules.json_format(data)
    if chosen is not None and chosen != found:
        raise Invalid(
            "This file is a {found}, not a {chosen}.",
            field="format",
            found=Label(found, FORMAT_LABELS[found]),
            chosen=Label(chosen, FORMAT_LABELS[chosen]),
        )
    return found, data


def _source(
    kind: str, content: Any, mapping: Mapping[str, str] | None, settings: BacklogSettings
) -> sources.Source:
    if kind == "csv":
        return sources.csv_source(content, mapping, settings.scale, settings.statuses)
    if kind == "trello":
        return sources.trello_source(content, mapping or {}, settings.statuses)
    return sources.github_source(content, settings.statuses)


def _batch(uow: UnitOfWork, product_id: int, source: str, actor: Actor) -> ImportBatch:
    batch = ImportBatch(
        product_id=product_id,
        source=source[:MAX_SOURCE],
        created=0,
        updated=0,
        previous={},
        actor_label=actor.label[:200],
        created_at=utcnow(),
    )
    uow.add(batch)
    uow.flush()
    return batch


def _record(uow: UnitOfWork, batch: ImportBatch, actor: Actor, action: str) -> None:
    activity.record(
        uow,
        "transfer.batch.imported" if action == "imported" else "transfer.batch.undone",
        Subject("import", batch.id, batch.source.partition(":")[2]),
        actor=actor,
        product_id=batch.product_id,
        changes={"created": [None, batch.created], "updated": [None, batch.updated]},
    )


def _load(
    uow: UnitOfWork,
    product_id: int,
    file: tuple[str, Any, str],
    mapping: Mapping[str, str] | None,
    actor: Actor,
    batch: ImportBatch | None,
) -> Report:
    """Read the rows of a CSV, Trello or GitHub file and (given a batch) write them."""
    kind, content, filename = file
    settings = backlog_queries.backlog_settings(uow, product_id)
    source = _source(kind, content, mapping, settings)
    report = Report(kind, filename, columns=source.columns)
    batch_id = batch.id if batch is not None else None
    target = Target(product_id, settings.statuses, actor, utcnow(), batch_id)
    loader = Loader(uow, target, source, report)
    loader.run()
    if batch is not None:
        batch.previous = {"items": loader.previous}
    return report


def import_file(
    uow: UnitOfWork,
    *,
    actor: Actor,
    product_id: int,
    stream: BinaryIO,
    filename: str,
    file_format: str | None = None,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
) -> Report:
    """Import a CSV, Trello, GitHub or Jalon file into the product's backlog, or (dry run)
    say how every row would be read and what it would do, writing nothing. Rows with an
    external key already in the product update that item. Any bad row: nothing written.
    A dry run may be given a read-only unit of work (`db.reader()`)."""
    chosen = rules.check_format(file_format)
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.EDIT_PRODUCT)
        kind, content = open_file(stream, chosen)
        label = f"{kind}:{filename}"
        batch = None if dry_run else _batch(uow, product_id, label, actor)
        if kind == "jalon":
            report = restore.restore(uow, product_id, content, batch, filename)
        else:
            report = _load(uow, product_id, (kind, content, filename), mapping, actor, batch)
        if batch is None:
            return report
        if not report.ok:
            raise report.error()
        batch.created, batch.updated, report.batch_id = report.created, report.updated, batch.id
        _record(uow, batch, actor, "imported")
        writes.renew_statistics(uow, report.created + report.updated)
        uow.commit()
    return report


def _restore_items(uow: UnitOfWork, previous: Mapping[str, Mapping[str, Any]], actor: Actor) -> int:
    """Put the items an import updated back as they were (a new version, for If-Match)."""
    ids = [int(i) for i in previous]
    now, restored = utcnow(), 0
    for start in range(0, len(ids), writes.IN_CHUNK):
        part = ids[start : start + writes.IN_CHUNK]
        stmt = select(Item.id, Item.status, Item.version).where(Item.id.in_(part))
        current = {int(i): (s, v) for i, s, v in uow.session.execute(stmt)}
        rows, tags, moves = [], {}, []
        for item_id, (status, version) in current.items():
            values = writes.from_json(previous[str(item_id)])
            if "tags" in values:
                tags[item_id] = values.pop("tags")
            rows.append({**values, "id": item_id, "version": version + 1, "updated_at": now})
            if values["status"] != status:
                moves.append((item_id, status, values["status"]))
        writes.update_items(uow, rows)
        writes.set_tags(uow, tags, replace=True)
        writes.add_history(uow, moves, actor, now)
        search.refresh(uow, list(current))
        restored += len(current)
    return restored


def undo_import(uow: UnitOfWork, *, actor: Actor, batch_id: int) -> ImportBatch:
    """Undo a whole import: remove the items it created, restore those it changed. Imports
    of a product are undone newest first."""
    with uow:
        batch = uow.get(ImportBatch, batch_id, what=N_("import"))
        authorise(uow, product_id=batch.product_id, actor=actor, action=Action.EDIT_PRODUCT)
        if batch.undone_at is not None:
            raise Conflict("This import was already undone.")
        later = uow.session.scalar(
            select(ImportBatch.id)
            .where(ImportBatch.product_id == batch.product_id, ImportBatch.id > batch.id)
            .where(ImportBatch.undone_at.is_(None))
            .order_by(ImportBatch.id.desc())
            .limit(1)
        )
        if later is not None:
            raise Conflict(
                "Undo the later import #{later} first: imports are undone newest first.",
                later=later,
            )
        writes.delete_batch_items(uow, batch.id)
        _restore_items(uow, batch.previous.get("items", {}), actor)
        restore.undo(uow, batch)
        batch.undone_at = utcnow()
        _record(uow, batch, actor, "undone")
        uow.commit()
    return batch
