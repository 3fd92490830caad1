"""What the sprint pages show: the sprints list, planning, the board and the close form.

Reads only; each view loads what it shows in a bounded number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, or_, select

from jalon.accounts.models import User
from jalon.backlog import queries as backlog_queries
from jalon.backlog import search
from jalon.backlog.models import Item
from jalon.backlog.workflow import Category
from jalon.errors import N_, Label, NotFound
from jalon.permissions import Action, Actor, Role
from jalon.products import queries as product_queries
from jalon.products.models import Product
from jalon.products.services import authorise, role_of
from jalon.sprints import queries, rules
from jalon.sprints.models import Sprint, SprintEntry, SprintSettings, Team
from jalon.uow import NOT_FOUND, UnitOfWork

CANDIDATES = 100


@dataclass(frozen=True)
class Overview:
    product: Product
    role: Role | None
    teams: list[queries.TeamRow]
    sprints: dict[int, list[queries.SprintSummary]]  # by team id
    settings: SprintSettings
    statuses: list[dict[str, str]]
    members: list[product_queries.MemberRow]


@dataclass(frozen=True)
class MemberLine:
    user: User
    focus: float
    days_off: float


@dataclass(frozen=True)
class PlanView:
    product: Product
    role: Role | None
    sprint: queries.SprintSummary
    backlog: list[Item]
    more: bool
    items: list[Item]
    members: list[MemberLine]
    working_days: int
    capacity: rules.Capacity
    statuses: dict[str, dict[str, str]]
    assignees: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Column:
    status: dict[str, str]
    items: list[Item]
    limit: int | None

    @property
    def over(self) -> bool:
        return self.limit is not None and len(self.items) > self.limit


@dataclass(frozen=True)
class BoardView:
    product: Product
    role: Role | None
    sprint: queries.SprintSummary
    columns: list[Column]
    assignees: dict[int, str]


@dataclass(frozen=True)
class CloseView:
    product: Product
    role: Role | None
    sprint: queries.SprintSummary
    unfinished: list[Item]
    planned: list[Sprint]
    statuses: dict[str, dict[str, str]]


def _context(
    uow: UnitOfWork, actor: Actor, product_id: int, sprint_id: int
) -> tuple[Product, Role | None, Sprint]:
    product = authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
    sprint = queries.get_sprint(uow, sprint_id, actor=None, action=Action.READ)
    if sprint.product_id != product_id:
        raise NotFound(NOT_FOUND, what=Label("sprint", N_("sprint")), ident=sprint_id)
    return product, role_of(uow, product_id=product_id, user_id=actor.id), sprint


def overview(reader: UnitOfWork, *, actor: Actor, product_id: int) -> Overview:
    sprints = queries.list_sprints(reader, actor=actor, product_id=product_id)
    with reader as uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        teams = queries.teams_in(uow, product_id)
        by_team: dict[int, list[queries.SprintSummary]] = {t.team.id: [] for t in teams}
        for s in sprints:
            by_team.setdefault(s.team_id, []).append(s)
        return Overview(
            product,
            role_of(uow, product_id=product_id, user_id=actor.id),
            teams,
            by_team,
            queries.sprint_settings(uow, product_id),
            list(backlog_queries.backlog_settings(uow, product_id).statuses),
            product_queries.list_members(uow, product_id=product_id),
        )


def _open_statuses(statuses: list[dict[str, str]]) -> list[str]:
    return [s["key"] for s in statuses if s["category"] in (Category.TODO, Category.DOING)]


def _candidates(
    uow: UnitOfWork, product_id: int, statuses: list[dict[str, str]], q: str, item_type: str
) -> tuple[list[Item], bool]:
    """Backlog items by rank that are open and in no open sprint."""
    closed = select(Sprint.id).where(Sprint.state == rules.State.CLOSED)
    stmt = select(Item).where(
        Item.product_id == product_id,
        Item.status.in_(_open_statuses(statuses)),
        or_(Item.sprint_id.is_(None), Item.sprint_id.in_(closed)),
    )
    if item_type:
        stmt = stmt.where(Item.type == item_type)
    terms = search.parse(q) if q else None
    if terms:
        stmt = stmt.where(search.matching(uow, terms, product_id))
    rows = list(uow.session.scalars(stmt.order_by(Item.rank, Item.id).limit(CANDIDATES + 1)))
    return rows[:CANDIDATES], len(rows) > CANDIDATES


def _in_sprint(uow: UnitOfWork, sprint: Sprint) -> list[Item]:
    stmt = (
        select(Item)
        .join(SprintEntry, and_(SprintEntry.item_id == Item.id, SprintEntry.sprint_id == sprint.id))
        .where(SprintEntry.outcome.is_(None))
        .order_by(Item.rank, Item.id)
    )
    return list(dict.fromkeys(uow.session.scalars(stmt)))


def _assignees(uow: UnitOfWork, items: list[Item]) -> dict[int, str]:
    wanted = {i.assignee_id for i in items if i.assignee_id is not None}
    if not wanted:
        return {}
    rows = uow.session.execute(select(User.id, User.name, User.email).where(User.id.in_(wanted)))
    return {int(uid): name or email for uid, name, email in rows}


def _members(uow: UnitOfWork, sprint: Sprint) -> list[MemberLine]:
    off = queries.days_off_of(uow, [sprint.id]).get(sprint.id, {})
    return [
        MemberLine(user, focus, off.get(user.id, 0.0))
        for row in queries.teams_in(uow, sprint.product_id)
        if row.team.id == sprint.team_id
        for user, focus in row.members
    ]


def _history(uow: UnitOfWork, sprint: Sprint, focus: dict[int, float]) -> list[rules.Past]:
    """The team's last closed sprints: what each finished, with the person-days it had."""
    closed = queries.closed_in(uow, sprint.team_id, rules.HISTORY_SPRINTS)
    off = queries.days_off_of(uow, [s.id for s in closed])
    past = []
    for summary in queries.summaries_in(uow, closed):
        days = rules.working_days(summary.starts_on, summary.ends_on)
        people = [rules.Member(f, off.get(summary.id, {}).get(u, 0.0)) for u, f in focus.items()]
        past.append(rules.Past(summary.done(), rules.person_days(people, days)))
    return past


