"""The backlog order under many and concurrent moves, on both engines.

Property: any sequence of moves keeps one consistent total order (the one a plain list
would have), with distinct keys that stay within their length bound thanks to rebalancing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select

from jalon.backlog import ranks, services
from jalon.backlog.models import Item
from jalon.backlog.services import Placement
from jalon.permissions import Actor
from jalon.products import services as products
from jalon.uow import Database
from tests.support.helpers import actor, make_user

KINDS = ("before", "after", "top", "bottom", "up", "down")


def _product(db: Database, po: Actor, n: int) -> tuple[int, list[int]]:
    pid = products.create_product(db.uow(), actor=po, name="Order").id
    ids = [
        services.create_item(db.uow(), actor=po, product_id=pid, values={"title": f"I{i}"}).id
        for i in range(n)
    ]
    return pid, ids


def _order(db: Database, pid: int) -> list[tuple[int, str]]:
    with db.reader() as uow:
        rows = uow.session.execute(
            select(Item.id, Item.rank).where(Item.product_id == pid).order_by(Item.rank, Item.id)
        )
        return [(int(i), str(r)) for i, r in rows]


def _expected(order: list[int], item: int, kind: str, anchor: int) -> list[int]:
    """What a plain list does with the same move (the service's documented meaning)."""
    at = order.index(item)
    rest = [i for i in order if i != item]
    if kind == "up":
        return order if at == 0 else _expected(order, item, "before", order[at - 1])
    if kind == "down":
        return order if at == len(order) - 1 else _expected(order, item, "after", order[at + 1])
    if kind == "top":
        return [item, *rest]
    if kind == "bottom":
        return [*rest, item]
    spot = rest.index(anchor) + (kind == "after")
    return [*rest[:spot], item, *rest[spot:]]


def _placement(kind: str, anchor: int) -> Placement:
    if kind == "before":
        return Placement(before_id=anchor)
    if kind == "after":
        return Placement(after_id=anchor)
    return Placement(to=kind)


def _check(db: Database, pid: int, expected: list[int]) -> None:
    rows = _order(db, pid)
    assert [i for i, _ in rows] == expected
    keys = [k for _, k in rows]
    assert keys == sorted(set(keys)), "keys are distinct and increasing"
    assert all(len(k) <= ranks.REBALANCE_LENGTH for k in keys), max(keys, key=len)


_OWNERS: dict[str, Actor] = {}
MOVES = st.lists(
    st.tuples(st.integers(0, 11), st.sampled_from(KINDS), st.integers(0, 2)),
    min_size=1,
    max_size=60,
)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(moves=MOVES)
def test_any_sequence_of_moves_keeps_one_total_order(db: Database, moves: list) -> None:  # type: ignore[type-arg]
    key = db.settings.effective_database_url  # one user per database, made at the 1st example
    if key not in _OWNERS:
        _OWNERS[key] = actor(make_user(db, "po@example.org"))
    po = _OWNERS[key]
    pid, ids = _product(db, po, 12)
    order = list(ids)
    for item_index, kind, anchor_index in moves:
        item, anchor = ids[item_index], order[anchor_index]  # anchors near the top: hot spots
        if anchor == item and kind in ("before", "after"):
            continue
        services.move_item(db.uow(), actor=po, item_id=item, where=_placement(kind, anchor))
        order = _expected(order, item, kind, anchor)
    _check(db, pid, order)


def _count_item_writes(db: Database) -> tuple[list[int], Callable[[], None]]:
    counts: list[int] = []

    def on_execute(_c: object, cursor: object, statement: str, params: object, *_: object) -> None:
        if statement.lstrip().upper().startswith("UPDATE ITEMS"):
            counts.append(getattr(cursor, "rowcount", 1) or 1)

    event.listen(db.engine, "after_cursor_execute", on_execute)
    return counts, lambda: event.remove(db.engine, "after_cursor_execute", on_execute)


def test_hammering_one_gap_rebalances_a_small_window_only(db: Database) -> None:
    po = actor(make_user(db, "po@example.org"))
    pid, ids = _product(db, po, 60)
    order = list(ids)
    counts, stop = _count_item_writes(db)
    try:
        low, high = order[0], order[1]
        for step in range(150):  # always into the tightest gap, shrinking it from both ends
            item = next(i for i in reversed(order) if i not in (low, high))
            services.move_item(db.uow(), actor=po, item_id=item, where=Placement(after_id=low))
            order = _expected(order, item, "after", low)
            low, high = (low, item) if step % 2 == 0 else (item, high)
    finally:
        stop()
    _check(db, pid, order)
    assert len(counts) > 150, "some moves rebalanced their neighbours"
    assert len(counts) < 150 * 3, "most moves wrote one row"
    assert max(len(k) for _, k in _order(db, pid)) <= ranks.REBALANCE_LENGTH


def _run_together(*jobs: Callable[[], None]) -> None:
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        try:
            barrier.wait(timeout=10)
            job()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors


def test_two_people_moving_at_once_both_land(db: Database) -> None:
    po = actor(make_user(db, "po@example.org"))
    pid, ids = _product(db, po, 8)
    anchor, x, y = ids[0], ids[6], ids[7]
    for _round in range(5):  # both into the same gap at the same moment
        _run_together(
            lambda: services.move_item(
                db.uow(), actor=po, item_id=x, where=Placement(after_id=anchor)
            ),
            lambda: services.move_item(
                db.uow(), actor=po, item_id=y, where=Placement(after_id=anchor)
            ),
        )
        rows = _order(db, pid)
        got = [i for i, _ in rows]
        assert got[0] == anchor and set(got[1:3]) == {x, y}, got
        assert len({k for _, k in rows}) == len(rows), "no two items share a key"
        for item in (x, y):  # send them back to the bottom for the next round
            services.move_item(db.uow(), actor=po, item_id=item, where=Placement(to="bottom"))
    a, b = ids[1:4], ids[4:6]
    _run_together(
        lambda: [
            services.move_item(db.uow(), actor=po, item_id=i, where=Placement(to="top")) for i in a
        ],
        lambda: [
            services.move_item(db.uow(), actor=po, item_id=i, where=Placement(to="bottom"))
            for i in b
        ],
    )
    got = [i for i, _ in _order(db, pid)]
    assert got[:3] == a[::-1] and got[-2:] == b


def test_two_moves_of_the_same_item_at_once_both_count(db: Database) -> None:
    po = actor(make_user(db, "po@example.org"))
    pid, ids = _product(db, po, 4)
    last = ids[-1]

    def up() -> None:
        services.move_item(db.uow(), actor=po, item_id=last, where=Placement(to="up"))

    _run_together(up, up)
    assert [i for i, _ in _order(db, pid)] == [ids[0], last, ids[1], ids[2]]
    with db.reader() as uow:
        item = uow.session.get(Item, last)
        assert item is not None and item.version == 3  # each move saw the other's result
