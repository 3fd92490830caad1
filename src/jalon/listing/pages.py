"""Backlog list pages: bulk edit of the selected rows, saving and deleting views."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from jalon import web
from jalon.backlog.pages import backlog_page
from jalon.backlog.schemas import ItemQuery
from jalon.errors import JalonError
from jalon.listing import services
from jalon.web import ActorDep, CtxDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(web.verify_csrf)])
Text = Annotated[str, Form()]
LISTS = ("type", "status")


def list_query(back: str) -> ItemQuery:
    """The filters of the list a form came from (its query string), or none if unreadable."""
    raw = parse_qs(back[:2000], keep_blank_values=False)
    data: dict[str, Any] = {k: v if k in LISTS else v[0] for k, v in raw.items()}
    data.pop("cursor", None)
    try:
        return ItemQuery.model_validate(data)
    except ValidationError:
        return ItemQuery()


def _back_to(product_id: int, back: str) -> str:
    query = list_query(back).filters().as_query()
    suffix = urlencode(query, doseq=True)
    return f"/products/{product_id}/backlog" + (f"?{suffix}" if suffix else "")


class BulkForm(BaseModel):
    item: list[int] = []
    status: str = ""
    type: str = ""
    assignee_id: str = ""
    add_tags: str = ""
    remove_tags: str = ""
    back: str = ""

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.status:
            out["status"] = self.status
        if self.type:
            out["type"] = self.type
        if self.assignee_id == "none":
            out["assignee_id"] = None
        elif self.assignee_id.isdigit():
            out["assignee_id"] = int(self.assignee_id)
        return out


def _tags(text: str) -> list[str]:
    return [t for t in text.replace(";", ",").split(",") if t.strip()]


@router.post("/products/{product_id}/backlog/bulk")
def bulk_update(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    form: Annotated[BulkForm, Form()],
) -> Response:
    try:
        services.bulk_update(
            ctx.db.uow(),
            actor=actor,
            product_id=product_id,
            item_ids=form.item,
            values=form.values(),
            add_tags=_tags(form.add_tags),
            remove_tags=_tags(form.remove_tags),
        )
    except JalonError as exc:
        if exc.status != 422:
            raise
        return backlog_page(
            request,
            ctx,
            product_id,
            list_query(form.back),
            status=422,
            bulk_message=exc.render(ctx.gettext),
            bulk_errors=exc.render_fields(ctx.gettext),
            selected=set(form.item),
        )
    return web.redirect(_back_to(product_id, form.back), request)


@router.post("/products/{product_id}/views")
def save_view(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    name: Text = "",
    shared: Text = "",
    back: Text = "",
) -> Response:
    query = list_query(back)
    try:
        services.save_view(
            ctx.db.uow(),
            actor=actor,
            product_id=product_id,
            name=name,
            filters=query.filters(),
            shared=bool(shared),
        )
    except JalonError as exc:
        if exc.status != 422:
            raise
        return backlog_page(
            request, ctx, product_id, query, status=422, view_errors=exc.render_fields(ctx.gettext)
        )
    return web.redirect(_back_to(product_id, back), request)


@router.post("/views/{view_id}/delete")
def delete_view(
    request: Request, ctx: CtxDep, actor: ActorDep, view_id: int, back: Text = ""
) -> Response:
    product_id = services.delete_view(ctx.db.uow(), actor=actor, view_id=view_id)
    return web.redirect(_back_to(product_id, back), request)
