"""Refinement and collaboration use cases on both engines: settings, ticks, DoD warnings,
links, comments, mentions and notifications."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from jalon.activity import ActivityEntry
from jalon.backlog import search
from jalon.backlog import services as backlog
from jalon.backlog.models import BacklogSettings, Item, ItemLink, Notification, StatusChange
from jalon.collaboration import queries as collab_queries
from jalon.collaboration import services as collab
from jalon.errors import Conflict, Forbidden, Invalid, NotFound
from jalon.permissions import Actor
from jalon.products import services as products
from jalon.refinement import queries, services
from jalon.refinement.rules import Draft
from jalon.uow import Database
from tests.support.helpers import actor, make_user

WORKFLOW = [
    {"key": "new", "label": "New", "category": "todo"},
    {"key": "ready", "label": "Ready", "category": "todo"},
    {"key": "review", "label": "In review", "category": "doing"},
    {"key": "done", "label": "Done", "category": "done"},
]


def _setup(db: Database) -> tuple[Actor, int, dict[str, Actor]]:
    po = actor(make_user(db, "po@example.org", name="Paula"))
    pid = products.create_product(db.uow(), actor=po, name="Atlas").id
    people = {}
    for role in ("member", "stakeholder", "viewer"):
        user = make_user(db, f"{role}@example.org", name=role.title())
        products.add_member(db.uow(), product_id=pid, actor=po, email=user.email, role=role)
        people[role] = actor(user)
    return po, pid, people


def _item(db: Database, po: Actor, pid: int, title: str = "Story", **values: Any) -> int:
    return backlog.create_item(
        db.uow(), actor=po, product_id=pid, values={"title": title, **values}
    ).id


def _settings(db: Database, po: Actor, pid: int, **changes: Any) -> None:
    draft = Draft(
        statuses=changes.pop("statuses", WORKFLOW),
        scale=changes.pop("scale", "fibonacci"),
        ready=changes.pop("ready", ["Estimated", "Has criteria"]),
        done=changes.pop("done", ["Tested", "Documented"]),
    )
    services.update_settings(db.uow(), actor=po, product_id=pid, draft=draft, **changes)


def _rows(db: Database, model: Any) -> list[Any]:
    with db.reader() as uow:
        return list(uow.session.scalars(select(model)))


def test_settings_are_saved_with_their_activity(db: Database) -> None:
    po, pid, people = _setup(db)
    _settings(db, po, pid, scale="tshirt")
    view = queries.get_settings(db.reader(), actor=people["viewer"], product_id=pid)
    assert [s["key"] for s in view.settings.statuses] == ["new", "ready", "review", "done"]
    assert view.settings.scale == "tshirt"
    assert view.settings.definition_of_done == ["Tested", "Documented"]
    entry = _rows(db, ActivityEntry)[-1]
    assert entry.action == "refinement.settings.updated"
    assert entry.changes["scale"] == ["fibonacci", "tshirt"]
    assert entry.changes["definition_of_ready"] == [None, "Estimated · Has criteria"]
    with pytest.raises(Forbidden):
        _settings(db, people["member"], pid, scale="fibonacci")


def test_a_status_in_use_is_not_removed_without_a_destination(db: Database) -> None:
    po, pid, _people = _setup(db)
    _settings(db, po, pid)
    a = _item(db, po, pid, "A", status="review")
    _item(db, po, pid, "B", status="review")
    before = _rows(db, BacklogSettings)[0].statuses
    without_review = [s for s in WORKFLOW if s["key"] != "review"]
    with pytest.raises(Conflict) as caught:
        _settings(db, po, pid, statuses=without_review)
    assert "In review" in str(caught.value) and "2" in str(caught.value)
    assert "move_to" in caught.value.fields
    assert _rows(db, BacklogSettings)[0].statuses == before  # nothing written
    with pytest.raises(Invalid):
        _settings(db, po, pid, statuses=without_review, move_to="review")
    _settings(db, po, pid, statuses=without_review, move_to="done")
    with db.reader() as uow:
        moved = uow.session.get(Item, a)
        assert moved is not None and moved.status == "done" and moved.version == 2
        assert moved.done_at is not None
        history = uow.session.scalars(select(StatusChange).where(StatusChange.item_id == a))
        assert [(h.from_status, h.to_status) for h in history] == [
            (None, "review"),
            ("review", "done"),
        ]


def test_ticks_make_an_item_ready(db: Database) -> None:
    po, pid, people = _setup(db)
    _settings(db, po, pid)
    item = _item(db, po, pid)
    page = queries.item_page(db.reader(), actor=po, item_id=item)
    assert not page.ready.ready and page.ready.missing == ["Estimated", "Has criteria"]
    services.set_ticks(
        db.uow(), actor=people["member"], item_id=item, ticks={"ready": ["Estimated"]}
    )
    services.set_ticks(
        db.uow(), actor=po, item_id=item, ticks={"ready": ["Has criteria", "Estimated"]}
    )
    page = queries.item_page(db.reader(), actor=po, item_id=item)
    assert page.ready.ready and page.view.item.checks["ready"] == ["Estimated", "Has criteria"]
    assert page.view.item.version == 1  # ticks never make an open edit form stale
    actions = [e.action for e in _rows(db, ActivityEntry)]
    assert actions.count("refinement.checks.changed") == 2
    for who in ("stakeholder", "viewer"):
        with pytest.raises(Forbidden):
            services.set_ticks(db.uow(), actor=people[who], item_id=item, ticks={"ready": []})
    with pytest.raises(Invalid):
        services.set_ticks(db.uow(), actor=po, item_id=item, ticks={"ready": ["Nope"]})
    with pytest.raises(Invalid):  # both lists or neither: one transaction
        services.set_ticks(
            db.uow(), actor=po, item_id=item, ticks={"done": ["Tested"], "ready": ["Nope"]}
        )
    assert queries.item_page(db.reader(), actor=po, item_id=item).done.missing == [
        "Tested",
        "Documented",
    ]


def test_a_move_to_done_warns_when_the_dod_is_not_ticked(db: Database) -> None:
    po, pid, _people = _setup(db)
    _settings(db, po, pid)
    item = _item(db, po, pid)
    services.set_ticks(db.uow(), actor=po, item_id=item, ticks={"done": ["Tested"]})
    edited = backlog.edit_item(db.uow(), actor=po, item_id=item, values={"status": "done"})
    assert edited.item.status == "done"  # the move happens
    assert edited.warning is not None and "Documented" in edited.warning
    assert "Tested" not in edited.warning
    again = backlog.edit_item(db.uow(), actor=po, item_id=item, values={"title": "Renamed"})
    assert again.warning is None  # only a move to done warns
    other = _item(db, po, pid, "Other")
    services.set_ticks(db.uow(), actor=po, item_id=other, ticks={"done": ["Tested", "Documented"]})
    assert (
        backlog.edit_item(db.uow(), actor=po, item_id=other, values={"status": "done"}).warning
        is None
    )


def test_links_both_ways_and_their_rules(db: Database) -> None:
    po, pid, people = _setup(db)
    a, b, c = (_item(db, po, pid, t) for t in "ABC")
    elsewhere = products.create_product(db.uow(), actor=po, name="Other").id
    foreign = _item(db, po, elsewhere, "Foreign")
    services.add_link(db.uow(), actor=people["member"], item_id=a, kind="blocks", to_id=b)
    services.add_link(db.uow(), actor=po, item_id=a, kind="blocked_by", to_id=c)
    links_b = queries.item_page(db.reader(), actor=po, item_id=b).links
    assert [(row.label, row.other.title) for row in links_b] == [("Blocked by", "A")]
    links_a = queries.item_page(db.reader(), actor=po, item_id=a).links
    assert sorted((row.label, row.other.title) for row in links_a) == [
        ("Blocked by", "C"),
        ("Blocks", "B"),
    ]
    refused = [
        {"item_id": a, "kind": "relates", "to_id": a},
        {"item_id": a, "kind": "relates", "to_id": foreign},
        {"item_id": a, "kind": "blocks", "to_id": b},
        {"item_id": b, "kind": "blocks", "to_id": a},
        {"item_id": a, "kind": "blocks", "to_id": 999999},
    ]
    for call in refused:
        with pytest.raises(Invalid):
            services.add_link(db.uow(), actor=po, **call)
    with pytest.raises(Forbidden):
        services.add_link(db.uow(), actor=people["stakeholder"], item_id=a, kind="relates", to_id=c)
    assert len(_rows(db, ItemLink)) == 2
    link_id = links_b[0].id
    with pytest.raises(NotFound):
        services.remove_link(db.uow(), actor=po, item_id=c, link_id=link_id)  # not c's link
    services.remove_link(db.uow(), actor=po, item_id=b, link_id=link_id)
    assert [(row.from_id, row.to_id) for row in _rows(db, ItemLink)] == [(c, a)]
    actions = [e.action for e in _rows(db, ActivityEntry)]
    assert actions.count("refinement.link.added") == 2
    assert actions.count("refinement.link.removed") == 1


def test_rollup_and_hints_on_the_item_page(db: Database) -> None:
    po, pid, _people = _setup(db)
    epic = _item(db, po, pid, "Epic", type="epic")
    feature = _item(db, po, pid, "Feature", type="feature", parent_id=epic)
    _item(db, po, pid, "S1", parent_id=feature, estimate=3, status="done")
    _item(db, po, pid, "S2", parent_id=feature, estimate=5)
    _item(db, po, pid, "S3", parent_id=epic)
    _item(db, po, pid, "Dropped", parent_id=epic, estimate=8, status="rejected")
    page = queries.item_page(db.reader(), actor=po, item_id=epic)
    assert page.rollup is not None
    assert (page.rollup.points, page.rollup.done_points) == (8.0, 3.0)
    assert (page.rollup.items, page.rollup.done_items, page.rollup.unestimated) == (3, 1, 1)
    assert [c.title for c in page.view.children] == ["Feature", "S3", "Dropped"]
    story = _item(
        db, po, pid, "As a user I want a fast export", parent_id=feature, estimate=13,
        acceptance_criteria="Given a backlog\nWhen I export\nThen I get a file",
    )  # fmt: skip
    page = queries.item_page(db.reader(), actor=po, item_id=story)
    assert [a.title for a in page.ancestors] == ["Epic", "Feature"]
    assert {h.code for h in page.hints} == {"no_value", "estimate_too_big", "vague_words"}
    assert page.scenarios[0].then == ["I get a file"]
    assert page.rollup is None
    assert {i.title for i in page.parent_choices} == {"Epic", "Feature"}


def test_comments_mention_members_and_notify_them(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    po, pid, people = _setup(db)
    item = _item(db, po, pid, "Dark mode")
    make_user(db, "outsider@example.org")
    refreshed: list[list[int]] = []
    monkeypatch.setattr(search, "refresh", lambda uow, ids: refreshed.append(list(ids)))
    comment = collab.add_comment(
        db.uow(),
        actor=people["stakeholder"],
        item_id=item,
        body="@member can you check? cc @outsider and @stakeholder",
    )
    assert refreshed == [[item]]  # comments are searchable
    notes = _rows(db, Notification)
    assert [(n.user_id, n.comment_id) for n in notes] == [(people["member"].id, comment.id)]
    rows = collab_queries.list_notifications(db.reader(), actor=people["member"])
    assert rows[0].item_title == "Dark mode" and rows[0].note.text == "Stakeholder"
    assert collab_queries.count_unread(db.reader(), user_id=people["member"].id) == 1
    with pytest.raises(NotFound):
        collab.mark_read(db.uow(), actor=po, notification_id=notes[0].id)  # not theirs
    collab.mark_read(db.uow(), actor=people["member"], notification_id=notes[0].id)
    assert collab_queries.count_unread(db.reader(), user_id=people["member"].id) == 0
    with pytest.raises(Forbidden):
        collab.add_comment(db.uow(), actor=people["viewer"], item_id=item, body="Hello")
    with pytest.raises(Invalid):
        collab.add_comment(db.uow(), actor=po, item_id=item, body="   ")
    assert len(collab_queries.list_comments(db.reader(), actor=po, item_id=item)) == 1


def test_mark_all_read(db: Database) -> None:
    po, pid, people = _setup(db)
    item = _item(db, po, pid)
    for _ in range(3):
        collab.add_comment(db.uow(), actor=po, item_id=item, body="@member look")
    collab.add_comment(db.uow(), actor=po, item_id=item, body="@viewer fyi")
    assert collab.mark_all_read(db.uow(), actor=people["member"]) == 3
    assert collab_queries.count_unread(db.reader(), user_id=people["member"].id) == 0
    assert collab_queries.count_unread(db.reader(), user_id=people["viewer"].id) == 1


def test_assignee_must_be_a_member(db: Database) -> None:
    po, pid, people = _setup(db)
    item = _item(db, po, pid)
    stranger = make_user(db, "stranger@example.org")
    with pytest.raises(Invalid) as caught:
        backlog.update_item(db.uow(), actor=po, item_id=item, values={"assignee_id": stranger.id})
    assert "assignee_id" in caught.value.fields
    backlog.update_item(
        db.uow(), actor=po, item_id=item, values={"assignee_id": people["member"].id}
    )
    page = queries.item_page(db.reader(), actor=po, item_id=item)
    assert page.assignee_label == "Member"
