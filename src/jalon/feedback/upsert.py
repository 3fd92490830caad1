"""Writing a batch of checked feedback inside a service's unit of work (no commit here).

A row with an external key already known for the product updates that feedback instead of
adding a duplicate (re-importing a file, an e-mail or an intake call is harmless); the same
key twice in one batch is one feedback, the last row winning. A row naming a customer joins
(or creates) that customer; a sender's e-mail joins the customer who has that address.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from jalon.feedback.models import Customer, Feedback
from jalon.uow import UnitOfWork

WRITABLE = ("text", "author_name", "author_email", "rating", "sentiment", "received_at")


@dataclass
class Written:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)


class Customers:
    """Finds the product's customers by name or e-mail, creating named ones on demand."""

    def __init__(self, uow: UnitOfWork, product_id: int) -> None:
        self.uow, self.product_id = uow, product_id
        rows = uow.session.scalars(select(Customer).where(Customer.product_id == product_id))
        self.by_name = {c.name.casefold(): c for c in rows}
        self.by_email = {c.email.lower(): c for c in self.by_name.values() if c.email}

    def resolve(self, name: str, email: str) -> Customer | None:
        if name:
            found = self.by_name.get(name.casefold())
            if found is None:
                found = Customer(product_id=self.product_id, name=name[:200], email=email)
                self.uow.add(found)
                self.by_name[name.casefold()] = found
                if email:
                    self.by_email.setdefault(email, found)
            return found
        return self.by_email.get(email) if email else None


def known_keys(uow: UnitOfWork, product_id: int, keys: Sequence[str]) -> dict[str, Feedback]:
    """The product's feedback with these external keys (the most recent per key)."""
    wanted = sorted({k for k in keys if k})
    found: dict[str, Feedback] = {}
    for start in range(0, len(wanted), 500):
        stmt = select(Feedback).where(
            Feedback.product_id == product_id,
            Feedback.external_key.in_(wanted[start : start + 500]),
        )
        for row in uow.session.scalars(stmt.order_by(Feedback.id)):
            found[str(row.external_key)] = row
    return found


def write_rows(
    uow: UnitOfWork,
    product_id: int,
    rows: Sequence[Mapping[str, Any]],
    *,
    source: str,
    actor_label: str,
) -> Written:
    """Add or update one feedback per row (rows already cleaned); flushed, not committed."""
    existing = known_keys(uow, product_id, [str(r.get("external_key") or "") for r in rows])
    customers = Customers(uow, product_id)
    owners = [customers.resolve(r.get("customer") or "", r.get("author_email") or "") for r in rows]
    uow.flush()  # new customers get their ids
    written, fresh = Written(), []
    for row, customer in zip(rows, owners, strict=True):
        key = row.get("external_key") or None
        target = existing.get(key) if key else None
        if target is None:
            target = Feedback(
                product_id=product_id,
                source=source,
                state="new",
                external_key=key,
                actor_label=actor_label[:200],
            )
            uow.add(target)
            fresh.append(target)
            if key:
                existing[key] = target
        elif target.id is not None and target.id not in written.updated:
            written.updated.append(target.id)
        for name in WRITABLE:
            if name in row and not (name == "received_at" and row[name] is None):
                setattr(target, name, row[name])
        if customer is not None:
            target.customer_id = customer.id
    uow.flush()
    written.created = [f.id for f in fresh]
    return written


def count_for(uow: UnitOfWork, product_id: int) -> int:
    stmt = select(func.count(Feedback.id)).where(Feedback.product_id == product_id)
    return int(uow.session.scalar(stmt) or 0)
