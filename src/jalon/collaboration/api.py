"""Collaboration JSON API: comments on items, and one's notifications."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from jalon import web
from jalon.collaboration import queries, services
from jalon.collaboration.queries import NotificationRow
from jalon.collaboration.schemas import CommentIn, CommentOut, NotificationOut, ReadAll
from jalon.web import ActorDep, CtxDep

router = APIRouter(
    prefix="/api/v1", tags=["collaboration"], dependencies=[Depends(web.verify_csrf)]
)
ERRORS: dict[int | str, dict[str, object]] = {
    **web.API_ERRORS,
}


def notification_out(row: NotificationRow) -> NotificationOut:
    note = row.note
    return NotificationOut(
        id=note.id,
        kind=note.kind,
        item_id=note.item_id,
        comment_id=note.comment_id,
        item_title=row.item_title,
        product_name=row.product_name,
        by=note.text,
        created_at=note.created_at,
        read_at=note.read_at,
    )


@router.post(
    "/items/{item_id}/comments",
    response_model=CommentOut,
    status_code=201,
    responses=ERRORS,
    summary="Comment on an item; @mentions notify members",
)
def add_comment(item_id: int, body: CommentIn, ctx: CtxDep, actor: ActorDep) -> CommentOut:
    comment = services.add_comment(ctx.db.uow(), actor=actor, item_id=item_id, body=body.body)
    return CommentOut.model_validate(comment)


@router.get("/items/{item_id}/comments", response_model=list[CommentOut], responses=ERRORS)
def list_comments(item_id: int, ctx: CtxDep, actor: ActorDep) -> list[CommentOut]:
    comments = queries.list_comments(ctx.db.reader(), actor=actor, item_id=item_id)
    return [CommentOut.model_validate(c) for c in comments]


@router.get(
    "/notifications",
    response_model=list[NotificationOut],
    responses=ERRORS,
    summary="Your notifications, newest first (`?unread=true` for the unread ones)",
)
def list_notifications(ctx: CtxDep, actor: ActorDep, unread: bool = False) -> list[NotificationOut]:
    rows = queries.list_notifications(ctx.db.reader(), actor=actor, unread_only=unread)
    return [notification_out(r) for r in rows]


@router.post(
    "/notifications/read-all",
    response_model=ReadAll,
    responses=ERRORS,
    summary="Mark all your notifications read",
)
def read_all(ctx: CtxDep, actor: ActorDep) -> ReadAll:
    return ReadAll(marked=services.mark_all_read(ctx.db.uow(), actor=actor))


@router.post(
    "/notifications/{notification_id}/read",
    response_model=NotificationOut,
    responses=ERRORS,
    summary="Mark one of your notifications read",
)
def read_one(notification_id: int, ctx: CtxDep, actor: ActorDep) -> NotificationOut:
    services.mark_read(ctx.db.uow(), actor=actor, notification_id=notification_id)
    row = queries.get_notification(ctx.db.reader(), actor=actor, notification_id=notification_id)
    return notification_out(row)
