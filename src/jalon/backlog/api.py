"""Backlog JSON API: items, order, optimistic locking with ETag / If-Match.

Comments are in `jalon.collaboration.api`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response

from jalon import web
from jalon.backlog import queries, services
from jalon.backlog.models import Item
from jalon.backlog.schemas import (
    ItemCreate,
    ItemEdited,
    ItemOut,
    ItemPage,
    ItemQuery,
    ItemUpdate,
    Move,
)
from jalon.errors import Invalid, translate
from jalon.web import ActorDep, CtxDep

router = APIRouter(prefix="/api/v1", tags=["backlog"], dependencies=[Depends(web.verify_csrf)])
ERRORS: dict[int | str, dict[str, object]] = {
    **web.API_ERRORS,
}


def item_out(item: Item, tags: list[str]) -> ItemOut:
    out = ItemOut.model_validate(item)
    out.tags = tags
    return out


def etag(item: Item) -> str:
    return f'"{item.version}"'


def parse_if_match(value: str | None) -> int | None:
    """The version an If-Match header names ("3", W/"3" or 3); None for absent or *."""
    if value is None or value.strip() == "*":
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise Invalid('If-Match must be the ETag of the item, like "3".', field="If-Match")
    return int(text)


@router.post(
    "/products/{product_id}/items",
    response_model=ItemOut,
    status_code=201,
    responses=ERRORS,
    summary="Add an item at the bottom of the backlog",
)
def create_item(
    product_id: int, body: ItemCreate, ctx: CtxDep, actor: ActorDep, response: Response
) -> ItemOut:
    values = body.model_dump(exclude_none=True)
    item = services.create_item(ctx.db.uow(), actor=actor, product_id=product_id, values=values)
    response.headers["Location"] = f"/api/v1/items/{item.id}"
    response.headers["ETag"] = etag(item)
    return item_out(item, sorted({t.strip().lower() for t in body.tags if t.strip()}))


@router.get(
    "/products/{product_id}/items",
    response_model=ItemPage,
    responses=ERRORS,
    summary="The backlog in rank order, a page at a time",
)
def list_items(
    product_id: int, ctx: CtxDep, actor: ActorDep, query: Annotated[ItemQuery, Query()]
) -> ItemPage:
    page = queries.list_items(
        ctx.db.reader(),
        actor=actor,
        product_id=product_id,
        filters=query.filters(),
        cursor=query.cursor,
        limit=query.limit,
    )
    return ItemPage(
        items=[item_out(i, page.tags[i.id]) for i in page.items], next_cursor=page.next_cursor
    )


@router.get("/items/{item_id}", response_model=ItemOut, responses=ERRORS)
def get_item(item_id: int, ctx: CtxDep, actor: ActorDep, response: Response) -> ItemOut:
    view = queries.get_item(ctx.db.reader(), actor=actor, item_id=item_id)
    response.headers["ETag"] = etag(view.item)
    return item_out(view.item, view.tags)


@router.patch(
    "/items/{item_id}",
    response_model=ItemEdited,
    responses=ERRORS | {412: {"description": "Changed since your If-Match version"}},
    summary="Edit an item; send If-Match with its ETag to avoid overwriting others",
    description="A move to a done status with the Definition of Done not all ticked "
    "happens, and the answer's `warnings` say what is still unticked.",
)
def update_item(
    item_id: int,
    body: ItemUpdate,
    ctx: CtxDep,
    actor: ActorDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> ItemEdited:
    edited = services.edit_item(
        ctx.db.uow(),
        actor=actor,
        item_id=item_id,
        values=body.model_dump(exclude_unset=True),
        expected_version=parse_if_match(if_match),
    )
    view = queries.get_item(ctx.db.reader(), actor=actor, item_id=edited.item.id)
    response.headers["ETag"] = etag(view.item)
    out = ItemEdited.model_validate(item_out(view.item, view.tags).model_dump())
    if edited.warning is not None:
        out.warnings = [translate(edited.warning, ctx.gettext)]
    return out


@router.post(
    "/items/{item_id}/move",
    response_model=ItemOut,
    responses=ERRORS,
    summary="Move an item before or after another one, or to the top or bottom",
)
def move_item(
    item_id: int, body: Move, ctx: CtxDep, actor: ActorDep, response: Response
) -> ItemOut:
    where = services.Placement(before_id=body.before_id, after_id=body.after_id, to=body.to)
    item = services.move_item(ctx.db.uow(), actor=actor, item_id=item_id, where=where)
    response.headers["ETag"] = etag(item)
    view = queries.get_item(ctx.db.reader(), actor=actor, item_id=item.id)
    return item_out(view.item, view.tags)
