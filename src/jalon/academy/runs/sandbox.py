"""The sandbox product of a run, written inside the caller's unit of work (no commit here,
and no activity: `services.py` records it).

The sandbox is an ordinary product (`is_sandbox=True`) whose Product Owner is the trainee:
its backlog shows the scenario's visible opportunities, its feedback inbox the feedback the
simulation sends, so the trainee works with the real backlog, prioritisation and inbox.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from jalon.academy.runs import rules
from jalon.academy.runs.models import SimRun
from jalon.academy.sim import engine
from jalon.academy.sim.scenario import Scenario, Text
from jalon.backlog import ranks
from jalon.backlog import services as backlog_services
from jalon.backlog.models import Item
from jalon.db import utcnow
from jalon.errors import N_, Invalid
from jalon.feedback import rules as feedback_rules
from jalon.feedback import upsert
from jalon.permissions import Actor, Role
from jalon.products import rules as product_rules
from jalon.products.models import Membership, Product, StageTransition
from jalon.themes import placement
from jalon.uow import UnitOfWork

STAGE = product_rules.Stage.DELIVERY


def _personas(scenario: Scenario, language: str) -> str:
    return "\n".join(
        f"- **{p.name.get(language)}**: {p.description.get(language)}" for p in scenario.personas
    )


def create_product(uow: UnitOfWork, *, actor: Actor, scenario: Scenario, language: str) -> Product:
    """The sandbox product, its Product Owner (the trainee) and its first stage."""
    values = {
        "name": scenario.product.name.get(language)[:120],
        "vision": scenario.product.vision.get(language),
        "target_users": _personas(scenario, language),
        "product_goal": scenario.product.goal.get(language),
    }
    if problems := product_rules.product_field_problems(values):
        raise Invalid(N_("The scenario's product does not fit a product."), fields=problems)
    now = utcnow()
    product = Product(**values, stage=STAGE.value, is_sandbox=True, created_at=now, updated_at=now)
    uow.add(product)
    uow.flush()
    uow.add(Membership(product_id=product.id, user_id=actor.id, role=Role.OWNER.value))
    uow.add(
        StageTransition(
            product_id=product.id, from_stage=None, to_stage=STAGE.value, reason="",
            actor_id=actor.id, actor_label=actor.label, at=now,
        )
    )  # fmt: skip
    return product


def _item_values(o: engine.OpportunityView, language: str) -> dict[str, Any]:
    return {
        "title": rules.text_in(o.title, language)[:200],
        "description": rules.text_in(o.description, language),
        "type": rules.item_type(o.kind),
        "status": rules.item_status(o.status, refined=o.refined),
        "estimate": rules.points(o.effort_low, o.effort_high),
        "business_value": rules.value_hint(o.value_low, o.value_high),
        "tags": list(o.tags),
    }


def _fitting(uow: UnitOfWork, product_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """The values without the estimate when it does not fit the product's scale (the
    trainee may have switched the sandbox to T-shirt sizes)."""
    try:
        backlog_services.normalise(uow, product_id, {"estimate": values.get("estimate")})
    except Invalid:
        return {k: v for k, v in values.items() if k != "estimate"}
    return values


def add_items(
    uow: UnitOfWork,
    *,
    actor: Actor,
    run: SimRun,
    opportunities: Sequence[engine.OpportunityView],
) -> dict[str, int]:
    """A backlog item for each opportunity the run's map does not know yet; the new map."""
    assert run.product_id is not None
    mapped = dict(run.item_map)
    for o in opportunities:
        if o.key in mapped:
            continue
        values = _fitting(uow, run.product_id, _item_values(o, run.language))
        made = backlog_services.add_item(uow, actor=actor, product_id=run.product_id, values=values)
        mapped[o.key] = made.id
    return mapped


def sync_items(
    uow: UnitOfWork, *, actor: Actor, run: SimRun, opportunities: Sequence[engine.OpportunityView]
) -> None:
    """Bring the sandbox items in step with the engine: statuses (done, retired, refined)
    and the narrowed estimate of refined items, through the backlog's own write path (the
    item's history and activity are kept)."""
    ids = {item_id: key for key, item_id in run.item_map.items()}
    found = uow.session.scalars(select(Item).where(Item.id.in_(list(ids))))
    items = {ids[item.id]: item for item in found}
    for o in opportunities:
        item = items.get(o.key)
        if item is None:
            continue
        wanted: dict[str, Any] = {"status": rules.item_status(o.status, refined=o.refined)}
        if o.refined and o.status == "backlog":  # done work keeps the points it was done at
            wanted["estimate"] = rules.points(o.effort_low, o.effort_high)
        if o.value_low == o.value_high:  # a spike revealed its true value
            wanted["business_value"] = rules.value_hint(o.value_low, o.value_high)
        clean = backlog_services.normalise(
            uow, item.product_id, _fitting(uow, item.product_id, wanted)
        )
        if changes := backlog_services.apply_changes(uow, item, clean, actor):
            backlog_services.record_update(uow, item, changes, actor)


def apply_order(uow: UnitOfWork, run: SimRun, wanted: Sequence[str]) -> None:
    """Rewrite the sandbox ranks: the `wanted` keys on top, in that order, then the rest of
    the backlog (items the trainee added too) in its current order."""
    if run.product_id is None:
        return
    unknown = [k for k in wanted if k not in run.item_map]
    if unknown:
        raise Invalid(N_("Unknown opportunity: {keys}."), field="order", keys=", ".join(unknown))
    items = list(
        uow.session.scalars(
            select(Item).where(Item.product_id == run.product_id).order_by(Item.rank, Item.id)
        )
    )
    by_id = {item.id: item for item in items}
    keys = {item_id: key for key, item_id in run.item_map.items()}
    current = [keys.get(item.id, f"#{item.id}") for item in items]
    order = rules.merged_order(current, wanted)
    ids = [run.item_map[k] if not k.startswith("#") else int(k[1:]) for k in order]
    for item_id, key in zip(ids, ranks.initial_keys(len(ids)), strict=True):
        by_id[item_id].rank = key


def feedback_key(text: Text) -> str:
    """The external key of a simulated feedback: the same text lands once in the inbox."""
    return "academy:" + hashlib.sha256(text.en.encode()).hexdigest()[:20]


def add_feedback(
    uow: UnitOfWork, *, product_id: int, entries: Sequence[Mapping[str, Any]], language: str
) -> list[int]:
    """Feedback entries (`text`: Text, `theme`, `weak_signal`) into the sandbox's inbox."""
    if not entries:
        return []
    rows = [
        (str(i), {
            "text": e["text"].get(language), "external_key": feedback_key(e["text"]),
            "author_name": str(e.get("author") or ""),
        })
        for i, e in enumerate(entries)
    ]  # fmt: skip
    clean = feedback_rules.clean_batch(rows, now=utcnow())
    written = upsert.write_rows(uow, product_id, clean, source="manual", actor_label="Academy")
    placement.place_feedback(uow, product_id, written.created)
    return written.created


def scenario_feedback(scenario: Scenario, sprint: int) -> list[dict[str, Any]]:
    """The scenario's feedback arriving in a sprint, as `add_feedback` entries."""
    return [
        {"text": f.text, "theme": f.theme, "weak_signal": f.weak_signal}
        for f in scenario.feedback
        if f.sprint == sprint
    ]
