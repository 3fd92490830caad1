"""Prioritisation JSON API: scores, rankings, custom formulas, comparison, apply order."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Response

from jalon import web
from jalon.errors import N_, Invalid
from jalon.prioritisation import comparison, queries, services
from jalon.prioritisation.schemas import (
    ApplyOrderIn,
    BulkScoresIn,
    BulkScoresOut,
    CompareOut,
    FormulaIn,
    FormulaOut,
    FormulaPatch,
    InputValue,
    ItemScoresOut,
    RankingOut,
    ScoreOut,
    SnapshotOut,
)
from jalon.web import ActorDep, CtxDep

router = APIRouter(
    prefix="/api/v1", tags=["prioritisation"], dependencies=[Depends(web.verify_csrf)]
)
ERRORS: dict[int | str, dict[str, object]] = {
    **web.API_ERRORS,
}


@router.put(
    "/items/{item_id}/scores/{model}",
    response_model=ScoreOut,
    responses=ERRORS,
    summary="Score an item under a built-in model; the body is its inputs",
)
def put_score(
    item_id: int,
    model: str,
    inputs: Annotated[dict[str, InputValue], Body(examples=[{"reach": 800, "impact": 2}])],
    ctx: CtxDep,
    actor: ActorDep,
) -> ScoreOut:
    services.set_score(ctx.db.uow(), actor=actor, item_id=item_id, model=model, inputs=inputs)
    found = queries.item_scores(ctx.db.reader(), actor=actor, item_id=item_id)
    view = next(s for s in found.scores if s.model.key == model)
    return ScoreOut.of(view, ctx.gettext)


@router.get(
    "/items/{item_id}/scores",
    response_model=ItemScoresOut,
    responses=ERRORS,
    summary="An item's score under every model, each with its formula filled in",
)
def get_scores(item_id: int, ctx: CtxDep, actor: ActorDep) -> ItemScoresOut:
    found = queries.item_scores(ctx.db.reader(), actor=actor, item_id=item_id)
    return ItemScoresOut.of(found, ctx.gettext)


@router.post(
    "/products/{product_id}/scores",
    response_model=BulkScoresOut,
    responses=ERRORS,
    summary="Score many items under one model at once: all or nothing",
)
def bulk_scores(product_id: int, body: BulkScoresIn, ctx: CtxDep, actor: ActorDep) -> BulkScoresOut:
    entries = [services.Entry(e.item_id, e.inputs) for e in body.items]
    scored = services.score_items(
        ctx.db.uow(), actor=actor, product_id=product_id, model=body.model, entries=entries
    )
    return BulkScoresOut(model=body.model, scored=scored)


@router.get(
    "/products/{product_id}/ranking",
    response_model=RankingOut,
    responses=ERRORS,
    summary="The backlog in a model's order, highest score first, unscored items last",
)
def ranking(
    product_id: int,
    ctx: CtxDep,
    actor: ActorDep,
    model: Annotated[str, Query(examples=["rice"])],
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> RankingOut:
    found = queries.ranking(
        ctx.db.reader(), actor=actor, product_id=product_id, model=model, cursor=cursor, limit=limit
    )
    return RankingOut.of(found, ctx.gettext)


@router.get(
    "/products/{product_id}/formulas",
    response_model=list[FormulaOut],
    responses=ERRORS,
    summary="The product's custom formulas",
)
def list_formulas(product_id: int, ctx: CtxDep, actor: ActorDep) -> list[FormulaOut]:
    rows = queries.list_formulas(ctx.db.reader(), actor=actor, product_id=product_id)
    return [FormulaOut.of(row) for row in rows]


@router.post(
    "/products/{product_id}/formulas",
    response_model=FormulaOut,
    status_code=201,
    responses=ERRORS,
    summary="Define a custom formula; it is checked, then scores the whole backlog",
)
def create_formula(
    product_id: int, body: FormulaIn, ctx: CtxDep, actor: ActorDep, response: Response
) -> FormulaOut:
    saved = services.create_formula(
        ctx.db.uow(), actor=actor, product_id=product_id, name=body.name,
        expression=body.expression, key=body.key,
    )  # fmt: skip
    response.headers["Location"] = f"/api/v1/products/{product_id}/formulas/{saved.formula.key}"
    return FormulaOut.of(saved.formula, saved.scored, saved.failed)


@router.get(
    "/products/{product_id}/formulas/{key}",
    response_model=FormulaOut,
    responses=ERRORS,
    summary="One custom formula",
)
def get_formula(product_id: int, key: str, ctx: CtxDep, actor: ActorDep) -> FormulaOut:
    row = queries.get_formula(ctx.db.reader(), actor=actor, product_id=product_id, key=key)
    return FormulaOut.of(row)


@router.patch(
    "/products/{product_id}/formulas/{key}",
    response_model=FormulaOut,
    responses=ERRORS,
    summary="Rename a formula or change its expression (which rescores the backlog)",
)
def update_formula(
    product_id: int, key: str, body: FormulaPatch, ctx: CtxDep, actor: ActorDep
) -> FormulaOut:
    saved = services.update_formula(
        ctx.db.uow(), actor=actor, product_id=product_id, key=key, name=body.name,
        expression=body.expression,
    )  # fmt: skip
    return FormulaOut.of(saved.formula, saved.scored, saved.failed)


@router.delete(
    "/products/{product_id}/formulas/{key}",
    status_code=204,
    responses=ERRORS,
    summary="Remove a formula and its scores",
)
def delete_formula(product_id: int, key: str, ctx: CtxDep, actor: ActorDep) -> Response:
    services.delete_formula(ctx.db.uow(), actor=actor, product_id=product_id, key=key)
    return Response(status_code=204)


@router.get(
    "/products/{product_id}/compare",
    response_model=CompareOut,
    responses=ERRORS,
    summary="Rank the backlog under two or more models side by side",
)
def compare(
    product_id: int,
    ctx: CtxDep,
    actor: ActorDep,
    models: Annotated[str, Query(examples=["rice,wsjf"])],
    a: int | None = None,
    b: int | None = None,
    pair_model: str | None = None,
) -> CompareOut:
    if (a is None) != (b is None):
        raise Invalid(N_("Give both items of the pair, a and b."), field="b" if b is None else "a")
    found = comparison.compare(
        ctx.db.reader(), actor=actor, product_id=product_id, models=models.split(","),
        pair=(a, b) if a is not None and b is not None else None, pair_model=pair_model,
    )  # fmt: skip
    return CompareOut.of(found, ctx.gettext)


@router.post(
    "/products/{product_id}/apply-order",
    response_model=SnapshotOut,
    status_code=201,
    responses=ERRORS,
    summary="Reorder the backlog by a model's scores; undo with the returned snapshot id",
)
def apply_order(product_id: int, body: ApplyOrderIn, ctx: CtxDep, actor: ActorDep) -> SnapshotOut:
    applied = services.apply_order(
        ctx.db.uow(), actor=actor, product_id=product_id, model=body.model
    )
    return SnapshotOut.of(applied.snapshot, applied.items)


@router.post(
    "/products/{product_id}/apply-order/{snapshot_id}/undo",
    response_model=SnapshotOut,
    responses=ERRORS | {409: {"description": "Already undone, or reordered again since"}},
    summary="Put the backlog back in the order it had before",
)
def undo_order(product_id: int, snapshot_id: int, ctx: CtxDep, actor: ActorDep) -> SnapshotOut:
    snapshot = services.undo_order(
        ctx.db.uow(), actor=actor, product_id=product_id, snapshot_id=snapshot_id
    )
    return SnapshotOut.of(snapshot)
