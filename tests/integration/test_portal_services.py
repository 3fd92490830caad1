"""Portal use cases on a real database: submitting (one transaction with its feedback),
spam defences, moderation, votes, statuses that follow the backlog, merging, evidence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import event, func, select

from jalon.backlog import services as backlog
from jalon.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests
from jalon.feedback import queries as feedback_queries
from jalon.feedback.models import Customer, Feedback, FeedbackLink, Segment
from jalon.permissions import Actor
from jalon.portal import queries, rules, services, views
from jalon.portal.models import Idea, IdeaComment, IdeaVote, PortalHit
from jalon.portal.visitor import services as visitor
from jalon.products import services as products
from jalon.themes.models import Theme, ThemeMember
from jalon.uow import Database
from tests.support.helpers import actor, make_user


@pytest.fixture
def po(db: Database) -> Actor:
    return actor(make_user(db, "po@example.org", name="Camille"))


@pytest.fixture
def pid(db: Database, po: Actor) -> int:
    product = products.create_product(db.uow(), actor=po, name="Atlas")
    services.update_settings(db.uow(), actor=po, product_id=product.id, enabled=True, slug="atlas")
    return product.id


def _count(db: Database, model: Any, *where: Any) -> int:
    with db.reader() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _submit(db: Database, title: str = "Dark mode please", **extra: Any) -> Idea:
    made = visitor.submit_idea(db.uow(), slug="atlas", title=title, client=title, **extra)
    assert made is not None
    return made


def _published(db: Database, po: Actor, pid: int, title: str) -> Idea:
    idea = _submit(db, title)
    services.moderate(db.uow(), actor=po, product_id=pid, idea_ids=[idea.id], decision="approve")
    return idea


def test_a_submission_is_a_pending_idea_with_its_feedback_placed_in_themes(
    db: Database, pid: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    placed: list[tuple[int, list[int]]] = []

    def place(uow: Any, product_id: int, ids: Sequence[int]) -> None:
        placed.append((product_id, list(ids)))

    monkeypatch.setattr("jalon.themes.placement.place_feedback", place)
    idea = _submit(db, "Export to CSV", description="For our accountant", name="Ana",
                   email="Ana@Example.org")  # fmt: skip
    with db.reader() as uow:
        feedback = uow.session.get(Feedback, idea.feedback_id)
        assert feedback is not None
        assert (feedback.source, feedback.state) == ("portal", "pending")
        assert feedback.text == "Export to CSV\n\nFor our accountant"
        assert (feedback.author_name, feedback.author_email) == ("Ana", "ana@example.org")
    assert placed == [(pid, [idea.feedback_id])]
    assert (idea.state, idea.status) == ("pending", "under_review")
    assert queries.public_portal(db.reader(), slug="atlas").rows == []  # not yet moderated


def test_bad_input_the_honeypot_and_a_closed_portal_write_nothing(
    db: Database, po: Actor, pid: int
) -> None:
    with pytest.raises(Invalid) as bad:
        visitor.submit_idea(db.uow(), slug="atlas", title="Hi", email="nope", client="c1")
    assert set(bad.value.fields) == {"title", "email"}
    robot = visitor.submit_idea(db.uow(), slug="atlas", title="Cheap pills", honeypot="x")
    assert robot is None
    services.update_settings(db.uow(), actor=po, product_id=pid, enabled=False, slug="atlas")
    with pytest.raises(NotFound):
        visitor.submit_idea(db.uow(), slug="atlas", title="Dark mode please")
    with pytest.raises(NotFound):
        queries.public_portal(db.reader(), slug="atlas")
    assert _count(db, Idea) == _count(db, Feedback) == _count(db, PortalHit) == 0


def test_submissions_are_rate_limited_per_client(db: Database, pid: int) -> None:
    limit = rules.LIMITS["submit"][0]
    for n in range(limit):
        visitor.submit_idea(db.uow(), slug="atlas", title=f"Idea number {n}", client="c1")
    with pytest.raises(TooManyRequests) as slow:
        visitor.submit_idea(db.uow(), slug="atlas", title="One too many", client="c1")
    assert slow.value.retry_after > 0
    visitor.submit_idea(db.uow(), slug="atlas", title="Someone else's", client="c2")
    assert _count(db, Idea) == limit + 1


def test_moderation_approves_and_rejects_in_bulk(db: Database, po: Actor, pid: int) -> None:
    a, b, c = (_submit(db, f"Idea {t} here") for t in "abc")
    member = actor(make_user(db, "dev@example.org"))
    products.add_member(db.uow(), product_id=pid, actor=po, email="dev@example.org", role="member")
    with pytest.raises(Forbidden):
        services.moderate(
            db.uow(), actor=member, product_id=pid, idea_ids=[a.id], decision="approve"
        )
    assert services.moderate(db.uow(), actor=po, product_id=pid, idea_ids=[a.id, b.id],
                             decision="approve") == 2  # fmt: skip
    assert services.moderate(db.uow(), actor=po, product_id=pid, idea_ids=[c.id, a.id],
                             decision="reject") == 1  # a was decided already  # fmt: skip
    with db.reader() as uow:
        states = {i.id: (i.state, uow.session.get(Feedback, i.feedback_id).state)  # type: ignore[union-attr]
                  for i in uow.session.scalars(select(Idea))}  # fmt: skip
    assert states == {a.id: ("published", "new"), b.id: ("published", "new"),
                      c.id: ("rejected", "rejected")}  # fmt: skip
    listed = [r.idea.id for r in queries.public_portal(db.reader(), slug="atlas").rows]
    assert sorted(listed) == [a.id, b.id]


def test_one_vote_per_visitor_and_per_email_and_votes_can_be_withdrawn(
    db: Database, po: Actor, pid: int
) -> None:
    idea = _published(db, po, pid, "Dark mode please")
    visitor.vote(db.uow(), slug="atlas", idea_id=idea.id, voter="v1", email="a@example.org")
    visitor.vote(db.uow(), slug="atlas", idea_id=idea.id, voter="v1")  # again: no change
    with pytest.raises(Conflict):
        visitor.vote(db.uow(), slug="atlas", idea_id=idea.id, voter="v2", email="A@example.org")
    visitor.vote(db.uow(), slug="atlas", idea_id=idea.id, voter="v3")
    row = queries.public_portal(db.reader(), slug="atlas", voter="v3").rows[0]
    assert (row.votes, row.voted) == (2, True)
    visitor.withdraw_vote(db.uow(), slug="atlas", idea_id=idea.id, voter="v3")
    row = queries.public_portal(db.reader(), slug="atlas", voter="v3").rows[0]
    assert (row.votes, row.voted) == (1, False)


def test_pending_and_rejected_ideas_take_no_votes_nor_comments(
    db: Database, po: Actor, pid: int
) -> None:
    idea = _submit(db)
    with pytest.raises(NotFound):
        visitor.vote(db.uow(), slug="atlas", idea_id=idea.id, voter="v1")
    with pytest.raises(NotFound):
        visitor.add_comment(db.uow(), slug="atlas", idea_id=idea.id, body="Yes!")
    assert _count(db, IdeaVote) == _count(db, IdeaComment) == 0


def test_the_status_follows_the_linked_backlog_item(db: Database, po: Actor, pid: int) -> None:
    idea = _published(db, po, pid, "Dark mode please")
    item = backlog.create_item(db.uow(), actor=po, product_id=pid, values={"title": "Dark theme"})
    services.set_status(db.uow(), actor=po, idea_id=idea.id, status="planned")
    services.link_item(db.uow(), actor=po, idea_id=idea.id, item_id=item.id)

    def status() -> str:
        return queries.public_portal(db.reader(), slug="atlas").rows[0].status

    assert status() == "planned"  # the item is "new": the PO's status stands
    for item_status, expected in (("ready", "planned"), ("in_progress", "in_progress"),
                                  ("done", "shipped")):  # fmt: skip
        backlog.update_item(db.uow(), actor=po, item_id=item.id, values={"status": item_status})
        assert status() == expected
    links = _count(db, FeedbackLink, FeedbackLink.item_id == item.id)
    assert links == 1  # the idea is evidence for the item


def test_a_link_to_another_products_item_is_refused(db: Database, po: Actor, pid: int) -> None:
    idea = _published(db, po, pid, "Dark mode please")
    other = products.create_product(db.uow(), actor=po, name="Other")
    item = backlog.create_item(db.uow(), actor=po, product_id=other.id, values={"title": "X"})
    with pytest.raises(Invalid):
        services.link_item(db.uow(), actor=po, idea_id=idea.id, item_id=item.id)
    assert _count(db, FeedbackLink) == 0


def test_merging_keeps_votes_once_comments_and_links(db: Database, po: Actor, pid: int) -> None:
    keep = _published(db, po, pid, "Dark mode please")
    dupe = _published(db, po, pid, "A dark theme")
    item = backlog.create_item(db.uow(), actor=po, product_id=pid, values={"title": "Dark"})
    services.link_item(db.uow(), actor=po, idea_id=dupe.id, item_id=item.id)
    for voter, idea in (("both", keep), ("both", dupe), ("k", keep), ("d", dupe)):
        visitor.vote(db.uow(), slug="atlas", idea_id=idea.id, voter=voter)
    visitor.vote(db.uow(), slug="atlas", idea_id=keep.id, voter="m1", email="m@example.org")
    visitor.vote(db.uow(), slug="atlas", idea_id=dupe.id, voter="m2", email="m@example.org")
    visitor.add_comment(db.uow(), slug="atlas", idea_id=dupe.id, body="Please!", client="c")

    services.merge_ideas(db.uow(), actor=po, idea_id=dupe.id, into_id=keep.id)

    found = queries.public_idea(db.reader(), slug="atlas", idea_id=keep.id)
    assert found.row is not None
    assert found.row.votes == 4  # both, k, d, m: the visitors of both ideas, once each
    assert [c.body for c in found.comments] == ["Please!"]
    assert found.row.idea.item_id == item.id
    moved = queries.public_idea(db.reader(), slug="atlas", idea_id=dupe.id)
    assert moved.moved_to == keep.id
    # voting on the merged idea's address votes for the survivor
    assert visitor.vote(db.uow(), slug="atlas", idea_id=dupe.id, voter="late").id == keep.id
    assert _count(db, FeedbackLink, FeedbackLink.item_id == item.id) == 2


def test_votes_add_weighted_demand_to_the_ideas_feedback(db: Database, po: Actor, pid: int) -> None:
    idea = _published(db, po, pid, "Dark mode please")
    with db.uow() as uow:
        segment = Segment(product_id=pid, name="Enterprise", weight=2.0)
        uow.add(segment)
        uow.flush()
        uow.add(Customer(product_id=pid, name="Big Co", email="Buyer@big.example",
                         weight=3.0, segment_id=segment.id))  # fmt: skip
        uow.commit()
    visitor.vote(db.uow(), slug="atlas", idea_id=idea.id, voter="a", email="buyer@big.example")
    visitor.vote(db.uow(), slug="atlas", idea_id=idea.id, voter="b")
    assert idea.feedback_id is not None
    with db.reader() as uow:
        demand = queries.vote_demand(uow, [idea.feedback_id])
    assert demand == {idea.feedback_id: 3.0 * 2.0 + 1.0}
    item = backlog.create_item(db.uow(), actor=po, product_id=pid, values={"title": "Dark"})
    services.link_item(db.uow(), actor=po, idea_id=idea.id, item_id=item.id)
    evidence = feedback_queries.item_evidence(db.reader(), actor=po, item_id=item.id)
    assert evidence.count == 1
    assert evidence.demand == 2 * (1.0 + 3.0 * 2.0 + 1.0)  # importance 2 × (own + votes)


def test_similar_ideas_map_feedback_back_to_published_ideas(
    db: Database, po: Actor, pid: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = _published(db, po, pid, "Dark mode please")
    merged = _published(db, po, pid, "Night theme")
    pending = _submit(db, "Dark colours")
    services.merge_ideas(db.uow(), actor=po, idea_id=merged.id, into_id=shown.id)
    unrelated = _published(db, po, pid, "Export to CSV")
    ranked = [(pending.feedback_id, 0.9), (merged.feedback_id, 0.8), (shown.feedback_id, 0.7),
              (unrelated.feedback_id, rules.SIMILAR_MIN / 2)]  # fmt: skip
    monkeypatch.setattr("jalon.themes.placement.similar", lambda *a, **k: ranked)
    rows = queries.similar_ideas(db.reader(), slug="atlas", text="dark mode")
    # pending hidden, the merged one leads to its survivor, a chance likeness is left out
    assert [r.idea.id for r in rows] == [shown.id]


def test_settings_are_checked_and_slugs_are_unique(db: Database, po: Actor, pid: int) -> None:
    other = products.create_product(db.uow(), actor=po, name="Other")
    with pytest.raises(Conflict):
        services.update_settings(db.uow(), actor=po, product_id=other.id, enabled=True,
                                 slug="atlas")  # fmt: skip
    with pytest.raises(Invalid) as bad:
        services.update_settings(db.uow(), actor=po, product_id=other.id, enabled=True,
                                 slug="-Bad slug", shown_statuses=[])  # fmt: skip
    assert set(bad.value.fields) == {"slug", "shown_statuses"}
    services.update_settings(db.uow(), actor=po, product_id=pid, enabled=True, slug="atlas",
                             shown_statuses=["shipped"])  # fmt: skip
    idea = _published(db, po, pid, "Dark mode please")
    with pytest.raises(NotFound):  # under review is not shown any more
        queries.public_idea(db.reader(), slug="atlas", idea_id=idea.id)


def _statements(db: Database, read: Any) -> int:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert read()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_the_lists_read_a_bounded_number_of_statements(db: Database, po: Actor, pid: int) -> None:
    def public() -> Any:
        return queries.public_portal(db.reader(), slug="atlas", voter="v").rows

    def team() -> Any:
        return views.overview(db.reader(), actor=po, product_id=pid).rows

    item = backlog.create_item(db.uow(), actor=po, product_id=pid, values={"title": "Dark"})
    first = _published(db, po, pid, "Idea number one")
    services.link_item(db.uow(), actor=po, idea_id=first.id, item_id=item.id)
    few = (_statements(db, public), _statements(db, team))
    for n in range(5):
        idea = _published(db, po, pid, f"Idea number {n + 2}")
        services.link_item(db.uow(), actor=po, idea_id=idea.id, item_id=item.id)
        visitor.vote(db.uow(), slug="atlas", idea_id=idea.id, voter="v")
        visitor.add_comment(db.uow(), slug="atlas", idea_id=idea.id, body="+1", client=f"k{n}")
    assert (_statements(db, public), _statements(db, team)) == few


def test_the_portal_groups_ideas_by_theme_when_the_po_wants(
    db: Database, po: Actor, pid: int
) -> None:
    night, other = _published(db, po, pid, "Night shuttle"), _published(db, po, pid, "Dark mode")
    with db.uow() as uow:
        theme = Theme(product_id=pid, label="Late shifts", label_locked=True)
        uow.add(theme)
        uow.flush()
        uow.add(ThemeMember(feedback_id=night.feedback_id, theme_id=theme.id, pinned=True))
        uow.commit()
    closed = queries.public_portal(db.reader(), slug="atlas")
    assert closed.topics == [] and {r.theme for r in closed.rows} == {""}
    services.update_settings(db.uow(), actor=po, product_id=pid, enabled=True, slug="atlas",
                             group_by_theme=True)  # fmt: skip
    grouped = queries.public_portal(db.reader(), slug="atlas")
    assert grouped.topics == [(theme.id, "Late shifts", 1)]
    only = queries.public_portal(db.reader(), slug="atlas", topic=theme.id)
    assert [r.idea.id for r in only.rows] == [night.id]
    team = views.overview(db.reader(), actor=po, product_id=pid)
    assert {r.idea.id: r.theme for r in team.rows} == {night.id: "Late shifts", other.id: ""}
