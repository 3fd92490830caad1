"""An import over several chunks, on SQLite and PostgreSQL: children before their parents
(as Jira exports newest first), parents in the product, a re-import that moves an item
under a new one, a bad row in a late chunk (nothing written), and a search index equal to
the one `backlog.search` builds itself, found by a stemmed word."""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import func, select, text

from jalon.backlog import queries as backlog_queries
from jalon.backlog import search
from jalon.backlog.models import Item, ItemSearch, ItemTag, StatusChange
from jalon.errors import Invalid
from jalon.products import services as products
from jalon.transfer import loading, services
from jalon.uow import Database
from tests.support.helpers import actor, make_user

HEADER = "Issue key,Issue id,Summary,Issue Type,Status,Parent,Labels,Description\n"
# Newest first: every child comes before its parent, some in an earlier chunk; S-7's
# parent is named by its Jira issue id, OLD-1 is already in the product.
NEWEST_FIRST = (
    "S-7,107,Refunds are paid back quickly,Story,Done,104,refunds,Payments run nightly\n"
    "S-6,106,Export the invoices,Story,To Do,F-3,,\n"
    "S-5,105,Payment by card,Bug,In Progress,F-3,cards,The payments fail\n"
    "F-4,104,Refunds,Feature,To Do,E-1,,\n"
    "F-3,103,Cards,Feature,To Do,E-1,,\n"
    "S-2,102,Loose story,Story,To Do,OLD-1,,\n"
    "E-1,101,Payments,Epic,To Do,,,\n"
)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loading, "CHUNK", 2)


def _setup(db: Database) -> tuple[Any, int]:
    po = make_user(db, "po@example.org")
    product = products.create_product(db.uow(), actor=actor(po), name="Atlas")
    who = actor(po)
    _import(db, who, product.id, "Issue key,Summary,Issue Type\nOLD-1,Old feature,Feature\n")
    return who, product.id


def _import(db: Database, who: Any, pid: int, data: str) -> Any:
    return services.import_file(
        db.uow(), actor=who, product_id=pid, stream=io.BytesIO(data.encode()), filename="j.csv"
    )


def _parents(db: Database, pid: int) -> dict[str, str | None]:
    with db.reader() as uow:
        rows = list(uow.session.execute(select(Item.id, Item.external_key, Item.parent_id)))
    keys = {ident: key for ident, key, _parent in rows}
    return {key: keys.get(parent) for _ident, key, parent in rows}


@pytest.mark.usefixtures("small_chunks")
def test_children_before_their_parents_across_chunks(db: Database) -> None:
    who, pid = _setup(db)
    report = _import(db, who, pid, HEADER + NEWEST_FIRST)
    assert (report.created, report.rows) == (7, 7)
    assert _parents(db, pid) == {
        "OLD-1": None,
        "E-1": None,
        "F-3": "E-1",
        "F-4": "E-1",
        "S-2": "OLD-1",
        "S-5": "F-3",
        "S-6": "F-3",
        "S-7": "F-4",
    }
    with db.reader() as uow:
        ranked = uow.session.scalars(select(Item.external_key).order_by(Item.rank))
        assert list(ranked)[1:] == ["S-7", "S-6", "S-5", "F-4", "F-3", "S-2", "E-1"]
        tags = set(uow.session.execute(select(Item.external_key, ItemTag.tag).join(Item)))
        assert tags == {("S-7", "refunds"), ("S-5", "cards")}
        history = uow.session.execute(select(Item.external_key, StatusChange.to_status).join(Item))
        assert ("S-7", "done") in set(history)
    services.undo_import(db.uow(), actor=who, batch_id=report.batch_id)
    assert _parents(db, pid) == {"OLD-1": None}


@pytest.mark.usefixtures("small_chunks")
def test_a_reimport_moves_known_items_under_new_ones(db: Database) -> None:
    who, pid = _setup(db)
    _import(db, who, pid, HEADER + NEWEST_FIRST)
    moved = HEADER + "S-5,105,Payment by card,Bug,In Progress,F-9,cards,\n"
    moved += "F-9,109,Wallets,Feature,To Do,E-1,,\n"
    report = _import(db, who, pid, moved)
    assert (report.created, report.updated) == (1, 1)
    parents = _parents(db, pid)
    assert (parents["S-5"], parents["F-9"], parents["S-6"]) == ("F-9", "E-1", "F-3")
    services.undo_import(db.uow(), actor=who, batch_id=report.batch_id)
    assert _parents(db, pid)["S-5"] == "F-3"


@pytest.mark.usefixtures("small_chunks")
def test_a_bad_row_in_a_late_chunk_writes_nothing(db: Database) -> None:
    who, pid = _setup(db)
    with db.reader() as uow:
        before = uow.session.scalar(select(func.count()).select_from(Item))
    bad = HEADER + NEWEST_FIRST + "S-8,108,Orphan,Story,To Do,F-404,,\n"
    with pytest.raises(Invalid) as error:
        _import(db, who, pid, bad)
    assert "F-404" in " ".join(error.value.render_fields().values())
    with db.reader() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Item)) == before
        assert uow.session.scalar(select(func.count()).select_from(ItemSearch)) == before


def _index(db: Database) -> set[tuple[Any, ...]]:
    with db.reader() as uow:
        postgres = uow.session.get_bind().dialect.name == "postgresql"
        document = "CAST(document AS text)" if postgres else "''"
        sql = f"SELECT item_id, title, body, comments, {document} FROM item_search"
        return {tuple(row) for row in uow.session.execute(text(sql))}


@pytest.mark.usefixtures("small_chunks")
def test_the_search_index_is_the_one_search_builds_and_finds_stems(db: Database) -> None:
    who, pid = _setup(db)
    _import(db, who, pid, HEADER + NEWEST_FIRST)
    imported = _index(db)
    with db.uow() as uow:
        search.rebuild(uow, pid)
        uow.commit()
    assert _index(db) == imported
    found = backlog_queries.search_items(db.reader(), actor=who, product_id=pid, q="payment")
    # "payments" in a description and "Payment" in a title share the stem of "payment"
    assert {item.external_key for item in found} == {"S-5", "S-7", "E-1"}
