"""Refinement reads: a product's backlog settings, and everything the item page shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from jalon.activity import ActivityEntry
from jalon.backlog import rules as backlog_rules
from jalon.backlog.models import BacklogSettings, Item, ItemLink
from jalon.backlog.queries import ItemView, backlog_settings, item_view
from jalon.permissions import Action, Actor, Role
from jalon.products.models import Product
from jalon.products.queries import MemberRow, list_members
from jalon.products.services import authorise, role_of
from jalon.refinement import rules
from jalon.uow import UnitOfWork

TYPICAL_SAMPLE = 200  # the team's usual size: median of its latest done stories
PARENT_CHOICES = 300


@dataclass(frozen=True)
class SettingsView:
    product: Product
    role: Role | None
    settings: BacklogSettings
    in_use: dict[str, int]  # items per status key


def status_counts(uow: UnitOfWork, product_id: int) -> dict[str, int]:
    stmt = (
        select(Item.status, func.count()).where(Item.product_id == product_id).group_by(Item.status)
    )
    return {str(status): int(n) for status, n in uow.session.execute(stmt)}


def get_settings(uow: UnitOfWork, *, actor: Actor, product_id: int) -> SettingsView:
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        return SettingsView(
            product,
            role_of(uow, product_id=product_id, user_id=actor.id),
            backlog_settings(uow, product_id),
            status_counts(uow, product_id),
        )


@dataclass(frozen=True)
class LinkRow:
    id: int
    kind: str
    outgoing: bool  # this item is the link's `from` side
    other: Item

    @property
    def label(self) -> str:
        return (rules.OUTGOING if self.outgoing else rules.INCOMING)[self.kind]


@dataclass(frozen=True)
class ItemPage:
    """One item with what its page shows around it."""

    view: ItemView
    product: Product
    role: Role | None
    members: list[MemberRow]
    links: list[LinkRow]
    ready: backlog_rules.Readiness
    done: backlog_rules.Readiness
    hints: list[backlog_rules.Hint]
    scenarios: list[backlog_rules.Scenario]
    rollup: backlog_rules.Rollup | None
    ancestors: list[Item]
    parent_choices: list[Item]
    status_labels: dict[str, str]
    assignee_label: str


def links_of(uow: UnitOfWork, item_id: int) -> list[LinkRow]:
    stmt = (
        select(ItemLink, Item)
        .join(
            Item,
            or_(
                (ItemLink.to_id == Item.id) & (ItemLink.from_id == item_id),
                (ItemLink.from_id == Item.id) & (ItemLink.to_id == item_id),
            ),
        )
        .where(or_(ItemLink.from_id == item_id, ItemLink.to_id == item_id))
        .order_by(ItemLink.kind, ItemLink.id)
    )
    return [
        LinkRow(link.id, link.kind, link.from_id == item_id, other)
        for link, other in uow.session.execute(stmt)
    ]


def typical_estimate(
    uow: UnitOfWork, product_id: int, statuses: Sequence[dict[str, str]]
) -> float | None:
    done = [s["key"] for s in statuses if s["category"] == backlog_rules.Category.DONE]
    stmt = (
        select(Item.estimate)
        .where(
            Item.product_id == product_id,
            Item.type == "story",
            Item.status.in_(done),
            Item.estimate.is_not(None),
        )
        .order_by(Item.done_at.desc(), Item.id.desc())
        .limit(TYPICAL_SAMPLE)
    )
    return backlog_rules.typical_estimate(uow.session.scalars(stmt))


def descendants(uow: UnitOfWork, root: int) -> list[Item]:
    """Children, grandchildren… of an item, level by level (the hierarchy is shallow)."""
    found: list[Item] = []
    level, seen = [root], {root}
    while level:
        rows = list(uow.session.scalars(select(Item).where(Item.parent_id.in_(level))))
        rows = [r for r in rows if r.id not in seen]
        seen.update(r.id for r in rows)
        found += rows
        level = [r.id for r in rows]
    return found


def rollup_of(
    uow: UnitOfWork, item: Item, statuses: Sequence[dict[str, str]]
) -> backlog_rules.Rollup | None:
    """What an epic or a feature rolls up from the leaves below it; None without children."""
    below = descendants(uow, item.id)
    if not below:
        return None
    children_of: dict[int, list[int]] = {}
    for row in below:
        children_of.setdefault(row.parent_id or item.id, []).append(row.id)
    by_id = {row.id: row for row in below}
    leaves = backlog_rules.leaves(item.id, children_of)
    return backlog_rules.rollup(((by_id[i].estimate, by_id[i].status) for i in leaves), statuses)


def ancestors_of(uow: UnitOfWork, item: Item) -> list[Item]:
    """Parent, grandparent… from the top down (bounded, in case of bad data)."""
    chain: list[Item] = []
    current = item.parent_id
    while current is not None and len(chain) < 10:
        parent = uow.session.get(Item, current)
        if parent is None or parent in chain:
            break
        chain.insert(0, parent)
        current = parent.parent_id
    return chain


def parent_choices(uow: UnitOfWork, item: Item) -> list[Item]:
    """Items this one may sit under: epics for a feature, features and epics for the rest."""
    allowed = backlog_rules.ALLOWED_PARENTS[backlog_rules.parse_type(item.type)]
    if not allowed:
        return []
    stmt = (
        select(Item)
        .where(
            Item.product_id == item.product_id,
            Item.type.in_([t.value for t in allowed]),
            Item.id != item.id,
        )
        .order_by(Item.type, Item.rank, Item.id)
        .limit(PARENT_CHOICES)
    )
    return list(uow.session.scalars(stmt))


def _hints(
    uow: UnitOfWork, item: Item, statuses: Sequence[dict[str, str]]
) -> list[backlog_rules.Hint]:
    return backlog_rules.quality_hints(
        item.title,
        description=item.description,
        acceptance_criteria=item.acceptance_criteria,
        estimate=item.estimate,
        typical_estimate=typical_estimate(uow, item.product_id, statuses),
        item_type=item.type,
    )


def _assignee(members: list[MemberRow], assignee_id: int | None) -> str:
    return next((m.user.label for m in members if m.user.id == assignee_id), "")


def item_page(uow: UnitOfWork, *, actor: Actor, item_id: int) -> ItemPage:
    with uow:
        item = uow.get(Item, item_id, what="item")
        product = authorise(uow, product_id=item.product_id, actor=actor, action=Action.READ)
        view = item_view(uow, item)
        settings, members = view.settings, list_members(uow, product_id=item.product_id)
        statuses = settings.statuses
        return ItemPage(
            view=view,
            product=product,
            role=role_of(uow, product_id=item.product_id, user_id=actor.id),
            members=members,
            links=links_of(uow, item.id),
            ready=backlog_rules.readiness(
                settings.definition_of_ready, rules.ticked(item.checks, "ready")
            ),
            done=backlog_rules.readiness(
                settings.definition_of_done, rules.ticked(item.checks, "done")
            ),
            hints=_hints(uow, item, statuses),
            scenarios=backlog_rules.parse_scenarios(item.acceptance_criteria),
            rollup=rollup_of(uow, item, statuses),
            ancestors=ancestors_of(uow, item),
            parent_choices=parent_choices(uow, item),
            status_labels={s["key"]: s["label"] for s in statuses},
            assignee_label=_assignee(members, item.assignee_id),
        )


def last_edit(uow: UnitOfWork, *, item_id: int, product_id: int) -> ActivityEntry | None:
    """Who last edited the item, and when (for the page that shows a conflict)."""
    with uow:
        stmt = (
            select(ActivityEntry)
            .where(
                ActivityEntry.product_id == product_id,
                ActivityEntry.subject_type == "item",
                ActivityEntry.subject_id == item_id,
                ActivityEntry.action == "backlog.item.updated",
            )
            .order_by(ActivityEntry.id.desc())
            .limit(1)
        )
        return uow.session.scalar(stmt)
