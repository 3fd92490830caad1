"""Releases for the demo product, made only through the services (called by `jalon.demo`).

A released version with its notes (so the public changelog has something to show), and a
planned one with a target date whose scope is the open backlog's first epic or items.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from jalon.backlog.models import Item
from jalon.permissions import Actor
from jalon.releases import services
from jalon.releases.queries import done_keys
from jalon.uow import Database

PLANNED_ITEMS = 8


def _items(db: Database, product_id: int) -> tuple[list[int], list[int]]:
    """(done items, open items) of the product, in backlog order."""
    with db.reader() as uow:
        done = done_keys(uow, product_id)
        stmt = select(Item.id, Item.status, Item.type).where(Item.product_id == product_id)
        rows = list(uow.session.execute(stmt.order_by(Item.rank, Item.id)))
    shipped = [int(i) for i, status, _type in rows if status in done]
    open_ = [int(i) for i, status, kind in rows if status not in done and kind != "epic"]
    return shipped, open_


def seed_releases(db: Database, po: Actor, product_id: int, *, today: date) -> list[int]:
    """Two releases: 1.0 released (done items, English notes, checklist ticked) and 1.1
    planned six weeks ahead with open items; the public changelog is turned on."""
    shipped, open_ = _items(db, product_id)
    services.update_settings(db.uow(), actor=po, product_id=product_id, public_changelog=True)
    first = services.create_release(
        db.uow(), actor=po, product_id=product_id,
        values={"name": "1.0", "target_date": today, "description": "The first public version."},
    )  # fmt: skip
    if shipped:
        services.add_items(db.uow(), actor=po, release_id=first.id, item_ids=shipped)
    entries = [str(c["text"]) for c in first.checklist]
    services.set_checklist(db.uow(), actor=po, release_id=first.id, ticked=entries)
    services.generate_notes(db.uow(), actor=po, release_id=first.id, language="en")
    services.mark_released(db.uow(), actor=po, release_id=first.id, confirm=True)
    second = services.create_release(
        db.uow(), actor=po, product_id=product_id,
        values={"name": "1.1", "target_date": today + timedelta(weeks=6)},
    )  # fmt: skip
    if open_:
        services.add_items(db.uow(), actor=po, release_id=second.id, item_ids=open_[:PLANNED_ITEMS])
    return [first.id, second.id]
