"""Full-text search and filters of the backlog list, on SQLite (FTS5) and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from jalon.backlog import queries, search, services
from jalon.backlog.models import BacklogSettings, Item
from jalon.backlog.queries import Filters
from jalon.collaboration import services as collaboration
from jalon.errors import Invalid
from jalon.permissions import Actor
from jalon.prioritisation.models import ItemScore
from jalon.products import services as products
from jalon.uow import Database
from tests.support.helpers import actor, make_user


def _setup(db: Database) -> tuple[Actor, int]:
    po = actor(make_user(db, "po@example.org", name="Camille"))
    return po, products.create_product(db.uow(), actor=po, name="Atlas").id


def _add(db: Database, po: Actor, pid: int, title: str, **values: object) -> int:
    return services.create_item(
        db.uow(), actor=po, product_id=pid, values={"title": title, **values}
    ).id


def _found(db: Database, po: Actor, pid: int, **filters: object) -> list[str]:
    page = queries.list_items(db.reader(), actor=po, product_id=pid, filters=Filters(**filters))  # type: ignore[arg-type]
    return [i.title for i in page.items]


def test_french_and_english_stems_match_other_forms(db: Database) -> None:
    po, pid = _setup(db)
    _add(db, po, pid, "Accepter le paiement par carte")
    _add(db, po, pid, "Run the import every night")
    _add(db, po, pid, "Écran d'accueil")
    assert _found(db, po, pid, q="paiements") == ["Accepter le paiement par carte"]
    assert _found(db, po, pid, q="running") == ["Run the import every night"]
    assert _found(db, po, pid, q="ecrans") == ["Écran d'accueil"]  # accents folded
    assert _found(db, po, pid, q="ÉCRAN accueil") == ["Écran d'accueil"]
    assert _found(db, po, pid, q="paiement nuit") == []  # every word must match


def test_descriptions_criteria_and_comments_are_searched(db: Database) -> None:
    po, pid = _setup(db)
    a = _add(db, po, pid, "Alpha", description="Les utilisateurs exportent leurs factures")
    b = _add(db, po, pid, "Beta", acceptance_criteria="Given a refund When approved Then mail")
    c = _add(db, po, pid, "Gamma")
    assert _found(db, po, pid, q="facture") == ["Alpha"]
    assert _found(db, po, pid, q="refunds approve") == ["Beta"]
    assert _found(db, po, pid, q="décommissionnement") == []
    collaboration.add_comment(db.uow(), actor=po, item_id=c, body="Penser au décommissionnement")
    assert _found(db, po, pid, q="decommissionnement") == ["Gamma"]
    services.update_item(db.uow(), actor=po, item_id=a, values={"description": "Rien"})
    assert _found(db, po, pid, q="factures") == []
    del b


def test_search_stays_inside_the_product_and_follows_deletes(db: Database) -> None:
    po, pid = _setup(db)
    other = products.create_product(db.uow(), actor=po, name="Other").id
    _add(db, po, pid, "Invoice export")
    gone = _add(db, po, other, "Invoice import")
    assert _found(db, po, pid, q="invoices") == ["Invoice export"]
    with db.uow() as uow:
        uow.session.delete(uow.session.get(Item, gone))
        uow.commit()
    assert queries.search_items(db.reader(), actor=po, product_id=other, q="invoice") == []


def test_relevance_puts_title_matches_first(db: Database) -> None:
    po, pid = _setup(db)
    _add(db, po, pid, "Settings page", description="mentions billing once")
    _add(db, po, pid, "Billing overview", description="billing billing")
    hits = queries.search_items(db.reader(), actor=po, product_id=pid, q="billing")
    assert [h.title for h in hits] == ["Billing overview", "Settings page"]
    assert queries.search_items(db.reader(), actor=po, product_id=pid, q="the of") == []


def test_prefix_of_the_last_word_matches_while_typing(db: Database) -> None:
    po, pid = _setup(db)
    _add(db, po, pid, "Développeurs heureux")
    assert _found(db, po, pid, q="develop") == ["Développeurs heureux"]


def test_rebuild_indexes_items_written_behind_the_services_back(db: Database) -> None:
    po, pid = _setup(db)
    a = _add(db, po, pid, "Old words")
    with db.uow() as uow:
        item = uow.session.get(Item, a)
        assert item is not None
        item.title = "Nouvelles tarifications"
        uow.commit()
    assert _found(db, po, pid, q="tarification") == []
    with db.uow() as uow:
        assert search.rebuild(uow, pid) == 1
        uow.commit()
    assert _found(db, po, pid, q="tarification") == ["Nouvelles tarifications"]


def test_filters_combine(db: Database) -> None:
    po, pid = _setup(db)
    dev = make_user(db, "dev@example.org")
    products.add_member(db.uow(), actor=po, product_id=pid, email=dev.email, role="member")
    _add(db, po, pid, "A story", type="story", tags=["ux"], assignee_id=dev.id)
    _add(db, po, pid, "A bug", type="bug", tags=["ux"])
    _add(db, po, pid, "Another bug", type="bug", status="ready")
    assert _found(db, po, pid, types=["bug"]) == ["A bug", "Another bug"]
    assert _found(db, po, pid, types=["bug"], tag="UX") == ["A bug"]
    assert _found(db, po, pid, statuses=["ready"]) == ["Another bug"]
    assert _found(db, po, pid, assignee_id=dev.id) == ["A story"]
    assert _found(db, po, pid, unassigned=True, types=["story"]) == []
    assert _found(db, po, pid, unassigned=True) == ["A bug", "Another bug"]
    assert _found(db, po, pid, types=["bug"], q="another") == ["Another bug"]
    with pytest.raises(Invalid) as exc:
        _found(db, po, pid, statuses=["nope"])
    assert "status" in exc.value.fields


def test_score_filter(db: Database) -> None:
    po, pid = _setup(db)
    ids = [_add(db, po, pid, t) for t in ("Low", "Mid", "High", "Unscored")]
    with db.uow() as uow:
        for item_id, value in zip(ids, (1.0, 5.0, 9.0), strict=False):
            uow.add(ItemScore(item_id=item_id, model="rice", inputs={}, value=value, error=""))
        uow.commit()
    assert _found(db, po, pid, score_model="rice") == ["Low", "Mid", "High"]
    assert _found(db, po, pid, score_model="rice", score_min=2) == ["Mid", "High"]
    assert _found(db, po, pid, score_model="rice", score_min=2, score_max=5) == ["Mid"]
    assert _found(db, po, pid, score_model="ice") == []


def test_readiness_filter_follows_the_definition_of_ready(db: Database) -> None:
    po, pid = _setup(db)
    a, b, _c = (_add(db, po, pid, t) for t in ("Ticked", "Half", "None"))
    with db.uow() as uow:
        settings = uow.session.get(BacklogSettings, pid) or queries.default_settings(pid)
        settings.definition_of_ready = ["Estimated", "Has criteria"]
        uow.add(settings)
        for item_id, ticks in ((a, ["Estimated", "Has criteria"]), (b, ["Estimated"])):
            item = uow.session.get(Item, item_id)
            assert item is not None
            item.checks = {"ready": ticks}
        uow.commit()
    assert _found(db, po, pid, ready=True) == ["Ticked"]
    assert _found(db, po, pid, ready=False) == ["Half", "None"]
    page = queries.list_items(db.reader(), actor=po, product_id=pid)
    assert [page.ready[i.id] for i in page.items] == [True, False, False]


def _statements(db: Database, run: object) -> int:
    seen: list[str] = []

    def count(*_args: object) -> None:
        seen.append("q")

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        run()  # type: ignore[operator]
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_a_page_takes_the_same_few_queries_whatever_its_size(db: Database) -> None:
    po, pid = _setup(db)
    dev = make_user(db, "dev@example.org")
    products.add_member(db.uow(), actor=po, product_id=pid, email=dev.email, role="member")
    for i in range(30):
        _add(db, po, pid, f"Paiement {i}", tags=["a", "b"], assignee_id=dev.id)
    filters = Filters(q="paiement", types=["story"], ready=False, tag="a")

    def page(limit: int) -> object:
        return lambda: queries.list_items(
            db.reader(), actor=po, product_id=pid, filters=filters, limit=limit
        )

    small, large = _statements(db, page(2)), _statements(db, page(30))
    assert small == large <= 10
