"""The writes behind planning and spill-over, used by `sprints.services` inside its unit of work.

An item's stay in a sprint is a `SprintEntry`; `items.sprint_id` is its current sprint.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import select

from jalon.backlog import queries as backlog_queries
from jalon.backlog.models import Item
from jalon.backlog.workflow import Category
from jalon.errors import Invalid
from jalon.sprints import queries, rules
from jalon.sprints.models import Sprint, SprintEntry
from jalon.uow import UnitOfWork


def open_entry(uow: UnitOfWork, sprint_id: int, item_id: int) -> SprintEntry | None:
    stmt = select(SprintEntry).where(
        SprintEntry.sprint_id == sprint_id,
        SprintEntry.item_id == item_id,
        SprintEntry.outcome.is_(None),
    )
    return uow.session.scalars(stmt.order_by(SprintEntry.id.desc()).limit(1)).first()


def enter(uow: UnitOfWork, sprint: Sprint, item: Item, now: datetime) -> bool:
    """Put the item in the sprint; False when it already is."""
    if item.sprint_id == sprint.id and open_entry(uow, sprint.id, item.id) is not None:
        return False
    item.sprint_id = sprint.id
    uow.add(
        SprintEntry(
            sprint_id=sprint.id,
            item_id=item.id,
            added_at=now,
            added_after_start=sprint.state == rules.State.ACTIVE,
            estimate_at_entry=item.estimate,
        )
    )
    return True


def leave(uow: UnitOfWork, sprint: Sprint, item: Item, outcome: str, now: datetime) -> None:
    """Take the item out of the sprint. While planned, the entry goes (planning is not
    history); once started, it stays with when and how the item left."""
    entry = open_entry(uow, sprint.id, item.id)
    if item.sprint_id == sprint.id:
        item.sprint_id = None
    if entry is None:
        return
    if sprint.state == rules.State.PLANNED:
        uow.session.delete(entry)
    else:
        entry.left_at, entry.outcome = now, outcome


def freeze_commitment(uow: UnitOfWork, sprint: Sprint) -> None:
    """At the start, the commitment is what the items are estimated at now."""
    rows = uow.session.execute(
        select(SprintEntry, Item.estimate)
        .join(Item, Item.id == SprintEntry.item_id)
        .where(SprintEntry.sprint_id == sprint.id, SprintEntry.outcome.is_(None))
    )
    for entry, estimate in rows:
        entry.estimate_at_entry = estimate


def _categories(uow: UnitOfWork, product_id: int) -> dict[str, str]:
    statuses = backlog_queries.backlog_settings(uow, product_id).statuses
    return {str(s["key"]): str(s["category"]) for s in statuses}


def spill(
    uow: UnitOfWork,
    sprint: Sprint,
    *,
    choices: Mapping[int, str],
    default: str,
    next_sprint: Sprint | None,
    now: datetime,
) -> dict[str, int]:
    """Close the sprint's entries: done items stay, rejected ones leave, unfinished ones go
    back to the backlog or into the next sprint (keeping their entry here). Counts by outcome."""
    categories = _categories(uow, sprint.product_id)
    counts = {"done": 0, "removed": 0, "backlog": 0, "next_sprint": 0}
    rows = uow.session.execute(
        select(SprintEntry, Item)
        .join(Item, Item.id == SprintEntry.item_id)
        .where(SprintEntry.sprint_id == sprint.id, SprintEntry.outcome.is_(None))
        .order_by(Item.rank, Item.id)
    )
    for entry, item in rows:
        category = categories.get(item.status)
        if category == Category.DONE:
            outcome = "done"
        elif category == Category.REJECTED:
            outcome = "removed"
        else:
            outcome = "next_sprint" if choices.get(item.id, default) == "next" else "backlog"
        entry.left_at, entry.outcome = now, outcome
        counts[outcome] += 1
        if outcome in ("removed", "backlog"):
            item.sprint_id = None
        elif outcome == "next_sprint" and next_sprint is not None:
            enter(uow, next_sprint, item, now)
    return counts


def unfinished_ids(uow: UnitOfWork, sprint: Sprint) -> list[int]:
    categories = _categories(uow, sprint.product_id)
    stmt = (
        select(Item.id, Item.status)
        .join(SprintEntry, SprintEntry.item_id == Item.id)
        .where(SprintEntry.sprint_id == sprint.id, SprintEntry.outcome.is_(None))
    )
    open_ = (Category.TODO, Category.DOING)
    return [i for i, s in uow.session.execute(stmt) if categories.get(s) in open_]


def next_sprint(uow: UnitOfWork, sprint: Sprint, next_id: int | None) -> tuple[Sprint, bool]:
    """The sprint unfinished items go to: the one chosen, else the team's next planned sprint,
    else a new one right after this one (True when created)."""
    if next_id is not None:
        found = uow.session.get(Sprint, next_id)
        if found is None or found.team_id != sprint.team_id or found.state != rules.State.PLANNED:
            raise Invalid(
                "Choose a planned sprint of the same team for the unfinished items.",
                field="next_sprint_id",
            )
        return found, False
    stmt = (
        select(Sprint)
        .where(Sprint.team_id == sprint.team_id, Sprint.state == rules.State.PLANNED)
        .order_by(Sprint.starts_on, Sprint.id)
    )
    planned = uow.session.scalars(stmt.limit(1)).first()
    if planned is not None:
        return planned, False
    length = queries.sprint_settings(uow, sprint.product_id).length_days
    spans = queries.team_sprints(uow, sprint.team_id)
    start = max([sprint.ends_on, *(s.ends_on for s in spans)]) + timedelta(days=1)
    new = Sprint(
        product_id=sprint.product_id,
        team_id=sprint.team_id,
        name=rules.next_name(sprint.name),
        goal="",
        starts_on=start,
        ends_on=rules.default_end(start, length),
        state=rules.State.PLANNED.value,
    )
    uow.add(new)
    uow.flush()
    return new, True
