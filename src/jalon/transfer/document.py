"""The shape of Jalon's lossless JSON export, shared by the export and the restore.

Columns are read from the SQLAlchemy tables, so a column added to items, comments, scores...
is exported and restored without touching this file. Ids never travel: items are numbered
by their place in the backlog (`ref`), people by their e-mail address.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Table
from sqlalchemy.types import TypeDecorator

from jalon.backlog.models import BacklogSettings, Comment, Item, SavedView, StatusChange
from jalon.errors import Invalid
from jalon.prioritisation.models import Formula, ItemScore

FORMAT = "jalon"
VERSION = 1
PRODUCT_FIELDS = ("name", "vision", "target_users", "product_goal", "stage")

# Columns that do not travel as they are: ids and references, replaced by refs and e-mails.
SKIP: dict[str, frozenset[str]] = {
    "items": frozenset({"id", "product_id", "parent_id", "assignee_id", "import_batch_id"}),
    "item_comments": frozenset({"id", "item_id", "author_id"}),
    "item_status_changes": frozenset({"id", "item_id", "actor_id"}),
    "item_scores": frozenset({"item_id"}),
    "formulas": frozenset({"id", "product_id"}),
    "saved_views": frozenset({"id", "product_id", "user_id"}),
    "backlog_settings": frozenset({"product_id"}),
}
TABLES: dict[str, Table] = {
    "items": Item.__table__,  # type: ignore[dict-item]
    "item_comments": Comment.__table__,  # type: ignore[dict-item]
    "item_status_changes": StatusChange.__table__,  # type: ignore[dict-item]
    "item_scores": ItemScore.__table__,  # type: ignore[dict-item]
    "formulas": Formula.__table__,  # type: ignore[dict-item]
    "saved_views": SavedView.__table__,  # type: ignore[dict-item]
    "backlog_settings": BacklogSettings.__table__,  # type: ignore[dict-item]
}


def columns(table: str) -> list[Column[Any]]:
    """The columns that travel: not the skipped ones, nor those the database computes."""
    return [c for c in TABLES[table].columns if c.name not in SKIP[table] and c.computed is None]


def _python_type(column: Column[Any]) -> type | None:
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    try:
        return kind.python_type
    except NotImplementedError:
        return None


def encode(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """The travelling columns of a row, as JSON values (dates in ISO 8601)."""
    out: dict[str, Any] = {}
    for column in columns(table):
        value = row[column.name]
        out[column.name] = value.isoformat() if isinstance(value, date | datetime) else value
    return out


def _decode_value(table: str, column: Column[Any], value: Any) -> Any:
    kind = _python_type(column)
    if value is None or kind not in (date, datetime):
        return value
    try:
        return datetime.fromisoformat(value) if kind is datetime else date.fromisoformat(value)
    except (TypeError, ValueError):
        raise Invalid(
            "{table}.{column}: {value!r} is not a date.",
            field="file",
            table=table,
            column=column.name,
            value=value,
        ) from None


def _default(column: Column[Any]) -> Any:
    default: Any = column.default
    if default is None:
        return None
    return default.arg(None) if getattr(default, "is_callable", False) else default.arg


def decode(table: str, data: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Every travelling column of a row; those the export lacks take their default."""
    if not isinstance(data, Mapping):
        raise Invalid("{where} is not a JSON object.", field="file", where=where)
    return {
        column.name: _decode_value(table, column, data[column.name])
        if column.name in data
        else _default(column)
        for column in columns(table)
    }


def rows_of(data: Mapping[str, Any], name: str) -> list[Any]:
    found = data.get(name) or []
    if not isinstance(found, list):
        raise Invalid("{name} should be a list.", field="file", name=name)
    return found
