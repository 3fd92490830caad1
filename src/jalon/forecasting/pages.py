"""The forecast page: ask "when" or "how many", see percentiles, the histogram, the
calibration and the throughput history; manage the days left out of the history.

The form is a GET (a forecast writes nothing, and its address can be shared); HTMX swaps
the form and its result in place, with a busy indicator for long runs. Without JavaScript
the whole page comes back.
"""

from __future__ import annotations

import dataclasses
import secrets
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from jalon import web
from jalon.charts.spec import Chart
from jalon.charts.view import MEDIA, download, view
from jalon.errors import N_, Invalid, NotFound
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


CHARTS = ("histogram", "calibration", "throughput")


def _window(values: dict[str, str]) -> int:
    text = values.get("window", "").strip()
    window = int(text) if text.isdigit() else rules.DEFAULT_WINDOW
    return window if rules.MIN_WINDOW <= window <= rules.MAX_WINDOW else rules.DEFAULT_WINDOW


def _result_charts(ctx: web.Ctx, result: queries.Result) -> dict[str, Chart]:
    """The histogram and the calibration chart of a forecast, when it has them."""
    fc, found = result.forecast, {}
    if fc.histogram and result.when is not None:
        found["histogram"] = charts.when_histogram(result.when, ctx.gettext)
    elif fc.histogram and result.how_many is not None:
        found["histogram"] = charts.how_many_histogram(result.how_many, ctx.gettext)
    if fc.calibration is not None and fc.calibration.windows:
        found["calibration"] = charts.calibration_chart(fc.calibration, ctx.gettext)
    return found


def _result_context(
    ctx: web.Ctx, product_id: int, result: queries.Result, values: dict[str, str]
) -> dict[str, Any]:
    # the downloads carry the seed the forecast used, so the file shows what the page shows
    query = urlencode({**{k: v for k, v in values.items() if v}, "seed": result.request.seed})
    href = BASE.format(product_id) + "/{}"
    views = {
        kind: view(chart, href=href.format(kind), query=query)
        for kind, chart in _result_charts(ctx, result).items()
    }
    return {
        "result": result,
        "fc": result.forecast,
        "histogram": views.get("histogram"),
        "calibration": views.get("calibration"),
        "sentence": calibration_sentence(result.forecast.calibration, ctx.gettext),
        "method": ctx.gettext(METHOD),
    }


def _forecast(ctx: web.Ctx, product_id: int, values: dict[str, str]) -> queries.Result:
    """Run the forecast the fields ask for; without a seed, a random one is chosen and kept
    in the result, so the same forecast can be drawn again (a chart download does)."""
    request = inputs.parse_request(values)
    if request.seed is None:
        request = dataclasses.replace(request, seed=secrets.randbelow(2**31))
    return queries.run_forecast(
        ctx.db.reader(), actor=ctx.actor, product_id=product_id, request=request
    )


def _run(ctx: web.Ctx, product_id: int, values: dict[str, str]) -> dict[str, Any]:
    if not values.get("mode"):
        return {}
    try:
        result = _forecast(ctx, product_id, values)
    except Invalid as exc:
        return {"errors": exc.render_fields(ctx.gettext), "error": exc.render(ctx.gettext)}
    return _result_context(ctx, product_id, result, values)


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
        "throughput": view(
            charts.throughput_chart(data.history, ctx.gettext),
            href=BASE.format(product_id) + "/throughput",
            query=urlencode({"window": _window(values)}),
        ),
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


@router.get("/products/{product_id}/forecast/{kind}.{extension}")
def forecast_chart(
    request: Request, ctx: CtxDep, _actor: ActorDep, product_id: int, kind: str, extension: str
) -> Response:
    """A chart of the forecast page as SVG or PNG, drawn from the same fields as the page
    (with the seed, the very same forecast)."""
    if kind not in CHARTS or extension not in MEDIA:
        raise NotFound(N_("No such chart."))
    values = {name: request.query_params.get(name, "") for name in FIELDS}
    if kind == "throughput":
        data = queries.page_data(
            ctx.db.reader(), actor=ctx.actor, product_id=product_id, window=_window(values)
        )
        chart: Chart | None = charts.throughput_chart(data.history, ctx.gettext)
    else:
        chart = _result_charts(ctx, _forecast(ctx, product_id, values)).get(kind)
    if chart is None:
        raise NotFound(N_("This forecast has no such chart: too little history."))
    return download(chart, extension, f"forecast-{kind}")


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
