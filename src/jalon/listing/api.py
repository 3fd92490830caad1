"""JSON API of the backlog list: bulk edits and saved views."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from jalon import web
from jalon.backlog import queries
from jalon.listing import services
from jalon.listing.schemas import BulkEdit, BulkResult, ViewIn, ViewOut
from jalon.web import ActorDep, CtxDep

router = APIRouter(prefix="/api/v1", tags=["backlog"], dependencies=[Depends(web.verify_csrf)])
ERRORS: dict[int | str, dict[str, object]] = {
    **web.API_ERRORS,
    422: {"description": "Invalid input, per field (`items.<id>` for a bulk edit)"},
}


@router.post(
    "/products/{product_id}/items/bulk",
    response_model=BulkResult,
    responses=ERRORS,
    summary="Edit status, type, assignee and tags of many items at once: all or nothing",
)
def bulk_update(product_id: int, body: BulkEdit, ctx: CtxDep, actor: ActorDep) -> BulkResult:
    updated = services.bulk_update(
        ctx.db.uow(),
        actor=actor,
        product_id=product_id,
        item_ids=body.item_ids,
        values=body.values(),
        add_tags=body.add_tags,
        remove_tags=body.remove_tags,
    )
    return BulkResult(updated=updated)


@router.get(
    "/products/{product_id}/views",
    response_model=list[ViewOut],
    responses=ERRORS,
    summary="Your saved views of the backlog, then the shared ones",
)
def list_views(product_id: int, ctx: CtxDep, actor: ActorDep) -> list[ViewOut]:
    views = queries.list_views(ctx.db.reader(), actor=actor, product_id=product_id)
    return [ViewOut.of(v) for v in views]


@router.post(
    "/products/{product_id}/views",
    response_model=ViewOut,
    status_code=201,
    responses=ERRORS,
    summary="Save filters under a name, for you or shared with the product",
)
def save_view(product_id: int, body: ViewIn, ctx: CtxDep, actor: ActorDep) -> ViewOut:
    view = services.save_view(
        ctx.db.uow(),
        actor=actor,
        product_id=product_id,
        name=body.name,
        filters=body.query.filters(),
        shared=body.shared,
    )
    return ViewOut.of(view)


@router.delete(
    "/views/{view_id}",
    status_code=204,
    response_class=Response,
    responses=ERRORS,
    summary="Delete one of your views, or a shared one",
)
def delete_view(view_id: int, ctx: CtxDep, actor: ActorDep) -> Response:
    services.delete_view(ctx.db.uow(), actor=actor, view_id=view_id)
    return Response(status_code=204)
