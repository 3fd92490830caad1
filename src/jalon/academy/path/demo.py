"""Academy content for the demo, made only through the services: a trainer, a cohort of two
trainees with an assignment, and some learning path progress (lessons read, a practice
sandbox, the vision exercise passed).

Call it after `jalon.demo.create_demo`, with the administrator as `admin`:
`seed_academy(db, admin=Actor(admin.id, admin.label, is_admin=True))`.
"""

from __future__ import annotations

from sqlalchemy import select

from jalon.academy.models import Cohort
from jalon.academy.path import services
from jalon.accounts import services as accounts
from jalon.accounts.models import User
from jalon.admin import services as admin_services
from jalon.permissions import CLI_ACTOR, Actor
from jalon.products import services as products
from jalon.uow import Database

COHORT = "Product Owner path — spring cohort"
TRAINER = ("ines.moreau@academy.example", "Inès Moreau")
TRAINEES = (("noah.girard@academy.example", "Noah Girard"),
            ("chloe.roux@academy.example", "Chloé Roux"))  # fmt: skip
VISION = (
    "For independent design agencies who bill by the hour, our tool turns tracked time into "
    "invoices and chases late payers, so that owners spend Fridays with clients."
)


def _user(db: Database, email: str, name: str) -> Actor:
    with db.reader() as uow:
        found = uow.session.scalar(select(User).where(User.email == email))
    if found is None:
        found = accounts.create_user(
            db.uow(), email=email, name=name, password=None, actor=CLI_ACTOR
        )
    return Actor(found.id, found.label)


def _progress(db: Database, learner: Actor, *, modules: int, vision: bool) -> None:
    for module in ("product-vision", "needs-prioritisation", "backlog-scrum")[:modules]:
        services.mark_lesson_read(db.uow(), actor=learner, module=module)
    if not vision:
        return
    box = services.open_sandbox(db.uow(), actor=learner, language="en")
    products.update_product(
        db.uow(), product_id=box.product_id, actor=learner,
        changes={"vision": VISION, "target_users": "Owners of agencies of 2 to 20 people",
                 "product_goal": "Cut the median payment delay from 24 to 12 days by June"},
    )  # fmt: skip
    services.check_exercise(db.uow(), actor=learner, module="product-vision")


def seed_academy(db: Database, *, admin: Actor) -> int:
    """The demo cohort's id (created once; a second call changes nothing)."""
    with db.reader() as uow:
        existing = uow.session.scalar(select(Cohort.id).where(Cohort.name == COHORT))
    if existing is not None:
        return existing
    trainer = _user(db, *TRAINER)
    admin_services.set_academy_role(db.uow(), actor=admin, user_id=trainer.id or 0, role="trainer")
    cohort = services.create_cohort(db.uow(), trainer, COHORT)
    learners = [_user(db, email, name) for email, name in TRAINEES]
    for email, _name in TRAINEES:
        services.add_member(db.uow(), trainer, cohort.id, email)
    services.assign(db.uow(), trainer, cohort.id, kind="module", ref="product-vision")
    services.assign(db.uow(), trainer, cohort.id, kind="quiz", ref="mock")
    _progress(db, learners[0], modules=3, vision=True)
    _progress(db, learners[1], modules=1, vision=False)
    return cohort.id
