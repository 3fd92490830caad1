"""Feedback set-up pages: customers and segments (with their weights), the CSV import (upload,
column mapping, dry run, import) and the product's intake token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from jalon import web
from jalon.db import utcnow
from jalon.errors import JalonError
from jalon.feedback import csvimport, customers, queries, services
from jalon.feedback.pages import common
from jalon.transfer import staging
from jalon.transfer.csvread import open_rows
from jalon.web import ActorDep, CtxDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(web.verify_csrf)])
Text = Annotated[str, Form()]
BASE = "/products/{}/customers"


# --- customers and segments -------------------------------------------------------------------


def _people_page(
    request: Request, ctx: web.Ctx, product_id: int, *, status: int = 200, **extra: Any
) -> Response:
    view = customers.customers_page(ctx.db.reader(), actor=ctx.actor, product_id=product_id)
    context = {
        **common(ctx, view.role),
        "view": view,
        "p": view.product,
        "segment_form": {},
        "segment_errors": {},
        "done": request.query_params.get("done", ""),
        **extra,
    }
    return web.render(request, "feedback/customers.html", context, status=status)


@router.get("/products/{product_id}/customers")
def people(request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int) -> Response:
    return _people_page(request, ctx, product_id)


def _refused(exc: JalonError) -> None:
    if not exc.refused_form:
        raise exc


async def _customer_form(request: Request) -> dict[str, str]:
    form = await request.form()
    names = ("name", "email", "weight", "segment_id", "customer_id")
    return {name: str(form.get(name, "")).strip() for name in names}


@router.post("/products/{product_id}/customers")
def save_customer(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int,
    form: Annotated[dict[str, str], Depends(_customer_form)],
) -> Response:  # fmt: skip
    """Add a customer, or save one (`customer_id`)."""
    values = {k: v for k, v in form.items() if k != "customer_id"}
    values["weight"] = values["weight"] or "1"
    ident = int(form["customer_id"]) if form["customer_id"].isdigit() else None
    try:
        customers.save_customer(
            ctx.db.uow(), actor=actor, product_id=product_id, values=values, customer_id=ident
        )
    except JalonError as exc:
        _refused(exc)
        errors = exc.render_fields(ctx.gettext)
        return _people_page(request, ctx, product_id, status=exc.status, errors=errors, form=form)
    return web.redirect(BASE.format(product_id) + "?done=customer", request)


@router.post("/products/{product_id}/customers/{customer_id}/delete")
def delete_customer(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int, customer_id: int
) -> Response:
    customers.delete_customer(
        ctx.db.uow(), actor=actor, product_id=product_id, customer_id=customer_id
    )
    return web.redirect(BASE.format(product_id) + "?done=deleted", request)


@router.post("/products/{product_id}/segments")
def save_segment(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int,
    name: Text = "", weight: Text = "1", segment_id: Text = "",
) -> Response:  # fmt: skip
    """Add a segment, or save one (`segment_id`)."""
    values = {"name": name, "weight": weight}
    ident = int(segment_id) if segment_id.isdigit() else None
    try:
        customers.save_segment(
            ctx.db.uow(), actor=actor, product_id=product_id, values=values, segment_id=ident
        )
    except JalonError as exc:
        _refused(exc)
        return _people_page(
            request, ctx, product_id, status=exc.status,
            segment_errors=exc.render_fields(ctx.gettext),
            segment_form={**values, "segment_id": segment_id},
        )  # fmt: skip
    return web.redirect(BASE.format(product_id) + "?done=segment#segments", request)


@router.post("/products/{product_id}/segments/{segment_id}/delete")
def delete_segment(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int, segment_id: int
) -> Response:
    customers.delete_segment(
        ctx.db.uow(), actor=actor, product_id=product_id, segment_id=segment_id
    )
    return web.redirect(BASE.format(product_id) + "?done=deleted#segments", request)


# --- CSV import ---------------------------------------------------------------------------------


def _import_page(
    request: Request, ctx: web.Ctx, product_id: int, *, status: int = 200, **extra: Any
) -> Response:
    view = queries.may_import(ctx.db.reader(), actor=ctx.actor, product_id=product_id)
    context = {**common(ctx, view.role), "p": view.product, "fields": csvimport.FIELDS, **extra}
    return web.render(request, "feedback/import.html", context, status=status)


@router.get("/products/{product_id}/feedback/import")
def import_page(request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int) -> Response:
    return _import_page(request, ctx, product_id)


@router.post("/products/{product_id}/feedback/import")
def upload(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:  # fmt: skip
    """Keep the uploaded CSV file for the mapping and dry-run steps."""
    queries.may_import(ctx.db.reader(), actor=actor, product_id=product_id)
    if file is None or not file.filename:
        errors = {"file": ctx.gettext("Choose a CSV file.")}
        return _import_page(request, ctx, product_id, status=422, errors=errors)
    kept = staging.save(
        ctx.settings.data_dir, product_id=product_id, filename=file.filename,
        file_format="feedback-csv", stream=file.file,
    )  # fmt: skip
    return web.redirect(f"/products/{product_id}/feedback/import/{kept.token}", request)


def _mapping(request: Request, form: Any = None) -> dict[str, str] | None:
    source = form if form is not None else request.query_params
    given = {name: str(source.get(f"map_{name}", "")) for name in csvimport.FIELDS}
    return given if any(f"map_{n}" in source for n in csvimport.FIELDS) else None


def _dry_run_page(
    request: Request, ctx: web.Ctx, product_id: int, token: str,
    mapping: dict[str, str] | None, *, status: int = 200, **extra: Any,
) -> Response:  # fmt: skip
    kept = staging.load(ctx.settings.data_dir, token, product_id=product_id)
    found, errors = None, {}
    try:
        with kept.path.open("rb") as stream:
            found = csvimport.read(stream, mapping, now=utcnow())
    except JalonError as exc:
        _refused(exc)
        errors = {**exc.render_fields(ctx.gettext), "": exc.render(ctx.gettext)}
    keys = [str(r.values.get("external_key") or "") for r in found.rows] if found else []
    known = queries.known_keys(ctx.db.reader(), actor=ctx.actor, product_id=product_id, keys=keys)
    with kept.path.open("rb") as stream:
        header = _header(stream)
    chosen = found.mapping if found else (mapping or {})
    return _import_page(
        request, ctx, product_id, status=status if not errors else 422, kept=kept,
        read=found, known=known, header=header, mapping=chosen, errors=errors, **extra,
    )  # fmt: skip


def _header(stream: Any) -> list[str]:
    try:
        return open_rows(stream)[0]
    except JalonError:
        return []


@router.get("/products/{product_id}/feedback/import/{token}")
def dry_run(
    request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int, token: str
) -> Response:
    return _dry_run_page(request, ctx, product_id, token, _mapping(request))


async def _posted_mapping(request: Request) -> dict[str, str] | None:
    return _mapping(request, await request.form())


@router.post("/products/{product_id}/feedback/import/{token}")
def run_import(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int, token: str,
    mapping: Annotated[dict[str, str] | None, Depends(_posted_mapping)],
) -> Response:  # fmt: skip
    """Import the kept file with the chosen mapping (all rows or none)."""
    return _import(request, ctx, product_id, token, mapping)


def _import(
    request: Request, ctx: web.Ctx, product_id: int, token: str, mapping: dict[str, str] | None
) -> Response:
    kept = staging.load(ctx.settings.data_dir, token, product_id=product_id)
    try:
        with kept.path.open("rb") as stream:
            found = csvimport.read(stream, mapping, now=utcnow())
        written = services.import_feedback(
            ctx.db.uow(), actor=ctx.actor, product_id=product_id, rows=found.batch(),
            source="csv", label=kept.filename,
        )  # fmt: skip
    except JalonError as exc:
        _refused(exc)
        return _dry_run_page(request, ctx, product_id, token, mapping, status=exc.status)
    staging.discard(kept)
    done = f"imported&created={len(written.created)}&updated={len(written.updated)}"
    return web.redirect(f"/products/{product_id}/feedback?done={done}", request)


# --- the intake token ---------------------------------------------------------------------------


def _intake_page(
    request: Request, ctx: web.Ctx, product_id: int, *, new_token: str = ""
) -> Response:
    view = queries.intake_settings(ctx.db.reader(), actor=ctx.actor, product_id=product_id)
    context = {**common(ctx, view.role), "view": view, "p": view.product, "new_token": new_token,
               "base_url": str(request.base_url).rstrip("/")}  # fmt: skip
    return web.render(request, "feedback/intake.html", context)


@router.get("/products/{product_id}/feedback/intake")
def intake_page(request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int) -> Response:
    return _intake_page(request, ctx, product_id)


@router.post("/products/{product_id}/feedback/intake")
def create_token(request: Request, ctx: CtxDep, actor: ActorDep, product_id: int) -> Response:
    """Create (or rotate) the token and show it, once, on this answer."""
    raw = services.create_intake_token(ctx.db.uow(), actor=actor, product_id=product_id)
    return _intake_page(request, ctx, product_id, new_token=raw)


@router.post("/products/{product_id}/feedback/intake/revoke")
def revoke_token(request: Request, ctx: CtxDep, actor: ActorDep, product_id: int) -> Response:
    services.revoke_intake_token(ctx.db.uow(), actor=actor, product_id=product_id)
    return web.redirect(f"/products/{product_id}/feedback/intake?done=revoked", request)
