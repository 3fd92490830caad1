"""Import and export pages: upload, map the columns, dry run, import, undo; export files."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response, StreamingResponse

from jalon import web
from jalon.errors import N_, Invalid, JalonError
from jalon.permissions import Action, can
from jalon.products import queries as product_queries
from jalon.transfer import queries, services, staging
from jalon.transfer.api import MEDIA
from jalon.transfer.csvmap import FIELDS
from jalon.transfer.rules import FORMAT_LABELS, FORMATS, check_format
from jalon.web import ActorDep, CtxDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(web.verify_csrf)])
Text = Annotated[str, Form()]
Names = Annotated[list[str], Form()]

FIELD_LABELS = {
    "external_key": N_("Key (Jira issue key; used to update on re-import)"),
    "external_id": N_("Jira issue id (to find parents)"),
    "title": N_("Title"),
    "type": N_("Type"),
    "status": N_("Status"),
    "priority": N_("Priority (shown, not kept)"),
    "estimate": N_("Estimate"),
    "parent_key": N_("Parent's key (Epic Link, Parent)"),
    "tags": N_("Tags"),
    "sprint": N_("Sprint (shown, not kept)"),
    "created_at": N_("Created on"),
    "done_at": N_("Done on"),
    "description": N_("Description"),
    "acceptance_criteria": N_("Acceptance criteria"),
    "assignee": N_("Assignee (e-mail or login of a Jalon user)"),
    "due_date": N_("Due date"),
}
ACTION_LABELS = {"create": N_("New"), "update": N_("Update"), "unchanged": N_("No change")}


def _labels() -> dict[str, Any]:
    return {
        "formats": FORMATS,
        "format_labels": FORMAT_LABELS,
        "fields": FIELDS,
        "field_labels": FIELD_LABELS,
        "action_labels": ACTION_LABELS,
    }


def _transfer_page(
    request: Request, ctx: web.Ctx, product_id: int, *, status: int = 200, **extra: Any
) -> Response:
    row = product_queries.get_product(ctx.db.reader(), product_id=product_id, actor=ctx.actor)
    imports = queries.list_imports(ctx.db.reader(), actor=ctx.actor, product_id=product_id)
    context = {
        "p": row.product,
        "imports": imports,
        "can_import": can(row.role, Action.EDIT_PRODUCT, is_admin=ctx.actor.is_admin),
        "error": None,
        "imported": None,
        **_labels(),
        **extra,
    }
    return web.render(request, "transfer/transfer.html", context, status=status)


@router.get("/products/{product_id}/transfer")
def transfer_page(
    request: Request,
    ctx: CtxDep,
    _actor: ActorDep,
    product_id: int,
    imported: Annotated[int | None, Query()] = None,
) -> Response:
    return _transfer_page(request, ctx, product_id, imported=imported)


@router.post("/products/{product_id}/import")
def upload(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    file: Annotated[UploadFile | None, File()] = None,
    format: Text = "",
) -> Response:
    """Check the file can be read (and that one may import), keep it, go to the mapping."""
    try:
        if file is None or not file.filename:
            raise Invalid("Choose a file to import.", field="file")
        chosen = check_format(format)
        queries.first_look(
            ctx.db.reader(),
            actor=actor,
            product_id=product_id,
            stream=file.file,
            file_format=chosen,
        )
        file.file.seek(0)
        kept = staging.save(
            ctx.settings.data_dir,
            product_id=product_id,
            filename=file.filename,
            file_format=chosen,
            stream=file.file,
        )
    except Invalid as exc:
        return _transfer_page(request, ctx, product_id, status=422, error=exc.render(ctx.gettext))
    return web.redirect(f"/products/{product_id}/import/{kept.token}", request)


def _mapping_page(
    request: Request, ctx: web.Ctx, product_id: int, token: str, *, status: int = 200, **extra: Any
) -> Response:
    kept = staging.load(ctx.settings.data_dir, token, product_id=product_id)
    row = product_queries.get_product(ctx.db.reader(), product_id=product_id, actor=ctx.actor)
    with kept.path.open("rb") as stream:
        look = queries.first_look(
            ctx.db.reader(), actor=ctx.actor, product_id=product_id, stream=stream,
            file_format=kept.format,
        )  # fmt: skip
    context = {"p": row.product, "upload": kept, "look": look, "mapping": look.mapping,
               "error": None, **_labels(), **extra}  # fmt: skip
    return web.render(request, "transfer/mapping.html", context, status=status)


@router.get("/products/{product_id}/import/{token}")
def mapping_step(
    request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int, token: str
) -> Response:
    return _mapping_page(request, ctx, product_id, token)


def _mapping(source: list[str], target: list[str]) -> dict[str, str]:
    return {s: t for s, t in zip(source, target, strict=False) if t}


def _dry_run(ctx: web.Ctx, kept: staging.Upload, mapping: dict[str, str]) -> Any:
    with kept.path.open("rb") as stream:
        return services.import_file(
            ctx.db.reader(), actor=ctx.actor, product_id=kept.product_id, stream=stream,
            filename=kept.filename, file_format=kept.format, mapping=mapping or None,
            dry_run=True,
        )  # fmt: skip


def _report_page(
    request: Request, ctx: web.Ctx, kept: staging.Upload, mapping: dict[str, str], status: int
) -> Response:
    report = _dry_run(ctx, kept, mapping)
    row = product_queries.get_product(ctx.db.reader(), product_id=kept.product_id, actor=ctx.actor)
    context = {"p": row.product, "upload": kept, "report": report, "mapping": mapping,
               **_labels()}  # fmt: skip
    return web.render(request, "transfer/report.html", context, status=status)


@router.post("/products/{product_id}/import/{token}/check")
def check(
    request: Request,
    ctx: CtxDep,
    _actor: ActorDep,
    product_id: int,
    token: str,
    source: Names = [],  # noqa: B006 (FastAPI copies defaults)
    target: Names = [],  # noqa: B006
) -> Response:
    """The dry run: how every row will be read, and every problem; nothing written."""
    kept = staging.load(ctx.settings.data_dir, token, product_id=product_id)
    mapping = _mapping(source, target)
    try:
        return _report_page(request, ctx, kept, mapping, 200)
    except Invalid as exc:
        fields = exc.render_fields(ctx.gettext)
        message = exc.render(ctx.gettext)
        return _mapping_page(request, ctx, product_id, token, status=422, error=message,
                             field_errors=fields, mapping=mapping)  # fmt: skip


@router.post("/products/{product_id}/import/{token}/run")
def run(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    token: str,
    source: Names = [],  # noqa: B006
    target: Names = [],  # noqa: B006
) -> Response:
    """The import itself, in one transaction; any problem shows the report again."""
    kept = staging.load(ctx.settings.data_dir, token, product_id=product_id)
    mapping = _mapping(source, target)
    try:
        with kept.path.open("rb") as stream:
            report = services.import_file(
                ctx.db.uow(), actor=actor, product_id=product_id, stream=stream,
                filename=kept.filename, file_format=kept.format, mapping=mapping or None,
            )  # fmt: skip
    except JalonError as exc:
        if exc.status != 422:
            raise
        return _report_page(request, ctx, kept, mapping, 422)
    staging.discard(kept)
    return web.redirect(f"/products/{product_id}/transfer?imported={report.batch_id}", request)


@router.post("/imports/{import_id}/undo")
def undo(request: Request, ctx: CtxDep, actor: ActorDep, import_id: int) -> Response:
    batch = services.undo_import(ctx.db.uow(), actor=actor, batch_id=import_id)
    return web.redirect(f"/products/{batch.product_id}/transfer", request)


@router.get("/products/{product_id}/export")
def export(
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    format: Annotated[str, Query()] = "csv",
) -> Response:
    name, chunks = queries.export_product(
        ctx.db.reader(), actor=actor, product_id=product_id, export_format=format
    )
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return StreamingResponse(chunks, media_type=MEDIA[format], headers=headers)
