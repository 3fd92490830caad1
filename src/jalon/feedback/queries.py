"""Feedback reads shared by pages, the API and the CLI: the inbox with its filters, one
feedback with its links, link candidates, an item's evidence, customers and the intake
token's state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Select, exists, func, or_, select

from jalon.backlog.models import Item
from jalon.discovery.models import TreeNode
from jalon.errors import N_, Label, NotFound
from jalon.feedback import rules
from jalon.feedback.models import Customer, Feedback, FeedbackLink, IntakeToken, Segment
from jalon.permissions import Action, Actor, Role
from jalon.portal import queries as portal_queries
from jalon.prioritisation.models import ItemScore
from jalon.products.models import Product
from jalon.products.services import authorise, role_of
from jalon.themes import placement
from jalon.uow import NOT_FOUND, UnitOfWork

PER_PAGE = 25
CANDIDATES = 20
HIDDEN = ("pending", "rejected")  # the portal's moderation queue, and spam


@dataclass(frozen=True)
class Filters:
    """The inbox's filters; `state` "" means the open ones (new and triaged), "all" every
    state but rejected."""

    source: str = ""
    state: str = ""
    customer_id: int | None = None
    segment_id: int | None = None
    linked: str = ""  # "yes", "no" or ""
    q: str = ""
    page: int = 1

    def as_query(self, **changes: Any) -> str:
        values = {**asdict(self), **changes}
        kept = {k: v for k, v in values.items() if v not in (None, "")}
        if kept.get("page") == 1:
            del kept["page"]
        return urlencode(kept)


@dataclass(frozen=True)
class Row:
    feedback: Feedback
    customer: str
    segment: str
    links: int


@dataclass(frozen=True)
class Inbox:
    product: Product
    role: Role | None
    rows: list[Row]
    total: int
    page: int
    pages: int
    filters: Filters
    customers: list[Customer] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(product_id: int, f: Filters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [Feedback.product_id == product_id]
    if f.state == "all":
        where.append(Feedback.state != "rejected")
    elif f.state:
        where.append(Feedback.state == f.state)
    else:
        where.append(Feedback.state.in_(("new", "triaged")))
    if f.source:
        where.append(Feedback.source == f.source)
    if f.customer_id is not None:
        where.append(Feedback.customer_id == f.customer_id)
    if f.segment_id is not None:
        where.append(Customer.segment_id == f.segment_id)
    has_link = exists().where(FeedbackLink.feedback_id == Feedback.id)
    if f.linked == "yes":
        where.append(has_link)
    elif f.linked == "no":
        where.append(~has_link)
    if f.q.strip():
        pattern = _like(f.q.strip())
        where.append(
            or_(
                *(
                    c.ilike(pattern, escape="\\")
                    for c in (Feedback.text, Feedback.author_name, Feedback.author_email)
                )
            )
        )
    return where


def _joined(stmt: Select[Any]) -> Select[Any]:
    return stmt.outerjoin(Customer, Customer.id == Feedback.customer_id).outerjoin(
        Segment, Segment.id == Customer.segment_id
    )


def _rows(uow: UnitOfWork, where: list[ColumnElement[bool]], offset: int, limit: int) -> list[Row]:
    links = (
        select(func.count(FeedbackLink.id))
        .where(FeedbackLink.feedback_id == Feedback.id)
        .correlate(Feedback)
        .scalar_subquery()
    )
    stmt = _joined(select(Feedback, Customer.name, Segment.name, links)).where(*where)
    stmt = stmt.order_by(Feedback.received_at.desc(), Feedback.id.desc())
    found = uow.session.execute(stmt.offset(offset).limit(limit))
    return [Row(f, c or "", s or "", int(n or 0)) for f, c, s, n in found]


def page_of(
    uow: UnitOfWork, product_id: int, filters: Filters, per_page: int
) -> tuple[list[Row], int]:
    where = _conditions(product_id, filters)
    total = int(uow.session.scalar(_joined(select(func.count(Feedback.id))).where(*where)) or 0)
    offset = (max(filters.page, 1) - 1) * per_page
    return _rows(uow, where, offset, per_page), total


def list_feedback(
    uow: UnitOfWork, *, actor: Actor, product_id: int, filters: Filters, per_page: int = PER_PAGE
) -> Inbox:
    """The inbox, newest received first, a page at a time."""
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        rows, total = page_of(uow, product_id, filters, per_page)
        pages = max(1, -(-total // per_page))
        return Inbox(
            product,
            role_of(uow, product_id=product_id, user_id=actor.id),
            rows,
            total,
            min(max(filters.page, 1), pages),
            pages,
            filters,
            customers_of(uow, product_id),
            segments_of(uow, product_id),
        )


def customers_of(uow: UnitOfWork, product_id: int) -> list[Customer]:
    stmt = select(Customer).where(Customer.product_id == product_id)
    return list(uow.session.scalars(stmt.order_by(func.lower(Customer.name))))


def segments_of(uow: UnitOfWork, product_id: int) -> list[Segment]:
    stmt = select(Segment).where(Segment.product_id == product_id)
    return list(uow.session.scalars(stmt.order_by(func.lower(Segment.name))))


# --- one feedback -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkRow:
    link: FeedbackLink
    kind: str  # "item" or "opportunity"
    target_id: int
    title: str


@dataclass(frozen=True)
class Detail:
    feedback: Feedback
    product: Product
    role: Role | None
    customer: Customer | None
    segment: Segment | None
    links: list[LinkRow]
    customers: list[Customer]


def _links(uow: UnitOfWork, feedback_id: int) -> list[LinkRow]:
    stmt = (
        select(FeedbackLink, Item.title, TreeNode.title)
        .outerjoin(Item, Item.id == FeedbackLink.item_id)
        .outerjoin(TreeNode, TreeNode.id == FeedbackLink.opportunity_id)
        .where(FeedbackLink.feedback_id == feedback_id)
        .order_by(FeedbackLink.importance.desc(), FeedbackLink.id)
    )
    out = []
    for link, item_title, node_title in uow.session.execute(stmt):
        if link.item_id is not None:
            out.append(LinkRow(link, "item", link.item_id, item_title or ""))
        else:
            out.append(LinkRow(link, "opportunity", link.opportunity_id or 0, node_title or ""))
    return out


def get_feedback(uow: UnitOfWork, *, actor: Actor, feedback_id: int) -> Detail:
    with uow:
        feedback = uow.get(Feedback, feedback_id, what=N_("feedback"))
        product = authorise(uow, product_id=feedback.product_id, actor=actor, action=Action.READ)
        if feedback.state == "rejected":  # spam is never shown
            raise NotFound(NOT_FOUND, what=Label("feedback", N_("feedback")), ident=feedback_id)
        customer = uow.session.get(Customer, feedback.customer_id) if feedback.customer_id else None
        segment = (
            uow.session.get(Segment, customer.segment_id)
            if customer and customer.segment_id
            else None
        )
        return Detail(
            feedback,
            product,
            role_of(uow, product_id=product.id, user_id=actor.id),
            customer,
            segment,
            _links(uow, feedback.id),
            customers_of(uow, product.id),
        )


@dataclass(frozen=True)
class Candidates:
    items: list[tuple[int, str, str]]  # id, type, title
    opportunities: list[tuple[int, str]]


def link_candidates(uow: UnitOfWork, *, actor: Actor, product_id: int, q: str) -> Candidates:
    """Items matching `q` (a number finds that item, words search titles), and the
    product's opportunities matching it."""
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        text = q.strip().lstrip("#")
        stmt = select(Item.id, Item.type, Item.title).where(Item.product_id == product_id)
        if text.isdigit():
            stmt = stmt.where(Item.id == int(text))
        elif text:
            stmt = stmt.where(Item.title.ilike(_like(text), escape="\\"))
        items = [
            (int(i), str(t), str(ti))
            for i, t, ti in uow.session.execute(stmt.order_by(Item.rank, Item.id).limit(CANDIDATES))
        ]
        nodes = select(TreeNode.id, TreeNode.title).where(
            TreeNode.product_id == product_id, TreeNode.kind == "opportunity"
        )
        if text and not text.isdigit():
            nodes = nodes.where(TreeNode.title.ilike(_like(text), escape="\\"))
        found = uow.session.execute(nodes.order_by(TreeNode.position, TreeNode.id).limit(50))
        return Candidates(items, [(int(i), str(t)) for i, t in found])


