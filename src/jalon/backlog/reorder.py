"""Keeping rank keys short: respace a small window of neighbours after a move.

A move writes one row. Only when the moved item's new key `needs_rebalance` (longer than
ranks.REBALANCE_LENGTH, which takes many moves into the same gap) does `rebalance` give the
item and its nearest neighbours fresh, evenly spread keys between the two items just
outside the window. The window starts at 8 items on each side and grows fourfold until
those outer keys leave room for short keys; the rest of the backlog is never renumbered.
It runs inside the move's own transaction, which holds the product's move lock, so it
never interleaves with another move and readers see the old order or the new, whole.
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select

from jalon.backlog import ranks
from jalon.backlog.models import Item
from jalon.products.models import Product
from jalon.uow import UnitOfWork

FIRST_WIDTH = 8
GROWTH = 4


def lock_product(uow: UnitOfWork, product_id: int) -> None:
    """Serialise the writes that pick a rank in one product (moves, additions at the bottom)."""
    stmt = select(Product.id).where(Product.id == product_id).with_for_update(key_share=True)
    uow.session.execute(stmt)


def lock_order(uow: UnitOfWork, item: Item) -> None:
    """Serialise moves within one product, then re-read the item as the lock found it.

    PostgreSQL: a row lock on the product (FOR NO KEY UPDATE, so inserts that reference the
    product are not blocked). SQLite writes already hold the write lock from BEGIN
    IMMEDIATE, so there the statement locks nothing.
    """
    lock_product(uow, item.product_id)
    uow.session.refresh(item)  # a move that held the lock before us may have moved it


def _side(uow: UnitOfWork, item: Item, *, above: bool, limit: int) -> list[Item]:
    """Up to `limit` items nearest to `item` on one side, nearest first."""
    same = Item.product_id == item.product_id
    if above:
        cond = or_(Item.rank < item.rank, and_(Item.rank == item.rank, Item.id < item.id))
        order = (Item.rank.desc(), Item.id.desc())
    else:
        cond = or_(Item.rank > item.rank, and_(Item.rank == item.rank, Item.id > item.id))
        order = (Item.rank.asc(), Item.id.asc())
    stmt = select(Item).where(same, cond).order_by(*order).limit(limit)
    return list(uow.session.scalars(stmt))


def _fits(keys: list[str]) -> bool:
    return all(len(key) <= ranks.REBALANCE_LENGTH // 2 for key in keys)


def rebalance(uow: UnitOfWork, item: Item) -> list[Item]:
    """Respace the window around `item` if its key is too long; the rows it changed."""
    if not ranks.needs_rebalance(item.rank):
        return []
    width = FIRST_WIDTH
    while True:
        above = _side(uow, item, above=True, limit=width + 1)
        below = _side(uow, item, above=False, limit=width + 1)
        low = above[width].rank if len(above) > width else None
        high = below[width].rank if len(below) > width else None
        window = [*reversed(above[:width]), item, *below[:width]]
        fresh = ranks.keys_between(low, high, len(window))
        if _fits(fresh) or (low is None and high is None):
            changed = [row for row, key in zip(window, fresh, strict=True) if row.rank != key]
            for row, key in zip(window, fresh, strict=True):
                row.rank = key
            return changed
        width *= GROWTH
