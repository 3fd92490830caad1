"""Discovery use cases: the opportunity solution tree, hypotheses, experiments and their
decisions (which may create backlog items, in the same transaction).

The team (CONTRIBUTE) builds the tree and runs the experiments. One transaction each, with
its activity entry. The vision board and personas are in `discovery.board.services`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from jalon import activity
from jalon.activity import Subject
from jalon.backlog import services as backlog_services
from jalon.db import utcnow
from jalon.discovery import rules
from jalon.discovery.models import Experiment, ExperimentItem, Hypothesis, TreeNode
from jalon.errors import N_, Invalid
from jalon.permissions import Action, Actor
from jalon.products.services import authorise
from jalon.uow import UnitOfWork

__all__ = [
    "create_experiment",
    "create_node",
    "decide",
    "delete_node",
    "move_node",
    "save_hypothesis",
    "update_experiment",
    "update_node",
]


def _node(uow: UnitOfWork, node_id: int, actor: Actor, action: Action) -> TreeNode:
    node = uow.get(TreeNode, node_id, what=N_("node"))
    authorise(uow, product_id=node.product_id, actor=actor, action=action)
    return node


def _subject(node: TreeNode) -> Subject:
    return Subject("tree_node", node.id, node.title)


def _parent(uow: UnitOfWork, product_id: int, kind: str, parent_id: int | None) -> TreeNode | None:
    """The parent a node of `kind` may hang from: same product, the level above."""
    parent = uow.session.get(TreeNode, parent_id) if parent_id is not None else None
    if parent_id is not None and (parent is None or parent.product_id != product_id):
        raise Invalid("No node {ident} in this product's tree.", field="parent_id", ident=parent_id)
    rules.check_parent(kind, parent.kind if parent is not None else None)
    return parent


def _next_position(uow: UnitOfWork, product_id: int, parent_id: int | None) -> int:
    stmt = select(func.max(TreeNode.position)).where(
        TreeNode.product_id == product_id,
        TreeNode.parent_id.is_(None) if parent_id is None else TreeNode.parent_id == parent_id,
    )
    return int(uow.session.scalar(stmt) or 0) + 1


def create_node(
    uow: UnitOfWork, *, actor: Actor, product_id: int, kind: str, parent_id: int | None,
    values: Mapping[str, Any],
) -> TreeNode:  # fmt: skip
    """Add a node under a parent of the level above (an outcome has none)."""
    clean = rules.clean_node({"title": "", **values})
    if kind != "assumption":  # only assumptions sit on the assumption map
        clean = {k: v for k, v in clean.items() if k not in ("importance", "evidence")}
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.CONTRIBUTE)
        _parent(uow, product_id, kind, parent_id)
        now = utcnow()
        node = TreeNode(
            product_id=product_id, parent_id=parent_id, kind=kind, created_at=now,
            updated_at=now, position=_next_position(uow, product_id, parent_id),
            **{"description": "", **clean},
        )  # fmt: skip
        uow.add(node)
        uow.flush()
        activity.record(
            uow, "discovery.node.created", _subject(node), actor=actor, product_id=product_id,
            changes={"title": [None, node.title], "kind": [None, kind]},
        )  # fmt: skip
        uow.commit()
    return node


def update_node(
    uow: UnitOfWork, *, actor: Actor, node_id: int, values: Mapping[str, Any]
) -> TreeNode:
    """Edit the title, description and (assumptions) importance and evidence."""
    clean = rules.clean_node(values)
    with uow:
        node = _node(uow, node_id, actor, Action.CONTRIBUTE)
        if node.kind != "assumption":
            clean = {k: v for k, v in clean.items() if k not in ("importance", "evidence")}
        changes = activity.diff({k: getattr(node, k) for k in clean}, clean)
        for name, value in clean.items():
            setattr(node, name, value)
        if changes:
            node.updated_at = utcnow()
            activity.record(
                uow, "discovery.node.updated", _subject(node), actor=actor,
                product_id=node.product_id, changes=changes,
            )  # fmt: skip
        uow.commit()
    return node


def _siblings(uow: UnitOfWork, node: TreeNode) -> list[TreeNode]:
    stmt = select(TreeNode).where(
        TreeNode.product_id == node.product_id,
        TreeNode.parent_id.is_(None) if node.parent_id is None
        else TreeNode.parent_id == node.parent_id,
    )  # fmt: skip
    return sorted(uow.session.scalars(stmt), key=lambda n: (n.position, n.id))


def _reorder(uow: UnitOfWork, node: TreeNode, step: int) -> bool:
    siblings = _siblings(uow, node)
    at = siblings.index(node)
    to = min(max(at + step, 0), len(siblings) - 1)
    if to == at:
        return False
    siblings.insert(to, siblings.pop(at))
    for number, sibling in enumerate(siblings, start=1):
        sibling.position = number
    return True


def move_node(
    uow: UnitOfWork, *, actor: Actor, node_id: int, parent_id: int | None = None,
    step: int = 0,
) -> TreeNode:  # fmt: skip
    """Hang the node (with its subtree) from another parent of the same level, at the end;
    or, with `step` (-1 up, +1 down), move it among its siblings."""
    with uow:
        node = _node(uow, node_id, actor, Action.CONTRIBUTE)
        before = node.parent_id
        moved = False
        if parent_id is not None and parent_id != node.parent_id:
            _parent(uow, node.product_id, node.kind, parent_id)
            node.parent_id = parent_id
            node.position = _next_position(uow, node.product_id, parent_id)
            moved = True
        elif step:
            moved = _reorder(uow, node, step)
        if moved:
            node.updated_at = utcnow()
            changes = {"parent_id": [before, node.parent_id]} if before != node.parent_id else {}
            activity.record(
                uow, "discovery.node.moved", _subject(node), actor=actor,
                product_id=node.product_id, changes=changes,
            )  # fmt: skip
        uow.commit()
    return node


def delete_node(uow: UnitOfWork, *, actor: Actor, node_id: int) -> int:
    """Delete a node with its subtree, hypotheses and experiments; its product's id."""
    with uow:
        node = _node(uow, node_id, actor, Action.CONTRIBUTE)
        product_id = node.product_id
        activity.record(
            uow, "discovery.node.deleted", _subject(node), actor=actor, product_id=product_id,
            changes={"title": [node.title, None]},
        )  # fmt: skip
        uow.session.delete(node)  # the database cascades to children and experiments
        uow.commit()
    return product_id


