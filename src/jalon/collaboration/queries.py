"""Collaboration reads: an item's comments, one's notifications and their unread count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Select, func, select

from jalon.backlog.models import Comment, Item, Notification
from jalon.errors import N_, Label, NotFound
from jalon.permissions import Action, Actor
from jalon.products.models import Product
from jalon.products.services import authorise
from jalon.uow import NOT_FOUND, UnitOfWork

if TYPE_CHECKING:
    from jalon.web import Ctx

PAGE = 100


@dataclass(frozen=True)
class NotificationRow:
    note: Notification
    item_title: str
    product_name: str


def list_comments(uow: UnitOfWork, *, actor: Actor, item_id: int) -> list[Comment]:
    with uow:
        item = uow.get(Item, item_id, what="item")
        authorise(uow, product_id=item.product_id, actor=actor, action=Action.READ)
        stmt = select(Comment).where(Comment.item_id == item_id).order_by(Comment.id)
        return list(uow.session.scalars(stmt))


def _notifications(actor: Actor) -> Select[Notification, str, str]:
    return (
        select(Notification, Item.title, Product.name)
        .outerjoin(Item, Item.id == Notification.item_id)
        .outerjoin(Product, Product.id == Item.product_id)
        .where(Notification.user_id == (actor.id or -1))
    )


def list_notifications(
    uow: UnitOfWork, *, actor: Actor, unread_only: bool = False, limit: int = PAGE
) -> list[NotificationRow]:
    """One's notifications, newest first, with the item and product they are about."""
    with uow:
        stmt = _notifications(actor)
        if unread_only:
            stmt = stmt.where(Notification.read_at.is_(None))
        stmt = stmt.order_by(Notification.id.desc()).limit(limit)
        return [NotificationRow(n, t or "", p or "") for n, t, p in uow.session.execute(stmt)]


def get_notification(uow: UnitOfWork, *, actor: Actor, notification_id: int) -> NotificationRow:
    with uow:
        stmt = _notifications(actor).where(Notification.id == notification_id)
        row = uow.session.execute(stmt).first()
        if row is None:
            raise NotFound(
                NOT_FOUND, what=Label("notification", N_("notification")), ident=notification_id
            )
        return NotificationRow(row[0], row[1] or "", row[2] or "")


def count_unread(uow: UnitOfWork, *, user_id: int) -> int:
    with uow:
        stmt = select(func.count()).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
        return int(uow.session.scalar(stmt) or 0)


def unread_for(ctx: Ctx) -> int:
    """The bell's count in the top bar (templates call it; 0 when signed out)."""
    if ctx.user is None:
        return 0
    return count_unread(ctx.db.reader(), user_id=ctx.user.id)
