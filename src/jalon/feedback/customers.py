"""Customers and segments: who gives feedback, and how much their word weighs.

A segment's weight (a tier: enterprise, SMB…) and a customer's weight (revenue) multiply the
demand their linked feedback represents. The team (CONTRIBUTE) keeps customers; the Product
Owner (EDIT_PRODUCT) defines segments, since their weights are product policy. These small
edits are reference data: they record no activity entry (feedback and links do).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from jalon.errors import N_, Conflict, Invalid
from jalon.feedback import rules
from jalon.feedback.models import Customer, Feedback, Segment
from jalon.feedback.queries import segments_of
from jalon.permissions import Action, Actor, Role
from jalon.products.models import Product
from jalon.products.services import authorise, role_of
from jalon.uow import UnitOfWork

CUSTOMERS = Action.CONTRIBUTE
SEGMENTS = Action.EDIT_PRODUCT
T = TypeVar("T", Segment, Customer)


@dataclass(frozen=True)
class CustomerRow:
    customer: Customer
    segment: str
    feedback: int


@dataclass(frozen=True)
class People:
    product: Product
    role: Role | None
    segments: list[tuple[Segment, int]]  # with their number of customers
    customers: list[CustomerRow]


def customers_page(uow: UnitOfWork, *, actor: Actor, product_id: int) -> People:
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        counts = (
            select(func.count(Feedback.id))
            .where(Feedback.customer_id == Customer.id)
            .correlate(Customer)
            .scalar_subquery()
        )
        stmt = (
            select(Customer, Segment.name, counts)
            .outerjoin(Segment, Segment.id == Customer.segment_id)
            .where(Customer.product_id == product_id)
            .order_by(func.lower(Customer.name))
        )
        rows = [CustomerRow(c, s or "", int(n or 0)) for c, s, n in uow.session.execute(stmt)]
        per_segment: dict[int, int] = {}
        for row in rows:
            if row.customer.segment_id is not None:
                per_segment[row.customer.segment_id] = (
                    per_segment.get(row.customer.segment_id, 0) + 1
                )
        segments = [(s, per_segment.get(s.id, 0)) for s in segments_of(uow, product_id)]
        return People(
            product, role_of(uow, product_id=product_id, user_id=actor.id), segments, rows
        )


# --- writes -------------------------------------------------------------------------------------


def _flush_unique(uow: UnitOfWork, what: str) -> None:
    try:
        uow.flush()
    except IntegrityError:
        raise Conflict(
            N_("This product already has a {what} with this name."), field="name", what=what
        ) from None


def _own(uow: UnitOfWork, model: type[T], ident: int, product_id: int) -> T:
    found = uow.session.get(model, ident)
    if found is None or found.product_id != product_id:
        raise Invalid(N_("This product has no such entry."), field="id")
    return found


def save_segment(
    uow: UnitOfWork,
    *,
    actor: Actor,
    product_id: int,
    values: Mapping[str, object],
    segment_id: int | None = None,
) -> Segment:
    """Create a segment, or rename or reweigh one."""
    clean = rules.clean_named(values, limit=100)
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=SEGMENTS)
        if segment_id is None:
            segment = Segment(product_id=product_id)
            uow.add(segment)
        else:
            segment = _own(uow, Segment, segment_id, product_id)
        segment.name, segment.weight = clean["name"], clean["weight"]
        _flush_unique(uow, "segment")
        uow.commit()
    return segment


def delete_segment(uow: UnitOfWork, *, actor: Actor, product_id: int, segment_id: int) -> None:
    """Delete a segment; its customers stay, without a segment."""
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=SEGMENTS)
        uow.session.delete(_own(uow, Segment, segment_id, product_id))
        uow.commit()


def _segment_id(uow: UnitOfWork, product_id: int, raw: object) -> int | None:
    if raw in (None, ""):
        return None
    ident = int(str(raw)) if str(raw).strip().isdigit() else 0
    found = uow.session.get(Segment, ident)
    if found is None or found.product_id != product_id:
        raise Invalid(N_("Choose one of this product's segments."), field="segment_id")
    return found.id


def save_customer(
    uow: UnitOfWork,
    *,
    actor: Actor,
    product_id: int,
    values: Mapping[str, object],
    customer_id: int | None = None,
) -> Customer:
    """Create a customer, or change one's name, e-mail, segment or weight."""
    clean = rules.clean_named({"email": "", **values}, limit=200)
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=CUSTOMERS)
        segment_id = _segment_id(uow, product_id, values.get("segment_id"))
        if customer_id is None:
            customer = Customer(product_id=product_id)
            uow.add(customer)
        else:
            customer = _own(uow, Customer, customer_id, product_id)
        customer.name, customer.email = clean["name"], clean["email"]
        customer.weight, customer.segment_id = clean["weight"], segment_id
        _flush_unique(uow, "customer")
        uow.commit()
    return customer


def delete_customer(uow: UnitOfWork, *, actor: Actor, product_id: int, customer_id: int) -> None:
    """Delete a customer; their feedback stays, without a customer."""
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=CUSTOMERS)
        uow.session.delete(_own(uow, Customer, customer_id, product_id))
        uow.commit()
