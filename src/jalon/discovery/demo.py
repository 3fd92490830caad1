"""Discovery content for the demo product, made only through the services (called by
`jalon.demo`): an opportunity solution tree with hypotheses and two experiments (one
decided, which created backlog items), a product vision board and three personas."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from jalon.discovery import services
from jalon.discovery.board import services as board
from jalon.discovery.models import TreeNode
from jalon.permissions import Actor
from jalon.uow import Database

OUTCOME = "Employees who carpool at least twice a week: from 8% to 20% of the park"
# opportunity -> solutions -> assumptions (title, importance, evidence)
TREE: dict[str, dict[str, list[tuple[str, float, float]]]] = {
    "“I'm afraid of being stranded if my driver leaves early”": {
        "Guaranteed ride home: a taxi voucher when no match is left": [
            ("Fewer than 5% of rides will need a voucher", 0.9, 0.2),
            ("Mobility managers will fund the vouchers", 0.8, 0.45),
        ],
        "Evening back-up matching 30 minutes before departure": [
            ("Enough drivers leave after 19:00 to match late shifts", 0.7, 0.3),
        ],
    },
    "“Finding a match on my shift pattern takes too long”": {
        "Recurring rides matched on shift schedules": [
            ("Shift workers know their schedule a week ahead", 0.7, 0.65),
            ("Drivers accept a detour of five minutes", 0.6, 0.3),
        ],
    },
    "“Splitting costs with colleagues feels awkward”": {
        "Automatic cost sharing through payroll": [
            ("Companies accept a payroll deduction", 0.8, 0.1),
        ],
    },
}
HYPOTHESES = {
    "Guaranteed ride home: a taxi voucher when no match is left": (
        "a guaranteed ride home", "employees who would carpool in the morning only",
        "more first-time carpoolers", "30% of pilot sign-ups name the guarantee as the reason",
    ),
    "Recurring rides matched on shift schedules": (
        "recurring rides matched on shift schedules", "the logistics shift workers",
        "a match found in under a minute", "8 in 10 recurring requests match by the day before",
    ),
    "Fewer than 5% of rides will need a voucher": (
        "a taxi voucher limited to rides left without a match", "pilot carpoolers",
        "a guarantee that costs under 1 € per ride", "fewer than 5% of rides use a voucher",
    ),
}  # fmt: skip
VISION = {
    "vision": "Make carpooling the easiest way to commute to the Lyon–Saint-Exupéry park.",
    "target_group": "- Shift workers and office staff of the park's 35 companies who drive "
    "alone\n- The companies' mobility managers",
    "needs": "- A seat found in two taps, and a ride home even when plans change\n- Half the "
    "cost of driving alone\n- For mobility managers: proof of the *Plan de mobilité* results",
    "product": "A mobile web app matching rides on shift schedules, with a guaranteed ride "
    "home and cost sharing through payroll.",
    "business_goals": "- 300 weekly active carpoolers in the pilot\n- Three paying companies "
    "by the end of the year\n- Cost per guaranteed ride under 1 €",
}
PERSONAS = (
    {"name": "Nadia", "role": "Night-shift operator at a logistics warehouse",
     "goals": "- Get home safely at 5 a.m.\n- Spend less on fuel",
     "frustrations": "- No bus before 6 a.m.\n- Colleagues' shifts change every week",
     "quote": "If I miss my ride at night, I'm stuck until the first bus."},
    {"name": "Thomas", "role": "Engineer, two children at school",
     "goals": "- Drop the kids, then carpool\n- Leave on time on Wednesdays",
     "frustrations": "- Rigid departure times\n- Not knowing the driver",
     "quote": "I'd carpool tomorrow if I could leave when I need to."},
    {"name": "Claire", "role": "Mobility manager at an aerospace supplier",
     "goals": "- Meet the *Plan de mobilité employeur* targets\n- Report figures to the board",
     "frustrations": "- Surveys nobody answers\n- No data on actual rides",
     "quote": "Show me numbers I can put in front of my director."},
)  # fmt: skip


def _add(db: Database, po: Actor, pid: int, kind: str, parent: int | None, title: str,
         **extra: Any) -> int:  # fmt: skip
    node = services.create_node(db.uow(), actor=po, product_id=pid, kind=kind,
                                parent_id=parent, values={"title": title, **extra})  # fmt: skip
    return node.id


def _tree(db: Database, po: Actor, pid: int) -> dict[str, int]:
    ids = {OUTCOME: _add(db, po, pid, "outcome", None, OUTCOME)}
    for opportunity, solutions in TREE.items():
        ids[opportunity] = _add(db, po, pid, "opportunity", ids[OUTCOME], opportunity)
        for solution, assumptions in solutions.items():
            ids[solution] = _add(db, po, pid, "solution", ids[opportunity], solution)
            for title, importance, evidence in assumptions:
                ids[title] = _add(db, po, pid, "assumption", ids[solution], title,
                                  importance=importance, evidence=evidence)  # fmt: skip
    for title, (capability, people, outcome, signal) in HYPOTHESES.items():
        values = {"capability": capability, "people": people, "outcome": outcome,
                  "signal": signal}  # fmt: skip
        services.save_hypothesis(db.uow(), actor=po, node_id=ids[title], values=values)
    return ids


def _experiments(db: Database, po: Actor, ids: dict[str, int], today: date) -> list[int]:
    """A concierge test, decided (persevere, two backlog items), and a running A/B test."""
    concierge = services.create_experiment(
        db.uow(), actor=po, assumption_id=ids["Fewer than 5% of rides will need a voucher"],
        values={"title": "Run the guarantee by hand for 40 pilot users", "method": "concierge",
                "metric": "rides that needed a voucher", "unit": "%", "operator": "<=",
                "threshold": 5, "starts_on": today - timedelta(42),
                "ends_on": today - timedelta(14), "result": 3.2, "result_unit": "%"},
    )  # fmt: skip
    services.decide(db.uow(), actor=po, experiment_id=concierge.id, values={
        "decision": "persevere",
        "rationale": "31 vouchers out of 964 rides (3.2%), at 0.74 € per ride on average. "
        "Pilot users named the guarantee as their first reason to try.",
        "items": ["Request a guaranteed ride home from the app",
                  "Monthly voucher report for mobility managers"],
    })  # fmt: skip
    ab = services.create_experiment(
        db.uow(), actor=po, assumption_id=ids["Drivers accept a detour of five minutes"],
        values={"title": "Show the detour in minutes rather than kilometres",
                "method": "ab_test", "metric": "drivers accepting a request", "threshold": 10,
                "starts_on": today - timedelta(10), "ends_on": today + timedelta(4),
                "control_n": 1200, "control_conversions": 216, "variant_n": 1180,
                "variant_conversions": 257},
    )  # fmt: skip
    return [concierge.id, ab.id]


def seed_discovery(db: Database, po: Actor, product_id: int, *, today: date) -> list[int]:
    """The product's tree, hypotheses, experiments, vision board and personas (once: a
    product whose tree has nodes is left alone); the experiments' ids."""
    with db.reader() as uow:
        stmt = select(func.count()).select_from(TreeNode)
        if uow.session.scalar(stmt.where(TreeNode.product_id == product_id)):
            return []
    ids = _tree(db, po, product_id)
    made = _experiments(db, po, ids, today)
    board.save_vision(db.uow(), actor=po, product_id=product_id, values=VISION)
    for persona in PERSONAS:
        board.create_persona(db.uow(), actor=po, product_id=product_id, values=persona)
    return made
