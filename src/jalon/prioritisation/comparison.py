"""Reads for comparing models and for the value/effort chart.

Compare ranks the whole backlog under two or more models: Kendall's tau for each pair (over
the items scored under both), the items whose rank differs most, the first items side by
side, and for a chosen pair of items which single input change would swap them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

from sqlalchemy import select

from jalon.backlog.models import Item
from jalon.errors import N_, Invalid
from jalon.permissions import Action, Actor
from jalon.prioritisation import chart, rules, store, vocabulary
from jalon.prioritisation.models import ItemScore
from jalon.prioritisation.queries import ModelChoice, model_choices
from jalon.prioritisation.ranking import RankShift, agreement, rank_differences, ranks
from jalon.prioritisation.swaps import Swap
from jalon.products.services import authorise
from jalon.uow import UnitOfWork

MAX_MODELS = 6


@dataclass(frozen=True)
class PairAgreement:
    a: ModelChoice
    b: ModelChoice
    tau: float | None  # None when undefined (fewer than two items scored under both)
    common: int  # items scored under both
    shifts: list[RankShift]


@dataclass(frozen=True)
class CompareRow:
    item_id: int
    title: str
    ranks: list[int | None]  # one per model, None when unscored
    values: list[float | None]


@dataclass(frozen=True)
class SwapView:
    model: ModelChoice
    above: Item | None = None  # ranked higher under the model
    below: Item | None = None
    swaps: list[Swap] = field(default_factory=list)
    problem: str = ""


@dataclass(frozen=True)
class Comparison:
    models: list[ModelChoice]
    pairs: list[PairAgreement]
    rows: list[CompareRow]
    titles: dict[int, str]
    swap: SwapView | None
    items: int


def _models(uow: UnitOfWork, product_id: int, wanted: list[str]) -> list[ModelChoice]:
    keys = list(dict.fromkeys(k.strip() for k in wanted if k.strip()))
    if not 2 <= len(keys) <= MAX_MODELS:
        raise Invalid(
            N_("Choose from 2 to {most} different models to compare."),
            field="models",
            most=MAX_MODELS,
        )
    known = {choice.key: choice for choice in model_choices(uow, product_id)}
    for key in keys:
        store.check_model(uow, product_id, key)
    return [known[key] for key in keys]


def _titles(uow: UnitOfWork, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    stmt = select(Item.id, Item.title).where(Item.id.in_(ids))
    return {item_id: title for item_id, title in uow.session.execute(stmt)}


def _rows(maps: list[dict[int, float | None]], top: int) -> list[CompareRow]:
    ranked = [ranks(m) for m in maps]
    first = sorted(maps[0], key=lambda i: (maps[0][i] is None, ranked[0][i], i))[:top]
    return [
        CompareRow(
            item_id,
            "",
            [
                r[item_id] if m[item_id] is not None else None
                for r, m in zip(ranked, maps, strict=True)
            ],
            [m[item_id] for m in maps],
        )
        for item_id in first
    ]


def _pairs(models: list[ModelChoice], maps: list[dict[int, float | None]]) -> list[PairAgreement]:
    found = []
    for (i, a), (j, b) in combinations(enumerate(models), 2):
        both = {k for k in maps[i] if maps[i][k] is not None and maps[j].get(k) is not None}
        scores_a = {k: maps[i][k] for k in both}
        scores_b = {k: maps[j][k] for k in both}
        tau = agreement(scores_a, scores_b)
        found.append(PairAgreement(a, b, tau, len(both), rank_differences(scores_a, scores_b)))
    return found


def compare(
    uow: UnitOfWork,
    *,
    actor: Actor,
    product_id: int,
    models: list[str],
    pair: tuple[int, int] | None = None,
    pair_model: str | None = None,
    top: int = 50,
) -> Comparison:
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        chosen = _models(uow, product_id, models)
        maps = [store.score_map(uow, product_id, c.key) for c in chosen]
        rows, pairs = _rows(maps, top), _pairs(chosen, maps)
        wanted = {r.item_id for r in rows} | {s.item_id for p in pairs for s in p.shifts}
        swap = None
        if pair is not None:
            model = next((c for c in chosen if c.key == pair_model), chosen[0])
            swap = _swap(uow, product_id, model, pair)
        titles = _titles(uow, wanted)
        rows = [CompareRow(r.item_id, titles.get(r.item_id, ""), r.ranks, r.values) for r in rows]
        return Comparison(chosen, pairs, rows, titles, swap, len(maps[0]))


def _inputs(uow: UnitOfWork, model: ModelChoice, ids: list[int]) -> dict[int, dict[str, object]]:
    if model.custom:
        names = store.parse_formula(model.formula_text).names
        scores = store.builtin_scores(uow, ids)
        return {i: dict(vocabulary.values_of(names, scores[i])) for i in ids}
    rows = store.score_rows(uow, ids, model.key)
    return {i: dict(rows[i].inputs) if i in rows else {} for i in ids}


def _swap(uow: UnitOfWork, product_id: int, model: ModelChoice, pair: tuple[int, int]) -> SwapView:
    ids = list(dict.fromkeys(pair))
    stmt = select(Item).where(Item.product_id == product_id, Item.id.in_(ids))
    items = {item.id: item for item in uow.session.scalars(stmt)}
    if len(ids) != 2 or len(items) != 2:
        return SwapView(model, problem=N_("Choose two different items of this backlog."))
    resolved = store.resolve(uow, product_id, model.key)
    inputs = _inputs(uow, model, ids)
    try:
        values = [rules.score(resolved, inputs[i]).value for i in ids]
    except Invalid:
        return SwapView(model, problem=N_("Both items need a complete score under this model."))
    if values[1] > values[0]:
        ids.reverse()
    above, below = items[ids[0]], items[ids[1]]
    swaps = rules.swap_analysis(resolved, inputs[above.id], inputs[below.id])
    return SwapView(model, above, below, swaps)


def value_effort_chart(
    uow: UnitOfWork, *, actor: Actor, product_id: int, limit: int = 150
) -> tuple[chart.Layout, int]:
    """The items scored under value/effort (the `limit` best), laid out; and how many are."""
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        stmt = (
            select(Item.id, Item.title, ItemScore.inputs)
            .join(ItemScore, ItemScore.item_id == Item.id)
            .where(
                Item.product_id == product_id,
                ItemScore.model == "value_effort",
                ItemScore.value.is_not(None),
            )
            .order_by(ItemScore.value.desc(), Item.rank, Item.id)
        )
        rows = list(uow.session.execute(stmt))
        entries = [
            (i, title, float(inputs["value"]), float(inputs["effort"]))
            for i, title, inputs in rows[:limit]
        ]
        return chart.layout(entries), len(rows)
