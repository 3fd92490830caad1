"""The product vision board and personas page: read by everyone on the product, the board
edited by the Product Owner, the personas by the team."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from jalon import web
from jalon.discovery import queries, rules
from jalon.discovery.board import services
from jalon.discovery.pages import Fields, common, refused
from jalon.errors import JalonError
from jalon.web import ActorDep, CtxDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(web.verify_csrf)])
BOARD = "/products/{}/discovery/vision"
PERSONA = ("name", *rules.PERSONA_TEXTS, "segment_id")


def _board_page(
    request: Request, ctx: web.Ctx, product_id: int, *, status: int = 200, **extra: Any
) -> Response:
    page = queries.get_board(ctx.db.reader(), actor=ctx.actor, product_id=product_id)
    context = {
        **common(ctx, page.role, "vision"), "p": page.product, "page": page,
        "board_values": _values(page),
        "saved": request.query_params.get("saved", ""), "open_form": "", "editing": 0,
        **extra,
    }  # fmt: skip
    return web.render(request, "discovery/board.html", context, status=status)


def _values(page: queries.BoardPage) -> dict[str, str]:
    """The board's texts; a product without a board starts from its vision and users."""
    if page.board is not None:
        return {k: getattr(page.board, k) for k in rules.VISION_FIELDS}
    p = page.product
    return {"vision": p.vision, "target_group": p.target_users, "needs": "", "product": "",
            "business_goals": p.product_goal}  # fmt: skip


@router.get("/products/{product_id}/discovery/vision")
def board_page(request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int) -> Response:
    return _board_page(request, ctx, product_id)


@router.post("/products/{product_id}/discovery/vision")
def save_board(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int, form: Fields
) -> Response:
    values = {k: form.get(k, "") for k in rules.VISION_FIELDS}
    try:
        services.save_vision(ctx.db.uow(), actor=actor, product_id=product_id, values=values)
    except JalonError as exc:
        return _board_page(request, ctx, product_id, status=exc.status,
                           errors=refused(exc, ctx), board_values=values,
                           open_form="board")  # fmt: skip
    return web.redirect(BOARD.format(product_id) + "?saved=board", request)


@router.post("/products/{product_id}/discovery/personas")
def add_persona(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int, form: Fields
) -> Response:
    values = {k: form.get(k, "") for k in PERSONA}
    try:
        made = services.create_persona(
            ctx.db.uow(), actor=actor, product_id=product_id, values=values
        )
    except JalonError as exc:
        return _board_page(request, ctx, product_id, status=exc.status,
                           errors=refused(exc, ctx), form=values,
                           open_form="persona")  # fmt: skip
    return web.redirect(BOARD.format(product_id) + f"?saved=persona#persona-{made.id}", request)


@router.post("/discovery/personas/{persona_id}/edit")
def edit_persona(
    request: Request, ctx: CtxDep, actor: ActorDep, persona_id: int, form: Fields
) -> Response:
    values = {k: form.get(k, "") for k in PERSONA}
    product_id = int(form.get("product_id", "0") or 0)
    try:
        saved = services.update_persona(
            ctx.db.uow(), actor=actor, persona_id=persona_id, values=values
        )
    except JalonError as exc:
        if not product_id:
            raise
        return _board_page(request, ctx, product_id, status=exc.status,
                           errors=refused(exc, ctx), form=values,
                           editing=persona_id)  # fmt: skip
    target = BOARD.format(saved.product_id) + f"?saved=persona#persona-{persona_id}"
    return web.redirect(target, request)


@router.post("/discovery/personas/{persona_id}/delete")
def delete_persona(request: Request, ctx: CtxDep, actor: ActorDep, persona_id: int) -> Response:
    product_id = services.delete_persona(ctx.db.uow(), actor=actor, persona_id=persona_id)
    return web.redirect(BOARD.format(product_id) + "?saved=deleted", request)
