"""Product reads shared by pages, API and CLI. Each loads what it shows in few queries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from jalon import activity
from jalon.accounts.models import User
from jalon.activity import ActivityEntry
from jalon.permissions import Action, Actor, Role
from jalon.products.models import Membership, Product, StageTransition
from jalon.products.services import authorise, role_of
from jalon.uow import UnitOfWork


@dataclass(frozen=True)
class ProductRow:
    product: Product
    role: Role | None


@dataclass(frozen=True)
class MemberRow:
    user: User
    role: Role


@dataclass(frozen=True)
class ProductView:
    product: Product
    role: Role | None
    members: list[MemberRow]
    transitions: list[StageTransition]
    activity: list[ActivityEntry]


def list_products(uow: UnitOfWork, *, actor: Actor) -> list[ProductRow]:
    """Products the actor can see (all of them for an administrator), with their role."""
    with uow:
        stmt = select(Product, Membership.role).outerjoin(
            Membership,
            (Membership.product_id == Product.id) & (Membership.user_id == (actor.id or -1)),
        )
        if not actor.is_admin:
            stmt = stmt.where(Membership.id.is_not(None))
        stmt = stmt.where(Product.is_sandbox.is_(False))  # Academy sandboxes: from their run
        rows = uow.session.execute(stmt.order_by(Product.name, Product.id)).all()
        return [ProductRow(p, Role(r) if r else None) for p, r in rows]


def get_product(uow: UnitOfWork, *, product_id: int, actor: Actor) -> ProductRow:
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        return ProductRow(product, role_of(uow, product_id=product_id, user_id=actor.id))


def list_members(uow: UnitOfWork, *, product_id: int) -> list[MemberRow]:
    rows = uow.session.execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.product_id == product_id)
        .order_by(User.name, User.email)
    ).all()
    return [MemberRow(u, Role(r)) for u, r in rows]


def list_transitions(uow: UnitOfWork, *, product_id: int) -> list[StageTransition]:
    return list(
        uow.session.scalars(
            select(StageTransition)
            .where(StageTransition.product_id == product_id)
            .order_by(StageTransition.at, StageTransition.id)
        )
    )


def product_view(
    uow: UnitOfWork, *, product_id: int, actor: Actor, activity_limit: int = 30
) -> ProductView:
    """Everything the product page shows, in five queries whatever the history's length."""
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        return ProductView(
            product=product,
            role=role_of(uow, product_id=product_id, user_id=actor.id),
            members=list_members(uow, product_id=product_id),
            transitions=list_transitions(uow, product_id=product_id),
            activity=activity.list_activity(uow, product_id=product_id, limit=activity_limit),
        )


def product_members(uow: UnitOfWork, *, product_id: int, actor: Actor) -> list[MemberRow]:
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        return list_members(uow, product_id=product_id)


def product_activity(
    uow: UnitOfWork, *, product_id: int, actor: Actor, limit: int = 50, before_id: int | None = None
) -> list[ActivityEntry]:
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        return activity.list_activity(uow, product_id=product_id, limit=limit, before_id=before_id)
