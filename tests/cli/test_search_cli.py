"""`jalon search rebuild`: the search index repaired after rows changed outside Jalon."""

from __future__ import annotations

from jalon import db as db_module
from jalon.backlog import queries, services
from jalon.backlog.models import Item
from jalon.backlog.queries import Filters
from jalon.products import services as products
from jalon.uow import Database
from tests.support.helpers import actor, make_user
from tests.support.processes import Target


def _found(database: Database, po: object, pid: int, q: str) -> list[str]:
    page = queries.list_items(database.reader(), actor=po, product_id=pid, filters=Filters(q=q))  # type: ignore[arg-type]
    return [i.title for i in page.items]


def test_search_rebuild_indexes_rows_changed_behind_jalons_back(target: Target) -> None:
    database = Database(target.settings())
    db_module.upgrade(database.engine)
    po = actor(make_user(database, "po@example.org"))
    pid = products.create_product(database.uow(), actor=po, name="Atlas").id
    item = services.create_item(database.uow(), actor=po, product_id=pid, values={"title": "Old"})
    with database.uow() as uow:  # a manual SQL fix, say
        row = uow.session.get(Item, item.id)
        assert row is not None
        row.title = "Remboursements partiels"
        uow.commit()
    assert _found(database, po, pid, "remboursement") == []

    result = target.invoke("search", "rebuild", "--product", str(pid))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Indexed 1 item(s)."
    assert _found(database, po, pid, "remboursement") == ["Remboursements partiels"]

    everything = target.invoke("search", "rebuild")
    assert everything.returncode == 0 and everything.stdout.strip() == "Indexed 1 item(s)."
    unknown = target.invoke("search", "rebuild", "--product", "999")
    assert unknown.returncode == 4 and "does not exist" in unknown.stderr
    database.dispose()
