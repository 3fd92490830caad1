"""Prioritisation pages: the scoring grid, formulas, compare, the value/effort chart and
apply order (with undo); and an item's scores, explained.

Every page works without JavaScript (the grid is one form saved at once); the grid's
script saves a row as soon as a cell changes and moves between cells with the keyboard.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from jalon import web
from jalon.errors import JalonError
from jalon.permissions import Action, can
from jalon.prioritisation import chart, comparison, queries, services, vocabulary
from jalon.products import queries as product_queries
from jalon.web import ActorDep, CtxDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(web.verify_csrf)])
Text = Annotated[str, Form()]
BASE = "/products/{}/prioritisation"


def _base(request: Request, ctx: web.Ctx, product_id: int, tab: str) -> dict[str, Any]:
    row = product_queries.get_product(ctx.db.reader(), product_id=product_id, actor=ctx.actor)
    allowed = {a.value: can(row.role, a, is_admin=ctx.actor.is_admin) for a in Action}
    models = queries.list_models(ctx.db.reader(), actor=ctx.actor, product_id=product_id)
    return {
        "p": row.product,
        "can": allowed,
        "tab": tab,
        "models": models,
        "base": BASE.format(product_id),
        "notice": request.query_params.get("done", ""),
    }


def _invalid(exc: JalonError) -> bool:
    return exc.status == 422


# --- the scoring grid --------------------------------------------------------------------------


@router.get("/products/{product_id}/prioritisation")
def grid_page(
    request: Request,
    ctx: CtxDep,
    _actor: ActorDep,
    product_id: int,
    model: str = "rice",
    cursor: str | None = None,
) -> Response:
    return _grid(request, ctx, product_id, model=model, cursor=cursor)


def _grid(
    request: Request,
    ctx: web.Ctx,
    product_id: int,
    *,
    model: str,
    cursor: str | None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    context = _base(request, ctx, product_id, "grid")
    grid = queries.grid(
        ctx.db.reader(), actor=ctx.actor, product_id=product_id, model=model, cursor=cursor
    )
    context |= {
        "grid": grid,
        "cursor": cursor or "",
        "errors": errors or {},
        "values": values or {},
    }
    return web.render(request, "prioritisation/grid.html", context, status=status)


def _cells(form: Any, item_ids: list[int], names: list[str]) -> dict[int, dict[str, str]]:
    return {
        item_id: {name: str(form.get(f"s-{item_id}-{name}") or "") for name in names}
        for item_id in item_ids
    }


@router.post("/products/{product_id}/prioritisation/scores")
async def save_scores(request: Request, ctx: CtxDep, actor: ActorDep, product_id: int) -> Response:
    """Save the grid (or, from its script, one row): all or nothing."""
    form = await request.form()
    model, cursor = str(form.get("model") or ""), str(form.get("cursor") or "")
    item_ids = [int(str(v)) for v in form.getlist("items") if str(v).isdigit()]
    names = sorted(
        {
            str(k).split("-", 2)[2]
            for k in form
            if str(k).startswith("s-") and str(k).count("-") >= 2
        }
    )
    cells = _cells(form, item_ids, names)
    entries = [services.Entry(item_id, inputs) for item_id, inputs in cells.items()]
    try:
        services.score_items(
            ctx.db.uow(), actor=actor, product_id=product_id, model=model, entries=entries,
            partial=True,
        )  # fmt: skip
    except JalonError as exc:
        if not _invalid(exc):
            raise
        errors = exc.render_fields(ctx.gettext)
        values = {f"{i}.{n}": v for i, row in cells.items() for n, v in row.items()}
        if request.headers.get("hx-request"):
            return _rows(request, ctx, product_id, model, item_ids, errors, values, status=422)
        return _grid(request, ctx, product_id, model=model, cursor=cursor or None,
                     errors=errors, values=values, status=422)  # fmt: skip
    if request.headers.get("hx-request"):
        return _rows(request, ctx, product_id, model, item_ids, {}, {})
    query = urlencode(
        {"model": model, "cursor": cursor, "done": "saved"}
        if cursor
        else {"model": model, "done": "saved"}
    )
    return web.redirect(f"{BASE.format(product_id)}?{query}")


def _rows(
    request: Request,
    ctx: web.Ctx,
    product_id: int,
    model: str,
    item_ids: list[int],
    errors: dict[str, str],
    values: dict[str, str],
    *,
    status: int = 200,
) -> Response:
    grid = queries.grid_rows(
        ctx.db.reader(), actor=ctx.actor, product_id=product_id, model=model, item_ids=item_ids
    )
    # Only rows the caller could save come back here (the service authorised them first).
    context = {"grid": grid, "errors": errors, "values": values, "can": {"contribute": True}}
    return web.render(request, "prioritisation/_grid_rows.html", context, status=status)


# --- formulas ------------------------------------------------------------------------------------


def _formulas(
    request: Request, ctx: web.Ctx, product_id: int, *, status: int = 200, **extra: Any
) -> Response:
    context = _base(request, ctx, product_id, "formulas")
    rows = queries.list_formulas(ctx.db.reader(), actor=ctx.actor, product_id=product_id)
    context |= {"formulas": rows, "errors": {}, "form": {}, "preview": None, "names": _names()}
    context |= extra
    return web.render(request, "prioritisation/formulas.html", context, status=status)


def _names() -> list[str]:
    return list(vocabulary.NAMES)


@router.get("/products/{product_id}/prioritisation/formulas")
def formulas_page(
    request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int, edit: str = ""
) -> Response:
    form: dict[str, str] = {}
    if edit:
        row = queries.get_formula(ctx.db.reader(), actor=ctx.actor, product_id=product_id, key=edit)
        form = {"key": row.key, "name": row.name, "expression": row.expression}
    return _formulas(request, ctx, product_id, form=form, editing=edit)


@router.get("/products/{product_id}/prioritisation/formulas/preview")
def preview(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    expression: Annotated[str, Query(max_length=500)] = "",
    name: str = "",
    key: str = "",
) -> Response:
    found = queries.preview_formula(
        ctx.db.reader(), actor=actor, product_id=product_id, expression=expression
    )
    if request.headers.get("hx-request"):
        return web.render(request, "prioritisation/_preview.html", {"preview": found})
    form = {"name": name, "expression": expression, "key": key}
    return _formulas(request, ctx, product_id, form=form, preview=found, editing=key)


@router.post("/products/{product_id}/prioritisation/formulas")
def create_formula(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int,
    name: Text = "", expression: Text = "",
) -> Response:  # fmt: skip
    try:
        services.create_formula(
            ctx.db.uow(), actor=actor, product_id=product_id, name=name, expression=expression
        )
    except JalonError as exc:
        if not _invalid(exc):
            raise
        errors = exc.render_fields(ctx.gettext)
        form = {"name": name, "expression": expression}
        return _formulas(request, ctx, product_id, status=422, errors=errors, form=form)
    return web.redirect(f"{BASE.format(product_id)}/formulas?done=formula", request)


@router.post("/products/{product_id}/prioritisation/formulas/{key}")
def update_formula(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int, key: str,
    name: Text = "", expression: Text = "",
) -> Response:  # fmt: skip
    try:
        services.update_formula(
            ctx.db.uow(), actor=actor, product_id=product_id, key=key, name=name,
            expression=expression,
        )  # fmt: skip
    except JalonError as exc:
        if not _invalid(exc):
            raise
        form = {"name": name, "expression": expression, "key": key}
        return _formulas(request, ctx, product_id, status=422, editing=key, form=form,
                         errors=exc.render_fields(ctx.gettext))  # fmt: skip
    return web.redirect(f"{BASE.format(product_id)}/formulas?done=formula", request)


@router.post("/products/{product_id}/prioritisation/formulas/{key}/delete")
def delete_formula(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int, key: str
) -> Response:
    services.delete_formula(ctx.db.uow(), actor=actor, product_id=product_id, key=key)
    return web.redirect(f"{BASE.format(product_id)}/formulas?done=deleted", request)


# --- compare, chart, apply order -----------------------------------------------------------------


@router.get("/products/{product_id}/prioritisation/compare")
def compare_page(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    models: Annotated[list[str] | None, Query()] = None,
    a: int | None = None,
    b: int | None = None,
    pair_model: str | None = None,
) -> Response:
    chosen = models or ["rice", "wsjf"]
    context = _base(request, ctx, product_id, "compare")
    try:
        found = comparison.compare(
            ctx.db.reader(), actor=actor, product_id=product_id, models=chosen,
            pair=(a, b) if a and b else None, pair_model=pair_model,
        )  # fmt: skip
    except JalonError as exc:
        if not _invalid(exc):
            raise
        context |= {"found": None, "chosen": chosen, "problem": exc.render(ctx.gettext)}
        return web.render(request, "prioritisation/compare.html", context, status=422)
    context |= {"found": found, "chosen": chosen, "a": a, "b": b, "pair_model": pair_model}
    return web.render(request, "prioritisation/compare.html", context)


@router.get("/products/{product_id}/prioritisation/chart")
def chart_page(request: Request, ctx: CtxDep, actor: ActorDep, product_id: int) -> Response:
    context = _base(request, ctx, product_id, "chart")
    layout, total = comparison.value_effort_chart(
        ctx.db.reader(), actor=actor, product_id=product_id
    )
    context |= {"layout": layout, "total": total, "quadrants": chart.QUADRANTS}
    return web.render(request, "prioritisation/chart.html", context)


@router.get("/products/{product_id}/prioritisation/order")
def order_page(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int, model: str = "rice"
) -> Response:
    context = _base(request, ctx, product_id, "order")
    state = queries.order_state(ctx.db.reader(), actor=actor, product_id=product_id, model=model)
    context |= {"state": state, "model": model, "errors": {}}
    return web.render(request, "prioritisation/order.html", context)


@router.post("/products/{product_id}/prioritisation/order")
def apply_order(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int, model: Text = ""
) -> Response:
    try:
        services.apply_order(ctx.db.uow(), actor=actor, product_id=product_id, model=model)
    except JalonError as exc:
        if not _invalid(exc):
            raise
        context = _base(request, ctx, product_id, "order")
        state = queries.order_state(
            ctx.db.reader(), actor=actor, product_id=product_id, model=model or "rice"
        )
        context |= {"state": state, "model": model, "errors": exc.render_fields(ctx.gettext)}
        return web.render(request, "prioritisation/order.html", context, status=422)
    return web.redirect(
        f"{BASE.format(product_id)}/order?{urlencode({'model': model, 'done': 'applied'})}", request
    )


@router.post("/products/{product_id}/prioritisation/order/{snapshot_id}/undo")
def undo_order(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int, snapshot_id: int
) -> Response:
    snapshot = services.undo_order(
        ctx.db.uow(), actor=actor, product_id=product_id, snapshot_id=snapshot_id
    )
    query = urlencode({"model": snapshot.model, "done": "undone"})
    return web.redirect(f"{BASE.format(product_id)}/order?{query}", request)


# --- one item's scores ---------------------------------------------------------------------------


@router.get("/items/{item_id}/scores")
def item_scores(request: Request, ctx: CtxDep, actor: ActorDep, item_id: int) -> Response:
    found = queries.item_scores(ctx.db.reader(), actor=actor, item_id=item_id)
    row = product_queries.get_product(ctx.db.reader(), product_id=found.product_id, actor=actor)
    context = {"item_scores": found, "item": found.item, "p": row.product}
    return web.render(
        request, "prioritisation/item_scores.html", context,
        fragment="prioritisation/_item_scores.html",
    )  # fmt: skip
