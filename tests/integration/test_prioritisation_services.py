"""Prioritisation use cases on both engines: scores, bulk scoring, formulas, apply order + undo."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from jalon.activity import ActivityEntry
from jalon.backlog import queries as backlog_queries
from jalon.backlog import services as backlog
from jalon.errors import Conflict, Forbidden, Invalid, NotFound
from jalon.permissions import Actor
from jalon.prioritisation import comparison, queries, services
from jalon.prioritisation.models import Formula, ItemScore, OrderSnapshot
from jalon.prioritisation.services import Entry
from jalon.products import services as products
from jalon.uow import Database
from tests.support.helpers import actor, make_user


def _setup(db: Database, *titles: str) -> tuple[Actor, int, list[int]]:
    po = actor(make_user(db, "po@example.org", name="Camille"))
    pid = products.create_product(db.uow(), actor=po, name="Atlas").id
    ids = [
        backlog.create_item(db.uow(), actor=po, product_id=pid, values={"title": t}).id
        for t in titles
    ]
    return po, pid, ids


def _rice(
    reach: float, impact: float = 1, confidence: float = 1, effort: float = 1
) -> dict[str, Any]:
    return {"reach": reach, "impact": impact, "confidence": confidence, "effort": effort}


def _titles(db: Database, po: Actor, pid: int) -> list[str]:
    page = backlog_queries.list_items(db.reader(), actor=po, product_id=pid, limit=500)
    return [i.title for i in page.items]


def _rows(db: Database, model: str | None = None) -> dict[tuple[int, str], float | None]:
    with db.reader() as uow:
        stmt = select(ItemScore)
        if model:
            stmt = stmt.where(ItemScore.model == model)
        return {(r.item_id, r.model): r.value for r in uow.session.scalars(stmt)}


def _count(db: Database, model: type) -> int:
    with db.reader() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_score_is_stored_absolute_and_explained(db: Database) -> None:
    po, _pid, (a, b) = _setup(db, "A", "B")
    row = services.set_score(
        db.uow(), actor=po, item_id=a, model="rice", inputs=_rice(8, 3, 0.8, 5)
    )
    assert row.value == pytest.approx(3.84)
    services.set_score(db.uow(), actor=po, item_id=b, model="rice", inputs=_rice(1000))
    assert _rows(db)[(a, "rice")] == pytest.approx(3.84)  # another item changed nothing
    view = queries.item_scores(db.reader(), actor=po, item_id=a)
    rice = next(s for s in view.scores if s.model.key == "rice")
    assert rice.explanation == "(8 × 3 × 0.8) / 5 = 3.84"
    assert rice.steps[-1].value == pytest.approx(3.84)
    wsjf = next(s for s in view.scores if s.model.key == "wsjf")
    assert wsjf.value is None and "job_size" in wsjf.missing
    with db.reader() as uow:
        actions = list(uow.session.scalars(select(ActivityEntry.action)))
    assert actions.count("prioritisation.score.set") == 2


def test_bad_inputs_write_nothing_and_name_each_field(db: Database) -> None:
    po, _pid, (a,) = _setup(db, "A")
    with pytest.raises(Invalid) as caught:
        services.set_score(
            db.uow(), actor=po, item_id=a, model="rice",
            inputs={"reach": -1, "impact": 7, "confidence": 80, "effort": 0},
        )  # fmt: skip
    assert set(caught.value.fields) == {"reach", "impact", "confidence", "effort"}
    assert "0.8 for 80%" in caught.value.fields["confidence"]
    with pytest.raises(Invalid):
        services.set_score(db.uow(), actor=po, item_id=a, model="nope", inputs={})
    assert _rows(db) == {}


def test_bulk_scoring_is_all_or_nothing(db: Database) -> None:
    po, pid, (a, b, c) = _setup(db, "A", "B", "C")
    entries = [Entry(a, _rice(10)), Entry(b, _rice(20, effort=0)), Entry(c, _rice(30))]
    with pytest.raises(Invalid) as caught:
        services.score_items(db.uow(), actor=po, product_id=pid, model="rice", entries=entries)
    assert list(caught.value.fields) == [f"{b}.effort"]
    assert _rows(db) == {}
    entries[1] = Entry(b, _rice(20))
    assert (
        services.score_items(db.uow(), actor=po, product_id=pid, model="rice", entries=entries) == 3
    )
    assert _rows(db) == {(a, "rice"): 10, (b, "rice"): 20, (c, "rice"): 30}


def test_bulk_scoring_refuses_items_of_another_product(db: Database) -> None:
    po, pid, (a,) = _setup(db, "A")
    other = products.create_product(db.uow(), actor=po, name="Other").id
    foreign = backlog.create_item(db.uow(), actor=po, product_id=other, values={"title": "X"}).id
    entries = [Entry(a, _rice(1)), Entry(foreign, _rice(2))]
    with pytest.raises(Invalid) as caught:
        services.score_items(db.uow(), actor=po, product_id=pid, model="rice", entries=entries)
    assert str(foreign) in caught.value.fields
    assert _rows(db) == {}


def test_partial_grid_entries_keep_what_is_filled(db: Database) -> None:
    po, pid, (a, b) = _setup(db, "A", "B")
    services.score_items(
        db.uow(), actor=po, product_id=pid, model="rice", partial=True,
        entries=[Entry(a, {"reach": "120", "impact": ""}), Entry(b, {})],
    )  # fmt: skip
    with db.reader() as uow:
        row = uow.session.get(ItemScore, (a, "rice"))
        assert row is not None and row.inputs == {"reach": 120.0} and row.value is None
    services.score_items(
        db.uow(), actor=po, product_id=pid, model="rice", partial=True,
        entries=[Entry(a, {"reach": "120", "impact": "2", "confidence": "0,5", "effort": "3"})],
    )  # fmt: skip
    assert _rows(db) == {(a, "rice"): pytest.approx(40)}
    services.score_items(
        db.uow(), actor=po, product_id=pid, model="rice", partial=True, entries=[Entry(a, {})]
    )
    assert _rows(db) == {}


def test_only_contributors_score_and_only_the_owner_manages(db: Database) -> None:
    po, pid, (a,) = _setup(db, "A")
    viewer = make_user(db, "v@example.org")
    products.add_member(db.uow(), product_id=pid, actor=po, email=viewer.email, role="member")
    member = actor(viewer)
    services.set_score(
        db.uow(),
        actor=member,
        item_id=a,
        model="ice",
        inputs={"impact": 5, "confidence": 5, "ease": 5},
    )
    with pytest.raises(Forbidden):
        services.create_formula(db.uow(), actor=member, product_id=pid, name="F", expression="ice")
    with pytest.raises(Forbidden):
        services.apply_order(db.uow(), actor=member, product_id=pid, model="ice")
    stranger = actor(make_user(db, "s@example.org"))
    with pytest.raises(NotFound):
        services.set_score(db.uow(), actor=stranger, item_id=a, model="ice", inputs={})


def test_a_formula_scores_the_backlog_on_save_and_follows_its_inputs(db: Database) -> None:
    po, pid, (a, b, c) = _setup(db, "A", "B", "C")
    services.set_score(db.uow(), actor=po, item_id=a, model="rice", inputs=_rice(10))
    services.set_score(db.uow(), actor=po, item_id=b, model="rice", inputs=_rice(20))
    saved = services.create_formula(
        db.uow(), actor=po, product_id=pid, name="Reach first", expression="2 * rice_reach + rice"
    )
    assert saved.formula.key == "reach_first" and (saved.scored, saved.failed) == (2, 0)
    model = "formula:reach_first"
    assert _rows(db, model) == {(a, model): 30, (b, model): 60}
    services.set_score(db.uow(), actor=po, item_id=c, model="rice", inputs=_rice(1))
    assert _rows(db, model)[(c, model)] == 3  # scoring an item rescored its formulas
    services.update_formula(
        db.uow(), actor=po, product_id=pid, key="reach_first", expression="rice"
    )
    assert _rows(db, model) == {(a, model): 10, (b, model): 20, (c, model): 1}
    view = queries.item_scores(db.reader(), actor=po, item_id=b)
    custom = next(s for s in view.scores if s.model.key == model)
    assert custom.explanation == "20 = 20" and custom.model.label == "Reach first"
    services.delete_formula(db.uow(), actor=po, product_id=pid, key="reach_first")
    assert _rows(db, model) == {} and _count(db, Formula) == 0


@pytest.mark.parametrize(
    ("expression", "field", "words"),
    [
        ("rice_reach / 0", "expression", "Division by zero at position 14"),
        ("rice_rech * 2", "expression", "did you mean 'rice_reach'"),
        ("budget * 2", "expression", "Unknown name 'budget' at position 1"),
        ("(rice + ", "expression", "position"),
    ],
)
def test_formula_errors_are_precise_and_write_nothing(
    db: Database, expression: str, field: str, words: str
) -> None:
    po, pid, (a,) = _setup(db, "A")
    services.set_score(db.uow(), actor=po, item_id=a, model="rice", inputs=_rice(10))
    before = _count(db, ActivityEntry)
    with pytest.raises(Invalid) as caught:
        services.create_formula(db.uow(), actor=po, product_id=pid, name="F", expression=expression)
    assert words in caught.value.fields[field]
    assert _count(db, Formula) == 0 and _rows(db, "formula:f") == {}
    assert _count(db, ActivityEntry) == before


def test_failing_items_keep_a_reason_and_a_bad_update_changes_nothing(db: Database) -> None:
    po, pid, (a, b) = _setup(db, "A", "B")
    for item, value in ((a, 0), (b, 5)):
        inputs = {"business_value": value, "time_criticality": 3, "risk_reduction": 2}
        services.set_score(
            db.uow(), actor=po, item_id=item, model="wsjf", inputs={**inputs, "job_size": 5}
        )
    saved = services.create_formula(
        db.uow(), actor=po, product_id=pid, name="Per value", expression="10 / wsjf_business_value"
    )
    assert (saved.scored, saved.failed) == (1, 1)
    with db.reader() as uow:
        failed = uow.session.get(ItemScore, (a, "formula:per_value"))
        assert failed is not None and failed.value is None and "Division by zero" in failed.error
    with pytest.raises(Invalid):
        services.update_formula(db.uow(), actor=po, product_id=pid, key="per_value", expression="x")
    assert _rows(db, "formula:per_value")[(b, "formula:per_value")] == 2
    with pytest.raises(Invalid):
        services.create_formula(
            db.uow(), actor=po, product_id=pid, name="Per value", expression="1"
        )


def test_apply_order_and_undo(db: Database) -> None:
    po, pid, (_a, b, c, d) = _setup(db, "A", "B", "C", "D")
    for item, reach in ((b, 50), (c, 90), (d, 50)):
        services.set_score(db.uow(), actor=po, item_id=item, model="rice", inputs=_rice(reach))
    applied = services.apply_order(db.uow(), actor=po, product_id=pid, model="rice")
    assert applied.items == 4
    assert _titles(db, po, pid) == ["C", "B", "D", "A"]  # ties keep their order, unscored last
    late = backlog.create_item(db.uow(), actor=po, product_id=pid, values={"title": "E"}).id
    assert late
    services.undo_order(db.uow(), actor=po, product_id=pid, snapshot_id=applied.snapshot.id)
    assert _titles(db, po, pid) == ["A", "B", "C", "D", "E"]
    with pytest.raises(Conflict):
        services.undo_order(db.uow(), actor=po, product_id=pid, snapshot_id=applied.snapshot.id)
    with db.reader() as uow:
        snapshot = uow.session.get(OrderSnapshot, applied.snapshot.id)
        assert snapshot is not None and snapshot.undone_at is not None


def test_only_the_latest_reordering_can_be_undone(db: Database) -> None:
    po, pid, (a, b) = _setup(db, "A", "B")
    services.set_score(db.uow(), actor=po, item_id=b, model="rice", inputs=_rice(5))
    services.set_score(
        db.uow(), actor=po, item_id=a, model="ice", inputs={"impact": 1, "confidence": 1, "ease": 1}
    )
    first = services.apply_order(db.uow(), actor=po, product_id=pid, model="rice")
    services.apply_order(db.uow(), actor=po, product_id=pid, model="ice")
    with pytest.raises(Conflict):
        services.undo_order(db.uow(), actor=po, product_id=pid, snapshot_id=first.snapshot.id)
    with pytest.raises(Invalid):
        services.apply_order(db.uow(), actor=po, product_id=pid, model="wsjf")  # nothing scored
    with pytest.raises(NotFound):
        services.undo_order(db.uow(), actor=po, product_id=pid, snapshot_id=first.snapshot.id + 99)


def test_ranking_grid_and_compare(db: Database) -> None:
    po, pid, (a, b, c) = _setup(db, "A", "B", "C")
    for item, reach, ease in ((a, 10, 9), (b, 30, 1), (c, 20, 5)):
        services.set_score(db.uow(), actor=po, item_id=item, model="rice", inputs=_rice(reach))
        services.set_score(
            db.uow(),
            actor=po,
            item_id=item,
            model="ice",
            inputs={"impact": 2, "confidence": 2, "ease": ease},
        )
    page = queries.ranking(db.reader(), actor=po, product_id=pid, model="rice", limit=2)
    assert [r.item.title for r in page.items] == ["B", "C"] and page.next_cursor
    rest = queries.ranking(
        db.reader(), actor=po, product_id=pid, model="rice", cursor=page.next_cursor
    )
    assert [(r.item.title, r.rank) for r in rest.items] == [("A", 3)]
    grid = queries.grid(db.reader(), actor=po, product_id=pid, model="rice")
    assert [(r.item.title, r.rank) for r in grid.rows] == [("A", 3), ("B", 1), ("C", 2)]
    result = comparison.compare(
        db.reader(),
        actor=po,
        product_id=pid,
        models=["rice", "ice"],
        pair=(a, b),
        pair_model="rice",
    )
    assert result.pairs[0].tau == pytest.approx(-1.0)
    assert {s.item_id for s in result.pairs[0].shifts} == {a, b}
    assert result.swap is not None and result.swap.above is not None
    assert result.swap.above.id == b and result.swap.swaps
    best = result.swap.swaps[0]
    assert best.score_b > best.score_a
    with pytest.raises(Invalid):
        comparison.compare(db.reader(), actor=po, product_id=pid, models=["rice"])


def test_a_new_expression_drops_the_scores_of_items_it_cannot_score(db: Database) -> None:
    """Rescoring overwrites scores in place; items lacking an input the new expression reads
    lose their old score instead of keeping a stale one."""
    po, pid, (a, b) = _setup(db, "A", "B")
    services.set_score(db.uow(), actor=po, item_id=a, model="rice", inputs=_rice(10))
    services.set_score(db.uow(), actor=po, item_id=b, model="rice", inputs=_rice(20))
    wsjf = {"business_value": 8, "time_criticality": 3, "risk_reduction": 1, "job_size": 4}
    services.set_score(db.uow(), actor=po, item_id=a, model="wsjf", inputs=wsjf)
    services.create_formula(db.uow(), actor=po, product_id=pid, name="Mix", expression="rice")
    model = "formula:mix"
    assert _rows(db, model) == {(a, model): 10, (b, model): 20}
    services.update_formula(db.uow(), actor=po, product_id=pid, key="mix", expression="rice + wsjf")
    assert _rows(db, model) == {(a, model): 13}  # B has no WSJF score: its old score is gone
    services.update_formula(db.uow(), actor=po, product_id=pid, key="mix", expression="2 * rice")
    assert _rows(db, model) == {(a, model): 20, (b, model): 40}


def _typed(db: Database, item_id: int, model: str) -> tuple[float | None, ...]:
    with db.reader() as uow:
        row = uow.session.get_one(ItemScore, (item_id, model))
        return (row.input_1, row.input_2, row.input_3, row.input_4)


def _stamps(db: Database, model: str) -> dict[int, object]:
    with db.reader() as uow:
        stmt = select(ItemScore.item_id, ItemScore.updated_at).where(ItemScore.model == model)
        return {item_id: stamp for item_id, stamp in uow.session.execute(stmt)}


def test_inputs_are_mirrored_in_typed_columns_and_a_rescore_writes_only_changes(
    db: Database,
) -> None:
    """The database fills `input_<n>` from the JSON inputs (numbers only); a whole-backlog
    rescore reads them and rewrites only the scores that change."""
    po, pid, (a, b) = _setup(db, "A", "B")
    services.set_score(db.uow(), actor=po, item_id=a, model="rice", inputs=_rice(10, 2, 0.5, 4))
    services.set_score(db.uow(), actor=po, item_id=b, model="rice", inputs=_rice(20))
    assert _typed(db, a, "rice") == (10, 2, 0.5, 4)
    with db.uow() as uow:  # a stray non-number (as a hand-made import could carry) reads NULL
        uow.session.get_one(ItemScore, (b, "rice")).inputs = {**_rice(20), "effort": "x"}
        uow.commit()
    assert _typed(db, b, "rice") == (20, 1, 1, None)
    services.create_formula(db.uow(), actor=po, product_id=pid, name="F", expression="rice_reach")
    before = _stamps(db, "formula:f")
    services.update_formula(
        db.uow(), actor=po, product_id=pid, key="f", expression="rice_reach + 0 * rice_effort"
    )
    model = "formula:f"
    assert _rows(db, model) == {(a, model): 10}  # B's effort is not a number: no score
    assert _stamps(db, model) == {a: before[a]}  # A's score did not change: not rewritten
    services.update_formula(
        db.uow(), actor=po, product_id=pid, key="f", expression="rice_reach * rice_impact"
    )
    assert _rows(db, model) == {(a, model): 20, (b, model): 20}
    assert _typed(db, a, model) == (None, None, None, None)


def test_array_literals_of_a_rescore_read_back_exactly(db: Database, engine_kind: str) -> None:
    """PostgreSQL gets a rescore's scores as array literals built in Python: numbers must
    round-trip to the bit and any text (quotes, backslashes, commas, braces) survive."""
    if engine_kind != "postgresql":
        pytest.skip("array literals are PostgreSQL's")
    from jalon.prioritisation import rescore

    numbers = [0.1 + 0.2, 1e300, -2.5e-308, None, 3.0, 1 / 3]
    texts = ["", 'say "no"', "back\\slash", "a,b {c}", "NULL", "é ✓"]
    with db.reader() as uow:
        conn = uow.session.connection()
        got = conn.exec_driver_sql(
            "SELECT %s::double precision[], %s::text[], %s::integer[]",
            (rescore._numbers(numbers), rescore._texts(texts), rescore._numbers([1, 2**31 - 1])),
        ).one()
    assert got == (numbers, texts, [1, 2**31 - 1])