def plan_view(
    reader: UnitOfWork,
    *,
    actor: Actor,
    product_id: int,
    sprint_id: int,
    q: str = "",
    type: str = "",
) -> PlanView:
    with reader as uow:
        product, role, sprint = _context(uow, actor, product_id, sprint_id)
        statuses = list(backlog_queries.backlog_settings(uow, product_id).statuses)
        backlog, more = _candidates(uow, product_id, statuses, q, type)
        items = _in_sprint(uow, sprint)
        summary = queries.summary_in(uow, sprint)
        members = _members(uow, sprint)
        days = rules.working_days(sprint.starts_on, sprint.ends_on)
        history = _history(uow, sprint, {m.user.id: m.focus for m in members})
        committed = rules.commitment([i.estimate for i in items], summary.unit)
        team = [rules.Member(m.focus, m.days_off) for m in members]
        capacity = rules.capacity(team, days, history=history, committed=committed)
        return PlanView(
            product, role, summary, backlog, more, items, members, days, capacity,
            {s["key"]: s for s in statuses}, _assignees(uow, [*backlog, *items]),
        )  # fmt: skip


def board_view(reader: UnitOfWork, *, actor: Actor, product_id: int, sprint_id: int) -> BoardView:
    with reader as uow:
        product, role, sprint = _context(uow, actor, product_id, sprint_id)
        statuses = list(backlog_queries.backlog_settings(uow, product_id).statuses)
        limits = queries.sprint_settings(uow, product_id).wip_limits or {}
        if sprint.state == rules.State.CLOSED:
            stmt = select(Item).where(Item.id.in_(queries.summary_in(uow, sprint).item_ids))
            items = list(uow.session.scalars(stmt.order_by(Item.rank, Item.id)))
        else:
            items = _in_sprint(uow, sprint)
        by_status: dict[str, list[Item]] = {s["key"]: [] for s in statuses}
        for item in items:
            by_status.setdefault(item.status, []).append(item)
        columns = [Column(s, by_status[s["key"]], limits.get(s["key"])) for s in statuses]
        return BoardView(
            product, role, queries.summary_in(uow, sprint), columns, _assignees(uow, items)
        )


def close_view(reader: UnitOfWork, *, actor: Actor, product_id: int, sprint_id: int) -> CloseView:
    with reader as uow:
        product, role, sprint = _context(uow, actor, product_id, sprint_id)
        statuses = list(backlog_queries.backlog_settings(uow, product_id).statuses)
        open_keys = set(_open_statuses(statuses))
        unfinished = [i for i in _in_sprint(uow, sprint) if i.status in open_keys]
        stmt = select(Sprint).where(
            Sprint.team_id == sprint.team_id, Sprint.state == rules.State.PLANNED
        )
        planned = list(uow.session.scalars(stmt.order_by(Sprint.starts_on, Sprint.id)))
        return CloseView(
            product, role, queries.summary_in(uow, sprint), unfinished, planned,
            {s["key"]: s for s in statuses},
        )  # fmt: skip


def sprint_of(reader: UnitOfWork, *, actor: Actor, product_id: int, sprint_id: int) -> Any:
    """The sprint row of this product (404 when it belongs to another product)."""
    with reader as uow:
        return _context(uow, actor, product_id, sprint_id)[2]


def team_product(reader: UnitOfWork, *, actor: Actor, team_id: int) -> int:
    """The product of a team the actor may see (404 otherwise)."""
    with reader as uow:
        team = uow.get(Team, team_id, what=N_("team"))
        authorise(uow, product_id=team.product_id, actor=actor, action=Action.READ)
        return team.product_id


def card_of(
    reader: UnitOfWork, *, actor: Actor, product_id: int, sprint_id: int, item_id: int
) -> Item:
    """An item on this sprint's board (404 when it is not in the sprint)."""
    with reader as uow:
        sprint = _context(uow, actor, product_id, sprint_id)[2]
        item = uow.session.get(Item, item_id)
        if item is None or item.sprint_id != sprint.id:
            raise NotFound(NOT_FOUND, what=Label("item", N_("item")), ident=item_id)
        return item