def save_hypothesis(
    uow: UnitOfWork, *, actor: Actor, node_id: int, values: Mapping[str, Any]
) -> Hypothesis:
    """Write (or rewrite) the hypothesis of a solution or an assumption: four parts."""
    clean = rules.clean_hypothesis(values)
    with uow:
        node = _node(uow, node_id, actor, Action.CONTRIBUTE)
        if node.kind not in ("solution", "assumption"):
            raise Invalid("Only solutions and assumptions carry a hypothesis.", field="node_id")
        found = uow.session.get(Hypothesis, node.id)
        before = {k: getattr(found, k) for k in clean} if found is not None else {}
        if found is None:
            found = Hypothesis(node_id=node.id, **clean)
            uow.add(found)
        for name, value in clean.items():
            setattr(found, name, value)
        found.updated_at = utcnow()
        activity.record(
            uow, "discovery.hypothesis.saved", _subject(node), actor=actor,
            product_id=node.product_id, changes=activity.diff(before, clean),
        )  # fmt: skip
        uow.commit()
    return found


# --- experiments -----------------------------------------------------------------------------


def _experiment(uow: UnitOfWork, experiment_id: int, actor: Actor) -> Experiment:
    found = uow.get(Experiment, experiment_id, what=N_("experiment"))
    authorise(uow, product_id=found.product_id, actor=actor, action=Action.CONTRIBUTE)
    return found


def _exp_subject(e: Experiment) -> Subject:
    return Subject("experiment", e.id, e.title)


