"""Forecasting JSON API: Monte Carlo forecasts, and the days left out of the history."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Response

from jalon import web
from jalon.forecasting import queries, services
from jalon.forecasting.schemas import ExcludedDayOut, ExcludeIn, ForecastIn, ForecastOut
from jalon.web import ActorDep, CtxDep

router = APIRouter(prefix="/api/v1", tags=["forecasting"], dependencies=[Depends(web.verify_csrf)])
ERRORS: dict[int | str, dict[str, object]] = {**web.API_ERRORS}


@router.post(
    "/products/{product_id}/forecast",
    response_model=ForecastOut,
    responses=ERRORS,
    summary="A Monte Carlo forecast on the product's throughput history, with its calibration",
)
def post_forecast(product_id: int, body: ForecastIn, ctx: CtxDep, actor: ActorDep) -> ForecastOut:
    result = queries.run_forecast(
        ctx.db.reader(), actor=actor, product_id=product_id, request=body.request()
    )
    return ForecastOut.of(result, ctx.gettext)


@router.get(
    "/products/{product_id}/forecast/excluded-days",
    response_model=list[ExcludedDayOut],
    responses=ERRORS,
    summary="Days left out of the throughput history (holidays, incidents), newest first",
)
def list_excluded_days(product_id: int, ctx: CtxDep, actor: ActorDep) -> list[ExcludedDayOut]:
    rows = queries.list_excluded(ctx.db.reader(), actor=actor, product_id=product_id)
    return [ExcludedDayOut.of(row) for row in rows]


@router.post(
    "/products/{product_id}/forecast/excluded-days",
    response_model=list[ExcludedDayOut],
    status_code=201,
    responses=ERRORS,
    summary="Leave a day, or the days from `first` to `last`, out of the history",
)
def post_excluded_days(
    product_id: int, body: ExcludeIn, ctx: CtxDep, actor: ActorDep
) -> list[ExcludedDayOut]:
    rows = services.exclude_days(
        ctx.db.uow(), actor=actor, product_id=product_id, first=body.first, last=body.last,
        reason=body.reason,
    )  # fmt: skip
    return [ExcludedDayOut.of(row) for row in rows]


@router.delete(
    "/products/{product_id}/forecast/excluded-days/{day}",
    status_code=204,
    responses=ERRORS,
    summary="Put a day back into the history",
)
def delete_excluded_day(product_id: int, day: date, ctx: CtxDep, actor: ActorDep) -> Response:
    services.include_day(ctx.db.uow(), actor=actor, product_id=product_id, day=day)
    return Response(status_code=204)
