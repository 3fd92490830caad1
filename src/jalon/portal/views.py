"""The team's reads of the portal: the ideas overview, the moderation queue, the settings,
an idea's page and the API's list (the public reads and shared helpers are in queries.py)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from jalon.backlog.models import Item
from jalon.errors import N_
from jalon.permissions import Action, Actor, Role
from jalon.portal import rules
from jalon.portal.models import Idea, IdeaComment, PortalSettings
from jalon.portal.queries import (
    IdeaRow,
    arranged,
    idea_rows,
    portal_settings,
    published,
    survivor_of,
    topics,
)
from jalon.products.models import Product
from jalon.products.services import authorise, role_of
from jalon.uow import UnitOfWork

# --- the team's views -----------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    product: Product
    role: Role | None
    settings: PortalSettings
    rows: list[IdeaRow]
    pending: int
    topics: list[tuple[int, str, int]]


def overview(
    uow: UnitOfWork, *, actor: Actor, product_id: int, sort: str = "votes", status: str = "",
    topic: int | None = None,
) -> Overview:  # fmt: skip
    """Every published idea (whatever the statuses shown to the public), with their themes,
    and the size of the moderation queue."""
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        rows = idea_rows(uow, product_id, published(uow, product_id))
        pending = _count_state(uow, product_id, "pending")
        listed = arranged(rows, sort=sort, status=status, shown=rules.STATUSES, topic=topic)
        return Overview(
            product, role_of(uow, product_id=product_id, user_id=actor.id),
            portal_settings(uow, product), listed, pending, topics(rows),
        )  # fmt: skip


def _count_state(uow: UnitOfWork, product_id: int, state: str) -> int:
    stmt = (
        select(func.count())
        .select_from(Idea)
        .where(Idea.product_id == product_id, Idea.state == state)
    )
    return int(uow.session.scalar(stmt) or 0)


@dataclass(frozen=True)
class Queue:
    product: Product
    settings: PortalSettings
    ideas: list[Idea]


def moderation_queue(uow: UnitOfWork, *, actor: Actor, product_id: int) -> Queue:
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.EDIT_PRODUCT)
        stmt = select(Idea).where(Idea.product_id == product_id, Idea.state == "pending")
        ideas = list(uow.session.scalars(stmt.order_by(Idea.created_at, Idea.id)))
        return Queue(product, portal_settings(uow, product), ideas)


def settings_view(
    uow: UnitOfWork, *, actor: Actor, product_id: int
) -> tuple[Product, PortalSettings]:
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.EDIT_PRODUCT)
        return product, portal_settings(uow, product)


@dataclass(frozen=True)
class IdeaDetail:
    product: Product
    role: Role | None
    settings: PortalSettings
    row: IdeaRow
    comments: list[IdeaComment]
    item: Item | None
    others: list[Idea]  # what it can be merged into
    survivor: Idea | None  # when merged


def idea_detail(uow: UnitOfWork, *, actor: Actor, idea_id: int) -> IdeaDetail:
    with uow:
        idea = uow.get(Idea, idea_id, what=N_("idea"))
        product = authorise(uow, product_id=idea.product_id, actor=actor, action=Action.READ)
        row = idea_rows(uow, product.id, [idea])[0]
        stmt = select(IdeaComment).where(IdeaComment.idea_id == idea.id).order_by(IdeaComment.id)
        comments = list(uow.session.scalars(stmt))
        item = uow.session.get(Item, idea.item_id) if idea.item_id else None
        others = [i for i in published(uow, product.id) if i.id != idea.id]
        survivor = survivor_of(uow, idea) if idea.state == "merged" else None
        return IdeaDetail(
            product, role_of(uow, product_id=product.id, user_id=actor.id),
            portal_settings(uow, product), row, comments, item, others, survivor,
        )  # fmt: skip


@dataclass(frozen=True)
class IdeaList:
    slug: str | None  # the public portal's slug, when it is open
    rows: list[IdeaRow]


def list_ideas(
    uow: UnitOfWork, *, actor: Actor, product_id: int, state: str = "published"
) -> IdeaList:
    """For the API: a product's ideas in one moderation state, most voted first."""
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        stmt = select(Idea).where(Idea.product_id == product_id, Idea.state == state)
        rows = idea_rows(uow, product_id, list(uow.session.scalars(stmt.order_by(Idea.id))))
        settings = portal_settings(uow, product)
        return IdeaList(
            settings.slug if settings.enabled else None,
            arranged(rows, sort="votes", status="", shown=rules.STATUSES),
        )
