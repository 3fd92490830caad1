"""Experiment pages (plan on an assumption, result, evaluation, decision that may create
backlog items) and the A/B calculator (a two-proportion test and a sample-size planner).

The calculator is a GET form: it writes nothing, works without JavaScript, and its answer
can be bookmarked or shared as a link.
"""

from __future__ import annotations

from typing import Any

from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from jalon import web
from jalon.discovery import queries, rules, services, stats
from jalon.discovery.pages import Fields, common, node_page_response, refused
from jalon.errors import Invalid, JalonError
from jalon.products import queries as product_queries
from jalon.web import ActorDep, CtxDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(web.verify_csrf)])
PLAN = ("title", "method", "metric", "unit", "operator", "threshold", "alpha", "starts_on",
        "ends_on")  # fmt: skip
RESULT = ("result", "result_unit", *rules.AB_COUNTS)


@router.post("/discovery/nodes/{node_id}/experiments")
def add_experiment(
    request: Request, ctx: CtxDep, actor: ActorDep, node_id: int, form: Fields
) -> Response:
    values = {k: form.get(k, "") for k in PLAN}
    try:
        made = services.create_experiment(
            ctx.db.uow(), actor=actor, assumption_id=node_id, values=values
        )
    except JalonError as exc:
        return node_page_response(request, ctx, node_id, status=exc.status,
                                  errors=refused(exc, ctx), form=values,
                                  open_form="experiment")  # fmt: skip
    return web.redirect(f"/discovery/experiments/{made.id}", request)


def _verdict(experiment: Any) -> tuple[rules.Verdict | None, dict[str, str]]:
    """The evaluation, or why there is none yet (per field)."""
    try:
        return rules.evaluate(services.as_mapping(experiment)), {}
    except Invalid as exc:
        return None, exc.render_fields()


def _experiment_page(
    request: Request, ctx: web.Ctx, experiment_id: int, *, status: int = 200, **extra: Any
) -> Response:
    page = queries.get_experiment(ctx.db.reader(), actor=ctx.actor, experiment_id=experiment_id)
    verdict, pending = _verdict(page.experiment)
    context = {
        **common(ctx, page.role, "tree"), "p": page.product, "page": page, "e": page.experiment,
        "verdict": verdict, "pending": {k: ctx.gettext(v) for k, v in pending.items()},
        "saved": request.query_params.get("saved", ""), "open_form": "", **extra,
    }  # fmt: skip
    return web.render(request, "discovery/experiment.html", context, status=status)


@router.get("/discovery/experiments/{experiment_id}")
def experiment_page(
    request: Request, ctx: CtxDep, _actor: ActorDep, experiment_id: int
) -> Response:
    return _experiment_page(request, ctx, experiment_id)


@router.post("/discovery/experiments/{experiment_id}/edit")
def edit_experiment(
    request: Request, ctx: CtxDep, actor: ActorDep, experiment_id: int, form: Fields
) -> Response:
    """Record the result (`part=result`) or change the plan (`part=plan`)."""
    keys = PLAN if form.get("part") == "plan" else RESULT
    values = {k: form[k] for k in keys if k in form}
    try:
        services.update_experiment(
            ctx.db.uow(), actor=actor, experiment_id=experiment_id, values=values
        )
    except JalonError as exc:
        return _experiment_page(request, ctx, experiment_id, status=exc.status,
                                errors=refused(exc, ctx), form=values,
                                open_form=form.get("part", "result"))  # fmt: skip
    return web.redirect(f"/discovery/experiments/{experiment_id}?saved=result", request)


@router.post("/discovery/experiments/{experiment_id}/decision")
def decide(
    request: Request, ctx: CtxDep, actor: ActorDep, experiment_id: int, form: Fields
) -> Response:
    values = {k: form.get(k, "") for k in ("decision", "rationale", "items")}
    try:
        services.decide(ctx.db.uow(), actor=actor, experiment_id=experiment_id, values=values)
    except JalonError as exc:
        return _experiment_page(request, ctx, experiment_id, status=exc.status,
                                errors=refused(exc, ctx), form=values,
                                open_form="decision")  # fmt: skip
    return web.redirect(f"/discovery/experiments/{experiment_id}?saved=decision", request)


# --- the A/B calculator ------------------------------------------------------------------------


TEST_FIELDS = ("control_n", "control_conversions", "variant_n", "variant_conversions")
PLAN_FIELDS = ("baseline", "effect", "power")


def _parse(query: dict[str, str], names: tuple[str, ...], problems: dict[str, str],
           gettext: Any) -> dict[str, Any]:  # fmt: skip
    """Numbers from the query string; counts are whole numbers."""
    found: dict[str, Any] = {}
    for name in names:
        raw = query.get(name, "").strip().replace(",", ".")
        try:
            value = float(raw)
        except ValueError:
            problems[name] = gettext("Give a number.")
            continue
        if name in TEST_FIELDS:
            if value != int(value):
                problems[name] = gettext("Give a whole number.")
                continue
            value = int(value)
        found[name] = value
    return found


def _run(query: dict[str, str], gettext: Any) -> tuple[Any, Any, dict[str, str]]:
    """The test and the plan asked for (each when its form was sent), and field errors."""
    problems: dict[str, str] = {}
    test = plan = None
    alpha = {"alpha": query.get("alpha", "0.05")}
    if query.get("form") == "test":
        values = _parse({**query, **alpha}, (*TEST_FIELDS, "alpha"), problems, gettext)
        if not problems:
            try:
                test = stats.two_proportion_test(**values)
            except Invalid as exc:
                problems = exc.render_fields(gettext)
    elif query.get("form") == "plan":
        values = _parse({**query, **alpha}, (*PLAN_FIELDS, "alpha"), problems, gettext)
        if not problems:
            try:
                plan = stats.sample_size(**values)
            except Invalid as exc:
                problems = exc.render_fields(gettext)
    return test, plan, problems


@router.get("/products/{product_id}/discovery/ab")
def ab_page(request: Request, ctx: CtxDep, actor: ActorDep, product_id: int) -> Response:
    row = product_queries.get_product(ctx.db.reader(), product_id=product_id, actor=actor)
    query = dict(request.query_params)
    test, plan, problems = _run(query, ctx.gettext)
    context = {
        **common(ctx, row.role, "ab"), "p": row.product, "q": query, "test": test,
        "plan": plan, "errors": problems, "which": query.get("form", ""),
        "defaults": {"alpha": "0.05", "power": "0.8"},
        "number": lambda n: format_decimal(n, locale=ctx.language),
    }  # fmt: skip
    return web.render(request, "discovery/ab.html", context, status=422 if problems else 200)
