"""Forecasting reads: a product's throughput history, its excluded days, and the forecasts.

`forecast_when` is the public entry point for other areas (releases): it checks no
permission, so callers authorise first.

Throughput counts the items of every type but epics (an epic is a container: its stories
and features are the work), by the UTC day of their `done_at`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from sqlalchemy import select

from jalon.backlog import workflow
from jalon.backlog.models import Item
from jalon.backlog.queries import backlog_settings
from jalon.db import utcnow
from jalon.errors import N_, Invalid, Message
from jalon.forecasting import rules
from jalon.forecasting.calibration import ORIGINS, PAST_WINDOWS
from jalon.forecasting.models import ExcludedDay
from jalon.permissions import Action, Actor
from jalon.products.services import authorise
from jalon.uow import UnitOfWork

CHECK_HORIZON = 28  # history loaded for calibration: 20 checked 4-week windows, 20 more to learn
CONTAINER_TYPES = ("epic",)
MAX_EPICS = 200


def today_utc() -> date:
    return utcnow().date()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def done_dates(uow: UnitOfWork, product_id: int, *, start: date, end: date) -> list[date]:
    """The UTC day each item (epics aside) was done, from `start` to `end` inclusive."""
    stmt = select(Item.done_at).where(
        Item.product_id == product_id,
        Item.done_at >= _midnight(start),
        Item.done_at < _midnight(end + timedelta(days=1)),
        Item.type.not_in(CONTAINER_TYPES),
    )
    return [at.astimezone(UTC).date() for at in uow.session.scalars(stmt) if at is not None]


def excluded_rows(
    uow: UnitOfWork, product_id: int, *, start: date | None = None, end: date | None = None
) -> list[ExcludedDay]:
    stmt = select(ExcludedDay).where(ExcludedDay.product_id == product_id)
    if start is not None:
        stmt = stmt.where(ExcludedDay.day >= start)
    if end is not None:
        stmt = stmt.where(ExcludedDay.day <= end)
    return list(uow.session.scalars(stmt.order_by(ExcludedDay.day.desc())))


def load_history(uow: UnitOfWork, product_id: int, *, today: date, window: int) -> rules.History:
    """Daily throughput up to yesterday: the window, plus older days for the calibration."""
    end = today - timedelta(days=1)
    start = end - timedelta(days=window + (ORIGINS + PAST_WINDOWS) * CHECK_HORIZON - 1)
    skip = [row.day for row in excluded_rows(uow, product_id, start=start, end=end)]
    dates = done_dates(uow, product_id, start=start, end=end)
    return rules.build_history(dates, start=start, end=end, excluded=skip)


def forecast_when(
    reader: UnitOfWork,
    product_id: int,
    remaining: int,
    *,
    trials: int = rules.DEFAULT_TRIALS,
    seed: int | None = None,
    window_days: int = rules.DEFAULT_WINDOW,
    today: date | None = None,
) -> rules.WhenForecast:
    """When will `remaining` more items of this product be done? No permission check.

    Raises Invalid (fields `items`, `trials`, `window`) on bad input; too little history gives
    a forecast with `percentiles=None` and an `explanation` instead."""
    today = today or today_utc()
    rules.check_options(trials=trials, window=window_days)
    with reader:
        history = load_history(reader, product_id, today=today, window=window_days)
    return rules.forecast_when(
        history,
        remaining,
        today=today,
        window=window_days,
        trials=trials,
        rng=np.random.default_rng(seed),
    )


def forecast_how_many(
    reader: UnitOfWork,
    product_id: int,
    target: date,
    *,
    trials: int = rules.DEFAULT_TRIALS,
    seed: int | None = None,
    window_days: int = rules.DEFAULT_WINDOW,
    today: date | None = None,
) -> rules.HowManyForecast:
    """How many items of this product will be done from today to `target`? No permission
    check."""
    today = today or today_utc()
    rules.check_options(trials=trials, window=window_days)
    with reader:
        history = load_history(reader, product_id, today=today, window=window_days)
    return rules.forecast_how_many(
        history,
        target,
        today=today,
        window=window_days,
        trials=trials,
        rng=np.random.default_rng(seed),
    )


# --- what a "when" forecast is about -------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    remaining: int  # items still to do
    label: str  # a Message: "12 items", "the epic #4 Checkout"
    item_ids: tuple[int, ...] = ()
    epic_id: int | None = None


def _open_statuses(uow: UnitOfWork, product_id: int) -> list[str]:
    statuses = backlog_settings(uow, product_id).statuses
    closed = {workflow.Category.DONE, workflow.Category.REJECTED}
    return [s["key"] for s in statuses if s["category"] not in closed]


def scope_of_items(uow: UnitOfWork, product_id: int, item_ids: Sequence[int]) -> Scope:
    ids = sorted(set(item_ids))
    rows = uow.session.execute(
        select(Item.id, Item.status).where(Item.id.in_(ids), Item.product_id == product_id)
    ).all()
    missing = sorted(set(ids) - {int(r.id) for r in rows})
    if missing:
        raise Invalid(
            N_("These items are not in this product: {ids}."),
            field="items",
            ids=", ".join(f"#{i}" for i in missing),
        )
    open_keys = set(_open_statuses(uow, product_id))
    remaining = sum(1 for r in rows if r.status in open_keys)
    if remaining == 0:
        raise Invalid(N_("All these items are already done or rejected."), field="items")
    label = Message(N_("{n} of the {total} chosen items"), n=remaining, total=len(ids))
    return Scope(remaining, label, item_ids=tuple(ids))


def scope_of_epic(uow: UnitOfWork, product_id: int, epic_id: int) -> Scope:
    epic = uow.session.get(Item, epic_id)
    if epic is None or epic.product_id != product_id:
        raise Invalid(N_("There is no item #{id} in this product."), field="epic_id", id=epic_id)
    found: list[Item] = []
    level, seen = [epic_id], {epic_id}
    while level:
        rows = [r for r in uow.session.scalars(select(Item).where(Item.parent_id.in_(level)))]
        rows = [r for r in rows if r.id not in seen]
        seen.update(r.id for r in rows)
        found += rows
        level = [r.id for r in rows]
    open_keys = set(_open_statuses(uow, product_id))
    remaining = sum(1 for r in found if r.status in open_keys and r.type not in CONTAINER_TYPES)
    if remaining == 0:
        raise Invalid(
            N_("#{id} {title} has no open items left under it."),
            field="epic_id",
            id=epic_id,
            title=epic.title,
        )
    label = Message(N_("the {n} open items under #{id} {title}"), n=remaining, id=epic_id,
                    title=epic.title)  # fmt: skip
    return Scope(remaining, label, epic_id=epic_id)


def list_excluded(uow: UnitOfWork, *, actor: Actor, product_id: int) -> list[ExcludedDay]:
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=Action.READ)
        return excluded_rows(uow, product_id)


# --- a forecast as people ask for it (page, API, command line) -------------------------------


@dataclass(frozen=True)
class Result:
    request: rules.Request
    scope: Scope | None  # for "when"
    forecast: rules.WhenForecast | rules.HowManyForecast

    @property
    def when(self) -> rules.WhenForecast | None:
        return self.forecast if isinstance(self.forecast, rules.WhenForecast) else None

    @property
    def how_many(self) -> rules.HowManyForecast | None:
        return self.forecast if isinstance(self.forecast, rules.HowManyForecast) else None


def _scope(uow: UnitOfWork, product_id: int, request: rules.Request) -> Scope:
    if request.item_ids:
        return scope_of_items(uow, product_id, request.item_ids)
    if request.epic_id is not None:
        return scope_of_epic(uow, product_id, request.epic_id)
    count = request.count or 0
    return Scope(count, Message(N_("{n} items"), n=count))


def run_forecast(
    reader: UnitOfWork,
    *,
    actor: Actor,
    product_id: int,
    request: rules.Request,
    today: date | None = None,
) -> Result:
    """Answer a "when" or "how many" request on the product's own history."""
    today = today or today_utc()
    rules.check_request(request, today=today)
    with reader:
        authorise(reader, product_id=product_id, actor=actor, action=Action.READ)
        scope = _scope(reader, product_id, request) if request.mode == "when" else None
        history = load_history(reader, product_id, today=today, window=request.window)
    rng = np.random.default_rng(request.seed)
    window, trials = request.window, request.trials
    forecast: rules.WhenForecast | rules.HowManyForecast
    if scope is not None:
        forecast = rules.forecast_when(
            history, scope.remaining, today=today, window=window, trials=trials, rng=rng
        )
    else:
        assert request.target is not None  # checked by check_request
        forecast = rules.forecast_how_many(
            history, request.target, today=today, window=window, trials=trials, rng=rng
        )
    return Result(request, scope, forecast)


@dataclass(frozen=True)
class PageData:
    history: rules.History
    excluded: list[ExcludedDay]
    epics: list[tuple[int, str]]  # (id, title) of the product's open epics, by rank


def page_data(
    reader: UnitOfWork, *, actor: Actor, product_id: int, window: int, today: date | None = None
) -> PageData:
    """What the forecast page shows besides a forecast: the history and the choices."""
    today = today or today_utc()
    with reader:
        authorise(reader, product_id=product_id, actor=actor, action=Action.READ)
        history = load_history(reader, product_id, today=today, window=window).last(window)
        open_keys = _open_statuses(reader, product_id)
        epics = reader.session.execute(
            select(Item.id, Item.title)
            .where(Item.product_id == product_id, Item.type == "epic", Item.status.in_(open_keys))
            .order_by(Item.rank)
            .limit(MAX_EPICS)
        ).all()
        excluded = excluded_rows(reader, product_id)
    return PageData(history, excluded, [(int(i), str(t)) for i, t in epics])
