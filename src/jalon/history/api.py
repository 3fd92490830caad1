"""History JSON API, read only: charts' data, the days snapshotted, an item's history.
Snapshots are written by the server's daily job or `jalon snapshot`, never by the API."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from jalon import web
from jalon.charts.spec import Chart
from jalon.errors import Invalid
from jalon.history import queries, reports
from jalon.history.schemas import ChartOut, ItemStateOut, SnapshotDayOut
from jalon.permissions import Actor
from jalon.web import ActorDep, CtxDep

router = APIRouter(prefix="/api/v1", tags=["history"], dependencies=[Depends(web.verify_csrf)])


@router.get(
    "/products/{product_id}/charts/{kind}",
    response_model=ChartOut,
    responses=web.API_ERRORS,
    summary="A chart's data: cumulative-flow, cycle-time, throughput, aging-wip, velocity, "
    "or burndown/burnup (with sprint_id)",
)
def get_chart(
    product_id: int,
    kind: str,
    ctx: CtxDep,
    actor: ActorDep,
    start: str | None = None,
    end: str | None = None,
    per: str | None = None,
    sprint_id: int | None = None,
) -> ChartOut:
    today = queries.today_utc()
    reports.check_kind(kind, reports.PRODUCT_KINDS + reports.SPRINT_KINDS)
    if kind in reports.SPRINT_KINDS:
        return ChartOut.of(_sprint_chart(ctx, actor, product_id, kind, sprint_id))
    span = reports.parse_range(start, end, per, today=today)
    chart = reports.product_chart(
        ctx.db,
        actor=actor,
        product_id=product_id,
        kind=kind,
        span=span,
        today=today,
        gettext=ctx.gettext,
    )
    return ChartOut.of(chart)


def _sprint_chart(
    ctx: web.Ctx, actor: Actor, product_id: int, kind: str, sprint_id: int | None
) -> Chart:
    if sprint_id is None:
        raise Invalid("Give the sprint_id of the sprint to chart.", field="sprint_id")
    return reports.sprint_chart(
        ctx.db,
        actor=actor,
        product_id=product_id,
        sprint_id=sprint_id,
        kind=kind,
        today=queries.today_utc(),
        gettext=ctx.gettext,
    )


@router.get(
    "/products/{product_id}/snapshots",
    response_model=list[SnapshotDayOut],
    responses=web.API_ERRORS,
    summary="The days the product's history was snapshotted, newest first (at most 100)",
)
def list_snapshots(product_id: int, ctx: CtxDep, actor: ActorDep) -> list[SnapshotDayOut]:
    rows = queries.list_snapshot_days(ctx.db.reader(), actor=actor, product_id=product_id)
    return [SnapshotDayOut.of(r) for r in rows]


@router.get(
    "/items/{item_id}/history",
    response_model=list[ItemStateOut],
    responses=web.API_ERRORS,
    summary="An item's daily snapshots: one row each time its state changed",
)
def item_history(item_id: int, ctx: CtxDep, actor: ActorDep) -> list[ItemStateOut]:
    rows = queries.item_history(ctx.db.reader(), actor=actor, item_id=item_id)
    return [ItemStateOut.of(r) for r in rows]
