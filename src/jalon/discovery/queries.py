"""Discovery reads shared by pages, API and demo: the tree with its evidence, one node, one
experiment, the assumption map, the vision board and personas. A few queries per page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select

from jalon.discovery import rules
from jalon.discovery.models import (
    Experiment,
    ExperimentItem,
    Hypothesis,
    Persona,
    TreeNode,
    VisionBoard,
)
from jalon.errors import N_
from jalon.feedback.models import Feedback, FeedbackLink, Segment
from jalon.permissions import Action, Actor, Role
from jalon.products.models import Product
from jalon.products.services import authorise, role_of
from jalon.signals.models import FeedEntry, MarketSignal
from jalon.uow import UnitOfWork

QUOTES = 5


@dataclass
class NodeView:
    node: TreeNode
    hypothesis: Hypothesis | None = None
    evidence: int = 0  # feedback linked to an opportunity
    signals: int = 0  # market signals linked to an opportunity
    experiments: list[Experiment] = field(default_factory=list)
    children: list[NodeView] = field(default_factory=list)


@dataclass(frozen=True)
class TreeView:
    product: Product
    role: Role | None
    roots: list[NodeView]
    counts: dict[str, int]


def _read(uow: UnitOfWork, actor: Actor, product_id: int) -> tuple[Product, Role | None]:
    product = authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
    return product, role_of(uow, product_id=product_id, user_id=actor.id)


def _evidence(uow: UnitOfWork, ids: Sequence[int]) -> dict[int, int]:
    stmt = (
        select(FeedbackLink.opportunity_id, func.count())
        .join(Feedback, Feedback.id == FeedbackLink.feedback_id)
        .where(FeedbackLink.opportunity_id.in_(ids), Feedback.state != "rejected")
        .group_by(FeedbackLink.opportunity_id)
    )
    if not ids:
        return {}
    rows: list[tuple[int | None, int]] = [(k, n) for k, n in uow.session.execute(stmt)]
    return {int(k): int(n) for k, n in rows if k is not None}


def _signals(uow: UnitOfWork, ids: Sequence[int]) -> dict[int, int]:
    """Market signals linked to opportunities (dismissed ones not counted)."""
    if not ids:
        return {}
    column = MarketSignal.opportunity_id
    stmt = (
        select(column, func.count())
        .where(column.in_(ids), MarketSignal.state != "dismissed")
        .group_by(column)
    )
    rows: list[tuple[int | None, int]] = [(k, n) for k, n in uow.session.execute(stmt)]
    return {int(k): int(n) for k, n in rows if k is not None}


def _signal_entries(uow: UnitOfWork, node: TreeNode) -> list[FeedEntry]:
    """The feed entries behind the market signals linked to an opportunity, newest first."""
    if node.kind != "opportunity":
        return []
    stmt = (
        select(FeedEntry)
        .join(MarketSignal, MarketSignal.entry_id == FeedEntry.id)
        .where(MarketSignal.opportunity_id == node.id, MarketSignal.state != "dismissed")
        .order_by(FeedEntry.published_at.desc(), FeedEntry.id.desc())
        .limit(QUOTES)
    )
    return list(uow.session.scalars(stmt))


def _views(uow: UnitOfWork, nodes: Sequence[TreeNode]) -> dict[int, NodeView]:
    ids = [n.id for n in nodes]
    views = {n.id: NodeView(n) for n in nodes}
    if not ids:
        return views
    for h in uow.session.scalars(select(Hypothesis).where(Hypothesis.node_id.in_(ids))):
        views[h.node_id].hypothesis = h
    stmt = select(Experiment).where(Experiment.assumption_id.in_(ids)).order_by(Experiment.id)
    for e in uow.session.scalars(stmt):
        views[e.assumption_id].experiments.append(e)
    opportunities = [n.id for n in nodes if n.kind == "opportunity"]
    for ident, count in _evidence(uow, opportunities).items():
        views[ident].evidence = count
    for ident, count in _signals(uow, opportunities).items():
        views[ident].signals = count
    return views


def _nest(nodes: Sequence[TreeNode], views: dict[int, NodeView]) -> list[NodeView]:
    flat = [rules.Node(n.id, n.parent_id, n.kind, n.title, n.position) for n in nodes]

    def convert(node: rules.Node) -> NodeView:
        view = views[node.id]
        view.children = [convert(c) for c in node.children]
        return view

    return [convert(root) for root in rules.build_tree(flat)]


def get_tree(uow: UnitOfWork, *, actor: Actor, product_id: int) -> TreeView:
    with uow:
        product, role = _read(uow, actor, product_id)
        nodes = list(uow.session.scalars(select(TreeNode).where(TreeNode.product_id == product_id)))
        views = _views(uow, nodes)
        counts = {kind: sum(1 for n in nodes if n.kind == kind) for kind in rules.KINDS}
        counts["experiment"] = sum(len(v.experiments) for v in views.values())
        return TreeView(product, role, _nest(nodes, views), counts)


@dataclass(frozen=True)
class NodePage:
    product: Product
    role: Role | None
    view: NodeView
    path: list[TreeNode]  # ancestors, root first
    parents: list[TreeNode]  # where the node may move (same level as its parent)
    quotes: list[Feedback]
    signal_entries: list[FeedEntry]


def _ancestors(uow: UnitOfWork, node: TreeNode) -> list[TreeNode]:
    path: list[TreeNode] = []
    parent_id = node.parent_id
    while parent_id is not None and len(path) < len(rules.KINDS):
        parent = uow.session.get(TreeNode, parent_id)
        if parent is None:
            break
        path.insert(0, parent)
        parent_id = parent.parent_id
    return path


def _quotes(uow: UnitOfWork, node: TreeNode) -> list[Feedback]:
    if node.kind != "opportunity":
        return []
    stmt = (
        select(Feedback)
        .join(FeedbackLink, FeedbackLink.feedback_id == Feedback.id)
        .where(FeedbackLink.opportunity_id == node.id, Feedback.state != "rejected")
        .order_by(FeedbackLink.importance.desc(), Feedback.received_at.desc())
        .limit(QUOTES)
    )
    return list(uow.session.scalars(stmt))


def get_node(uow: UnitOfWork, *, actor: Actor, node_id: int) -> NodePage:
    with uow:
        node = uow.get(TreeNode, node_id, what=N_("node"))
        product, role = _read(uow, actor, node.product_id)
        children = list(uow.session.scalars(select(TreeNode).where(TreeNode.parent_id == node.id)))
        views = _views(uow, [node, *children])
        views[node.id].children = [views[c.id] for c in sorted(children, key=_order)]
        wanted = rules.parent_kind(node.kind)
        parents = [] if wanted is None else list(uow.session.scalars(
            select(TreeNode).where(TreeNode.product_id == node.product_id, TreeNode.kind == wanted)
            .order_by(TreeNode.title, TreeNode.id)
        ))  # fmt: skip
        return NodePage(
            product, role, views[node.id], _ancestors(uow, node), parents, _quotes(uow, node),
            _signal_entries(uow, node),
        )  # fmt: skip


def _order(node: TreeNode) -> tuple[int, int]:
    return node.position, node.id


@dataclass(frozen=True)
class ExperimentPage:
    product: Product
    role: Role | None
    experiment: Experiment
    assumption: TreeNode
    hypothesis: Hypothesis | None
    item_ids: list[int]


def get_experiment(uow: UnitOfWork, *, actor: Actor, experiment_id: int) -> ExperimentPage:
    with uow:
        e = uow.get(Experiment, experiment_id, what=N_("experiment"))
        product, role = _read(uow, actor, e.product_id)
        assumption = uow.get(TreeNode, e.assumption_id, what=N_("node"))
        stmt = select(ExperimentItem.item_id).where(ExperimentItem.experiment_id == e.id)
        items = sorted(int(i) for i in uow.session.scalars(stmt))
        hypothesis = uow.session.get(Hypothesis, assumption.id)
        return ExperimentPage(product, role, e, assumption, hypothesis, items)


@dataclass(frozen=True)
class AssumptionMap:
    product: Product
    role: Role | None
    placed: list[TreeNode]  # importance and evidence both known
    unplaced: list[TreeNode]


def assumption_map(uow: UnitOfWork, *, actor: Actor, product_id: int) -> AssumptionMap:
    with uow:
        product, role = _read(uow, actor, product_id)
        stmt = select(TreeNode).where(
            TreeNode.product_id == product_id, TreeNode.kind == "assumption"
        )
        nodes = sorted(uow.session.scalars(stmt), key=_order)
        placed = [n for n in nodes if n.importance is not None and n.evidence is not None]
        unplaced = [n for n in nodes if n not in placed]
        return AssumptionMap(product, role, placed, unplaced)


@dataclass(frozen=True)
class BoardPage:
    product: Product
    role: Role | None
    board: VisionBoard | None
    personas: list[Persona]
    segments: dict[int, str]


def get_board(uow: UnitOfWork, *, actor: Actor, product_id: int) -> BoardPage:
    with uow:
        product, role = _read(uow, actor, product_id)
        board = uow.session.get(VisionBoard, product_id)
        stmt = select(Persona).where(Persona.product_id == product_id).order_by(Persona.name)
        personas = list(uow.session.scalars(stmt))
        segments = {
            s.id: s.name
            for s in uow.session.scalars(
                select(Segment).where(Segment.product_id == product_id).order_by(Segment.name)
            )
        }
        return BoardPage(product, role, board, personas, segments)
