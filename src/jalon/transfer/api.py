"""Import and export JSON API: dry runs, imports, their list and undo, streamed exports."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import Response, StreamingResponse

from jalon import web
from jalon.errors import Invalid
from jalon.transfer import queries, services
from jalon.transfer.schemas import ImportOut, ImportReport
from jalon.web import ActorDep, CtxDep

router = APIRouter(
    prefix="/api/v1", tags=["import and export"], dependencies=[Depends(web.verify_csrf)]
)
ERRORS: dict[int | str, dict[str, object]] = {
    **web.API_ERRORS,
    422: {"description": "Invalid file or rows; `fields` names each line and column"},
}
MEDIA = {"json": "application/json", "csv": "text/csv; charset=utf-8"}


def parse_mapping(raw: str | None) -> dict[str, str] | None:
    """The optional column mapping, a JSON object of strings (CSV: column -> field;
    Trello: list -> status)."""
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise Invalid(
            'The mapping must be a JSON object of names, like {"Summary": "title"}.',
            field="mapping",
        )
    return value


@router.post(
    "/products/{product_id}/imports",
    response_model=ImportReport,
    responses=ERRORS | {201: {"description": "Imported"}},
    summary="Import a CSV, Trello, GitHub or Jalon file; ?dry_run=true writes nothing",
)
def import_file(
    product_id: int,
    ctx: CtxDep,
    actor: ActorDep,
    response: Response,
    file: Annotated[UploadFile, File()],
    dry_run: Annotated[bool, Query()] = False,
    format: Annotated[str | None, Form()] = None,
    mapping: Annotated[str | None, Form()] = None,
) -> ImportReport:
    report = services.import_file(
        ctx.db.reader() if dry_run else ctx.db.uow(),
        actor=actor,
        product_id=product_id,
        stream=file.file,
        filename=file.filename or "upload",
        file_format=format,
        mapping=parse_mapping(mapping),
        dry_run=dry_run,
    )
    response.status_code = 200 if dry_run else 201
    return ImportReport.of(report, dry_run=dry_run, gettext=ctx.gettext)


@router.get(
    "/products/{product_id}/imports",
    response_model=list[ImportOut],
    responses=ERRORS,
    summary="The product's imports, newest first",
)
def list_imports(product_id: int, ctx: CtxDep, actor: ActorDep) -> list[ImportOut]:
    rows = queries.list_imports(ctx.db.reader(), actor=actor, product_id=product_id)
    return [ImportOut.of(row) for row in rows]


@router.post(
    "/imports/{import_id}/undo",
    response_model=ImportOut,
    responses=ERRORS | {409: {"description": "Already undone, or a later import comes first"}},
    summary="Undo a whole import: created items removed, updated items restored",
)
def undo_import(import_id: int, ctx: CtxDep, actor: ActorDep) -> ImportOut:
    batch = services.undo_import(ctx.db.uow(), actor=actor, batch_id=import_id)
    rows = queries.list_imports(ctx.db.reader(), actor=actor, product_id=batch.product_id)
    return ImportOut.of(next(r for r in rows if r.id == import_id))


@router.get(
    "/products/{product_id}/export",
    response_class=StreamingResponse,
    responses=ERRORS | {200: {"content": {"application/json": {}, "text/csv": {}}}},
    summary="Export the product: lossless JSON (owners) or CSV (readers), streamed",
)
def export_product(
    product_id: int,
    ctx: CtxDep,
    actor: ActorDep,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> StreamingResponse:
    name, chunks = queries.export_product(
        ctx.db.reader(), actor=actor, product_id=product_id, export_format=format
    )
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return StreamingResponse(chunks, media_type=MEDIA[format], headers=headers)
