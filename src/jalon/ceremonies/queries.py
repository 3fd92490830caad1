"""Reads of the Sprint Review and Retrospective pages, the API and the action item list."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, or_, select

from jalon.accounts.models import User
from jalon.backlog.models import Item
from jalon.backlog.queries import backlog_settings
from jalon.ceremonies import rules
from jalon.ceremonies.models import (
    ActionItem,
    RetroCard,
    Retrospective,
    RetroVote,
    ReviewFeedback,
    SprintReview,
)
from jalon.errors import N_
from jalon.permissions import Action, Actor, Role
from jalon.products.models import Product
from jalon.products.queries import MemberRow, list_members
from jalon.products.services import authorise, role_of
from jalon.sprints import queries as sprint_queries
from jalon.sprints.models import Sprint, SprintEntry, Team
from jalon.sprints.queries import SprintSummary
from jalon.uow import UnitOfWork


@dataclass(frozen=True)
class SprintRef:
    product: Product
    sprint: Sprint
    team: Team | None
    role: Role | None


def sprint_ref(uow: UnitOfWork, *, actor: Actor, sprint_id: int, action: Action) -> SprintRef:
    """A sprint the actor may act on (404 when they may not see its product)."""
    sprint = uow.get(Sprint, sprint_id, what=N_("sprint"))
    product = authorise(uow, product_id=sprint.product_id, actor=actor, action=action)
    return SprintRef(
        product,
        sprint,
        uow.session.get(Team, sprint.team_id),
        role_of(uow, product_id=product.id, user_id=actor.id),
    )


def done_items(uow: UnitOfWork, sprint_id: int) -> list[Item]:
    """The increment: items of the sprint now done, and items that left it done."""
    left_done = select(SprintEntry.item_id).where(
        SprintEntry.sprint_id == sprint_id, SprintEntry.outcome == "done"
    )
    stmt = select(Item).where(
        or_(
            (Item.sprint_id == sprint_id) & Item.done_at.is_not(None),
            Item.id.in_(left_done),
        )
    )
    return list(uow.session.scalars(stmt.order_by(Item.done_at, Item.id)))


# --- Sprint Review -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewPage:
    ref: SprintRef
    summary: SprintSummary  # for the sprint's head and tabs
    review: SprintReview | None
    feedback: list[ReviewFeedback]
    items: list[Item]
    increment: rules.Increment
    trend: list[rules.TrendPoint]
    scale: str
    made_items: dict[int, Item] = field(default_factory=dict)  # feedback's backlog items

    @property
    def held(self) -> bool:
        return self.review is not None and self.review.held_at is not None


def review_of(uow: UnitOfWork, sprint_id: int) -> SprintReview | None:
    return uow.session.scalar(select(SprintReview).where(SprintReview.sprint_id == sprint_id))


def list_feedback(uow: UnitOfWork, review: SprintReview | None) -> list[ReviewFeedback]:
    if review is None:
        return []
    stmt = select(ReviewFeedback).where(ReviewFeedback.review_id == review.id)
    return list(uow.session.scalars(stmt.order_by(ReviewFeedback.id)))


def progress_trend(uow: UnitOfWork, product_id: int) -> list[rules.TrendPoint]:
    """The Product Goal assessments of every review of the product, in sprint order."""
    rows = uow.session.execute(
        select(Sprint.name, SprintReview.progress_percent)
        .join(SprintReview, SprintReview.sprint_id == Sprint.id)
        .where(Sprint.product_id == product_id)
        .order_by(Sprint.starts_on, Sprint.id)
    ).all()
    return rules.trend([(str(name), percent) for name, percent in rows])


def _items_by_id(uow: UnitOfWork, ids: list[int]) -> dict[int, Item]:
    if not ids:
        return {}
    return {i.id: i for i in uow.session.scalars(select(Item).where(Item.id.in_(ids)))}


def get_review(uow: UnitOfWork, *, actor: Actor, sprint_id: int) -> ReviewPage:
    with uow:
        ref = sprint_ref(uow, actor=actor, sprint_id=sprint_id, action=Action.READ)
        review = review_of(uow, sprint_id)
        items = done_items(uow, sprint_id)
        feedback = list_feedback(uow, review)
        linked = [f.item_id for f in feedback if f.item_id is not None]
        return ReviewPage(
            ref=ref,
            summary=sprint_queries.summary_in(uow, ref.sprint),
            review=review,
            feedback=feedback,
            items=items,
            increment=rules.increment((i.type, i.estimate) for i in items),
            trend=progress_trend(uow, ref.product.id),
            scale=backlog_settings(uow, ref.product.id).scale,
            made_items=_items_by_id(uow, linked),
        )


def get_feedback(uow: UnitOfWork, *, actor: Actor, feedback_id: int) -> ReviewFeedback:
    with uow:
        entry = uow.get(ReviewFeedback, feedback_id, what=N_("feedback"))
        review = uow.session.get(SprintReview, entry.review_id)
        assert review is not None  # the foreign key cascades
        authorise(uow, product_id=review.product_id, actor=actor, action=Action.READ)
        return entry


# --- Retrospective -------------------------------------------------------------------------


@dataclass(frozen=True)
class CardRow:
    card: RetroCard
    votes: int
    mine: int  # the reader's own dots on it


@dataclass(frozen=True)
class ActionRow:
    action: ActionItem
    owner: User | None
    origin: Sprint | None  # the sprint of the retro that wrote it
    due_sprint: Sprint | None
    team: Team | None


@dataclass(frozen=True)
class RetroPage:
    ref: SprintRef
    summary: SprintSummary
    retro: Retrospective | None
    format: str
    dots: int
    cards: dict[str, list[CardRow]]  # per column key, most voted first
    dots_used: int
    actions: list[ActionRow]  # written in this retro
    carried: list[ActionRow]  # of earlier retros of the team, still open or just closed
    members: list[MemberRow]
    sprints: list[Sprint]  # of the team, for the due sprint

    @property
    def columns(self) -> tuple[rules.Column, ...]:
        return rules.FORMATS[self.format]

    @property
    def dots_left(self) -> int:
        return max(self.dots - self.dots_used, 0)


def retro_of(uow: UnitOfWork, sprint_id: int) -> Retrospective | None:
    return uow.session.scalar(select(Retrospective).where(Retrospective.sprint_id == sprint_id))


def _card_rows(
    uow: UnitOfWork, retro: Retrospective | None, fmt: str, user_id: int | None
) -> dict[str, list[CardRow]]:
    out: dict[str, list[CardRow]] = {c.key: [] for c in rules.FORMATS[fmt]}
    if retro is None:
        return out
    mine = func.sum(case((RetroVote.user_id == (user_id or 0), 1), else_=0))
    rows = uow.session.execute(
        select(RetroCard, func.count(RetroVote.id), mine)
        .outerjoin(RetroVote, RetroVote.card_id == RetroCard.id)
        .where(RetroCard.retro_id == retro.id)
        .group_by(RetroCard.id)
        .order_by(func.count(RetroVote.id).desc(), RetroCard.id)
    ).all()
    for card, votes, own in rows:
        out.setdefault(card.column, []).append(CardRow(card, int(votes), int(own or 0)))
    return out


def get_card(uow: UnitOfWork, *, actor: Actor, card_id: int) -> CardRow:
    with uow:
        card = uow.get(RetroCard, card_id, what=N_("card"))
        retro = uow.session.get(Retrospective, card.retro_id)
        assert retro is not None  # the foreign key cascades
        sprint_ref(uow, actor=actor, sprint_id=retro.sprint_id, action=Action.READ)
        rows = _card_rows(uow, retro, retro.format, actor.id)
        return next(r for col in rows.values() for r in col if r.card.id == card_id)


def dots_used(uow: UnitOfWork, retro_id: int, user_id: int | None) -> int:
    stmt = (
        select(func.count(RetroVote.id))
        .join(RetroCard, RetroCard.id == RetroVote.card_id)
        .where(RetroCard.retro_id == retro_id, RetroVote.user_id == (user_id or 0))
    )
    return int(uow.session.scalar(stmt) or 0)


def _action_rows(uow: UnitOfWork, actions: list[ActionItem]) -> list[ActionRow]:
    user_ids = {a.owner_id for a in actions if a.owner_id}
    users = {u.id: u for u in uow.session.scalars(select(User).where(User.id.in_(user_ids)))}
    retro_ids = {a.retro_id for a in actions if a.retro_id}
    origins = uow.session.execute(
        select(Retrospective.id, Retrospective.sprint_id).where(Retrospective.id.in_(retro_ids))
    )
    origin_of = {int(r): int(s) for r, s in origins}
    sprint_ids = set(origin_of.values()) | {a.due_sprint_id for a in actions if a.due_sprint_id}
    sprints = {
        s.id: s for s in uow.session.scalars(select(Sprint).where(Sprint.id.in_(sprint_ids)))
    }
    team_ids = {a.team_id for a in actions if a.team_id}
    teams = {t.id: t for t in uow.session.scalars(select(Team).where(Team.id.in_(team_ids)))}
    return [
        ActionRow(
            a,
            users.get(a.owner_id or 0),
            sprints.get(origin_of.get(a.retro_id or 0, 0)),
            sprints.get(a.due_sprint_id or 0),
            teams.get(a.team_id or 0),
        )
        for a in actions
    ]


def carried_actions(uow: UnitOfWork, sprint: Sprint) -> list[ActionItem]:
    """The team's action items from earlier retros that this sprint's retro reviews."""
    rows = uow.session.execute(
        select(ActionItem, Sprint.id, Sprint.starts_on)
        .outerjoin(Retrospective, Retrospective.id == ActionItem.retro_id)
        .outerjoin(Sprint, Sprint.id == Retrospective.sprint_id)
        .where(ActionItem.team_id == sprint.team_id)
        .order_by(ActionItem.id)
    ).all()
    facts = [
        rules.ActionFacts(
            a.id,
            origin_id,
            origin_start or a.created_at.date(),
            a.status,
            a.closed_at.date() if a.closed_at else None,
        )
        for a, origin_id, origin_start in rows
    ]
    keep = set(
        rules.carried_over(
            facts, sprint_id=sprint.id, sprint_start=sprint.starts_on, sprint_end=sprint.ends_on
        )
    )
    return [a for a, _i, _s in rows if a.id in keep]


def team_sprints(uow: UnitOfWork, team_id: int) -> list[Sprint]:
    stmt = select(Sprint).where(Sprint.team_id == team_id).order_by(Sprint.starts_on, Sprint.id)
    return list(uow.session.scalars(stmt))


def retro_actions(uow: UnitOfWork, retro: Retrospective | None) -> list[ActionItem]:
    if retro is None:
        return []
    stmt = select(ActionItem).where(ActionItem.retro_id == retro.id).order_by(ActionItem.id)
    return list(uow.session.scalars(stmt))


def get_retro(uow: UnitOfWork, *, actor: Actor, sprint_id: int) -> RetroPage:
    with uow:
        ref = sprint_ref(uow, actor=actor, sprint_id=sprint_id, action=Action.READ)
        retro = retro_of(uow, sprint_id)
        fmt = retro.format if retro else rules.DEFAULT_FORMAT
        return RetroPage(
            ref=ref,
            summary=sprint_queries.summary_in(uow, ref.sprint),
            retro=retro,
            format=fmt,
            dots=retro.dots if retro else 3,
            cards=_card_rows(uow, retro, fmt, actor.id),
            dots_used=dots_used(uow, retro.id, actor.id) if retro else 0,
            actions=_action_rows(uow, retro_actions(uow, retro)),
            carried=_action_rows(uow, carried_actions(uow, ref.sprint)),
            members=list_members(uow, product_id=ref.product.id),
            sprints=team_sprints(uow, ref.sprint.team_id),
        )


# --- action items of a product -------------------------------------------------------------


@dataclass(frozen=True)
class ActionsPage:
    product: Product
    role: Role | None
    rows: list[ActionRow]
    teams: list[Team]
    members: list[MemberRow]
    counts: dict[str, int]  # per status


def list_actions(
    uow: UnitOfWork, *, actor: Actor, product_id: int, status: str | None = None
) -> ActionsPage:
    """A product's action items, open first, oldest first (all statuses when `status` is None)."""
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        stmt = select(ActionItem).where(ActionItem.product_id == product_id)
        if status:
            stmt = stmt.where(ActionItem.status == rules.parse_action_status(status))
        order = (ActionItem.status != "open", ActionItem.id)
        actions = list(uow.session.scalars(stmt.order_by(*order)))
        counts = uow.session.execute(
            select(ActionItem.status, func.count())
            .where(ActionItem.product_id == product_id)
            .group_by(ActionItem.status)
        )
        teams = select(Team).where(Team.product_id == product_id).order_by(Team.name)
        return ActionsPage(
            product,
            role_of(uow, product_id=product_id, user_id=actor.id),
            _action_rows(uow, actions),
            list(uow.session.scalars(teams)),
            list_members(uow, product_id=product_id),
            {str(s): int(n) for s, n in counts},
        )


def get_action(uow: UnitOfWork, *, actor: Actor, action_id: int) -> ActionRow:
    with uow:
        action = uow.get(ActionItem, action_id, what=N_("action item"))
        authorise(uow, product_id=action.product_id, actor=actor, action=Action.READ)
        return _action_rows(uow, [action])[0]
