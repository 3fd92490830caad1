"""The forecast page: ask "when" or "how many", see percentiles, the histogram, the
calibration and the throughput history; manage the days left out of the history.

The form is a GET (a forecast writes nothing, and its address can be shared); HTMX swaps
the form and its result in place, with a busy indicator for long runs. Without JavaScript
the whole page comes back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from jalon import web
from jalon.charts.data import Table, table
from jalon.charts.spec import Chart
from jalon.charts.svg import render_svg
from jalon.errors import N_, Invalid
from jalon.forecasting import charts, inputs, queries, rules, services
from jalon.forecasting.schemas import METHOD, calibration_sentence
from jalon.permissions import Action, can
from jalon.products import queries as product_queries
from jalon.web import ActorDep, CtxDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(web.verify_csrf)])
BASE = "/products/{}/forecast"
FIELDS = ("mode", "items", "epic_id", "date", "window", "trials", "seed")
Text = Annotated[str, Form()]
NOTICES = {
    "excluded": N_("Those days are left out of the history now."),
    "included": N_("The day is back in the history."),
}


@dataclass(frozen=True)
class ChartView:
    chart: Chart
    svg: str
    table: Table


def _view(chart: Chart) -> ChartView:
    return ChartView(chart, render_svg(chart, standalone=False), table(chart))


def _window(values: dict[str, str]) -> int:
    text = values.get("window", "").strip()
    window = int(text) if text.isdigit() else rules.DEFAULT_WINDOW
    return window if rules.MIN_WINDOW <= window <= rules.MAX_WINDOW else rules.DEFAULT_WINDOW


def _result_context(ctx: web.Ctx, result: queries.Result) -> dict[str, Any]:
    fc = result.forecast
    if result.when is not None:
        histogram = charts.when_histogram(result.when, ctx.gettext)
    else:
        assert result.how_many is not None
        histogram = charts.how_many_histogram(result.how_many, ctx.gettext)
    calibration = fc.calibration
    return {
        "result": result,
        "fc": fc,
        "histogram": _view(histogram) if fc.histogram else None,
        "calibration": _view(charts.calibration_chart(calibration, ctx.gettext))
        if calibration is not None and calibration.windows
        else None,
        "sentence": calibration_sentence(calibration, ctx.gettext),
        "method": ctx.gettext(METHOD),
    }


def _run(ctx: web.Ctx, product_id: int, values: dict[str, str]) -> dict[str, Any]:
    if not values.get("mode"):
        return {}
    try:
        request = inputs.parse_request(values)
        result = queries.run_forecast(
            ctx.db.reader(), actor=ctx.actor, product_id=product_id, request=request
        )
    except Invalid as exc:
        return {"errors": exc.render_fields(ctx.gettext), "error": exc.render(ctx.gettext)}
    return _result_context(ctx, result)


def _page(
    request: Request,
    ctx: web.Ctx,
    product_id: int,
    *,
    values: dict[str, str],
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    row = product_queries.get_product(ctx.db.reader(), product_id=product_id, actor=ctx.actor)
    data = queries.page_data(
        ctx.db.reader(), actor=ctx.actor, product_id=product_id, window=_window(values)
    )
    context: dict[str, Any] = {
        "p": row.product,
        "can": {a.value: can(row.role, a, is_admin=ctx.actor.is_admin) for a in Action},
        "base": BASE.format(product_id),
        "values": values,
        "data": data,
        "throughput": _view(charts.throughput_chart(data.history, ctx.gettext)),
        "notice": NOTICES.get(request.query_params.get("done", ""), ""),
        "defaults": {"trials": rules.DEFAULT_TRIALS, "window": rules.DEFAULT_WINDOW},
        "limits": rules,
        **(extra or {}),
    }
    return web.render(request, "forecasting/forecast.html", context, status=status,
                      fragment="forecasting/_forecast.html")  # fmt: skip


@router.get("/products/{product_id}/forecast")
def forecast_page(request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int) -> Response:
    values = {name: request.query_params.get(name, "") for name in FIELDS}
    outcome = _run(ctx, product_id, values)
    status = 422 if "errors" in outcome else 200
    return _page(request, ctx, product_id, values=values, extra=outcome, status=status)


def _day(text: str, field: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(N_("Enter a date as YYYY-MM-DD."), field=field) from None


@router.post("/products/{product_id}/forecast/excluded-days")
def exclude_days(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    first: Text = "",
    last: Text = "",
    reason: Text = "",
) -> Response:
    try:
        start = _day(first, "first")
        if start is None:
            raise Invalid(N_("Choose the first day to leave out."), field="first")
        services.exclude_days(
            ctx.db.uow(), actor=actor, product_id=product_id, first=start,
            last=_day(last, "last"), reason=reason,
        )  # fmt: skip
    except Invalid as exc:
        extra = {
            "exclusion": {"first": first, "last": last, "reason": reason},
            "exclusion_errors": exc.render_fields(ctx.gettext),
        }
        return _page(request, ctx, product_id, values={}, extra=extra, status=422)
    return web.redirect(BASE.format(product_id) + "?done=excluded#excluded", request)


@router.post("/products/{product_id}/forecast/excluded-days/{day}/delete")
def include_day(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int, day: date
) -> Response:
    services.include_day(ctx.db.uow(), actor=actor, product_id=product_id, day=day)
    return web.redirect(BASE.format(product_id) + "?done=included#excluded", request)
