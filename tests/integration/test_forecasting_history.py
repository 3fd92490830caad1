"""Forecasting reads on both engines: the throughput history comes from `done_at` by UTC
day, excluded days leave the pool, epics and other products do not count, and the public
`forecast_when` used by releases."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from jalon.backlog import ranks
from jalon.backlog.models import Item
from jalon.errors import Invalid
from jalon.forecasting import queries
from jalon.forecasting.models import ExcludedDay
from jalon.products import services as products
from jalon.uow import Database
from tests.support.helpers import actor, make_user

TODAY = date(2026, 6, 1)


def seed_done(
    db: Database, product_id: int, per_day: dict[date, int], *, kind: str = "story", hour: int = 12
) -> None:
    """Insert done items straight away (the backlog's services stamp done_at with now), at
    the top of the backlog."""
    total = sum(per_day.values())
    with db.uow() as uow:
        top = uow.session.scalar(select(func.min(Item.rank)).where(Item.product_id == product_id))
        keys = iter(ranks.keys_between(None, top, total) if total else [])
        for day, count in per_day.items():
            at = datetime.combine(day, time(hour), tzinfo=UTC)
            for n in range(count):
                uow.add(
                    Item(
                        product_id=product_id,
                        type=kind,
                        title=f"done {day} {n}",
                        status="done",
                        rank=next(keys),
                        done_at=at,
                    )
                )
        uow.commit()


def product(db: Database, name: str = "Atlas") -> int:
    po = actor(make_user(db, f"po-{name.lower()}@example.org"))
    return products.create_product(db.uow(), actor=po, name=name).id


def days_back(n: int) -> list[date]:
    return [TODAY - timedelta(days=i) for i in range(1, n + 1)]


def test_history_counts_done_items_per_utc_day(db: Database) -> None:
    pid = product(db)
    yesterday = TODAY - timedelta(days=1)
    seed_done(db, pid, {yesterday: 3, TODAY - timedelta(days=3): 1})
    seed_done(db, pid, {yesterday: 2}, kind="epic")  # containers are not throughput
    seed_done(db, pid, {TODAY: 4})  # today is not history yet
    seed_done(db, pid, {yesterday: 1}, hour=23)  # 23:00 UTC is still yesterday
    other = product(db, "Other")
    seed_done(db, other, {yesterday: 9})
    with db.reader() as reader:
        history = queries.load_history(reader, pid, today=TODAY, window=84)
    assert history.end == yesterday
    assert history.days[-1].count == 4
    assert history.days[-2].count == 0  # a real zero
    assert history.days[-3].count == 1
    assert history.total == 5


def test_excluded_days_leave_the_pool(db: Database) -> None:
    pid = product(db)
    seed_done(db, pid, dict.fromkeys(days_back(20), 2))
    holiday = TODAY - timedelta(days=2)
    with db.uow() as uow:
        uow.add(ExcludedDay(product_id=pid, day=holiday, reason="Holiday"))
        uow.commit()
    with db.reader() as reader:
        history = queries.load_history(reader, pid, today=TODAY, window=84)
    assert history.excluded == 1
    assert holiday not in [d.day for d in history.included]
    assert history.total == 38


def test_forecast_when_reads_the_products_history(db: Database) -> None:
    pid = product(db)
    seed_done(db, pid, dict.fromkeys(days_back(84), 2))
    forecast = queries.forecast_when(db.reader(), pid, 10, seed=7, today=TODAY)
    assert forecast.explanation is None
    assert forecast.days == {50: 5, 70: 5, 85: 5, 95: 5}
    assert forecast.percentiles == dict.fromkeys((50, 70, 85, 95), TODAY + timedelta(days=4))
    assert forecast.hit_rate is not None and forecast.reliable


def test_forecast_when_without_history_explains(db: Database) -> None:
    pid = product(db)
    seed_done(db, pid, dict.fromkeys(days_back(9), 5))
    forecast = queries.forecast_when(db.reader(), pid, 10, seed=1, today=TODAY)
    assert forecast.percentiles is None
    assert forecast.explanation is not None and "9 days" in forecast.explanation
    assert forecast.hit_rate is None and not forecast.reliable


@pytest.mark.parametrize(
    ("remaining", "kwargs", "field"),
    [(0, {}, "items"), (5, {"trials": 99}, "trials"), (5, {"window_days": 5}, "window")],
)
def test_forecast_when_rejects_bad_input(
    db: Database, remaining: int, kwargs: dict[str, int], field: str
) -> None:
    pid = product(db)
    with pytest.raises(Invalid) as caught:
        queries.forecast_when(db.reader(), pid, remaining, today=TODAY, **kwargs)
    assert field in caught.value.fields


def test_excluding_days_is_for_the_product_owner_and_is_logged(db: Database) -> None:
    from jalon.activity import list_activity
    from jalon.errors import Forbidden, NotFound
    from jalon.forecasting import services

    po = actor(make_user(db, "owner@example.org"))
    pid = products.create_product(db.uow(), actor=po, name="Atlas").id
    member = make_user(db, "member@example.org")
    products.add_member(db.uow(), product_id=pid, actor=po, email=member.email, role="member")
    first = date(2026, 4, 1)
    with pytest.raises(Forbidden):
        services.exclude_days(db.uow(), actor=actor(member), product_id=pid, first=first)
    rows = services.exclude_days(
        db.uow(), actor=po, product_id=pid, first=first, last=date(2026, 4, 3), reason="Easter"
    )
    assert [r.day for r in rows] == [first, date(2026, 4, 2), date(2026, 4, 3)]
    again = services.exclude_days(db.uow(), actor=po, product_id=pid, first=first, reason="Off")
    assert [r.reason for r in again] == ["Off"]  # the same day again takes the new reason
    with db.reader() as reader:
        kept = {r.day: r.reason for r in queries.excluded_rows(reader, pid)}
    assert kept == {first: "Off", date(2026, 4, 2): "Easter", date(2026, 4, 3): "Easter"}
    services.include_day(db.uow(), actor=po, product_id=pid, day=first)
    with pytest.raises(NotFound):
        services.include_day(db.uow(), actor=po, product_id=pid, day=first)
    with pytest.raises(Invalid) as bad:
        services.exclude_days(
            db.uow(), actor=po, product_id=pid, first=first, last=date(2026, 12, 31)
        )
    assert set(bad.value.fields) == {"last"}
    with db.reader() as reader:
        actions = [e.action for e in list_activity(reader, product_id=pid)]
    assert actions.count("forecasting.day.excluded") == 2
    assert actions.count("forecasting.day.included") == 1
