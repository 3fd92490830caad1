"""Prioritisation reads: an item's scores explained, a backlog's ranking, the scoring grid,
formulas and their preview, and what "apply order" would do. `comparison.py` holds the
compare view and the value/effort chart."""

from __future__ import annotations

import base64
import binascii
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, or_, select

from jalon.backlog import queries as backlog_queries
from jalon.backlog.models import Item
from jalon.errors import N_, Invalid, Message
from jalon.permissions import Action, Actor
from jalon.prioritisation import formula as f
from jalon.prioritisation import rules, store, vocabulary
from jalon.prioritisation.models import Formula, ItemScore, OrderSnapshot
from jalon.products.services import authorise
from jalon.uow import UnitOfWork

PAGE_SIZE = 100
MAX_PAGE = 500


@dataclass(frozen=True)
class ModelChoice:
    key: str  # `rice`, `formula:weighted`
    label: str  # translatable for built-in models, the PO's name for formulas
    formula_text: str
    custom: bool = False
    note: str = ""


def model_choices(uow: UnitOfWork, product_id: int) -> list[ModelChoice]:
    built_in = [
        ModelChoice(key, spec.label, spec.formula_text, note=spec.note)
        for key, spec in rules.MODELS.items()
    ]
    custom = [
        ModelChoice(vocabulary.model_name(row.key), row.name, row.expression, custom=True)
        for row in store.formulas(uow, product_id)
    ]
    return built_in + custom


def list_models(uow: UnitOfWork, *, actor: Actor, product_id: int) -> list[ModelChoice]:
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        return model_choices(uow, product_id)


def list_formulas(uow: UnitOfWork, *, actor: Actor, product_id: int) -> list[Formula]:
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        return store.formulas(uow, product_id)


def get_formula(uow: UnitOfWork, *, actor: Actor, product_id: int, key: str) -> Formula:
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        return store.formula_row(uow, product_id, key)


# --- one item's scores, explained -----------------------------------------------------------


