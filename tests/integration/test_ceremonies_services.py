"""Sprint Review and Retrospective use cases on both engines: the increment, the review's
record, feedback turned into backlog items in one transaction, cards and dots, and action
items carried from retro to retro until done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select

from jalon.activity import ActivityEntry
from jalon.backlog import queries as backlog_queries
from jalon.backlog import services as backlog
from jalon.backlog.models import Item, StatusChange
from jalon.ceremonies import queries, services
from jalon.ceremonies.models import ActionItem, RetroVote, ReviewFeedback, SprintReview
from jalon.errors import Conflict, Forbidden, Invalid, NotFound
from jalon.permissions import Actor
from jalon.products import services as products
from jalon.sprints.models import Sprint, SprintEntry, Team
from jalon.uow import Database
from tests.support.helpers import actor, make_user

TODAY = date.today()


@dataclass
class World:
    db: Database
    po: Actor
    pid: int
    people: dict[str, Actor]
    team: int
    sprints: list[int]  # three sprints of the team: two past, one running today


def add_team(db: Database, pid: int, name: str) -> int:
    with db.uow() as uow:
        team = Team(product_id=pid, name=name)
        uow.add(team)
        uow.commit()
    return team.id


def add_sprint(db: Database, pid: int, team: int, name: str, start: date, **extra: Any) -> int:
    with db.uow() as uow:
        sprint = Sprint(
            product_id=pid,
            team_id=team,
            name=name,
            goal=extra.pop("goal", f"Goal of {name}"),
            starts_on=start,
            ends_on=start + timedelta(days=13),
            state=extra.pop("state", "closed"),
        )
        uow.add(sprint)
        uow.commit()
    return sprint.id


def in_sprint(db: Database, item_id: int, sprint_id: int | None, *, left_done: int = 0) -> None:
    """Put an item in a sprint (the sprints area's job; set up directly here)."""
    with db.uow() as uow:
        item = uow.session.get(Item, item_id)
        assert item is not None
        item.sprint_id = sprint_id
        if left_done:
            uow.add(SprintEntry(sprint_id=left_done, item_id=item_id, outcome="done"))
        uow.commit()


def make_world(db: Database) -> World:
    po = actor(make_user(db, "po@example.org", name="Paula"))
    pid = products.create_product(db.uow(), actor=po, name="Atlas").id
    people = {}
    for role in ("member", "stakeholder", "viewer"):
        user = make_user(db, f"{role}@example.org", name=role.title())
        products.add_member(db.uow(), product_id=pid, actor=po, email=user.email, role=role)
        people[role] = actor(user)
    team = add_team(db, pid, "Core")
    starts = [TODAY - timedelta(days=d) for d in (30, 16, 2)]
    sprints = [add_sprint(db, pid, team, f"Sprint {n}", s) for n, s in enumerate(starts, 1)]
    return World(db, po, pid, people, team, sprints)


@pytest.fixture
def w(db: Database) -> World:
    return make_world(db)


def item(w: World, title: str, **values: Any) -> int:
    return backlog.create_item(
        w.db.uow(), actor=w.po, product_id=w.pid, values={"title": title, **values}
    ).id


def count(db: Database, model: Any) -> int:
    with db.reader() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


# --- Sprint Review -------------------------------------------------------------------------


def test_the_increment_is_the_done_items_of_the_sprint(w: World) -> None:
    sid = w.sprints[1]
    done = item(w, "Export to CSV", estimate=5, type="story")
    bug = item(w, "Fix the login", type="bug")
    open_item = item(w, "Still going", estimate=3)
    elsewhere = item(w, "Other sprint", estimate=8)
    left = item(w, "Finished, then moved on", estimate=2)
    for i in (done, bug, open_item):
        in_sprint(w.db, i, sid)
    in_sprint(w.db, elsewhere, w.sprints[0])
    in_sprint(w.db, left, None, left_done=sid)
    for i in (done, bug, elsewhere):
        backlog.update_item(w.db.uow(), actor=w.po, item_id=i, values={"status": "done"})
    page = queries.get_review(w.db.reader(), actor=w.people["viewer"], sprint_id=sid)
    assert sorted(i.id for i in page.items) == sorted([done, bug, left])
    inc = page.increment
    assert (inc.count, inc.points, inc.unestimated) == (3, 7.0, 1)
    assert inc.by_type == {"bug": 1, "story": 2}


def test_the_review_record_and_who_may_write_it(w: World) -> None:
    sid = w.sprints[1]
    member = w.people["member"]
    services.update_review(
        w.db.uow(),
        actor=member,
        sprint_id=sid,
        values={"goal_verdict": "partly", "goal_note": "Search is late", "attendees": "Ana\nBo"},
        held=None,
    )
    with pytest.raises(Forbidden):  # the Product Goal's assessment is the PO's
        services.update_review(
            w.db.uow(), actor=member, sprint_id=sid, values={"progress_percent": 30}, held=None
        )
    with pytest.raises(Forbidden):
        services.update_review(
            w.db.uow(), actor=w.people["stakeholder"], sprint_id=sid, values={}, held=None
        )
    services.update_review(
        w.db.uow(), actor=w.po, sprint_id=sid, values={"progress_percent": "30"}, held=None
    )
    page = queries.get_review(w.db.reader(), actor=w.po, sprint_id=sid)
    assert page.review is not None
    assert (page.review.goal_verdict, page.review.progress_percent) == ("partly", 30)
    assert page.review.attendees == ["Ana", "Bo"]


def test_bad_review_input_names_each_field_and_writes_nothing(w: World) -> None:
    bad = {"goal_verdict": "sort of", "progress_percent": "140", "attendees": ["x" * 201]}
    with pytest.raises(Invalid) as caught:
        services.update_review(
            w.db.uow(), actor=w.po, sprint_id=w.sprints[0], values=bad, held=None
        )
    assert set(caught.value.fields) == {"goal_verdict", "progress_percent", "attendees"}
    assert count(w.db, SprintReview) == 0
    with pytest.raises(NotFound):
        services.update_review(w.db.uow(), actor=w.po, sprint_id=9999, values={}, held=None)


def test_a_held_review_is_read_only_until_the_po_reopens_it(w: World) -> None:
    sid, member = w.sprints[1], w.people["member"]
    services.update_review(
        w.db.uow(), actor=member, sprint_id=sid, values={"goal_verdict": "met"}, held=True
    )
    with pytest.raises(Conflict):
        services.update_review(
            w.db.uow(), actor=member, sprint_id=sid, values={"goal_verdict": "not_met"}, held=None
        )
    with pytest.raises(Conflict):
        services.add_feedback(w.db.uow(), actor=member, sprint_id=sid, who="Ana", what="More")
    # Saving the same values again changes nothing, so it is no edit.
    services.update_review(
        w.db.uow(), actor=member, sprint_id=sid, values={"goal_verdict": "met"}, held=True
    )
    with pytest.raises(Forbidden):
        services.update_review(w.db.uow(), actor=member, sprint_id=sid, values={}, held=False)
    services.update_review(w.db.uow(), actor=w.po, sprint_id=sid, values={}, held=False)
    services.update_review(
        w.db.uow(), actor=member, sprint_id=sid, values={"goal_verdict": "not_met"}, held=None
    )
    with w.db.reader() as uow:
        actions = list(
            uow.session.scalars(
                select(ActivityEntry.action)
                .where(ActivityEntry.action.like("ceremonies.review.%"))
                .order_by(ActivityEntry.id)
            )
        )
    assert actions == [
        "ceremonies.review.held",
        "ceremonies.review.reopened",
        "ceremonies.review.updated",
    ]


def test_feedback_becomes_a_backlog_item_in_one_transaction(w: World) -> None:
    sid = w.sprints[1]
    last = item(w, "Already in the backlog")
    entry = services.add_feedback(
        w.db.uow(),
        actor=w.people["stakeholder"],
        sprint_id=sid,
        who="Ana (sales)",
        what="Customers want a PDF export\nfor their board meetings",
    )
    fb, made = services.feedback_to_item(w.db.uow(), actor=w.people["member"], feedback_id=entry.id)
    assert fb.item_id == made.id
    assert made.title == "Customers want a PDF export"
    assert "— Ana (sales) (Sprint 2)" in made.description
    with w.db.reader() as uow:
        ranks = {i: r for i, r in uow.session.execute(select(Item.id, Item.rank))}
        history = uow.session.scalars(
            select(StatusChange.to_status).where(StatusChange.item_id == made.id)
        ).all()
    found = backlog_queries.search_items(w.db.reader(), actor=w.po, product_id=w.pid, q="board")
    assert ranks[made.id] > ranks[last]  # at the bottom of the backlog
    assert list(history) == ["new"]
    assert [i.id for i in found] == [made.id]  # the search index knows its description
    page = queries.get_review(w.db.reader(), actor=w.po, sprint_id=sid)
    assert page.made_items[made.id].title == made.title
    with pytest.raises(Conflict, match=f"#{made.id}"):
        services.feedback_to_item(w.db.uow(), actor=w.po, feedback_id=entry.id)


def test_a_failed_conversion_writes_neither_item_nor_link(w: World) -> None:
    entry = services.add_feedback(
        w.db.uow(), actor=w.po, sprint_id=w.sprints[1], who="Bo", what="Dark mode"
    )
    items_before = count(w.db, Item)
    with pytest.raises(Invalid) as caught:
        services.feedback_to_item(
            w.db.uow(), actor=w.po, feedback_id=entry.id, values={"type": "wish"}
        )
    assert "type" in caught.value.fields
    with pytest.raises(Forbidden):  # stakeholders give feedback; the team makes items
        services.feedback_to_item(w.db.uow(), actor=w.people["stakeholder"], feedback_id=entry.id)
    assert count(w.db, Item) == items_before
    with w.db.reader() as uow:
        assert uow.session.get(ReviewFeedback, entry.id).item_id is None  # type: ignore[union-attr]


def test_feedback_needs_who_and_what(w: World) -> None:
    with pytest.raises(Invalid) as caught:
        services.add_feedback(w.db.uow(), actor=w.po, sprint_id=w.sprints[0], who=" ", what="")
    assert set(caught.value.fields) == {"who"}  # the first missing field stops the check
    with pytest.raises(Forbidden):
        services.add_feedback(
            w.db.uow(), actor=w.people["viewer"], sprint_id=w.sprints[0], who="V", what="Hi"
        )
    assert count(w.db, SprintReview) == 0


def test_the_product_goal_trend_follows_the_sprints(w: World) -> None:
    for sid, percent in zip(w.sprints, (10, None, 45), strict=True):
        values = {"progress_percent": percent} if percent is not None else {"goal_note": "-"}
        services.update_review(w.db.uow(), actor=w.po, sprint_id=sid, values=values, held=None)
    page = queries.get_review(w.db.reader(), actor=w.po, sprint_id=w.sprints[0])
    assert [(p.label, p.percent, p.change) for p in page.trend] == [
        ("Sprint 1", 10, None),
        ("Sprint 3", 45, 35),
    ]


# --- Retrospective -------------------------------------------------------------------------


def test_cards_go_in_the_columns_of_the_chosen_format(w: World) -> None:
    sid, member = w.sprints[1], w.people["member"]
    services.update_retro(w.db.uow(), actor=member, sprint_id=sid, fmt="sailboat", dots=2)
    with pytest.raises(Invalid) as caught:
        services.add_card(w.db.uow(), actor=member, sprint_id=sid, column="start", text="x")
    assert set(caught.value.fields) == {"column"}
    with pytest.raises(Invalid) as caught:
        services.add_card(w.db.uow(), actor=member, sprint_id=sid, column="wind", text="  ")
    assert set(caught.value.fields) == {"text"}
    with pytest.raises(Invalid):
        services.update_retro(w.db.uow(), actor=member, sprint_id=sid, fmt="starfish")
    services.add_card(w.db.uow(), actor=member, sprint_id=sid, column="wind", text="Pairing")
    with pytest.raises(Conflict):  # the format is fixed once there are cards
        services.update_retro(w.db.uow(), actor=member, sprint_id=sid, fmt="four_ls")
    with pytest.raises(Forbidden):
        services.add_card(
            w.db.uow(), actor=w.people["stakeholder"], sprint_id=sid, column="wind", text="x"
        )
    page = queries.get_retro(w.db.reader(), actor=w.people["viewer"], sprint_id=sid)
    assert [c.key for c in page.columns] == ["wind", "anchors", "rocks", "island"]
    assert [r.card.text for r in page.cards["wind"]] == ["Pairing"]


def test_dots_run_out_and_come_back(w: World) -> None:
    sid, member = w.sprints[1], w.people["member"]
    services.update_retro(w.db.uow(), actor=member, sprint_id=sid, fmt=None, dots=2)
    a = services.add_card(w.db.uow(), actor=member, sprint_id=sid, column="start", text="A")
    b = services.add_card(w.db.uow(), actor=member, sprint_id=sid, column="stop", text="B")
    assert services.vote(w.db.uow(), actor=member, card_id=b.id) == 1
    assert services.vote(w.db.uow(), actor=member, card_id=b.id) == 2  # two dots on one card
    with pytest.raises(Conflict):
        services.vote(w.db.uow(), actor=member, card_id=a.id)
    assert services.vote(w.db.uow(), actor=w.po, card_id=a.id) == 1  # the PO has their own
    with pytest.raises(Conflict):
        services.vote(w.db.uow(), actor=member, card_id=a.id, up=False)  # no dot of theirs
    assert services.vote(w.db.uow(), actor=member, card_id=b.id, up=False) == 1
    page = queries.get_retro(w.db.reader(), actor=member, sprint_id=sid)
    assert (page.dots_used, page.dots_left) == (1, 1)
    assert [(r.votes, r.mine) for r in page.cards["stop"]] == [(1, 1)]
    services.edit_card(w.db.uow(), actor=member, card_id=b.id, text="B, better")
    services.delete_card(w.db.uow(), actor=member, card_id=b.id)
    assert count(w.db, RetroVote) == 1  # only the PO's dot on A is left


# --- action items across sprints -----------------------------------------------------------


def action(w: World, text: str, *, sprint: int | None = None, who: str = "member") -> int:
    values = {"text": text, "owner_id": w.people[who].id}
    made = services.add_action(
        w.db.uow(), actor=w.people["member"], product_id=w.pid, values=values, sprint_id=sprint
    )
    return made.id


def carried(w: World, sprint: int) -> list[str]:
    page = queries.get_retro(w.db.reader(), actor=w.po, sprint_id=sprint)
    return [r.action.text for r in page.carried]


def test_an_action_item_is_carried_to_later_retros_until_done(w: World) -> None:
    s1, s2, s3 = w.sprints
    other_team = add_team(w.db, w.pid, "Mobile")
    mobile = add_sprint(w.db, w.pid, other_team, "Mobile 1", TODAY - timedelta(days=2))
    first = action(w, "Automate the release", sprint=s1)
    second = action(w, "Shorter stand-ups", sprint=s2)
    assert carried(w, s1) == []
    assert carried(w, s2) == ["Automate the release"]
    assert carried(w, s3) == ["Automate the release", "Shorter stand-ups"]
    assert carried(w, mobile) == []  # another team's retro
    services.update_action(
        w.db.uow(), actor=w.people["member"], action_id=first, values={"status": "done"}
    )
    # Done today: the running sprint's retro shows it done; earlier ones no longer list it.
    assert carried(w, s2) == []
    page = queries.get_retro(w.db.reader(), actor=w.po, sprint_id=s3)
    assert [(r.action.text, r.action.status) for r in page.carried] == [
        ("Automate the release", "done"),
        ("Shorter stand-ups", "open"),
    ]
    services.update_action(w.db.uow(), actor=w.po, action_id=second, values={"status": "dropped"})
    services.update_action(w.db.uow(), actor=w.po, action_id=second, values={"status": "open"})
    with w.db.reader() as uow:
        again = uow.session.get(ActionItem, second)
    assert again is not None and again.status == "open" and again.closed_at is None


def test_action_items_need_an_owner_who_is_a_member(w: World) -> None:
    outsider = actor(make_user(w.db, "out@example.org"))
    other = products.create_product(w.db.uow(), actor=outsider, name="Other")
    foreign_sprint = add_sprint(w.db, other.id, add_team(w.db, other.id, "Them"), "Theirs", TODAY)
    cases = [
        ({"text": "", "owner_id": w.people["member"].id}, {"text"}),
        ({"text": "Do it", "owner_id": outsider.id}, {"owner_id"}),
        ({"text": "Do it"}, {"owner_id"}),
        (
            {"text": "", "owner_id": outsider.id, "due_date": "soon"},
            {"text", "owner_id", "due_date"},
        ),
        (
            {"text": "Do it", "owner_id": w.po.id, "due_sprint_id": foreign_sprint},
            {"due_sprint_id"},
        ),
        ({"text": "Do it", "owner_id": w.po.id, "team_id": 9999}, {"team_id"}),
    ]
    for values, fields in cases:
        with pytest.raises(Invalid) as caught:
            services.add_action(w.db.uow(), actor=w.po, product_id=w.pid, values=values)
        assert set(caught.value.fields) == fields, values
    with pytest.raises(Invalid):
        services.add_action(
            w.db.uow(),
            actor=w.po,
            product_id=w.pid,
            values={"text": "x", "owner_id": w.po.id},
            sprint_id=foreign_sprint,
        )
    with pytest.raises(Forbidden):
        services.add_action(
            w.db.uow(),
            actor=w.people["stakeholder"],
            product_id=w.pid,
            values={"text": "x", "owner_id": w.po.id},
        )
    assert count(w.db, ActionItem) == 0


def test_the_product_list_shows_every_action_item_open_first(w: World) -> None:
    done = action(w, "Fix the build", sprint=w.sprints[0])
    action(w, "Pair more", sprint=w.sprints[1])
    loose = services.add_action(
        w.db.uow(),
        actor=w.po,
        product_id=w.pid,
        values={"text": "Visit a customer", "owner_id": w.po.id, "team_id": w.team},
    )
    services.update_action(w.db.uow(), actor=w.po, action_id=done, values={"status": "done"})
    page = queries.list_actions(w.db.reader(), actor=w.people["viewer"], product_id=w.pid)
    assert [r.action.text for r in page.rows] == ["Pair more", "Visit a customer", "Fix the build"]
    assert page.counts == {"open": 2, "done": 1}
    assert page.rows[0].origin is not None and page.rows[0].origin.name == "Sprint 2"
    assert page.rows[1].team is not None and page.rows[1].team.name == "Core"
    assert loose.retro_id is None
    only_done = queries.list_actions(w.db.reader(), actor=w.po, product_id=w.pid, status="done")
    assert [r.action.id for r in only_done.rows] == [done]


def _statements(db: Database, read: Any) -> int:
    seen: list[str] = []

    def on_execute(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        read()
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)
    return len(seen)


def test_the_retro_and_the_action_list_read_in_a_bounded_number_of_queries(w: World) -> None:
    def retro() -> Any:
        return queries.get_retro(w.db.reader(), actor=w.po, sprint_id=w.sprints[2])

    def actions() -> Any:
        return queries.list_actions(w.db.reader(), actor=w.po, product_id=w.pid)

    def grow(n: int) -> None:
        for k in range(n):
            sprint = w.sprints[k % 2]
            action(w, f"Action {k}", sprint=sprint, who=("member", "stakeholder")[k % 2])
            card = services.add_card(
                w.db.uow(), actor=w.po, sprint_id=w.sprints[2], column="stop", text=f"Card {k}"
            )
            if k == 0:
                services.vote(w.db.uow(), actor=w.po, card_id=card.id)

    grow(2)
    small = (_statements(w.db, retro), _statements(w.db, actions))
    grow(8)
    assert (_statements(w.db, retro), _statements(w.db, actions)) == small
    assert len(actions().rows) == 10
