"""Report pages: a product's flow charts over a date range, a sprint's burndown and burnup,
and every chart as .svg and .png from the same definition (the page shows that SVG inline,
with its data table)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from jalon import web
from jalon.charts.view import download, view
from jalon.errors import Invalid
from jalon.history import queries, reports
from jalon.permissions import Actor
from jalon.products import queries as product_queries
from jalon.sprints import queries as sprint_queries
from jalon.sprints.rules import STATE_LABELS
from jalon.web import ActorDep, CtxDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(web.verify_csrf)])
REPORTS = "/products/{}/reports"
SPRINT_CHARTS = "/products/{}/sprints/{}/charts"


def _report_span(
    start: str | None, end: str | None, per: str | None, today: date
) -> tuple[reports.Range, dict[str, Invalid]]:
    """The range asked for, or the default one with the errors to show."""
    try:
        span = reports.parse_range(start, end, per, today=today)
        reports.check_range(span, today=today)
    except Invalid as exc:
        return reports.parse_range(None, None, None, today=today), {"": exc}
    return span, {}


@router.get("/products/{product_id}/reports")
def reports_page(
    request: Request,
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    start: str | None = None,
    end: str | None = None,
    per: str | None = None,
) -> Response:
    row = product_queries.get_product(ctx.db.reader(), product_id=product_id, actor=actor)
    today = queries.today_utc()
    span, problems = _report_span(start, end, per, today)
    errors = {k: v for exc in problems.values() for k, v in exc.render_fields(ctx.gettext).items()}
    charts = [
        view(
            reports.product_chart(ctx.db, actor=actor, product_id=product_id, kind=kind,
                                  span=span, today=today, gettext=ctx.gettext),
            href=REPORTS.format(product_id) + f"/{kind}", query=span.query(),
        )
        for kind in reports.PRODUCT_KINDS
    ]  # fmt: skip
    context = {
        "p": row.product, "span": span, "charts": charts, "errors": errors,
        "values": {"start": start or "", "end": end or ""},
        "sprints": queries.recent_sprints(ctx.db.reader(), actor=actor, product_id=product_id),
        "last_day": queries.last_snapshot_day(ctx.db.reader(), product_id=product_id),
        "state_labels": STATE_LABELS,
    }  # fmt: skip
    return web.render(request, "history/reports.html", context, status=422 if errors else 200)


def _product_download(
    ctx: web.Ctx,
    actor: Actor,
    product_id: int,
    kind: str,
    query: dict[str, str | None],
    extension: str,
) -> Response:
    today = queries.today_utc()
    span = reports.parse_range(query.get("start"), query.get("end"), query.get("per"), today=today)
    chart = reports.product_chart(
        ctx.db,
        actor=actor,
        product_id=product_id,
        kind=kind,
        span=span,
        today=today,
        gettext=ctx.gettext,
    )
    return download(chart, extension, f"{kind}-{span.start}-{span.end}")


@router.get("/products/{product_id}/reports/{kind}.svg")
def product_svg(
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    kind: str,
    start: str | None = None,
    end: str | None = None,
    per: str | None = None,
) -> Response:
    query = {"start": start, "end": end, "per": per}
    return _product_download(ctx, actor, product_id, kind, query, "svg")


@router.get("/products/{product_id}/reports/{kind}.png")
def product_png(
    ctx: CtxDep,
    actor: ActorDep,
    product_id: int,
    kind: str,
    start: str | None = None,
    end: str | None = None,
    per: str | None = None,
) -> Response:
    query = {"start": start, "end": end, "per": per}
    return _product_download(ctx, actor, product_id, kind, query, "png")


@router.get("/products/{product_id}/sprints/{sprint_id}/charts")
def sprint_page(
    request: Request, ctx: CtxDep, actor: ActorDep, product_id: int, sprint_id: int
) -> Response:
    row = product_queries.get_product(ctx.db.reader(), product_id=product_id, actor=actor)
    today = queries.today_utc()
    charts = [
        view(
            reports.sprint_chart(
                ctx.db,
                actor=actor,
                product_id=product_id,
                sprint_id=sprint_id,
                kind=kind,
                today=today,
                gettext=ctx.gettext,
            ),
            href=SPRINT_CHARTS.format(product_id, sprint_id) + f"/{kind}",
        )
        for kind in reports.SPRINT_KINDS
    ]
    summary = sprint_queries.sprint_summary(ctx.db.reader(), sprint_id, actor=actor)
    context = {
        "p": row.product,
        "s": summary,
        "charts": charts,
        "tab": "charts",
        "state_labels": STATE_LABELS,
        "today": today,
    }
    return web.render(request, "history/sprint.html", context)


def _sprint_download(
    ctx: web.Ctx, actor: Actor, product_id: int, sprint_id: int, kind: str, extension: str
) -> Response:
    chart = reports.sprint_chart(
        ctx.db,
        actor=actor,
        product_id=product_id,
        sprint_id=sprint_id,
        kind=kind,
        today=queries.today_utc(),
        gettext=ctx.gettext,
    )
    return download(chart, extension, f"{kind}-sprint-{sprint_id}")


@router.get("/products/{product_id}/sprints/{sprint_id}/charts/{kind}.svg")
def sprint_svg(
    ctx: CtxDep, actor: ActorDep, product_id: int, sprint_id: int, kind: str
) -> Response:
    return _sprint_download(ctx, actor, product_id, sprint_id, kind, "svg")


@router.get("/products/{product_id}/sprints/{sprint_id}/charts/{kind}.png")
def sprint_png(
    ctx: CtxDep, actor: ActorDep, product_id: int, sprint_id: int, kind: str
) -> Response:
    return _sprint_download(ctx, actor, product_id, sprint_id, kind, "png")