@dataclass(frozen=True)
class ScoreView:
    model: ModelChoice
    inputs: dict[str, Any]  # what the score was computed from (numbers, or category codes)
    value: float | None
    explanation: str = ""  # the formula filled in: `(8 × 3 × 0.8) / 5 = 3.84`
    steps: tuple[f.Step, ...] = ()
    missing: tuple[str, ...] = ()  # inputs still to fill in
    error: str = ""  # why a complete set of inputs gives no score (a Message)

    @property
    def scored(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class ItemScores:
    item: Item
    product_id: int
    scores: list[ScoreView]


def _builtin_view(choice: ModelChoice, inputs: dict[str, Any]) -> ScoreView:
    specs, _formula = rules.resolve(choice.key)
    missing = tuple(spec.name for spec in specs if spec.name not in inputs)
    if missing:
        return ScoreView(choice, inputs, None, missing=missing)
    try:
        scored = rules.score(choice.key, inputs)
    except Invalid as error:
        return ScoreView(choice, inputs, None, error=_message(error))
    return ScoreView(choice, inputs, scored.value, scored.explanation, scored.steps)


def _message(error: Invalid) -> str:
    return next(iter(error.fields.values()), Message(error.message, **error.params))


def formula_view(choice: ModelChoice, values: dict[str, float]) -> ScoreView:
    """A custom formula's score for one item, from the values it reads."""
    parsed = store.parse_formula(choice.formula_text)
    missing = tuple(sorted(parsed.names - set(values)))
    if missing:
        return ScoreView(choice, values, None, missing=missing)
    try:
        value = parsed.evaluate(values)
        return ScoreView(choice, values, value, parsed.explain(values), tuple(parsed.steps(values)))
    except Invalid as error:
        return ScoreView(choice, values, None, error=_message(error))


def _views(uow: UnitOfWork, item: Item) -> list[ScoreView]:
    scores = store.builtin_scores(uow, [item.id])[item.id]
    views: list[ScoreView] = []
    for choice in model_choices(uow, item.product_id):
        if choice.custom:
            names = store.parse_formula(choice.formula_text).names
            views.append(formula_view(choice, vocabulary.values_of(names, scores)))
        else:
            views.append(_builtin_view(choice, scores.get(choice.key, ({}, None))[0]))
    return views


def item_scores(uow: UnitOfWork, *, actor: Actor, item_id: int) -> ItemScores:
    """Each model's score of the item, with its formula filled in with the item's inputs."""
    with uow:
        item = uow.get(Item, item_id, what=N_("item"))
        authorise(uow, product_id=item.product_id, actor=actor, action=Action.READ)
        return ItemScores(item, item.product_id, _views(uow, item))


# --- rankings and the grid ---------------------------------------------------------------------


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return max(0, int(text.removeprefix("o:")))
    except (ValueError, binascii.Error):
        raise Invalid(
            N_("This cursor is not valid; start again from the first page."), field="cursor"
        ) from None


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


class RankIndex:
    """Competition ranks ("1224") of scores among a backlog's scores, by bisection."""

    def __init__(self, values: list[float | None]) -> None:
        self.negated = sorted(-v for v in values if v is not None)

    def rank(self, value: float | None) -> int | None:
        return None if value is None else bisect_left(self.negated, -value) + 1

    @property
    def scored(self) -> int:
        return len(self.negated)


def rank_index(uow: UnitOfWork, product_id: int, model: str) -> RankIndex:
    return RankIndex(list(store.score_map(uow, product_id, model).values()))


@dataclass(frozen=True)
class Ranked:
    item: Item
    value: float | None
    rank: int | None  # equal scores share a rank; None when unscored


@dataclass(frozen=True)
class Ranking:
    model: ModelChoice
    items: list[Ranked]
    next_cursor: str | None
    scored: int
    total: int


def _choice(uow: UnitOfWork, product_id: int, model: str) -> ModelChoice:
    store.check_model(uow, product_id, model)
    return next(c for c in model_choices(uow, product_id) if c.key == model)


def ranking(
    uow: UnitOfWork,
    *,
    actor: Actor,
    product_id: int,
    model: str,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> Ranking:
    """The backlog in a model's order: highest score first, unscored items last."""
    limit, offset = max(1, min(limit, MAX_PAGE)), _offset(cursor)
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        choice = _choice(uow, product_id, model)
        joined = and_(ItemScore.item_id == Item.id, ItemScore.model == model)
        stmt = (
            select(Item, ItemScore.value)
            .outerjoin(ItemScore, joined)
            .where(Item.product_id == product_id)
            .order_by(ItemScore.value.is_(None), ItemScore.value.desc(), Item.rank, Item.id)
        )
        rows = list(uow.session.execute(stmt.offset(offset).limit(limit + 1)))
        scores = store.score_map(uow, product_id, model)
        index, total = RankIndex(list(scores.values())), len(scores)
        items = [Ranked(item, value, index.rank(value)) for item, value in rows[:limit]]
        more = _cursor(offset + limit) if len(rows) > limit else None
        return Ranking(choice, items, more, index.scored, total)


@dataclass(frozen=True)
class GridRow:
    item: Item
    inputs: dict[str, Any]
    value: float | None
    rank: int | None
    error: str = ""


@dataclass(frozen=True)
class Grid:
    model: ModelChoice
    specs: tuple[rules.InputSpec, ...]
    rows: list[GridRow]
    next_cursor: str | None
    scored: int
    models: list[ModelChoice] = field(default_factory=list)


def _grid_rows(uow: UnitOfWork, items: list[Item], model: str, index: RankIndex) -> list[GridRow]:
    found = store.score_rows(uow, [i.id for i in items], model)
    rows = []
    for item in items:
        row = found.get(item.id)
        value = row.value if row is not None else None
        inputs = dict(row.inputs) if row is not None else {}
        rows.append(GridRow(item, inputs, value, index.rank(value), row.error if row else ""))
    return rows


def grid(
    uow: UnitOfWork,
    *,
    actor: Actor,
    product_id: int,
    model: str,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> Grid:
    """One page of the backlog, in backlog order, with each item's inputs under a model."""
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        choice = _choice(uow, product_id, model)
        resolved = store.resolve(uow, product_id, model)
        specs, _formula = rules.resolve(resolved)
        stmt = select(Item).where(Item.product_id == product_id)
        if cursor:
            rank, ident = backlog_queries.decode_cursor(cursor)
            stmt = stmt.where(or_(Item.rank > rank, and_(Item.rank == rank, Item.id > ident)))
        limit = max(1, min(limit, MAX_PAGE))
        found = list(uow.session.scalars(stmt.order_by(Item.rank, Item.id).limit(limit + 1)))
        items = found[:limit]
        more = backlog_queries.encode_cursor(items[-1]) if len(found) > limit else None
        index = rank_index(uow, product_id, model)
        rows = _grid_rows(uow, items, model, index)
        return Grid(choice, specs, rows, more, index.scored, model_choices(uow, product_id))


def grid_rows(
    uow: UnitOfWork, *, actor: Actor, product_id: int, model: str, item_ids: list[int]
) -> Grid:
    """Some rows of the grid again (after saving them), with their ranks."""
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        choice = _choice(uow, product_id, model)
        specs, _formula = rules.resolve(store.resolve(uow, product_id, model))
        stmt = select(Item).where(Item.product_id == product_id, Item.id.in_(item_ids))
        items = sorted(uow.session.scalars(stmt), key=lambda i: (i.rank, i.id))
        index = rank_index(uow, product_id, model)
        return Grid(choice, specs, _grid_rows(uow, items, model, index), None, index.scored)


# --- formulas: preview before saving -------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    error: str = ""  # why the formula cannot be saved, pointing at the position
    rows: list[tuple[Item, ScoreView]] = field(default_factory=list)


def preview_formula(
    uow: UnitOfWork, *, actor: Actor, product_id: int, expression: str, count: int = 5
) -> Preview:
    """What a formula would give on the first items of the backlog; writes nothing."""
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        try:
            parsed = store.parse_formula(expression)
        except Invalid as error:
            return Preview(error=error.fields.get("expression", error.render()))
        choice = ModelChoice("formula:preview", "", parsed.text, custom=True)
        stmt = select(Item).where(Item.product_id == product_id).order_by(Item.rank, Item.id)
        items = list(uow.session.scalars(stmt.limit(200)))
        scores = store.builtin_scores(uow, [i.id for i in items])
        views = [
            (i, formula_view(choice, vocabulary.values_of(parsed.names, scores[i.id])))
            for i in items
        ]
        useful = [pair for pair in views if not pair[1].missing] or views
        return Preview(rows=useful[:count])


# --- apply order ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderState:
    last: OrderSnapshot | None  # the latest reordering, undoable while not undone
    top: list[Ranked]  # the first items the model's order would give
    scored: int


def order_state(
    uow: UnitOfWork, *, actor: Actor, product_id: int, model: str, count: int = 10
) -> OrderState:
    shown = ranking(uow, actor=actor, product_id=product_id, model=model, limit=count)
    with uow:
        stmt = select(OrderSnapshot).where(OrderSnapshot.product_id == product_id)
        last = uow.session.scalar(stmt.order_by(OrderSnapshot.id.desc()).limit(1))
        return OrderState(last, shown.items, shown.scored)
