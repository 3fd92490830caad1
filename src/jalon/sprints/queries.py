"""Sprint reads shared by pages, API, CLI and other areas (history, ceremonies).

`sprint_summary` and `closed_sprints` are the public helpers other areas call; they return
frozen dataclasses, usable after the unit of work has closed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from jalon.accounts.models import User
from jalon.backlog import queries as backlog_queries
from jalon.backlog.models import Item
from jalon.backlog.workflow import Category
from jalon.errors import N_
from jalon.permissions import Action, Actor
from jalon.products.services import authorise
from jalon.sprints import rules
from jalon.sprints.models import DaysOff, Sprint, SprintEntry, SprintSettings, Team, TeamMember
from jalon.uow import UnitOfWork


@dataclass(frozen=True)
class EntryRow:
    item_id: int
    added_at: datetime
    added_after_start: bool
    estimate_at_entry: float | None
    left_at: datetime | None
    outcome: str | None


@dataclass(frozen=True)
class SprintSummary:
    id: int
    product_id: int
    team_id: int
    team_name: str
    name: str
    goal: str
    starts_on: date
    ends_on: date
    state: str
    started_at: datetime | None
    closed_at: datetime | None
    unit: str
    committed_points: float
    committed_count: int
    added_points: float
    added_count: int
    done_points: float
    done_count: int
    item_ids: list[int]
    entries: list[EntryRow]

    def committed(self) -> float:
        """The commitment in the product's unit."""
        return self.committed_points if self.unit == rules.Unit.POINTS else self.committed_count

    def done(self) -> float:
        return self.done_points if self.unit == rules.Unit.POINTS else self.done_count


@dataclass(frozen=True)
class TeamRow:
    team: Team
    members: list[tuple[User, float]]  # (user, focus factor), by name


def default_settings(product_id: int) -> SprintSettings:
    return SprintSettings(
        product_id=product_id,
        length_days=rules.DEFAULT_LENGTH,
        capacity_unit=rules.Unit.POINTS.value,
        wip_limits={},
    )


def sprint_settings(uow: UnitOfWork, product_id: int) -> SprintSettings:
    return uow.session.get(SprintSettings, product_id) or default_settings(product_id)


def done_statuses(uow: UnitOfWork, product_id: int) -> set[str]:
    statuses = backlog_queries.backlog_settings(uow, product_id).statuses
    return {str(s["key"]) for s in statuses if s["category"] == Category.DONE}


def get_sprint(uow: UnitOfWork, sprint_id: int, *, actor: Actor | None, action: Action) -> Sprint:
    """The sprint, after checking the actor may act on its product (inside a uow)."""
    sprint = uow.get(Sprint, sprint_id, what=N_("sprint"))
    if actor is not None:
        authorise(uow, product_id=sprint.product_id, actor=actor, action=action)
    return sprint


def _entry_row(e: SprintEntry) -> EntryRow:
    return EntryRow(
        e.item_id, e.added_at, e.added_after_start, e.estimate_at_entry, e.left_at, e.outcome
    )


def _summary(
    sprint: Sprint,
    team_name: str,
    unit: str,
    entries: list[SprintEntry],
    items: dict[int, Item],
    done_keys: set[str],
) -> SprintSummary:
    planned = sprint.state == rules.State.PLANNED
    closed = sprint.state == rules.State.CLOSED

    def points(e: SprintEntry) -> float:
        item = items.get(e.item_id)
        live = item.estimate if item is not None else None
        return (live if planned else e.estimate_at_entry) or 0.0

    def is_done(e: SprintEntry) -> bool:
        if closed:
            return e.outcome == "done"
        item = items.get(e.item_id)
        return e.outcome is None and item is not None and item.status in done_keys

    committed = [e for e in entries if not e.added_after_start]
    added = [e for e in entries if e.added_after_start]
    done = [e for e in entries if is_done(e)]
    kept = list(dict.fromkeys(e.item_id for e in entries if e.outcome != "removed"))
    return SprintSummary(
        sprint.id, sprint.product_id, sprint.team_id, team_name, sprint.name, sprint.goal,
        sprint.starts_on, sprint.ends_on, sprint.state, sprint.started_at, sprint.closed_at,
        unit,
        sum(points(e) for e in committed), len(committed),
        sum(points(e) for e in added), len(added),
        sum((items[e.item_id].estimate or 0.0) for e in done if e.item_id in items), len(done),
        kept, [_entry_row(e) for e in entries],
    )  # fmt: skip


def summaries_in(uow: UnitOfWork, sprints: Sequence[Sprint]) -> list[SprintSummary]:
    """Summaries of several sprints in four queries (inside a uow)."""
    if not sprints:
        return []
    ids = [s.id for s in sprints]
    entries: dict[int, list[SprintEntry]] = defaultdict(list)
    stmt = select(SprintEntry).where(SprintEntry.sprint_id.in_(ids)).order_by(SprintEntry.id)
    for entry in uow.session.scalars(stmt):
        entries[entry.sprint_id].append(entry)
    item_ids = {e.item_id for found in entries.values() for e in found}
    items = {i.id: i for i in uow.session.scalars(select(Item).where(Item.id.in_(item_ids)))}
    team_rows = uow.session.execute(
        select(Team.id, Team.name).where(Team.id.in_({s.team_id for s in sprints}))
    )
    teams = {int(i): str(n) for i, n in team_rows}
    products = {s.product_id for s in sprints}
    units = {p: sprint_settings(uow, p).capacity_unit for p in products}
    done = {p: done_statuses(uow, p) for p in products}
    return [
        _summary(
            s,
            teams.get(s.team_id, ""),
            units[s.product_id],
            entries[s.id],
            items,
            done[s.product_id],
        )
        for s in sprints
    ]


