"""Feedback services on both engines: entry, triage, links as evidence, batches (re-import
updates by key), the intake token, customers, and evidence feeding RICE reach."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select

from jalon.activity import ActivityEntry
from jalon.backlog import services as backlog
from jalon.db import utcnow
from jalon.discovery.models import TreeNode
from jalon.errors import Conflict, Forbidden, Invalid, Unauthenticated
from jalon.feedback import customers, queries, services
from jalon.feedback.models import Customer, Feedback, FeedbackLink
from jalon.prioritisation.models import ItemScore
from jalon.products import services as products
from jalon.uow import Database
from tests.support.helpers import actor, make_user


@pytest.fixture
def world(db: Database):  # type: ignore[no-untyped-def]
    po = actor(make_user(db, "po@example.org"))
    product = products.create_product(db.uow(), actor=po, name="Covoit")
    viewer = make_user(db, "viewer@example.org")
    stake = make_user(db, "stake@example.org")
    products.add_member(
        db.uow(), product_id=product.id, actor=po, email=viewer.email, role="viewer"
    )
    products.add_member(
        db.uow(), product_id=product.id, actor=po, email=stake.email, role="stakeholder"
    )
    return po, product.id, actor(viewer), actor(stake)


def _count(db: Database, model: type, **where: object) -> int:
    with db.reader() as uow:
        stmt = select(func.count()).select_from(model).filter_by(**where)
        return int(uow.session.scalar(stmt) or 0)


def test_entry_validates_every_field_and_writes_nothing_when_bad(db: Database, world) -> None:
    po, pid, _viewer, _stake = world
    with pytest.raises(Invalid) as caught:
        bad = {"text": "  ", "rating": "7", "author_email": "nope", "received_at": "3000-01-01"}
        services.create_feedback(db.uow(), actor=po, product_id=pid, values=bad)
    assert set(caught.value.fields) == {"text", "rating", "author_email", "received_at"}
    with pytest.raises(Invalid) as caught:
        services.create_feedback(db.uow(), actor=po, product_id=pid, values={"text": "x" * 10_001})
    assert set(caught.value.fields) == {"text"}
    assert _count(db, Feedback) == 0


def test_a_stakeholder_enters_feedback_a_viewer_may_not(db: Database, world) -> None:
    _po, pid, viewer, stake = world
    made = services.create_feedback(
        db.uow(), actor=stake, product_id=pid,
        values={"text": "Le retour garanti ne marche pas la nuit", "rating": "2",
                "received_at": "2026-10-01", "author_name": "Nadia"},
    )  # fmt: skip
    assert made.source == "manual" and made.state == "new" and made.rating == 2
    assert made.received_at.date().isoformat() == "2026-10-01"
    with pytest.raises(Forbidden):
        services.create_feedback(db.uow(), actor=viewer, product_id=pid, values={"text": "hi"})
    with db.reader() as uow:
        actions = list(uow.session.scalars(select(ActivityEntry.action)))
    assert "feedback.feedback.created" in actions


def test_triage_follows_the_transitions(db: Database, world) -> None:
    po, pid, _viewer, stake = world
    made = services.create_feedback(db.uow(), actor=po, product_id=pid, values={"text": "Slow"})
    services.set_state(db.uow(), actor=po, feedback_id=made.id, state="triaged")
    with pytest.raises(Forbidden):
        services.set_state(db.uow(), actor=stake, feedback_id=made.id, state="archived")
    services.set_state(db.uow(), actor=po, feedback_id=made.id, state="archived")
    with pytest.raises(Invalid):
        services.set_state(db.uow(), actor=po, feedback_id=made.id, state="new")
    inbox = queries.list_feedback(db.reader(), actor=po, product_id=pid, filters=queries.Filters())
    assert inbox.total == 0  # archived leaves the open inbox
    archived = queries.Filters(state="archived")
    assert queries.list_feedback(db.reader(), actor=po, product_id=pid, filters=archived).total == 1


def _item(db: Database, po, pid: int, title: str = "Guaranteed ride home") -> int:
    return backlog.create_item(db.uow(), actor=po, product_id=pid, values={"title": title}).id


def test_evidence_counts_weighs_and_quotes(db: Database, world) -> None:
    po, pid, _viewer, _stake = world
    item = _item(db, po, pid)
    gold = customers.save_segment(
        db.uow(), actor=po, product_id=pid, values={"name": "Enterprise", "weight": "3"}
    )
    big = customers.save_customer(
        db.uow(), actor=po, product_id=pid,
        values={"name": "Aéroport", "weight": "2", "segment_id": str(gold.id)},
    )  # fmt: skip
    texts = ("Night shifts need a ride home", "Need a taxi when my driver cancels", "Same again")
    ids = []
    for text in texts:
        values = {"text": text, "customer_id": str(big.id) if text.startswith("Night") else ""}
        ids.append(services.create_feedback(db.uow(), actor=po, product_id=pid, values=values).id)
    services.link_feedback(db.uow(), actor=po, feedback_id=ids[0], item_id=item, importance=3)
    services.link_feedback(db.uow(), actor=po, feedback_id=ids[1], item_id=item, importance=1)
    link = services.link_feedback(db.uow(), actor=po, feedback_id=ids[2], item_id=item)
    evidence = queries.item_evidence(db.reader(), actor=po, item_id=item)
    # 2 (customer) × 3 (segment) × 3 (critical) + 1 + 2
    assert evidence.count == 3 and evidence.demand == 21
    assert evidence.quotes[0].text == texts[0]  # the heaviest demand first
    services.unlink_feedback(db.uow(), actor=po, link_id=link.id)
    assert queries.item_evidence(db.reader(), actor=po, item_id=item).demand == 19
    # Linking again changes the importance instead of duplicating the link.
    services.link_feedback(db.uow(), actor=po, feedback_id=ids[1], item_id=item, importance=2)
    assert _count(db, FeedbackLink, item_id=item) == 2
    assert queries.item_evidence(db.reader(), actor=po, item_id=item).demand == 20


def test_links_refuse_other_products_and_bad_importance(db: Database, world) -> None:
    po, pid, _viewer, _stake = world
    other = products.create_product(db.uow(), actor=po, name="Other").id
    foreign = _item(db, po, other)
    made = services.create_feedback(db.uow(), actor=po, product_id=pid, values={"text": "Hi"})
    with pytest.raises(Invalid) as caught:
        services.link_feedback(db.uow(), actor=po, feedback_id=made.id, item_id=foreign)
    assert "item_id" in caught.value.fields
    with pytest.raises(Invalid):
        services.link_feedback(
            db.uow(), actor=po, feedback_id=made.id, item_id=_item(db, po, pid), importance=5
        )
    with pytest.raises(Invalid):  # neither target
        services.link_feedback(db.uow(), actor=po, feedback_id=made.id)
    assert _count(db, FeedbackLink) == 0


def test_an_opportunity_receives_evidence(db: Database, world) -> None:
    po, pid, _viewer, _stake = world
    with db.uow() as uow:
        node = TreeNode(product_id=pid, kind="opportunity", title="Night workers feel unsafe")
        outcome = TreeNode(product_id=pid, kind="outcome", title="More carpoolers")
        uow.add(node)
        uow.add(outcome)
        uow.commit()
    made = services.create_feedback(db.uow(), actor=po, product_id=pid, values={"text": "Hi"})
    services.link_feedback(db.uow(), actor=po, feedback_id=made.id, opportunity_id=node.id)
    with pytest.raises(Invalid):  # an outcome is not an opportunity
        services.link_feedback(db.uow(), actor=po, feedback_id=made.id, opportunity_id=outcome.id)
    detail = queries.get_feedback(db.reader(), actor=po, feedback_id=made.id)
    assert [(r.kind, r.title) for r in detail.links] == [("opportunity", node.title)]
    found = queries.link_candidates(db.reader(), actor=po, product_id=pid, q="night")
    assert found.opportunities == [(node.id, node.title)]
    evidence = queries.opportunity_evidence(db.reader(), actor=po, node_id=node.id)
    assert (evidence.count, evidence.demand) == (1, 2)


def test_reimport_updates_by_external_key_and_bad_rows_write_nothing(db: Database, world) -> None:
    po, pid, _viewer, _stake = world
    rows = [
        ("2", {"text": "Appli lente", "external_key": "T-1", "customer": "Renault Trucks",
               "author_email": "a@rt.example", "received_at": "2026-09-01"}),
        ("3", {"text": "Pas de retour", "external_key": "T-2", "rating": "1"}),
    ]  # fmt: skip
    first = services.import_feedback(
        db.uow(), actor=po, product_id=pid, rows=rows, source="csv", label="tickets.csv"
    )
    assert len(first.created) == 2 and first.updated == []
    rows[0][1]["text"] = "Appli très lente"
    again = services.import_feedback(
        db.uow(), actor=po, product_id=pid, rows=rows, source="csv", label="tickets.csv"
    )
    assert again.created == [] and sorted(again.updated) == sorted(first.created)
    assert _count(db, Feedback) == 2 and _count(db, Customer) == 1
    with db.reader() as uow:
        texts = set(uow.session.scalars(select(Feedback.text)))
    assert texts == {"Appli très lente", "Pas de retour"}
    bad = [("2", {"text": "ok"}), ("3", {"text": "", "rating": "9"})]
    with pytest.raises(Invalid) as caught:
        services.import_feedback(
            db.uow(), actor=po, product_id=pid, rows=bad, source="csv", label="x.csv"
        )
    assert set(caught.value.fields) == {"3.text", "3.rating"}
    assert _count(db, Feedback) == 2


def test_the_intake_token_is_hashed_rotated_and_revoked(db: Database, world) -> None:
    po, pid, _viewer, stake = world
    with pytest.raises(Forbidden):
        services.create_intake_token(db.uow(), actor=stake, product_id=pid)
    raw = services.create_intake_token(db.uow(), actor=po, product_id=pid)
    view = queries.intake_settings(db.reader(), actor=po, product_id=pid)
    assert view.token is not None and raw not in view.token.token_hash
    written = services.receive_intake(
        db.uow(), product_id=pid, token=raw, rows=[{"text": "From the form", "external_key": "f1"}]
    )
    assert len(written.created) == 1
    with pytest.raises(Unauthenticated):
        services.receive_intake(db.uow(), product_id=pid, token="wrong", rows=[{"text": "x"}])
    newer = services.create_intake_token(db.uow(), actor=po, product_id=pid)
    with pytest.raises(Unauthenticated):
        services.receive_intake(db.uow(), product_id=pid, token=raw, rows=[{"text": "x"}])
    services.revoke_intake_token(db.uow(), actor=po, product_id=pid)
    with pytest.raises(Unauthenticated):
        services.receive_intake(db.uow(), product_id=pid, token=newer, rows=[{"text": "x"}])
    assert _count(db, Feedback) == 1


def test_customers_need_positive_weights_and_unique_names(db: Database, world) -> None:
    po, pid, _viewer, stake = world
    with pytest.raises(Invalid) as caught:
        customers.save_customer(
            db.uow(), actor=po, product_id=pid, values={"name": "", "weight": "0"}
        )
    assert set(caught.value.fields) == {"name", "weight"}
    customers.save_customer(db.uow(), actor=po, product_id=pid, values={"name": "Sanofi"})
    with pytest.raises(Conflict):
        customers.save_customer(db.uow(), actor=po, product_id=pid, values={"name": "Sanofi"})
    with pytest.raises(Forbidden):  # segment weights are the Product Owner's
        customers.save_segment(db.uow(), actor=stake, product_id=pid, values={"name": "SMB"})
    assert _count(db, Customer) == 1


def test_evidence_sets_rice_reach_keeping_other_inputs(db: Database, world) -> None:
    po, pid, _viewer, _stake = world
    item = _item(db, po, pid)
    with pytest.raises(Invalid):
        services.use_as_reach(db.reader(), db.uow(), actor=po, item_id=item)
    for text in ("a", "b", "c"):
        made = services.create_feedback(db.uow(), actor=po, product_id=pid, values={"text": text})
        services.link_feedback(db.uow(), actor=po, feedback_id=made.id, item_id=item, importance=3)
    assert services.use_as_reach(db.reader(), db.uow(), actor=po, item_id=item) == 9
    with db.reader() as uow:
        score = uow.session.get(ItemScore, (item, "rice"))
        assert score is not None and score.inputs["reach"] == 9 and score.value is None


def test_inbox_filters_and_search(db: Database, world) -> None:
    po, pid, _viewer, _stake = world
    now = utcnow()
    for i, text in enumerate(("Taxi voucher please", "100% useless_app", "Dark mode")):
        values = {"text": text, "received_at": (now - timedelta(days=i)).date().isoformat()}
        services.create_feedback(db.uow(), actor=po, product_id=pid, values=values)
    get = lambda **f: queries.list_feedback(  # noqa: E731
        db.reader(), actor=po, product_id=pid, filters=queries.Filters(**f), per_page=2
    )
    first = get()
    assert first.total == 3 and first.pages == 2 and len(first.rows) == 2
    assert first.rows[0].feedback.text == "Taxi voucher please"  # newest received first
    assert [r.feedback.text for r in get(q="TAXI").rows] == ["Taxi voucher please"]
    assert [r.feedback.text for r in get(q="100%").rows] == ["100% useless_app"]
    assert get(q="_").total == 1  # LIKE wildcards are taken literally
    assert get(linked="yes").total == 0 and get(linked="no").total == 3
    assert get(source="csv").total == 0
    assert get(page=2).rows[0].feedback.text == "Dark mode"
    assert datetime.now(UTC) >= first.rows[0].feedback.received_at


def _statements(db: Database, read: Any) -> int:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        read()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_the_inbox_and_evidence_read_a_bounded_number_of_statements(db: Database, world) -> None:
    po, pid, _viewer, _stake = world
    item = _item(db, po, pid)
    seg = customers.save_segment(db.uow(), actor=po, product_id=pid, values={"name": "SMB"})

    def add(n: int) -> None:
        for i in range(n):
            made = customers.save_customer(
                db.uow(), actor=po, product_id=pid,
                values={"name": f"C{utcnow().timestamp()}-{i}", "segment_id": str(seg.id)},
            )  # fmt: skip
            fb = services.create_feedback(
                db.uow(), actor=po, product_id=pid,
                values={"text": f"Feedback {i}", "customer_id": str(made.id)},
            )  # fmt: skip
            services.link_feedback(db.uow(), actor=po, feedback_id=fb.id, item_id=item)

    def inbox() -> None:
        queries.list_feedback(db.reader(), actor=po, product_id=pid, filters=queries.Filters())

    def evidence() -> None:
        queries.item_evidence(db.reader(), actor=po, item_id=item)

    add(2)
    few = (_statements(db, inbox), _statements(db, evidence))
    add(8)
    assert (_statements(db, inbox), _statements(db, evidence)) == few
