"""Forecasting use cases: leave days out of the throughput history, and put them back.

Forecasts themselves write nothing: they are reads (`queries.py`). Excluding days is a
product-level setting of the forecasts, for the Product Owner.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from jalon import activity
from jalon.activity import Subject
from jalon.errors import N_, NotFound
from jalon.forecasting import rules
from jalon.forecasting.models import ExcludedDay
from jalon.permissions import Action, Actor
from jalon.products.services import authorise
from jalon.uow import UnitOfWork

MANAGE = Action.EDIT_PRODUCT


def _label(first: date, last: date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()} – {last.isoformat()}"


def exclude_days(
    uow: UnitOfWork,
    *,
    actor: Actor,
    product_id: int,
    first: date,
    last: date | None = None,
    reason: str = "",
) -> list[ExcludedDay]:
    """Leave the days from `first` to `last` out of the history (a day already left out
    takes the new reason)."""
    days = rules.check_exclusion(first=first, last=last, reason=reason)
    reason = reason.strip()
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=MANAGE)
        found = {
            row.day: row
            for row in uow.session.scalars(
                select(ExcludedDay).where(
                    ExcludedDay.product_id == product_id, ExcludedDay.day.in_(days)
                )
            )
        }
        rows = []
        for day in days:
            row = found.get(day) or ExcludedDay(product_id=product_id, day=day)
            row.reason, row.actor_label = reason, actor.label[:200]
            uow.add(row)
            rows.append(row)
        subject = Subject("excluded_day", None, _label(days[0], days[-1]))
        changes = {"reason": [None, reason]} if reason else None
        activity.record(
            uow, "forecasting.day.excluded", subject, actor=actor, product_id=product_id,
            changes=changes,
        )  # fmt: skip
        uow.commit()
    return rows


def include_day(uow: UnitOfWork, *, actor: Actor, product_id: int, day: date) -> None:
    """Put a day back into the history."""
    with uow:
        authorise(uow, product_id=product_id, actor=actor, action=MANAGE)
        row = uow.session.scalar(
            select(ExcludedDay).where(ExcludedDay.product_id == product_id, ExcludedDay.day == day)
        )
        if row is None:
            raise NotFound(N_("{day} is not left out of the history."), day=day.isoformat())
        uow.session.delete(row)
        subject = Subject("excluded_day", None, day.isoformat())
        activity.record(
            uow, "forecasting.day.included", subject, actor=actor, product_id=product_id
        )
        uow.commit()
