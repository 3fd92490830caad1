"""Backlog use cases on both engines: order, moves, optimistic locking, hierarchy, mentions."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from jalon.backlog import queries, services
from jalon.backlog.models import Item, StatusChange
from jalon.backlog.services import Placement
from jalon.errors import Forbidden, Invalid, PreconditionFailed
from jalon.permissions import Actor
from jalon.products import services as products
from jalon.uow import Database
from tests.support.helpers import actor, make_user


def _setup(db: Database) -> tuple[Actor, int]:
    po = actor(make_user(db, "po@example.org", name="Camille"))
    product = products.create_product(db.uow(), actor=po, name="Atlas")
    return po, product.id


def _titles(db: Database, po: Actor, product_id: int) -> list[str]:
    page = queries.list_items(db.reader(), actor=po, product_id=product_id, limit=500)
    return [i.title for i in page.items]


def _add(db: Database, po: Actor, product_id: int, *titles: str) -> list[int]:
    return [
        services.create_item(db.uow(), actor=po, product_id=product_id, values={"title": t}).id
        for t in titles
    ]


def test_items_are_added_at_the_bottom_in_order(db: Database) -> None:
    po, pid = _setup(db)
    _add(db, po, pid, "A", "B", "C")
    assert _titles(db, po, pid) == ["A", "B", "C"]


def test_moves_before_after_top_bottom_up_down(db: Database) -> None:
    po, pid = _setup(db)
    a, b, c, d = _add(db, po, pid, "A", "B", "C", "D")
    services.move_item(db.uow(), actor=po, item_id=d, where=Placement(before_id=b))
    assert _titles(db, po, pid) == ["A", "D", "B", "C"]
    services.move_item(db.uow(), actor=po, item_id=a, where=Placement(after_id=c))
    assert _titles(db, po, pid) == ["D", "B", "C", "A"]
    services.move_item(db.uow(), actor=po, item_id=c, where=Placement(to="top"))
    services.move_item(db.uow(), actor=po, item_id=d, where=Placement(to="bottom"))
    assert _titles(db, po, pid) == ["C", "B", "A", "D"]
    services.move_item(db.uow(), actor=po, item_id=a, where=Placement(to="up"))
    services.move_item(db.uow(), actor=po, item_id=c, where=Placement(to="down"))
    assert _titles(db, po, pid) == ["A", "C", "B", "D"]
    services.move_item(db.uow(), actor=po, item_id=b, where=Placement(to="up"))
    assert _titles(db, po, pid) == ["A", "B", "C", "D"]


def test_a_move_writes_exactly_one_item_row(db: Database) -> None:
    po, pid = _setup(db)
    ids = _add(db, po, pid, *[f"Item {i}" for i in range(20)])
    writes: list[str] = []

    def on_execute(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if statement.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE")):
            writes.append(
                statement.split(maxsplit=1)[0].upper()
                + " "
                + statement.split()[1 if statement.split(maxsplit=1)[0].upper() != "INSERT" else 2]
            )

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        services.move_item(db.uow(), actor=po, item_id=ids[15], where=Placement(before_id=ids[2]))
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)
    item_writes = [w for w in writes if "items" in w and "item_" not in w]
    assert item_writes == ["UPDATE items"], writes


def test_move_relative_to_another_products_item_is_refused(db: Database) -> None:
    po, pid = _setup(db)
    other = products.create_product(db.uow(), actor=po, name="Other").id
    (a,) = _add(db, po, pid, "A")
    (x,) = _add(db, po, other, "X")
    with pytest.raises(Invalid) as exc:
        services.move_item(db.uow(), actor=po, item_id=a, where=Placement(before_id=x))
    assert "same product" in str(exc.value)


def test_optimistic_locking(db: Database) -> None:
    po, pid = _setup(db)
    (a,) = _add(db, po, pid, "A")
    services.update_item(db.uow(), actor=po, item_id=a, values={"title": "A1"}, expected_version=1)
    with pytest.raises(PreconditionFailed):
        services.update_item(
            db.uow(), actor=po, item_id=a, values={"title": "stale"}, expected_version=1
        )
    with db.reader() as uow:
        item = uow.session.get(Item, a)
        assert item is not None and item.title == "A1" and item.version == 2


def test_status_changes_are_kept_in_history(db: Database) -> None:
    po, pid = _setup(db)
    (a,) = _add(db, po, pid, "A")
    for status in ("ready", "in_progress", "done"):
        services.update_item(db.uow(), actor=po, item_id=a, values={"status": status})
    with db.reader() as uow:
        rows = uow.session.scalars(
            select(StatusChange).where(StatusChange.item_id == a).order_by(StatusChange.id)
        )
        assert [(r.from_status, r.to_status) for r in rows] == [
            (None, "new"),
            ("new", "ready"),
            ("ready", "in_progress"),
            ("in_progress", "done"),
        ]
        item = uow.session.get(Item, a)
        assert item is not None and item.done_at is not None


def test_hierarchy_rules_and_cycles(db: Database) -> None:
    po, pid = _setup(db)
    epic = services.create_item(
        db.uow(), actor=po, product_id=pid, values={"title": "Epic", "type": "epic"}
    ).id
    feature = services.create_item(
        db.uow(),
        actor=po,
        product_id=pid,
        values={"title": "F", "type": "feature", "parent_id": epic},
    ).id
    story = services.create_item(
        db.uow(),
        actor=po,
        product_id=pid,
        values={"title": "S", "type": "story", "parent_id": feature},
    ).id
    with pytest.raises(Invalid):
        services.update_item(db.uow(), actor=po, item_id=epic, values={"parent_id": story})
    with pytest.raises(Invalid):
        services.update_item(db.uow(), actor=po, item_id=feature, values={"parent_id": story})


def test_viewers_cannot_edit_and_bad_input_writes_nothing(db: Database) -> None:
    po, pid = _setup(db)
    (a,) = _add(db, po, pid, "A")
    make_user(db, "viewer@example.org")
    products.add_member(
        db.uow(), product_id=pid, actor=po, email="viewer@example.org", role="viewer"
    )
    viewer = actor(make_user(db, "v2@example.org"))
    with pytest.raises(Exception):  # noqa: B017 - not a member at all: 404
        services.update_item(db.uow(), actor=viewer, item_id=a, values={"title": "x"})
    with pytest.raises(Invalid):
        services.update_item(
            db.uow(), actor=po, item_id=a, values={"title": "ok", "estimate": "seven"}
        )
    with pytest.raises(Invalid):
        services.create_item(db.uow(), actor=po, product_id=pid, values={"title": "  "})
    assert _titles(db, po, pid) == ["A"]
    _ = Forbidden


def test_cursor_pagination_walks_the_whole_backlog_once(db: Database) -> None:
    po, pid = _setup(db)
    _add(db, po, pid, *[f"T{i:02d}" for i in range(25)])
    seen: list[str] = []
    cursor = None
    while True:
        page = queries.list_items(db.reader(), actor=po, product_id=pid, cursor=cursor, limit=7)
        seen += [i.title for i in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [f"T{i:02d}" for i in range(25)]
