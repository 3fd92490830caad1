"""Backlog pages: the ordered backlog with drag and drop and keyboard moves, and one item."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from jalon import web
from jalon.backlog import queries, rules, services
from jalon.backlog.schemas import ItemQuery
from jalon.errors import JalonError, PreconditionFailed
from jalon.permissions import Action, can
from jalon.products import queries as product_queries
from jalon.web import ActorDep, CtxDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(web.verify_csrf)])
Text = Annotated[str, Form()]


class ItemForm(BaseModel):
    title: str = ""
    type: str = "story"
    status: str = ""
    estimate: str = ""
    business_value: str = ""
    description: str = ""
    acceptance_criteria: str = ""
    tags: str = ""
    due_date: str = ""
    version: int = 0

    def values(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "type": self.type,
            "status": self.status,
            "estimate": self.estimate or None,
            "business_value": float(self.business_value) if self.business_value else None,
            "description": self.description,
            "acceptance_criteria": self.acceptance_criteria,
            "tags": [t for t in self.tags.replace(";", ",").split(",") if t.strip()],
            "due_date": self.due_date or None,
        }


def _labels() -> dict[str, Any]:
    return {"type_labels": rules.TYPE_LABELS, "types": list(rules.TYPE_LABELS)}


@router.get("/products/{product_id}/backlog")
def backlog(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    query: Annotated[ItemQuery, Query()],
) -> Response:
    row = product_queries.get_product(ctx.db.reader(), product_id=product_id, actor=actor)
    filters = query.filters()
    page = queries.list_items(
        ctx.db.reader(),
        actor=actor,
        product_id=product_id,
        filters=filters,
        cursor=query.cursor,
        limit=query.limit,
    )
    with ctx.db.reader() as uow:
        settings = queries.backlog_settings(uow, product_id)
    return web.render(
        request,
        "backlog/backlog.html",
        {
            "p": row.product,
            "page": page,
            "filters": filters,
            "settings": settings,
            "can_edit": can(row.role, Action.CONTRIBUTE, is_admin=actor.is_admin),
            "errors": {},
            **_labels(),
        },
        fragment="backlog/_rows.html",
    )


@router.post("/products/{product_id}/backlog")
def create_item(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    title: Text = "",
    type: Text = "story",
) -> Response:
    try:
        services.create_item(
            ctx.db.uow(), actor=actor, product_id=product_id, values={"title": title, "type": type}
        )
    except JalonError as exc:
        if exc.status != 422:
            raise
        return web.render(
            request,
            "error.html",
            {"message": exc.render(ctx.gettext), "fields": exc.render_fields(ctx.gettext)},
            status=422,
        )
    return web.redirect(f"/products/{product_id}/backlog#bottom", request)


@router.post("/items/{item_id}/move")
def move(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    item_id: int,
    to: Text = "",
    before_id: Annotated[int | None, Form()] = None,
    after_id: Annotated[int | None, Form()] = None,
) -> Response:
    where = services.Placement(before_id=before_id, after_id=after_id, to=to or None)
    item = services.move_item(ctx.db.uow(), actor=actor, item_id=item_id, where=where)
    return web.redirect(f"/products/{item.product_id}/backlog#item-{item.id}", request)


def _item_page(
    request: Request, ctx: web.Ctx, item_id: int, *, status: int = 200, **extra: Any
) -> Response:
    view = queries.get_item(ctx.db.reader(), actor=ctx.actor, item_id=item_id)
    row = product_queries.get_product(
        ctx.db.reader(), product_id=view.item.product_id, actor=ctx.actor
    )
    allowed = {a: can(row.role, a, is_admin=ctx.actor.is_admin) for a in Action}
    context = {
        "view": view,
        "item": view.item,
        "p": row.product,
        "can": allowed,
        "errors": {},
        "form": None,
        "conflict": None,
        **_labels(),
        **extra,
    }
    return web.render(request, "backlog/item.html", context, status=status)


@router.get("/items/{item_id}")
def show_item(request: Request, ctx: CtxDep, _actor: ActorDep, item_id: int) -> Response:
    return _item_page(request, ctx, item_id)


@router.post("/items/{item_id}/edit")
def edit_item(
    request: Request, ctx: CtxDep, actor: ActorDep, item_id: int, form: Annotated[ItemForm, Form()]
) -> Response:
    try:
        services.update_item(
            ctx.db.uow(),
            actor=actor,
            item_id=item_id,
            values=form.values(),
            expected_version=form.version,
        )
    except PreconditionFailed as exc:
        return _item_page(
            request, ctx, item_id, status=412, form=form, conflict=exc.render(ctx.gettext)
        )
    except JalonError as exc:
        if exc.status != 422:
            raise
        return _item_page(
            request, ctx, item_id, status=422, form=form, errors=exc.render_fields(ctx.gettext)
        )
    return web.redirect(f"/items/{item_id}", request)


@router.post("/items/{item_id}/comments")
def comment(
    request: Request, ctx: CtxDep, actor: ActorDep, item_id: int, body: Text = ""
) -> Response:
    try:
        services.add_comment(ctx.db.uow(), actor=actor, item_id=item_id, body=body)
    except JalonError as exc:
        if exc.status != 422:
            raise
        return _item_page(
            request,
            ctx,
            item_id,
            status=422,
            errors=exc.render_fields(ctx.gettext),
            comment_body=body,
        )
    return web.redirect(f"/items/{item_id}#comments", request)
