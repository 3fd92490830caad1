"""Transfer reads: past imports, exports (streamed) and the first look at an uploaded file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from sqlalchemy import select

from jalon.backlog import queries as backlog_queries
from jalon.backlog.models import ImportBatch
from jalon.errors import Invalid
from jalon.permissions import Action, Actor
from jalon.products.services import authorise
from jalon.transfer import export, services, sources
from jalon.transfer.csvread import default_mapping
from jalon.uow import UnitOfWork

EXPORT_FORMATS = ("json", "csv")


@dataclass(frozen=True)
class ImportRow:
    id: int
    product_id: int
    format: str
    filename: str
    created: int
    updated: int
    actor_label: str
    created_at: datetime
    undone_at: datetime | None
    undoable: bool  # the newest import not undone yet


def list_imports(
    uow: UnitOfWork, *, actor: Actor, product_id: int, limit: int = 50
) -> list[ImportRow]:
    """The product's imports, newest first (without the saved previous values)."""
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        columns = (
            ImportBatch.id,
            ImportBatch.source,
            ImportBatch.created,
            ImportBatch.updated,
            ImportBatch.actor_label,
            ImportBatch.created_at,
            ImportBatch.undone_at,
        )
        stmt = select(*columns).where(ImportBatch.product_id == product_id)
        rows = uow.session.execute(stmt.order_by(ImportBatch.id.desc()).limit(limit)).all()
    newest = next((r.id for r in rows if r.undone_at is None), None)
    return [
        ImportRow(
            id=r.id,
            product_id=product_id,
            format=r.source.partition(":")[0],
            filename=r.source.partition(":")[2],
            created=r.created,
            updated=r.updated,
            actor_label=r.actor_label,
            created_at=r.created_at,
            undone_at=r.undone_at,
            undoable=r.id == newest,
        )
        for r in rows
    ]


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "product"


def export_product(
    uow: UnitOfWork, *, actor: Actor, product_id: int, export_format: str
) -> tuple[str, Iterator[str]]:
    """(file name, chunks of text) of the product's export, checked before streaming.

    CSV is the backlog any reader sees; the JSON export is a full copy of the product
    (people's e-mail addresses and personal saved views included), for its owners."""
    if export_format not in EXPORT_FORMATS:
        raise Invalid(
            "Unknown export format {value!r}; use json or csv.", field="format", value=export_format
        )
    action = Action.EDIT_PRODUCT if export_format == "json" else Action.READ
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=action)
        name = f"{_slug(product.name)}-{product_id}.{export_format}"
    if export_format == "json":
        return name, export.json_lines(uow, product_id)
    return name, export.csv_lines(uow, product_id)


@dataclass(frozen=True)
class FirstLook:
    """What the mapping step shows of an uploaded file."""

    format: str
    header: list[str]  # CSV columns, as named in the file (each once)
    preview: list[list[str]]  # the first rows, one value per column
    mapping: dict[str, str]  # column -> field: Jira's by default
    lists: list[str]  # Trello: the board's lists
    statuses: list[dict[str, str]]


def first_look(
    uow: UnitOfWork, *, actor: Actor, product_id: int, stream: BinaryIO, file_format: str | None
) -> FirstLook:
    """The columns and first rows of a CSV (or the lists of a Trello board) for the mapping
    step; other formats need no mapping."""
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.EDIT_PRODUCT)
        statuses = backlog_queries.backlog_settings(uow, product_id).statuses
    kind, content = services.open_file(stream, file_format)
    if kind == "csv":
        header, preview = sources.csv_header(content)
        unique = list(dict.fromkeys(h for h in header if h))
        return FirstLook(kind, unique, preview, default_mapping(unique), [], statuses)
    lists: list[Any] = sources.trello_lists(content) if kind == "trello" else []
    return FirstLook(kind, [], [], {}, lists, statuses)
