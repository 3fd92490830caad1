"""Backlog pages: the ordered backlog with drag and drop and keyboard moves, and one item."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from jalon import web
from jalon.backlog import queries, rules, services
from jalon.backlog.schemas import ItemQuery
from jalon.errors import JalonError, PreconditionFailed
from jalon.listing.queries import BacklogView, backlog_view
from jalon.listing.schemas import view_href
from jalon.permissions import Action, can
from jalon.prioritisation.rules import MODELS
from jalon.refinement.pages import item_response
from jalon.refinement.schemas import ItemForm
from jalon.web import ActorDep, CtxDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(web.verify_csrf)])
Text = Annotated[str, Form()]


def _labels() -> dict[str, Any]:
    return {"type_labels": rules.TYPE_LABELS, "types": list(rules.TYPE_LABELS)}


def _list_context(filters: queries.Filters, view: BacklogView) -> dict[str, Any]:
    settings = view.settings
    return {
        "filters": filters,
        "list_query": urlencode(filters.as_query(), doseq=True),
        "settings": settings,
        "status_info": {str(x["key"]): x for x in settings.statuses},
        "members": view.members,
        "views": view.views,
        "view_href": view_href,
        "selected": set(),
        "score_models": [(k, m.label) for k, m in MODELS.items()],
        "errors": {},
        "bulk_errors": {},
        **_labels(),
    }


def backlog_page(
    request: Request,
    ctx: web.Ctx,
    product_id: int,
    query: ItemQuery,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    """The backlog list with its filters, saved views and bulk-edit bar (or, for HTMX, the
    next page of rows). `extra` carries form errors when a bulk edit or a view is refused.
    Everything is read in one transaction (`listing.queries.backlog_view`)."""
    actor = ctx.actor
    filters = query.filters()
    view = backlog_view(
        ctx.db.reader(),
        actor=actor,
        product_id=product_id,
        filters=filters,
        cursor=query.cursor,
        limit=query.limit,
    )
    context = _list_context(filters, view)
    context |= {
        "p": view.product,
        "page": view.page,
        "can_edit": can(view.role, Action.CONTRIBUTE, is_admin=actor.is_admin),
        **extra,
    }
    return web.render(
        request, "backlog/backlog.html", context, status=status, fragment="backlog/_rows.html"
    )


@router.get("/products/{product_id}/backlog")
def backlog(
    request: Request,
    ctx: CtxDep,
    _actor: ActorDep,
    product_id: int,
    query: Annotated[ItemQuery, Query()],
) -> Response:
    return backlog_page(request, ctx, product_id, query)


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
    back: Text = "",
) -> Response:
    """A keyboard move (no JavaScript): back to the list as it was filtered."""
    where = services.Placement(before_id=before_id, after_id=after_id, to=to or None)
    item = services.move_item(ctx.db.uow(), actor=actor, item_id=item_id, where=where)
    query = f"?{back}" if back and not back.startswith(("/", "?")) else ""
    return web.redirect(f"/products/{item.product_id}/backlog{query}#item-{item.id}", request)


@router.get("/items/{item_id}")
def show_item(request: Request, ctx: CtxDep, _actor: ActorDep, item_id: int) -> Response:
    return item_response(request, ctx, item_id)


@router.post("/items/{item_id}/edit")
def edit_item(
    request: Request, ctx: CtxDep, actor: ActorDep, item_id: int, form: Annotated[ItemForm, Form()]
) -> Response:
    """Save the item page's form; a stale version shows both versions, keeping the typed text."""
    try:
        edited = services.edit_item(
            ctx.db.uow(),
            actor=actor,
            item_id=item_id,
            values=form.values(),
            expected_version=form.version,
        )
    except PreconditionFailed as exc:
        conflict = exc.render(ctx.gettext)
        return item_response(request, ctx, item_id, status=412, form=form, conflict=conflict)
    except JalonError as exc:
        if exc.status != 422:
            raise
        errors = exc.render_fields(ctx.gettext)
        return item_response(request, ctx, item_id, status=422, form=form, errors=errors)
    warning = "?warning=dod" if edited.warning else ""
    return web.redirect(f"/items/{item_id}{warning}", request)