def _shown(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def create_experiment(
    uow: UnitOfWork, *, actor: Actor, assumption_id: int, values: Mapping[str, Any]
) -> Experiment:
    """Plan an experiment on an assumption: method, metric, threshold, dates."""
    clean = rules.clean_experiment(values)
    result = rules.clean_result({k: v for k, v in values.items() if k in _RESULT_KEYS})
    with uow:
        node = _node(uow, assumption_id, actor, Action.CONTRIBUTE)
        if node.kind != "assumption":
            raise Invalid("Experiments test assumptions: choose an assumption.",
                          field="assumption_id")  # fmt: skip
        now = utcnow()
        made = Experiment(
            product_id=node.product_id, assumption_id=node.id, created_at=now, updated_at=now,
            **{"rationale": "", "result_unit": "", **clean, **result},
        )  # fmt: skip
        uow.add(made)
        uow.flush()
        activity.record(
            uow, "discovery.experiment.created", _exp_subject(made), actor=actor,
            product_id=made.product_id, changes={"title": [None, made.title]},
        )  # fmt: skip
        uow.commit()
    return made


_PLAN_KEYS = ("title", "method", "metric", "unit", "operator", "threshold", "alpha",
              "starts_on", "ends_on")  # fmt: skip
_RESULT_KEYS = ("result", "result_unit", *rules.AB_COUNTS)


def _apply(e: Experiment, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Checked plan and result changes applied to `e`; the changes, for the activity log."""
    plan = {k: v for k, v in values.items() if k in _PLAN_KEYS}
    clean: dict[str, Any] = {}
    if plan:
        current = {k: _shown(getattr(e, k)) for k in _PLAN_KEYS}
        clean = rules.clean_experiment({**current, **plan})
    clean |= rules.clean_result({k: v for k, v in values.items() if k in _RESULT_KEYS})
    before = {k: _shown(getattr(e, k)) for k in clean}
    for name, value in clean.items():
        setattr(e, name, value)
    return activity.diff(before, {k: _shown(v) for k, v in clean.items()})


def update_experiment(
    uow: UnitOfWork, *, actor: Actor, experiment_id: int, values: Mapping[str, Any]
) -> Experiment:
    """Change the plan or record the result (a value and its unit, or A/B counts)."""
    with uow:
        e = _experiment(uow, experiment_id, actor)
        changes = _apply(e, values)
        if changes:
            e.updated_at = utcnow()
            activity.record(
                uow, "discovery.experiment.updated", _exp_subject(e), actor=actor,
                product_id=e.product_id, changes=changes,
            )  # fmt: skip
        uow.commit()
    return e


def as_mapping(e: Experiment) -> dict[str, Any]:
    return {c: getattr(e, c) for c in (*_PLAN_KEYS, *_RESULT_KEYS)}


def decide(
    uow: UnitOfWork, *, actor: Actor, experiment_id: int, values: Mapping[str, Any]
) -> tuple[Experiment, list[int]]:
    """Persevere, pivot or stop, with a rationale, once the result can be judged against the
    threshold; `items` (titles) become backlog items. The experiment and the ids made."""
    decision, rationale, titles = rules.clean_decision(values)
    with uow:
        e = _experiment(uow, experiment_id, actor)
        changes = _apply(e, values)
        rules.evaluate(as_mapping(e))  # 422 per field when it cannot be judged
        made = [
            backlog_services.add_item(
                uow, actor=actor, product_id=e.product_id,
                values={"title": title, "description": _item_note(e, decision)},
            ).id
            for title in titles
        ]  # fmt: skip
        uow.session.add_all(ExperimentItem(experiment_id=e.id, item_id=i) for i in made)
        changes |= activity.diff({"decision": e.decision}, {"decision": decision})
        e.decision, e.rationale, e.decided_at = decision, rationale, utcnow()
        e.updated_at = e.decided_at
        activity.record(
            uow, "discovery.experiment.decided", _exp_subject(e), actor=actor,
            product_id=e.product_id, changes=changes,
        )  # fmt: skip
        uow.commit()
    return e, made


def _item_note(e: Experiment, decision: str) -> str:
    return f"From the experiment “{e.title}” (decision: {decision})."