def similar_feedback(
    uow: UnitOfWork, *, actor: Actor, product_id: int, text: str, limit: int = 5
) -> list[tuple[Feedback, float]]:
    """Feedback like `text` (the themes area decides how), best first."""
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        if len(text.strip()) < 3:
            return []
        pairs = placement.similar(uow, product_id, text[: rules.MAX_TEXT], limit=limit)
        rows = {
            f.id: f
            for f in uow.session.scalars(
                select(Feedback).where(Feedback.id.in_([i for i, _s in pairs]))
            )
        }
        return [(rows[i], s) for i, s in pairs if i in rows and rows[i].state not in HIDDEN]


# --- evidence of an item -------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    item: Item
    product_id: int
    role: Role | None
    count: int
    demand: float
    quotes: list[rules.Support]
    rice_inputs: dict[str, Any]


def supports(
    uow: UnitOfWork, *, item_id: int | None = None, opportunity_id: int | None = None
) -> list[rules.Support]:
    """The visible feedback linked to an item (or to an opportunity), as evidence."""
    target = (
        FeedbackLink.item_id == item_id
        if item_id is not None
        else FeedbackLink.opportunity_id == opportunity_id
    )
    stmt = (
        select(Feedback.id, Feedback.text, FeedbackLink.importance, Customer.weight,
               Segment.weight, Customer.name, Feedback.author_name, Feedback.received_at)
        .join(Feedback, Feedback.id == FeedbackLink.feedback_id)
        .outerjoin(Customer, Customer.id == Feedback.customer_id)
        .outerjoin(Segment, Segment.id == Customer.segment_id)
        .where(target, Feedback.state.not_in(HIDDEN))
    )  # fmt: skip
    rows = uow.session.execute(stmt).all()
    votes = portal_queries.vote_demand(uow, [int(r[0]) for r in rows])
    return [rules.Support(int(i), t, int(imp), cw, sw, cn or an or "", at, votes.get(int(i), 0.0))
            for i, t, imp, cw, sw, cn, an, at in rows]  # fmt: skip


