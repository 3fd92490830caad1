"""Themes on both database engines and both text models: feedback placed as it arrives,
similar feedback, re-clustering, and people's corrections surviving a re-clustering."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from jalon.db import utcnow
from jalon.discovery.models import TreeNode
from jalon.errors import Conflict, Forbidden, Invalid
from jalon.feedback.models import Feedback, FeedbackLink
from jalon.products import services as products
from jalon.themes import engine, placement, queries, runs, services, store
from jalon.themes.demo import SAMPLE_FEEDBACK, add_sample_feedback, seed_themes
from jalon.themes.models import (
    ClusteringRun,
    FeedbackDuplicate,
    FeedbackVector,
    Theme,
    ThemeMember,
)
from jalon.uow import Database
from tests.support.helpers import actor, make_user

MODELS = ["fallback"] + (["neural"] if engine.neural_available() else [])


@pytest.fixture(params=MODELS)
def model(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setattr(engine, "NEURAL_ENABLED", request.param == "neural")
    yield request.param


@pytest.fixture
def world(db: Database, model: str):  # type: ignore[no-untyped-def]
    po = actor(make_user(db, "po@example.org"))
    product = products.create_product(db.uow(), actor=po, name="Atlas")
    ids = add_sample_feedback(db, product.id)
    return po, product.id, ids


def topic_of(ids: list[int]) -> dict[int, str]:
    return {i: topic for i, (topic, _t) in zip(ids, SAMPLE_FEEDBACK, strict=True)}


def members(db: Database, product_id: int) -> dict[int, int]:
    with db.reader() as uow:
        rows = uow.session.execute(
            select(ThemeMember.feedback_id, ThemeMember.theme_id)
            .join(Theme, Theme.id == ThemeMember.theme_id)
            .where(Theme.product_id == product_id)
        ).all()
    return {int(f): int(t) for f, t in rows}


def test_vectors_are_stored_when_feedback_arrives(db: Database, world) -> None:
    _po, pid, ids = world
    with db.reader() as uow:
        stored = uow.session.scalars(
            select(FeedbackVector.feedback_id).where(FeedbackVector.product_id == pid)
        ).all()
    assert sorted(stored) == sorted(ids)


def test_similar_finds_the_same_topic_across_languages(db: Database, world, model) -> None:
    _po, pid, ids = world
    topics = topic_of(ids)
    with db.reader() as uow:
        found = placement.similar(uow, pid, "The invoice does not show our VAT number", limit=3)
    assert found and all(0.0 <= s <= 1.0 for _i, s in found)
    assert [s for _i, s in found] == sorted((s for _i, s in found), reverse=True)
    assert topics[found[0][0]] == "invoice"
    with db.reader() as uow:
        assert placement.similar(uow, pid, "invoice", sources=("portal",)) == []


def test_hidden_feedback_is_never_similar(db: Database, world) -> None:
    _po, pid, ids = world
    with db.uow() as uow:
        uow.session.get(Feedback, ids[16]).state = "rejected"  # type: ignore[union-attr]
        uow.commit()
    with db.reader() as uow:
        found = placement.similar(uow, pid, SAMPLE_FEEDBACK[16][1], limit=40)
    assert ids[16] not in [i for i, _ in found]


def test_reclustering_groups_topics_and_new_feedback_joins(db: Database, world, model) -> None:
    po, pid, ids = world
    run = runs.recluster_now(db, actor=po, product_id=pid)
    assert (run.state, run.progress, run.feedback_count) == ("done", 1.0, len(ids))
    placed = members(db, pid)
    topics = topic_of(ids)
    listing = queries.list_themes(db.reader(), actor=po, product_id=pid)
    assert len(listing.themes) >= 2
    assert all(row.theme.label and row.quotes for row in listing.themes)
    assert listing.unthemed == len(ids) - len(placed)
    if model == "neural":  # the multilingual model finds the four topics in both languages
        for topic in ("export", "login", "invoice", "dark"):
            in_topic = [placed.get(f) for f in ids if topics[f] == topic]
            top = max(set(in_topic), key=in_topic.count)
            assert top is not None and in_topic.count(top) >= 5, (topic, in_topic)
        with db.uow() as uow:
            new = Feedback(product_id=pid, text="Dark mode for the app please, too bright at night")
            uow.add(new)
            uow.flush()
            placement.place_feedback(uow, pid, [new.id])
            uow.commit()
        dark = [placed[f] for f in ids if topics[f] == "dark" and f in placed]
        assert members(db, pid).get(new.id) == max(set(dark), key=dark.count)


def two_themes(db: Database, pid: int) -> tuple[int, int]:
    """The two largest themes."""
    placed = members(db, pid)
    sizes = sorted(set(placed.values()), key=lambda t: -list(placed.values()).count(t))
    assert len(sizes) >= 2 and list(placed.values()).count(sizes[1]) >= 3
    return sizes[0], sizes[1]


def test_corrections_survive_a_reclustering(db: Database, world, model) -> None:
    po, pid, ids = world
    runs.recluster_now(db, actor=po, product_id=pid)
    first, second = two_themes(db, pid)
    services.rename_theme(db.uow(), actor=po, theme_id=first, label="Named by a person")
    second_members = [f for f, t in members(db, pid).items() if t == second]
    services.merge_themes(db.uow(), actor=po, theme_id=second, into_id=first)
    split = services.split_theme(
        db.uow(), actor=po, theme_id=first, feedback_ids=second_members[:2], label="Split off"
    )
    outsider = next(f for f in ids if members(db, pid).get(f) not in (first, split.id))
    services.move_feedback(db.uow(), actor=po, feedback_ids=[outsider], theme_id=first)

    runs.recluster_now(db, actor=po, product_id=pid)

    after = members(db, pid)
    with db.reader() as uow:
        themes = {t.id: t for t in uow.session.scalars(select(Theme))}
    assert themes[first].label == "Named by a person" and themes[first].state == "active"
    assert themes[second].state == "merged" and themes[second].merged_into_id == first
    assert second not in after.values()
    assert [after[f] for f in second_members[:2]] == [split.id, split.id]
    assert themes[split.id].label == "Split off" and themes[split.id].state == "active"
    assert after[outsider] == first
    # The rest of the merged theme's feedback stays with the survivor.
    assert all(after.get(f) in (first, split.id) for f in second_members)


def test_corrections_are_checked(db: Database, world) -> None:
    po, pid, ids = world
    runs.recluster_now(db, actor=po, product_id=pid)
    theme_id = members(db, pid)[ids[0]]
    with pytest.raises(Invalid) as caught:
        services.rename_theme(db.uow(), actor=po, theme_id=theme_id, label="  ")
    assert "label" in caught.value.fields
    with pytest.raises(Invalid):
        services.merge_themes(db.uow(), actor=po, theme_id=theme_id, into_id=theme_id)
    with pytest.raises(Invalid) as caught:
        services.split_theme(db.uow(), actor=po, theme_id=theme_id, feedback_ids=[])
    assert "feedback_ids" in caught.value.fields
    viewer = make_user(db, "viewer@example.org")
    products.add_member(db.uow(), product_id=pid, actor=po, email=viewer.email, role="viewer")
    with pytest.raises(Forbidden):
        services.rename_theme(db.uow(), actor=actor(viewer), theme_id=theme_id, label="X")


def test_one_reclustering_at_a_time(db: Database, world) -> None:
    po, pid, _ids = world
    first = services.start_reclustering(db.uow(), actor=po, product_id=pid)
    with pytest.raises(Conflict):
        services.start_reclustering(db.uow(), actor=po, product_id=pid)
    # A run left "running" by a server that stopped does not block the product for ever.
    with db.uow() as uow:
        uow.session.get(ClusteringRun, first.id).created_at = utcnow() - timedelta(hours=2)  # type: ignore[union-attr]
        uow.commit()
    second = services.start_reclustering(db.uow(), actor=po, product_id=pid)
    with db.reader() as uow:
        assert uow.session.get(ClusteringRun, first.id).state == "failed"  # type: ignore[union-attr]
    assert second.state == "queued"


def test_weekly_counts_follow_received_dates_and_merges(db: Database, world) -> None:
    po, pid, _ids = world
    runs.recluster_now(db, actor=po, product_id=pid)
    counts = queries.weekly_counts(db.reader(), pid, weeks=26)
    placed = members(db, pid)
    assert set(counts) == set(placed.values())
    assert all(len(c) == 26 for c in counts.values())
    assert sum(sum(c) for c in counts.values()) == len(placed)
    a, b = sorted(set(placed.values()))[:2]
    total_a, total_b = sum(counts[a]), sum(counts[b])
    services.merge_themes(db.uow(), actor=po, theme_id=a, into_id=b)
    after = queries.weekly_counts(db.reader(), pid, weeks=26)
    assert a not in after and sum(after[b]) == total_a + total_b
    assert queries.theme_labels(db.reader(), pid).keys() == after.keys()


def test_merging_a_duplicate_moves_its_links(db: Database, world) -> None:
    po, pid, ids = world
    with db.uow() as uow:
        node = TreeNode(product_id=pid, kind="opportunity", title="Reporting")
        other = TreeNode(product_id=pid, kind="opportunity", title="Finance")
        uow.session.add_all([node, other])
        uow.flush()
        uow.session.add_all([
            FeedbackLink(feedback_id=ids[1], opportunity_id=node.id, importance=3),
            FeedbackLink(feedback_id=ids[1], opportunity_id=other.id, importance=1),
            FeedbackLink(feedback_id=ids[0], opportunity_id=node.id, importance=1),
        ])  # fmt: skip
        uow.commit()
    services.merge_duplicate(db.uow(), actor=po, feedback_id=ids[1], survivor_id=ids[0])
    with db.reader() as uow:
        links = uow.session.execute(
            select(FeedbackLink.feedback_id, FeedbackLink.opportunity_id, FeedbackLink.importance)
        ).all()
        assert sorted((f, i) for f, _o, i in links) == [(ids[0], 1), (ids[0], 3)]
        assert uow.session.get(Feedback, ids[1]).state == "archived"  # type: ignore[union-attr]
        assert uow.session.get(FeedbackDuplicate, ids[1]).survivor_id == ids[0]  # type: ignore[union-attr]
    with db.reader() as uow:
        assert ids[1] not in [i for i, _ in placement.similar(uow, pid, "CSV export", limit=40)]
    with pytest.raises(Conflict):
        services.merge_duplicate(db.uow(), actor=po, feedback_id=ids[1], survivor_id=ids[2])
    with db.reader() as uow:
        assert uow.session.scalar(select(func.count()).select_from(FeedbackDuplicate)) == 1


def test_similar_feedback_of_a_stored_feedback(db: Database, world) -> None:
    po, _pid, ids = world
    found = queries.similar_feedback(db.reader(), actor=po, feedback_id=ids[0], limit=3)
    assert ids[0] not in [s.feedback.id for s in found]
    assert found and topic_of(ids)[found[0].feedback.id] == "export"


def test_demo_seed_groups_and_names_a_theme(db: Database) -> None:
    po = actor(make_user(db, "po@example.org"))
    pid = products.create_product(db.uow(), actor=po, name="Demo").id
    count = seed_themes(db, pid, actor=po)
    listing = queries.list_themes(db.reader(), actor=po, product_id=pid)
    assert count == len(listing.themes) >= 2
    assert any(row.theme.label_locked for row in listing.themes)


def test_the_fallback_is_refitted_when_the_product_doubles(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "NEURAL_ENABLED", False)
    po = actor(make_user(db, "po@example.org"))
    pid = products.create_product(db.uow(), actor=po, name="Atlas").id
    first = len(add_sample_feedback(db, pid))  # fitted on these texts

    def arrive(count: int) -> tuple[str, int]:
        with db.uow() as uow:
            rows = [Feedback(product_id=pid, text=f"export to Excel {n}", source="manual")
                    for n in range(count)]  # fmt: skip
            uow.session.add_all(rows)
            uow.flush()
            placement.place_feedback(uow, pid, [r.id for r in rows])
            uow.commit()
        with db.reader() as uow:
            model = store.current_model(uow, pid)
            assert model is not None and model.fit is not None
            return model.name, model.fit.fitted_on

    name, fitted_on = arrive(first - 1)  # one text short of twice: the same fit
    assert fitted_on == first
    again, fitted_on = arrive(1)
    assert again != name and fitted_on == 2 * first
    with db.reader() as uow:
        models = uow.session.execute(
            select(FeedbackVector.model, func.count()).group_by(FeedbackVector.model)
        ).all()
    assert [tuple(m) for m in models] == [(again, 2 * first)]  # every vector in the new fit
