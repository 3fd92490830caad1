"""What the HTML backlog page shows, read in one transaction.

The page used to gather it from five separate reads (the product and role, the items, the
settings and members, the saved views), each authorising again on a connection of its own:
16 queries and five transactions per page. One unit of work does it in about half.
"""

from __future__ import annotations

from dataclasses import dataclass

from jalon.backlog import queries as backlog_queries
from jalon.backlog.models import BacklogSettings, SavedView
from jalon.permissions import Action, Actor, Role
from jalon.products.models import Product
from jalon.products.queries import MemberRow, list_members
from jalon.products.services import authorise, role_of
from jalon.uow import UnitOfWork


@dataclass(frozen=True)
class BacklogView:
    product: Product
    role: Role | None
    page: backlog_queries.Page
    settings: BacklogSettings
    members: list[MemberRow]
    views: list[SavedView]


def backlog_view(
    uow: UnitOfWork,
    *,
    actor: Actor,
    product_id: int,
    filters: backlog_queries.Filters,
    cursor: str | None,
    limit: int,
) -> BacklogView:
    """One page of the backlog with everything around it: 404/403 as `list_items`."""
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        role = role_of(uow, product_id=product_id, user_id=actor.id)
        settings = backlog_queries.backlog_settings(uow, product_id)
        page = backlog_queries.page_in(
            uow, product_id, settings, filters=filters, cursor=cursor, limit=limit
        )
        members = list_members(uow, product_id=product_id)
        views = backlog_queries.views_in(uow, product_id, actor.id)
        return BacklogView(product, role, page, settings, members, views)
