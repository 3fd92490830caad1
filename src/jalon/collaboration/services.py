"""Collaboration use cases: comments on items, @mentions and the notifications they send."""

from __future__ import annotations

from sqlalchemy import update

from jalon import activity
from jalon.activity import Subject
from jalon.backlog import queries as backlog_queries
from jalon.backlog import rules as backlog_rules
from jalon.backlog import search
from jalon.backlog.models import Comment, Item, Notification
from jalon.db import utcnow
from jalon.errors import N_, Invalid, Label, NotFound
from jalon.permissions import Action, Actor
from jalon.products.services import authorise
from jalon.uow import NOT_FOUND, UnitOfWork

MAX_COMMENT = 10000


def _notify(uow: UnitOfWork, item: Item, comment: Comment, actor: Actor) -> int:
    """One notification per product member @mentioned (not the author); how many."""
    handles = backlog_rules.mentions(comment.body)
    sent = 0
    for user in backlog_queries.mentioned_members(uow, item.product_id, handles):
        if user.id == actor.id:
            continue
        uow.add(
            Notification(
                user_id=user.id,
                item_id=item.id,
                comment_id=comment.id,
                kind="mention",
                text=actor.label[:300],
                created_at=utcnow(),
            )
        )
        sent += 1
    return sent


def add_comment(uow: UnitOfWork, *, actor: Actor, item_id: int, body: str) -> Comment:
    """Comment on an item; each @mention of a product member notifies them in the app."""
    body = body.strip()
    if not body or len(body) > MAX_COMMENT:
        raise Invalid("Write a comment of at most 10,000 characters.", field="body")
    with uow:
        item = uow.get(Item, item_id, what=N_("item"))
        authorise(uow, product_id=item.product_id, actor=actor, action=Action.COMMENT)
        comment = Comment(
            item_id=item.id,
            author_id=actor.id,
            author_label=actor.label,
            body=body,
            created_at=utcnow(),
        )
        uow.add(comment)
        uow.flush()
        _notify(uow, item, comment, actor)
        search.refresh(uow, [item.id])  # comments are searchable
        activity.record(
            uow,
            "collaboration.comment.added",
            Subject("item", item.id, item.title),
            actor=actor,
            product_id=item.product_id,
        )
        uow.commit()
    return comment


def mark_read(uow: UnitOfWork, *, actor: Actor, notification_id: int) -> Notification:
    """Mark one of one's own notifications read (someone else's looks missing: 404)."""
    with uow:
        note = uow.session.get(Notification, notification_id)
        if note is None or note.user_id != actor.id:
            raise NotFound(
                NOT_FOUND, what=Label("notification", N_("notification")), ident=notification_id
            )
        if note.read_at is None:
            note.read_at = utcnow()
        uow.commit()
    return note


def mark_all_read(uow: UnitOfWork, *, actor: Actor) -> int:
    """Mark all of one's unread notifications read; how many were unread."""
    with uow:
        result = uow.session.execute(
            update(Notification)
            .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
        )
        uow.commit()
    return int(getattr(result, "rowcount", 0) or 0)
