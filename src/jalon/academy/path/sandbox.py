"""The learner's practice sandbox: a product of their own, seeded with what the exercises need.

Called by `services.open_sandbox` inside its unit of work (this module never commits): a
sandbox product (`is_sandbox=True`) with the learner as Product Owner, eight stories scored
with WSJF and placed far from the WSJF order, four pieces of customer feedback, and a team
with an active sprint whose retrospective the facilitation module runs.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from jalon.academy.path.models import PracticeSandbox
from jalon.backlog import services as backlog_services
from jalon.db import utcnow
from jalon.feedback.models import Feedback
from jalon.permissions import Actor, Role
from jalon.prioritisation import rules as prioritisation_rules
from jalon.prioritisation.models import ItemScore
from jalon.products.models import Membership, Product, StageTransition
from jalon.sprints.models import Sprint, Team, TeamMember
from jalon.uow import UnitOfWork

SEED_KEY = "academy-path:"  # external_key prefix of the seeded items

# (English title, French title, business value, time criticality, risk reduction, job size),
# listed in the order they are placed: deliberately far from the WSJF order.
STORIES: tuple[tuple[str, str, int, int, int, int], ...] = (
    ("Export invoices as PDF", "Exporter les factures en PDF", 3, 1, 1, 5),
    ("Dark mode", "Mode sombre", 2, 1, 1, 8),
    ("Single sign-on for large customers", "Authentification unique pour les grands comptes",
     8, 5, 5, 13),
    ("Fix the failing payment retries", "Corriger les relances de paiement en échec",
     8, 8, 5, 3),
    ("Onboarding checklist", "Liste de démarrage pour les nouveaux clients", 5, 3, 2, 5),
    ("Audit log for administrators", "Journal d'audit pour les administrateurs", 5, 5, 8, 8),
    ("Keyboard navigation of the planner", "Navigation au clavier dans le planning",
     5, 8, 3, 2),
    ("Slack notifications", "Notifications Slack", 3, 2, 1, 3),
)  # fmt: skip
FEEDBACK: tuple[tuple[str, str, str], ...] = (
    ("Camille (customer)", "We lose a day each month chasing failed payments by hand.",
     "Nous perdons une journée par mois à relancer à la main les paiements en échec."),
    ("Idriss (customer)", "Our IT department will not approve Jalon without single sign-on.",
     "Notre DSI ne validera pas l'outil sans authentification unique."),
    ("Nora (support)", "Three new customers asked this week where to start after signing up.",
     "Trois nouveaux clients ont demandé cette semaine par où commencer après l'inscription."),
    ("Paul (customer)", "I cannot use the planner without a mouse since my injury.",
     "Je ne peux plus utiliser le planning sans souris depuis ma blessure."),
)  # fmt: skip


def _product(uow: UnitOfWork, user_id: int, label: str, french: bool) -> Product:
    now = utcnow()
    name = f"Pratique — {label}" if french else f"Practice — {label}"
    product = Product(name=name[:120], stage="idea", is_sandbox=True, created_at=now,
                      updated_at=now)  # fmt: skip
    uow.add(product)
    uow.flush()
    uow.add(Membership(product_id=product.id, user_id=user_id, role=Role.OWNER.value))
    uow.add(StageTransition(product_id=product.id, to_stage="idea", actor_label=label, at=now))
    uow.flush()
    return product


def _stories(uow: UnitOfWork, actor: Actor, product_id: int, french: bool) -> None:
    for n, (en, fr, value, time, risk, size) in enumerate(STORIES, start=1):
        values: dict[str, Any] = {"title": fr if french else en, "type": "story"}
        item = backlog_services.add_item(uow, actor=actor, product_id=product_id, values=values)
        item.external_key = f"{SEED_KEY}{n}"
        inputs = {"business_value": value, "time_criticality": time,
                  "risk_reduction": risk, "job_size": size}  # fmt: skip
        scored = prioritisation_rules.score("wsjf", inputs)
        uow.add(ItemScore(item_id=item.id, model="wsjf", inputs=inputs, value=scored.value))


def _feedback(uow: UnitOfWork, product_id: int, french: bool) -> None:
    for n, (who, en, fr) in enumerate(FEEDBACK, start=1):
        uow.add(
            Feedback(
                product_id=product_id, text=fr if french else en, source="manual", state="new",
                author_name=who, external_key=f"{SEED_KEY}{n}", actor_label="Jalon Academy",
            )
        )  # fmt: skip


def _sprint(uow: UnitOfWork, user_id: int, product_id: int, french: bool) -> None:
    team = Team(product_id=product_id, name="Équipe" if french else "Team")
    uow.add(team)
    uow.flush()
    uow.add(TeamMember(team_id=team.id, user_id=user_id, focus_factor=1.0))
    now = utcnow()
    start = now.date() - timedelta(days=7)
    goal = ("Les clients encaissent sans relance manuelle" if french
            else "Customers get paid without manual chasing")  # fmt: skip
    uow.add(
        Sprint(
            product_id=product_id, team_id=team.id, name="Sprint 1", goal=goal, starts_on=start,
            ends_on=start + timedelta(days=13), state="active", created_at=now, started_at=now,
        )
    )  # fmt: skip


def seed(uow: UnitOfWork, actor: Actor, *, language: str) -> PracticeSandbox:
    """Create and seed the practice sandbox of `actor` (inside the caller's unit of work)."""
    if actor.id is None:
        raise ValueError("a practice sandbox belongs to a signed-in learner")
    french = language == "fr"
    product = _product(uow, actor.id, actor.label, french)
    _stories(uow, actor, product.id, french)
    _feedback(uow, product.id, french)
    _sprint(uow, actor.id, product.id, french)
    sandbox = PracticeSandbox(user_id=actor.id, product_id=product.id, created_at=utcnow())
    uow.add(sandbox)
    uow.flush()
    return sandbox
