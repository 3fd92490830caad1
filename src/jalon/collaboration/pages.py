"""Collaboration pages: commenting on an item, and one's notifications (the top bar's bell)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from jalon import web
from jalon.collaboration import queries, services
from jalon.errors import JalonError
from jalon.refinement.pages import item_response
from jalon.web import ActorDep, CtxDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(web.verify_csrf)])
Text = Annotated[str, Form()]


@router.post("/items/{item_id}/comments")
def comment(
    request: Request, ctx: CtxDep, actor: ActorDep, item_id: int, body: Text = ""
) -> Response:
    try:
        made = services.add_comment(ctx.db.uow(), actor=actor, item_id=item_id, body=body)
    except JalonError as exc:
        if exc.status != 422:
            raise
        errors = exc.render_fields(ctx.gettext)
        return item_response(
            request, ctx, item_id, status=422, comment_errors=errors, comment_body=body
        )
    return web.redirect(f"/items/{item_id}#comment-{made.id}", request)


@router.get("/notifications")
def notifications(request: Request, ctx: CtxDep, actor: ActorDep) -> Response:
    rows = queries.list_notifications(ctx.db.reader(), actor=actor)
    unread = sum(1 for r in rows if r.note.read_at is None)
    return web.render(request, "collaboration/notifications.html", {"rows": rows, "unread": unread})


@router.post("/notifications/read-all")
def read_all(request: Request, ctx: CtxDep, actor: ActorDep) -> Response:
    services.mark_all_read(ctx.db.uow(), actor=actor)
    return web.redirect("/notifications", request)


@router.post("/notifications/{notification_id}/read")
def read_one(
    request: Request, ctx: CtxDep, actor: ActorDep, notification_id: int, next: Text = ""
) -> Response:
    services.mark_read(ctx.db.uow(), actor=actor, notification_id=notification_id)
    return web.redirect(web.safe_next(next, "/notifications"), request)
