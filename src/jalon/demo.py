"""The demo product `make run` shows: realistic, idempotent, built only through services."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from jalon.accounts import services as accounts
from jalon.accounts.models import User
from jalon.permissions import CLI_ACTOR, Actor
from jalon.products import services as products
from jalon.products.models import Product
from jalon.uow import Database

DEMO_NAME = "Covoit'Zone"
ADMIN_EMAIL = "admin@jalon.localhost"

VISION = """For the 4,000 employees of the Lyon–Saint-Exupéry business park who drive alone
to work, **Covoit'Zone** makes carpooling the easiest way to commute: a seat found in two
taps, a guaranteed ride home, and half the cost of driving.

- Cut solo-car commutes in the park by 20% within two years.
- Give every employee a ride home before 20:00, even when plans change."""

TARGET_USERS = """Shift workers and office staff of the park's 35 companies, mostly 25–55,
living within 40 km; the companies' mobility managers, who must meet the *Plan de mobilité
employeur* obligations."""

GOAL = """Pilot with three companies: 300 weekly active carpoolers and a guaranteed ride home
that works for night shifts, by the end of the second quarter."""

PEOPLE = (
    ("camille.martin@covoitzone.example", "Camille Martin", "owner"),
    ("yanis.benali@covoitzone.example", "Yanis Benali", "member"),
    ("lea.dubois@covoitzone.example", "Léa Dubois", "member"),
    ("marc.lefevre@covoitzone.example", "Marc Lefèvre", "stakeholder"),
    ("sophie.nguyen@covoitzone.example", "Sophie Nguyen", "viewer"),
)

HISTORY = (
    ("discovery", "Interviews with 24 employees and 3 mobility managers confirmed the need."),
    ("delivery", "Two prototype tests passed: 71% of testers booked a second ride."),
)


@dataclass(frozen=True)
class DemoResult:
    product_id: int
    created: bool
    admin_email: str
    admin_password: str | None


def _user(db: Database, email: str, name: str) -> User:
    with db.reader() as uow:
        found = uow.session.scalar(select(User).where(User.email == email))
    if found is not None:
        return found
    return accounts.create_user(db.uow(), email=email, name=name, password=None, actor=CLI_ACTOR)


def create_demo(db: Database) -> DemoResult:
    """Create the administrator (if none) and the demo product (if absent)."""
    admin, password = accounts.ensure_admin(db.uow(), email=ADMIN_EMAIL)
    with db.reader() as uow:
        existing = uow.session.scalar(select(Product.id).where(Product.name == DEMO_NAME))
    if existing is not None:
        return DemoResult(existing, False, admin.email, password)
    owner_email, owner_name, _ = PEOPLE[0]
    owner = _user(db, owner_email, owner_name)
    po = Actor(owner.id, owner.label)
    product = products.create_product(
        db.uow(),
        actor=po,
        name=DEMO_NAME,
        vision=VISION,
        target_users=TARGET_USERS,
        product_goal=GOAL,
    )
    for email, name, role in PEOPLE[1:]:
        _user(db, email, name)
        products.add_member(db.uow(), product_id=product.id, actor=po, email=email, role=role)
    for stage, reason in HISTORY:
        products.change_stage(db.uow(), product_id=product.id, actor=po, stage=stage, reason=reason)
    return DemoResult(product.id, True, admin.email, password)