@dataclass(frozen=True)
class OpportunityEvidence:
    node: TreeNode
    count: int
    demand: float
    quotes: list[rules.Support]


def opportunity_evidence(uow: UnitOfWork, *, actor: Actor, node_id: int) -> OpportunityEvidence:
    """The feedback supporting an opportunity of the tree: count, weighted demand, quotes."""
    with uow:
        node = uow.get(TreeNode, node_id, what=N_("opportunity"))
        authorise(uow, product_id=node.product_id, actor=actor, action=Action.READ)
        found = supports(uow, opportunity_id=node_id)
        return OpportunityEvidence(
            node, len(found), rules.weighted_demand(found), rules.representative(found)
        )


def item_evidence(uow: UnitOfWork, *, actor: Actor, item_id: int) -> Evidence:
    """How many feedback support an item, their weighted demand and three quotes."""
    with uow:
        item = uow.get(Item, item_id, what=N_("item"))
        authorise(uow, product_id=item.product_id, actor=actor, action=Action.READ)
        found = supports(uow, item_id=item_id)
        score = uow.session.get(ItemScore, (item_id, "rice"))
        return Evidence(
            item,
            item.product_id,
            role_of(uow, product_id=item.product_id, user_id=actor.id),
            len(found),
            rules.weighted_demand(found),
            rules.representative(found),
            dict(score.inputs) if score is not None else {},
        )


# --- customers, intake, imports ---------------------------------------------------------------


@dataclass(frozen=True)
class IntakeView:
    product: Product
    role: Role | None
    token: IntakeToken | None


def intake_settings(uow: UnitOfWork, *, actor: Actor, product_id: int) -> IntakeView:
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        token = uow.session.scalar(select(IntakeToken).where(IntakeToken.product_id == product_id))
        return IntakeView(product, role_of(uow, product_id=product_id, user_id=actor.id), token)


def may_import(uow: UnitOfWork, *, actor: Actor, product_id: int) -> IntakeView:
    """The product, for someone who may import feedback (the team); 403 for others."""
    with uow:
        product = authorise(uow, product_id=product_id, actor=actor, action=Action.CONTRIBUTE)
        return IntakeView(product, role_of(uow, product_id=product_id, user_id=actor.id), None)


def known_keys(uow: UnitOfWork, *, actor: Actor, product_id: int, keys: Sequence[str]) -> set[str]:
    """Which of these external keys the product's feedback already has (a dry run says
    "will update" for them)."""
    wanted = sorted({k for k in keys if k})
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            stmt = select(Feedback.external_key).where(
                Feedback.product_id == product_id,
                Feedback.external_key.in_(wanted[start : start + 500]),
            )
            found.update(str(k) for k in uow.session.scalars(stmt))
        return found
