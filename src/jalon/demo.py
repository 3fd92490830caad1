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


BACKLOG: tuple[tuple[str, str, str, float | None, str, tuple[str, ...]], ...] = (
    # (type, title, parent title, estimate, status, tags)
    ("epic", "Find a ride in two taps", "", None, "in_progress", ("matching",)),
    ("feature", "Search rides by shift", "Find a ride in two taps", None, "in_progress", ()),
    (
        "story",
        "As a shift worker, I want to see rides leaving within 15 minutes of my shift "
        "end so that I never wait alone at night",
        "Search rides by shift",
        5,
        "done",
        ("night-shift",),
    ),
    (
        "story",
        "As a commuter, I want to save my usual trip so that booking takes two taps",
        "Search rides by shift",
        3,
        "in_progress",
        ("onboarding",),
    ),
    (
        "story",
        "As a driver, I want to publish a recurring ride so that I do not re-enter it every week",
        "Search rides by shift",
        8,
        "ready",
        (),
    ),
    ("feature", "Guaranteed ride home", "Find a ride in two taps", None, "ready", ()),
    (
        "story",
        "As a passenger whose driver cancels, I want a taxi voucher so that I still get "
        "home before 20:00",
        "Guaranteed ride home",
        8,
        "ready",
        ("night-shift", "partner"),
    ),
    (
        "spike",
        "Compare two taxi partners' APIs for voucher issuing",
        "Guaranteed ride home",
        2,
        "new",
        ("partner",),
    ),
    ("epic", "Mobility reporting for employers", "", None, "new", ("b2b",)),
    ("feature", "Monthly CO2 report", "Mobility reporting for employers", None, "new", ()),
    (
        "story",
        "As a mobility manager, I want a monthly CSV of shared trips so that I can "
        "file our mobility plan",
        "Monthly CO2 report",
        5,
        "new",
        ("b2b", "export"),
    ),
    (
        "bug",
        "Ride times shown in UTC instead of local time on Android",
        "",
        2,
        "in_progress",
        ("android",),
    ),
    ("tech_debt", "Replace the hand-made date parsing with the standard library", "", 3, "new", ()),
    ("story", "Make the app fast and user-friendly etc.", "", 13, "new", ()),
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
    _seed_backlog(db, po, product.id)
    return DemoResult(product.id, True, admin.email, password)


def _seed_backlog(db: Database, po: Actor, product_id: int) -> None:
    """A backlog with hierarchy, estimates, statuses and tags (and one vague story to fix)."""
    from jalon.backlog import services as backlog

    ids: dict[str, int] = {}
    for kind, title, parent, estimate, status, tags in BACKLOG:
        values = {
            "title": title,
            "type": kind,
            "estimate": estimate,
            "tags": list(tags),
            "parent_id": ids.get(parent),
        }
        item = backlog.create_item(db.uow(), actor=po, product_id=product_id, values=values)
        ids[title] = item.id
        if status != "new":
            backlog.update_item(db.uow(), actor=po, item_id=item.id, values={"status": status})