def summary_in(uow: UnitOfWork, sprint: Sprint) -> SprintSummary:
    return summaries_in(uow, [sprint])[0]


def sprint_summary(
    reader: UnitOfWork, sprint_id: int, *, actor: Actor | None = None
) -> SprintSummary:
    """The sprint with its team, dates, goal, state, commitment, done work and items."""
    with reader as uow:
        return summary_in(uow, get_sprint(uow, sprint_id, actor=actor, action=Action.READ))


def closed_in(uow: UnitOfWork, team_id: int, limit: int) -> list[Sprint]:
    stmt = (
        select(Sprint)
        .where(Sprint.team_id == team_id, Sprint.state == rules.State.CLOSED)
        .order_by(Sprint.ends_on.desc(), Sprint.id.desc())
        .limit(limit)
    )
    return list(uow.session.scalars(stmt))


def closed_sprints(
    reader: UnitOfWork,
    team_id: int,
    limit: int = rules.HISTORY_SPRINTS,
    *,
    actor: Actor | None = None,
) -> list[SprintSummary]:
    """The team's last `limit` closed sprints, newest first."""
    with reader as uow:
        team = uow.get(Team, team_id, what=N_("team"))
        if actor is not None:
            authorise(uow, product_id=team.product_id, actor=actor, action=Action.READ)
        return summaries_in(uow, closed_in(uow, team_id, limit))


# --- teams ------------------------------------------------------------------------------------


def teams_in(uow: UnitOfWork, product_id: int) -> list[TeamRow]:
    teams = list(
        uow.session.scalars(
            select(Team).where(Team.product_id == product_id).order_by(Team.name, Team.id)
        )
    )
    members: dict[int, list[tuple[User, float]]] = defaultdict(list)
    rows = uow.session.execute(
        select(TeamMember.team_id, User, TeamMember.focus_factor)
        .join(User, User.id == TeamMember.user_id)
        .where(TeamMember.team_id.in_([t.id for t in teams]))
        .order_by(User.name, User.email)
    )
    for team_id, user, focus in rows:
        members[team_id].append((user, focus))
    return [TeamRow(t, members[t.id]) for t in teams]


def list_teams(reader: UnitOfWork, *, actor: Actor, product_id: int) -> list[TeamRow]:
    with reader as uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        return teams_in(uow, product_id)


def list_sprints(reader: UnitOfWork, *, actor: Actor, product_id: int) -> list[SprintSummary]:
    """Every sprint of the product: active first, then planned by date, then closed newest
    first."""
    with reader as uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        sprints = list(uow.session.scalars(select(Sprint).where(Sprint.product_id == product_id)))
        order = {rules.State.ACTIVE: 0, rules.State.PLANNED: 1, rules.State.CLOSED: 2}
        sprints.sort(
            key=lambda s: (
                order.get(rules.State(s.state), 3),
                -s.starts_on.toordinal()
                if s.state == rules.State.CLOSED
                else s.starts_on.toordinal(),
                s.id,
            )
        )
        return summaries_in(uow, sprints)


def days_off_of(uow: UnitOfWork, sprint_ids: Sequence[int]) -> dict[int, dict[int, float]]:
    """{sprint id: {user id: days off}}."""
    found: dict[int, dict[int, float]] = defaultdict(dict)
    stmt = select(DaysOff).where(DaysOff.sprint_id.in_(sprint_ids))
    for row in uow.session.scalars(stmt):
        found[row.sprint_id][row.user_id] = row.days
    return found


def team_members(uow: UnitOfWork, team_id: int) -> dict[int, float]:
    stmt = select(TeamMember.user_id, TeamMember.focus_factor).where(TeamMember.team_id == team_id)
    return {int(u): float(f) for u, f in uow.session.execute(stmt)}


def team_sprints(uow: UnitOfWork, team_id: int, *, exclude: int | None = None) -> list[rules.Span]:
    stmt = select(Sprint.id, Sprint.name, Sprint.starts_on, Sprint.ends_on).where(
        Sprint.team_id == team_id
    )
    if exclude is not None:
        stmt = stmt.where(Sprint.id != exclude)
    return [rules.Span(i, n, s, e) for i, n, s, e in uow.session.execute(stmt)]


def active_sprint(uow: UnitOfWork, team_id: int, *, exclude: int | None = None) -> Sprint | None:
    stmt = select(Sprint).where(Sprint.team_id == team_id, Sprint.state == rules.State.ACTIVE)
    if exclude is not None:
        stmt = stmt.where(Sprint.id != exclude)
    return uow.session.scalars(stmt.limit(1)).first()


def get_settings(reader: UnitOfWork, *, actor: Actor, product_id: int) -> SprintSettings:
    with reader as uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        return sprint_settings(uow, product_id)
