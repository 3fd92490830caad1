"""Administration reads."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from jalon import activity
from jalon.accounts.models import User
from jalon.activity import ActivityEntry
from jalon.errors import Forbidden
from jalon.permissions import Actor
from jalon.products.models import Membership
from jalon.uow import UnitOfWork


@dataclass(frozen=True)
class UserRow:
    user: User
    products: int


@dataclass(frozen=True)
class PeopleView:
    rows: list[UserRow]
    activity: list[ActivityEntry]


def people(uow: UnitOfWork, *, actor: Actor) -> PeopleView:
    """Every account with its number of products, and the account activity (three queries)."""
    if not actor.is_admin:
        raise Forbidden("Only administrators can manage users.")
    with uow:
        counts = dict(
            uow.session.execute(
                select(Membership.user_id, func.count(Membership.id)).group_by(Membership.user_id)
            ).all()
        )
        users = uow.session.scalars(select(User).order_by(User.is_active.desc(), User.email))
        rows = [UserRow(u, int(counts.get(u.id, 0))) for u in users]
        return PeopleView(rows, activity.list_account_activity(uow))
