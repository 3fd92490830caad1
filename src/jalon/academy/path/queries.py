"""Reads of the learning path: a learner's progress, their sandbox as the checkers see it,
cohorts and the trainer's results dashboard. Every function takes an open unit of work
except the `*_view` ones, which open the reader they are given."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from jalon.academy.models import CohortMember
from jalon.academy.path import exercises
from jalon.academy.path.models import PracticeSandbox
from jalon.academy.path.sandbox import SEED_KEY
from jalon.academy.sim.scenario import list_scenarios
from jalon.backlog.models import Comment, Item
from jalon.backlog.queries import backlog_settings
from jalon.ceremonies.models import ActionItem, RetroCard, Retrospective
from jalon.discovery.models import Experiment, Hypothesis, Persona, TreeNode
from jalon.feedback.models import FeedbackLink
from jalon.prioritisation.models import ItemScore
from jalon.products.models import Product
from jalon.signals.models import Feed, Watchlist
from jalon.sprints.models import Sprint
from jalon.uow import UnitOfWork


def scenario_keys() -> list[str]:
    return [s.key for s in list_scenarios()]


def sandbox_of(uow: UnitOfWork, user_id: int) -> PracticeSandbox | None:
    stmt = select(PracticeSandbox).where(PracticeSandbox.user_id == user_id)
    return uow.session.scalar(stmt)


def sandbox_sprint(uow: UnitOfWork, product_id: int) -> int | None:
    stmt = select(func.min(Sprint.id)).where(Sprint.product_id == product_id)
    return uow.session.scalar(stmt)


def member_row(uow: UnitOfWork, cohort_id: int, user_id: int) -> CohortMember | None:
    stmt = select(CohortMember).where(
        CohortMember.cohort_id == cohort_id, CohortMember.user_id == user_id
    )
    return uow.session.scalar(stmt)


# --- the sandbox as the checkers see it --------------------------------------------------


def _items(uow: UnitOfWork, product_id: int) -> list[exercises.ItemSnap]:
    wsjf = select(ItemScore.value).where(ItemScore.item_id == Item.id, ItemScore.model == "wsjf")
    rows = uow.session.execute(
        select(Item, wsjf.scalar_subquery()).where(Item.product_id == product_id)
    )
    return [
        exercises.ItemSnap(
            id=item.id, title=item.title, type=item.type, description=item.description,
            acceptance_criteria=item.acceptance_criteria, estimate=item.estimate,
            rank=item.rank, seeded=(item.external_key or "").startswith(SEED_KEY), wsjf=score,
        )
        for item, score in rows
    ]  # fmt: skip


def _discovery(uow: UnitOfWork, product_id: int) -> dict[str, Any]:
    nodes = uow.session.execute(
        select(TreeNode.id, TreeNode.parent_id, TreeNode.kind).where(
            TreeNode.product_id == product_id
        )
    )
    signals = uow.session.scalars(
        select(Hypothesis.signal)
        .join(TreeNode, TreeNode.id == Hypothesis.node_id)
        .where(TreeNode.product_id == product_id)
    )
    experiments = uow.session.execute(
        select(Experiment.metric, Experiment.threshold).where(Experiment.product_id == product_id)
    )
    personas = uow.session.execute(
        select(Persona.name, Persona.goals, Persona.frustrations).where(
            Persona.product_id == product_id
        )
    )
    return {
        "nodes": [exercises.NodeSnap(*row) for row in nodes],
        "hypothesis_signals": list(signals),
        "experiments": [(m, t) for m, t in experiments],
        "personas": [(n, g, f) for n, g, f in personas],
    }


def _links(uow: UnitOfWork, product_id: int) -> list[tuple[int, int, int]]:
    rows = uow.session.execute(
        select(FeedbackLink.feedback_id, FeedbackLink.item_id, FeedbackLink.importance)
        .join(Item, Item.id == FeedbackLink.item_id)
        .where(Item.product_id == product_id)
    )
    return [(f, i, imp) for f, i, imp in rows if i is not None]


def _retro(uow: UnitOfWork, product_id: int) -> dict[str, Any]:
    cards = uow.session.execute(
        select(func.count(RetroCard.id))
        .join(Retrospective, Retrospective.id == RetroCard.retro_id)
        .where(Retrospective.product_id == product_id)
        .group_by(RetroCard.retro_id)
    )
    owned = uow.session.scalars(
        select(ActionItem.owner_id).where(
            ActionItem.product_id == product_id, ActionItem.retro_id.is_not(None)
        )
    )
    return {
        "retro_cards": [n for (n,) in cards],
        "retro_actions_owned": [o is not None for o in owned],
    }


def _signals(uow: UnitOfWork, product_id: int) -> dict[str, Any]:
    feeds = uow.session.scalar(select(func.count(Feed.id)).where(Feed.product_id == product_id))
    keywords = uow.session.scalars(
        select(Watchlist.keywords).where(Watchlist.product_id == product_id)
    )
    return {"feeds": int(feeds or 0), "watchlist_keywords": [list(k or []) for k in keywords]}


def workspace(uow: UnitOfWork, product_id: int, user_id: int) -> exercises.Workspace:
    """Everything the exercises' checkers look at in one sandbox product."""
    product = uow.get(Product, product_id, what="product")
    items = _items(uow, product_id)
    comments = uow.session.execute(
        select(Comment.item_id, Comment.body)
        .join(Item, Item.id == Comment.item_id)
        .where(Item.product_id == product_id, Comment.author_id == user_id)
    )
    return exercises.Workspace(
        vision=product.vision, target_users=product.target_users,
        product_goal=product.product_goal, items=items, comments=[(i, b) for i, b in comments],
        definition_of_done=list(backlog_settings(uow, product_id).definition_of_done or []),
        feedback_links=_links(uow, product_id),
        **_discovery(uow, product_id), **_signals(uow, product_id), **_retro(uow, product_id),
    )  # fmt: skip
