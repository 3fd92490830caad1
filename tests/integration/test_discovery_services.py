"""Discovery services on a real database: the tree's levels on create and move, ordering,
deletion with the subtree, decisions that make backlog items in the same transaction, the
vision board, personas, and the demo content."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import event, func, select

from jalon.activity import ActivityEntry
from jalon.backlog.models import Item
from jalon.discovery import queries, services
from jalon.discovery.board import services as board
from jalon.discovery.demo import seed_discovery
from jalon.discovery.models import Experiment, Hypothesis, TreeNode
from jalon.errors import Conflict, Forbidden, Invalid
from jalon.feedback.models import Feedback, FeedbackLink, Segment
from jalon.permissions import Actor
from jalon.products import services as products
from jalon.uow import Database
from tests.support.helpers import actor, make_user


@pytest.fixture
def po(db: Database) -> Actor:
    return actor(make_user(db, "po@example.org"))


@pytest.fixture
def pid(db: Database, po: Actor) -> int:
    return products.create_product(db.uow(), actor=po, name="Atlas").id


def _add(db: Database, po: Actor, pid: int, kind: str, parent: int | None, title: str) -> int:
    return services.create_node(
        db.uow(), actor=po, product_id=pid, kind=kind, parent_id=parent, values={"title": title}
    ).id


def _count(db: Database, model: type, **where: object) -> int:
    with db.reader() as uow:
        stmt = select(func.count()).select_from(model)
        for name, value in where.items():
            stmt = stmt.where(getattr(model, name) == value)
        return int(uow.session.scalar(stmt) or 0)


def test_moves_keep_levels_and_order(db: Database, po: Actor, pid: int) -> None:
    o = _add(db, po, pid, "outcome", None, "O")
    first, second = (
        _add(db, po, pid, "opportunity", o, "A"),
        _add(db, po, pid, "opportunity", o, "B"),
    )
    s = _add(db, po, pid, "solution", first, "S")
    services.move_node(db.uow(), actor=po, node_id=s, parent_id=second)
    with pytest.raises(Invalid) as caught:
        services.move_node(db.uow(), actor=po, node_id=s, parent_id=o)
    assert "parent_id" in caught.value.fields
    services.move_node(db.uow(), actor=po, node_id=second, step=-1)
    tree = queries.get_tree(db.reader(), actor=po, product_id=pid)
    opportunities = tree.roots[0].children
    assert [v.node.title for v in opportunities] == ["B", "A"]
    assert [v.node.title for v in opportunities[0].children] == ["S"]
    with db.reader() as uow:
        actions = list(
            uow.session.scalars(
                select(ActivityEntry.action).where(
                    ActivityEntry.product_id == pid, ActivityEntry.action == "discovery.node.moved"
                )
            )
        )
    assert len(actions) == 2


def test_a_node_of_another_product_is_no_parent(db: Database, po: Actor, pid: int) -> None:
    other = products.create_product(db.uow(), actor=po, name="Borealis").id
    foreign = _add(db, po, other, "outcome", None, "Theirs")
    with pytest.raises(Invalid):
        _add(db, po, pid, "opportunity", foreign, "Mine")


def test_delete_takes_the_subtree_with_it(db: Database, po: Actor, pid: int) -> None:
    o = _add(db, po, pid, "outcome", None, "O")
    op = _add(db, po, pid, "opportunity", o, "Op")
    s = _add(db, po, pid, "solution", op, "S")
    a = _add(db, po, pid, "assumption", s, "A")
    services.save_hypothesis(
        db.uow(),
        actor=po,
        node_id=a,
        values=dict.fromkeys(("capability", "people", "outcome", "signal"), "x"),
    )
    services.create_experiment(
        db.uow(), actor=po, assumption_id=a, values={"title": "T", "metric": "m", "threshold": 1}
    )
    services.delete_node(db.uow(), actor=po, node_id=op)
    assert _count(db, TreeNode, product_id=pid) == 1
    assert _count(db, Experiment) == 0 and _count(db, Hypothesis) == 0


def test_a_refused_decision_writes_nothing(db: Database, po: Actor, pid: int) -> None:
    o = _add(db, po, pid, "outcome", None, "O")
    a = _add(
        db,
        po,
        pid,
        "assumption",
        _add(db, po, pid, "solution", _add(db, po, pid, "opportunity", o, "Op"), "S"),
        "A",
    )
    e = services.create_experiment(
        db.uow(),
        actor=po,
        assumption_id=a,
        values={"title": "T", "metric": "m", "unit": "%", "threshold": 10},
    )
    viewer = actor(make_user(db, "viewer@example.org"))
    products.add_member(
        db.uow(), product_id=pid, actor=po, email="viewer@example.org", role="stakeholder"
    )
    decision = {
        "decision": "stop",
        "rationale": "r",
        "result": 2,
        "result_unit": "%",
        "items": ["Remove the feature"],
    }
    with pytest.raises(Forbidden):
        services.decide(db.uow(), actor=viewer, experiment_id=e.id, values=decision)
    with pytest.raises(Invalid):  # the result's unit differs: nothing at all is kept
        services.decide(
            db.uow(), actor=po, experiment_id=e.id, values={**decision, "result_unit": "users"}
        )
    with db.reader() as uow:
        kept = uow.session.get(Experiment, e.id)
        assert kept is not None and kept.result is None and kept.decision is None
    assert _count(db, Item, product_id=pid) == 0
    done, made = services.decide(db.uow(), actor=po, experiment_id=e.id, values=decision)
    assert done.decision == "stop" and len(made) == 1
    assert _count(db, Item, product_id=pid) == 1


def test_vision_board_and_personas(db: Database, po: Actor, pid: int) -> None:
    board.save_vision(db.uow(), actor=po, product_id=pid, values={"vision": "Be *the* one"})
    board.save_vision(db.uow(), actor=po, product_id=pid, values={"needs": "Speed"})
    page = queries.get_board(db.reader(), actor=po, product_id=pid)
    assert page.board is not None and (page.board.vision, page.board.needs) == (
        "Be *the* one",
        "Speed",
    )
    other = products.create_product(db.uow(), actor=po, name="Borealis").id
    with db.uow() as uow:
        foreign = Segment(product_id=other, name="Enterprise")
        uow.add(foreign)
        uow.commit()
    with pytest.raises(Invalid) as caught:
        board.create_persona(
            db.uow(),
            actor=po,
            product_id=pid,
            values={"name": "Nadia", "segment_id": str(foreign.id)},
        )
    assert "segment_id" in caught.value.fields
    nadia = board.create_persona(db.uow(), actor=po, product_id=pid, values={"name": "Nadia"})
    tom = board.create_persona(db.uow(), actor=po, product_id=pid, values={"name": "Tom"})
    with pytest.raises(Conflict):
        board.update_persona(db.uow(), actor=po, persona_id=tom.id, values={"name": "Nadia"})
    board.delete_persona(db.uow(), actor=po, persona_id=nadia.id)
    assert [p.name for p in queries.get_board(db.reader(), actor=po, product_id=pid).personas] == [
        "Tom"
    ]


def test_demo_content_is_complete_and_made_once(db: Database, po: Actor, pid: int) -> None:
    made = seed_discovery(db, po, pid, today=date(2026, 11, 26))
    assert len(made) == 2
    assert seed_discovery(db, po, pid, today=date(2026, 11, 26)) == []
    tree = queries.get_tree(db.reader(), actor=po, product_id=pid)
    assert tree.counts["outcome"] == 1 and tree.counts["opportunity"] == 3
    assert tree.counts["experiment"] == 2
    decided = queries.get_experiment(db.reader(), actor=po, experiment_id=made[0])
    assert decided.experiment.decision == "persevere" and len(decided.item_ids) == 2
    found = queries.get_board(db.reader(), actor=po, product_id=pid)
    assert found.board is not None and len(found.personas) == 3


def _queries(db: Database, read: Callable[[], object]) -> int:
    count = 0

    def before(*_args: object) -> None:
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        read()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return count


def test_the_tree_reads_in_a_fixed_number_of_queries(db: Database, po: Actor, pid: int) -> None:
    seed_discovery(db, po, pid, today=date(2026, 11, 26))
    small = _queries(db, lambda: queries.get_tree(db.reader(), actor=po, product_id=pid))
    tree = queries.get_tree(db.reader(), actor=po, product_id=pid)
    for opportunity in tree.roots[0].children:  # twice the tree: a solution more each
        _add(db, po, pid, "solution", opportunity.node.id, "More")
    big = _queries(db, lambda: queries.get_tree(db.reader(), actor=po, product_id=pid))
    assert big == small <= 10


def test_opportunities_show_their_evidence_and_market_signals(
    db: Database, po: Actor, pid: int
) -> None:
    from jalon.signals.models import Feed, FeedEntry, MarketSignal

    o = _add(db, po, pid, "outcome", None, "O")
    op = _add(db, po, pid, "opportunity", o, "Night shifts have no bus")
    with db.uow() as uow:
        feed = Feed(product_id=pid, name="Transit news", url="https://example.org/rss")
        uow.add(feed)
        uow.flush()
        entries = [
            FeedEntry(
                feed_id=feed.id, key=k, title=f"Bus line {k} cut", link="https://example.org/" + k
            )
            for k in ("12", "47")
        ]
        uow.session.add_all(entries)
        uow.flush()
        uow.add(MarketSignal(product_id=pid, entry_id=entries[0].id, opportunity_id=op))
        uow.add(
            MarketSignal(
                product_id=pid, entry_id=entries[1].id, opportunity_id=op, state="dismissed"
            )
        )
        said = Feedback(product_id=pid, text="I miss the last bus every night")
        ignored = Feedback(product_id=pid, text="spam", state="rejected")
        uow.session.add_all([said, ignored])
        uow.flush()
        uow.session.add_all(
            [FeedbackLink(feedback_id=f.id, opportunity_id=op) for f in (said, ignored)]
        )
        uow.commit()
    view = queries.get_tree(db.reader(), actor=po, product_id=pid).roots[0].children[0]
    assert (view.evidence, view.signals) == (1, 1)  # rejected feedback, dismissed signals: no
    page = queries.get_node(db.reader(), actor=po, node_id=op)
    assert [e.title for e in page.signal_entries] == ["Bus line 12 cut"]
    assert [f.text for f in page.quotes] == ["I miss the last bus every night"]
