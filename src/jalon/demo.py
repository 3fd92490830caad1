"""The demo product `make run` shows: realistic and idempotent. Today's state is built through
the services; its past (demo_history.py) is replayed day by day, dated, as services cannot date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from jalon.academy.path.demo import seed_academy
from jalon.accounts import services as accounts
from jalon.accounts.models import User
from jalon.backlog import queries as backlog_queries
from jalon.backlog import services as backlog
from jalon.collaboration import services as collaboration
from jalon.db import utcnow
from jalon.demo_events import seed_events
from jalon.demo_history import seed_history
from jalon.discovery.demo import seed_discovery
from jalon.feedback.demo import seed_feedback
from jalon.permissions import CLI_ACTOR, Actor
from jalon.portal.demo import seed_portal
from jalon.prioritisation import services as prioritisation
from jalon.products import services as products
from jalon.products.models import Product
from jalon.refinement import rules as refinement_rules
from jalon.refinement import services as refinement
from jalon.releases.demo import seed_releases
from jalon.signals.demo import seed_signals
from jalon.themes.demo import seed_themes
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

# The Scrum team's developers (the first two are in PEOPLE).
TEAM = (
    "yanis.benali@covoitzone.example",
    "lea.dubois@covoitzone.example",
    "hugo.petit@covoitzone.example",
    "ines.moreau@covoitzone.example",
)
NAMES = {"hugo.petit@covoitzone.example": "Hugo Petit",
         "ines.moreau@covoitzone.example": "Inès Moreau"}  # fmt: skip

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


def _member(db: Database, po: Actor, product_id: int, email: str) -> Actor:
    """A developer of the demo team (a product member; the first two already are)."""
    name = email.split("@", maxsplit=1)[0].replace(".", " ").title()
    user = _user(db, email, NAMES.get(email, name))
    if email not in {person[0] for person in PEOPLE}:
        products.add_member(db.uow(), product_id=product_id, actor=po, email=email, role="member")
    return Actor(user.id, user.label)


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
    team = [_member(db, po, product.id, email) for email in TEAM]
    today = utcnow().date()
    seed_history(db, product.id, team, today)
    seed_events(db, po, team, product.id)
    _seed_backlog(db, po, product.id)
    seed_releases(db, po, product.id, today=today)
    _seed_discovery(db, po, product.id, today)
    seed_academy(db, admin=Actor(admin.id, admin.label, is_admin=True))
    return DemoResult(product.id, True, admin.email, password)


def _seed_discovery(db: Database, po: Actor, product_id: int, today: date) -> None:
    """Feedback (with a topic that grows lately), its themes, the opportunity solution tree,
    the public portal and the market watch."""
    seed_feedback(db, product_id, po=po, today=today)
    seed_themes(db, product_id, actor=po)
    seed_discovery(db, po, product_id, today=today)
    seed_portal(db, po, product_id)
    seed_signals(db, po, product_id)


def _seed_backlog(db: Database, po: Actor, product_id: int) -> None:
    """A backlog with hierarchy, estimates, statuses and tags (and one vague story to fix)."""

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
    _refine(db, po, product_id, ids)
    _prioritise(db, po, product_id, ids)


DEFINITION_OF_READY = [
    "Written as a user story with its value (so that …)",
    "Acceptance criteria agreed with the team",
    "Estimated by the team",
    "Small enough for one sprint",
]
DEFINITION_OF_DONE = [
    "Acceptance criteria pass in an automated test",
    "Reviewed by another developer",
    "Accessible (RGAA checks on the changed screens)",
    "Released to the pilot companies",
]
CRITERIA = """Given a passenger whose 18:30 ride was cancelled by the driver
When they open the app before 19:30
Then they are offered a taxi voucher valid until 20:00

Given a voucher was used
When the mobility manager opens the monthly report
Then the voucher appears with its cost"""


def _refine(db: Database, po: Actor, product_id: int, ids: dict[str, int]) -> None:
    """Definition of Ready and Done, a story refined to ready, a link and a comment."""

    with db.reader() as uow:
        statuses = list(backlog_queries.backlog_settings(uow, product_id).statuses)
    draft = refinement_rules.Draft(
        statuses=statuses, scale="fibonacci", ready=DEFINITION_OF_READY, done=DEFINITION_OF_DONE
    )
    refinement.update_settings(db.uow(), actor=po, product_id=product_id, draft=draft)
    voucher = ids[BACKLOG[6][1]]

    backlog.update_item(
        db.uow(), actor=po, item_id=voucher, values={"acceptance_criteria": CRITERIA}
    )
    refinement.set_ticks(db.uow(), actor=po, item_id=voucher, ticks={"ready": DEFINITION_OF_READY})
    refinement.add_link(
        db.uow(), actor=po, item_id=voucher, kind="blocked_by", to_id=ids[BACKLOG[7][1]]
    )
    collaboration.add_comment(
        db.uow(),
        actor=po,
        item_id=voucher,
        body="@yanis.benali can we get the taxi partner's API answer before the sprint planning?",
    )


SCORES = {  # title prefix → (RICE reach, impact, confidence, effort), (WSJF bv, tc, rr, size)
    0: ((300, "2", 0.8, 3), (8, 5, 3, 5)),
    1: ((900, "1", 0.9, 2), (5, 3, 2, 3)),
    2: ((400, "1", 0.7, 5), (5, 2, 1, 8)),
    3: ((250, "3", 0.6, 5), (13, 8, 5, 8)),
    4: ((250, "0.5", 0.5, 1), (2, 3, 8, 2)),
    5: ((35, "2", 0.5, 3), (8, 2, 2, 5)),
    6: ((600, "0.5", 1.0, 1), (3, 8, 1, 2)),
    7: ((0, "0.25", 0.5, 2), (1, 1, 5, 3)),
}


def _prioritise(db: Database, po: Actor, product_id: int, ids: dict[str, int]) -> None:
    """RICE and WSJF scores on the stories, value/effort, and one custom formula."""

    stories = [t for kind, t, *_ in BACKLOG if kind in ("story", "bug", "spike", "tech_debt")]
    for n, (rice, wsjf) in SCORES.items():
        if n >= len(stories):
            break
        item_id = ids[stories[n]]
        reach, impact, confidence, effort = rice
        prioritisation.set_score(
            db.uow(), actor=po, item_id=item_id, model="rice",
            inputs={"reach": reach, "impact": impact, "confidence": confidence, "effort": effort},
        )  # fmt: skip
        value, critical, risk, size = wsjf
        prioritisation.set_score(
            db.uow(), actor=po, item_id=item_id, model="wsjf",
            inputs={"business_value": value, "time_criticality": critical,
                    "risk_reduction": risk, "job_size": size},
        )  # fmt: skip
        prioritisation.set_score(
            db.uow(), actor=po, item_id=item_id, model="value_effort",
            inputs={"value": value, "effort": size},
        )  # fmt: skip
    prioritisation.create_formula(
        db.uow(),
        actor=po,
        product_id=product_id,
        name="Pilot value",
        expression="0.5 * rice / 100 + 0.5 * wsjf",
    )
