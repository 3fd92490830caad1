"""Restoring Jalon's own JSON export into an empty product: product fields, backlog
settings, formulas, saved views, and every item with its tags, comments, status history,
scores and links, exactly as exported (ranks, versions and dates included)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select

from jalon.accounts.models import User
from jalon.backlog import ranks, search
from jalon.backlog.models import (
    BacklogSettings,
    Comment,
    ImportBatch,
    Item,
    ItemLink,
    ItemTag,
    SavedView,
    StatusChange,
)
from jalon.backlog.rules import check_workflow, default_workflow, parse_status, parse_type
from jalon.errors import Invalid, JalonError, Message
from jalon.prioritisation.models import Formula, ItemScore
from jalon.products.models import Product
from jalon.products.rules import Stage, product_field_problems
from jalon.transfer import document, writes
from jalon.transfer.csvmap import ParsedRow, check_title
from jalon.transfer.rules import Plan, Preview, Report
from jalon.uow import UnitOfWork

CHUNK = 2000


def _check_head(uow: UnitOfWork, product_id: int, data: Mapping[str, Any]) -> None:
    if data.get("version") != document.VERSION:
        raise Invalid(
            "This Jalon export has version {found}; this Jalon reads version {version}.",
            field="file",
            found=data.get("version"),
            version=document.VERSION,
        )
    count = uow.session.scalar(select(func.count(Item.id)).where(Item.product_id == product_id))
    if count:
        raise Invalid(
            "A Jalon export restores a whole product: import it into a new, empty product "
            "(this one has {n} items).",
            field="file",
            n=count,
        )


def _settings(data: Mapping[str, Any]) -> dict[str, Any]:
    values = document.decode("backlog_settings", data.get("backlog_settings") or {}, "settings")
    values["statuses"] = check_workflow(values.get("statuses") or default_workflow())
    return values


def _item(
    entry: Mapping[str, Any], line: int, statuses: Sequence[Mapping[str, str]]
) -> dict[str, Any]:
    values = document.decode("items", entry, f"item {line}")
    values["title"] = check_title(str(values.get("title") or "").strip())
    values["type"] = parse_type(str(values.get("type") or "story")).value
    try:
        values["status"] = parse_status(str(values.get("status") or ""), statuses)
    except Invalid as error:
        raise Invalid(error.message, field="status", **error.params) from None
    values["rank"] = ranks.check_key(str(values.get("rank") or ""))
    return values


Found = list[tuple[Mapping[str, Any], dict[str, Any]]]  # (export entry, checked columns)


def _preview(line: int, entry: Mapping[str, Any], values: dict[str, Any]) -> Preview:
    parent = entry.get("parent")
    return Preview(
        line=line,
        action="create",
        key=values.get("external_key"),
        title=values["title"],
        type=values["type"],
        status=values["status"],
        estimate=values.get("estimate"),
        parent=None if parent is None else f"@{parent}",
        tags=[str(t) for t in entry.get("tags") or []],
    )


def _read_items(data: Mapping[str, Any], statuses: Any, report: Report) -> Found:
    """Every item, checked (refs used once, parents that exist, no loops); problems go to
    the report."""
    plan, found = Plan([], {"parent_key", "type"}), []
    for line, entry in enumerate(document.rows_of(data, "items"), start=1):
        report.rows += 1
        try:
            values = _item(entry, line, statuses)
        except JalonError as error:
            name = next(iter(error.fields), "file")
            report.problem(line, name, Message(error.message, **error.params))
            continue
        parent = entry.get("parent")
        row = ParsedRow(
            line,
            values["title"],
            values["type"],
            external_key=f"@{entry.get('ref')}",
            parent_key=None if parent is None else f"@{parent}",
        )
        if (duplicate := plan.add(row)) is not None:
            report.problem(line, "ref", duplicate)
            continue
        found.append((entry, values))
        report.created += 1
        report.show(_preview(line, entry, values))
    for problem in plan.finish()[1]:
        report.problem(problem.line, "parent", problem.message)
    return found


def _product(uow: UnitOfWork, product_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """Give the product the exported fields; return the ones it had."""
    product = uow.get(Product, product_id, what="product")
    given = data.get("product") or {}
    fields = {k: str(v) for k, v in given.items() if k in document.PRODUCT_FIELDS}
    if "stage" in fields and fields["stage"] not in set(Stage):
        raise Invalid("Unknown stage {value!r}.", field="file", value=fields["stage"])
    if problems := product_field_problems({k: v for k, v in fields.items() if k != "stage"}):
        raise Invalid("Some fields need your attention.", fields=problems)
    before = {k: getattr(product, k) for k in document.PRODUCT_FIELDS}
    for key, value in fields.items():
        setattr(product, key, value)
    return before


def _columns(obj: Any) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns}


def _backlog_settings(uow: UnitOfWork, product_id: int, values: dict[str, Any]) -> Any:
    """Give the product the exported settings; return the ones it had (None: defaults)."""
    found = uow.session.get(BacklogSettings, product_id)
    before = document.encode("backlog_settings", _columns(found)) if found else None
    if found is None:
        uow.add(BacklogSettings(product_id=product_id, **values))
    else:
        for key, value in values.items():
            setattr(found, key, value)
    return before


def _insert(uow: UnitOfWork, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    if not rows:
        return []
    stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
    return [int(i) for i in uow.session.scalars(stmt, rows)]


def _formulas(uow: UnitOfWork, product_id: int, data: Mapping[str, Any]) -> list[int]:
    rows = [
        {**document.decode("formulas", f, "a formula"), "product_id": product_id}
        for f in document.rows_of(data, "formulas")
    ]
    return _insert(uow, Formula, rows)


def _views(
    uow: UnitOfWork, ctx: dict[str, Any], data: Mapping[str, Any], report: Report
) -> list[int]:
    rows = []
    for view in document.rows_of(data, "saved_views"):
        values = document.decode("saved_views", view, "a saved view")
        email = str(view.get("user") or "").lower()
        if email and email not in ctx["users"]:
            report.skipped += 1  # a personal view of someone who has no account here
            continue
        user_id = ctx["users"].get(email) if email else None
        rows.append({**values, "product_id": ctx["product_id"], "user_id": user_id})
    return _insert(uow, SavedView, rows)


def _attached(
    entry: Mapping[str, Any], item_id: int, users: dict[str, int]
) -> dict[Any, list[Any]]:
    """The rows of tags, comments, status changes and scores of one exported item."""

    def with_person(table: str, row: Any, column: str, key: str) -> dict[str, Any]:
        email = str(row.get(key) or "").lower() if isinstance(row, Mapping) else ""
        person = users.get(email) if email else None
        return {**document.decode(table, row, table), "item_id": item_id, column: person}

    return {
        ItemTag: [{"item_id": item_id, "tag": str(t)} for t in entry.get("tags") or []],
        Comment: [
            with_person("item_comments", c, "author_id", "author")
            for c in entry.get("comments") or []
        ],
        StatusChange: [
            with_person("item_status_changes", h, "actor_id", "actor")
            for h in entry.get("status_history") or []
        ],
        ItemScore: [
            {**document.decode("item_scores", s, "a score"), "item_id": item_id}
            for s in entry.get("scores") or []
        ],
    }


def _item_row(ctx: dict[str, Any], entry: Mapping[str, Any], values: dict[str, Any]) -> Any:
    assignee = str(entry.get("assignee") or "").lower()
    return {
        **values,
        "product_id": ctx["product_id"],
        "import_batch_id": ctx["batch_id"],
        "parent_id": None,
        "assignee_id": ctx["users"].get(assignee) if assignee else None,
    }


def _write_items(uow: UnitOfWork, ctx: dict[str, Any], found: Found) -> dict[Any, int]:
    """Insert the items a chunk at a time, with what is attached to them; ids by ref."""
    ids: dict[Any, int] = {}
    for start in range(0, len(found), CHUNK):
        part = found[start : start + CHUNK]
        new = writes.insert_items(uow, [_item_row(ctx, entry, values) for entry, values in part])
        attached: dict[Any, list[Any]] = {}
        for (entry, _values), item_id in zip(part, new, strict=True):
            ids[entry.get("ref")] = item_id
            for model, rows in _attached(entry, item_id, ctx["users"]).items():
                attached.setdefault(model, []).extend(rows)
        for model, rows in attached.items():
            if rows:
                uow.session.execute(insert(model).execution_options(render_nulls=True), rows)
        search.refresh(uow, new)
    return ids


def _parents_and_links(
    uow: UnitOfWork, data: Mapping[str, Any], ids: dict[Any, int], found: Found
) -> None:
    parents = [
        {"id": ids[entry.get("ref")], "parent_id": ids[entry["parent"]]}
        for entry, _values in found
        if entry.get("parent") is not None
    ]
    for start in range(0, len(parents), CHUNK):
        writes.update_items(uow, parents[start : start + CHUNK])
    links = [
        {"from_id": ids[link["from"]], "to_id": ids[link["to"]], "kind": str(link.get("kind"))}
        for link in document.rows_of(data, "links")
        if isinstance(link, Mapping) and link.get("from") in ids and link.get("to") in ids
    ]
    if links:
        uow.session.execute(insert(ItemLink), links)


def restore(
    uow: UnitOfWork,
    product_id: int,
    data: Mapping[str, Any],
    batch: ImportBatch | None,
    source: str,
) -> Report:
    """Check the export and, given a batch (not a dry run) and no problem, write it all."""
    _check_head(uow, product_id, data)
    report = Report("jalon", source)
    settings = _settings(data)
    found = _read_items(data, settings["statuses"], report)
    if batch is None or not report.ok:
        return report
    users = {e.lower(): int(i) for i, e in uow.session.execute(select(User.id, User.email))}
    ctx = {"product_id": product_id, "batch_id": batch.id, "users": users}
    previous: dict[str, Any] = {"items": {}, "product": _product(uow, product_id, data)}
    previous["settings"] = _backlog_settings(uow, product_id, settings)
    previous["formulas"] = _formulas(uow, product_id, data)
    previous["saved_views"] = _views(uow, ctx, data, report)
    _parents_and_links(uow, data, _write_items(uow, ctx, found), found)
    batch.previous = previous
    return report


def undo(uow: UnitOfWork, batch: ImportBatch) -> None:
    """Put back what restoring a Jalon export changed besides its items."""
    previous = batch.previous
    if "product" not in previous:
        return
    product = uow.get(Product, batch.product_id, what="product")
    for key, value in previous["product"].items():
        setattr(product, key, value)
    settings = uow.session.get(BacklogSettings, batch.product_id)
    if settings is not None and previous.get("settings") is None:
        uow.session.delete(settings)
    elif settings is not None:
        values = document.decode("backlog_settings", previous["settings"], "settings")
        for key, value in values.items():
            setattr(settings, key, value)
    for model in (Formula, SavedView):
        ids = previous.get(model.__tablename__) or []
        if ids:
            uow.session.execute(delete(model).where(model.id.in_(ids)))
