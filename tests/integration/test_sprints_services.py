"""Sprint use cases on both engines: teams, planning, start without a goal, overlaps, and
closing with spill-over to the backlog and to the next sprint, keeping history."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from jalon.activity import ActivityEntry
from jalon.backlog import services as backlog
from jalon.backlog.models import Item, StatusChange
from jalon.errors import Conflict, Forbidden, Invalid
from jalon.permissions import Actor
from jalon.products import services as products
from jalon.sprints import queries, services, views
from jalon.sprints.models import Sprint, SprintEntry
from jalon.uow import Database
from tests.support.helpers import actor, make_user

MONDAY = date(2026, 3, 2)


class World:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.po = actor(make_user(db, "po@example.org", name="Paula"))
        self.pid = products.create_product(db.uow(), actor=self.po, name="Atlas").id
        self.people: dict[str, Actor] = {}
        for role in ("member", "viewer"):
            user = make_user(db, f"{role}@example.org", name=role.title())
            products.add_member(
                db.uow(), product_id=self.pid, actor=self.po, email=user.email, role=role
            )
            self.people[role] = actor(user)
        self.team = services.create_team(db.uow(), actor=self.po, product_id=self.pid, name="Blue")
        for who, focus in ((self.po, 1.0), (self.people["member"], 0.5)):
            services.save_member(
                db.uow(), actor=self.po, team_id=self.team.id, user_id=who.id, focus_factor=focus
            )

    def item(self, title: str, estimate: float | None = 3, **values: Any) -> int:
        return backlog.create_item(
            self.db.uow(),
            actor=self.po,
            product_id=self.pid,
            values={"title": title, "estimate": estimate, **values},
        ).id

    def sprint(self, name: str, start: date = MONDAY, **values: Any) -> Sprint:
        return services.create_sprint(
            self.db.uow(),
            actor=self.po,
            product_id=self.pid,
            values={"name": name, "team_id": self.team.id, "starts_on": start, **values},
        )

    def status(self, item_id: int, status: str) -> None:
        backlog.edit_item(self.db.uow(), actor=self.po, item_id=item_id, values={"status": status})

    def get(self, item_id: int) -> Item:
        with self.db.reader() as uow:
            found = uow.session.get(Item, item_id)
        assert found is not None
        return found

    def entries(self, item_id: int) -> list[tuple[int, str | None, bool]]:
        with self.db.reader() as uow:
            rows = uow.session.scalars(
                select(SprintEntry).where(SprintEntry.item_id == item_id).order_by(SprintEntry.id)
            )
            return [(e.sprint_id, e.outcome, e.added_after_start) for e in rows]


@pytest.fixture
def w(db: Database) -> World:
    return World(db)


def test_a_sprint_defaults_to_the_products_length(w: World) -> None:
    services.save_settings(w.db.uow(), actor=w.po, product_id=w.pid, values={"length_days": 10})
    sprint = w.sprint("Sprint 1", goal="")
    assert (sprint.starts_on, sprint.ends_on) == (MONDAY, date(2026, 3, 11))
    assert sprint.state == "planned"


def test_bad_dates_and_overlaps_are_refused_naming_the_other_sprint(w: World) -> None:
    w.sprint("Sprint 1")
    with pytest.raises(Invalid) as ends_early:
        w.sprint("Sprint 0", start=date(2026, 2, 1), ends_on=date(2026, 1, 31))
    assert "ends_on" in ends_early.value.fields
    with pytest.raises(Invalid) as overlap:
        w.sprint("Sprint 2", start=date(2026, 3, 10))
    assert "Sprint 1" in overlap.value.fields["starts_on"]
    with pytest.raises(Invalid) as missing:
        services.create_sprint(w.db.uow(), actor=w.po, product_id=w.pid, values={"goal": "x"})
    assert set(missing.value.fields) == {"name", "team_id", "starts_on"}
    # another team may run at the same time
    other = services.create_team(w.db.uow(), actor=w.po, product_id=w.pid, name="Red")
    services.create_sprint(
        w.db.uow(), actor=w.po, product_id=w.pid,
        values={"name": "Red 1", "team_id": other.id, "starts_on": MONDAY},
    )  # fmt: skip
    with w.db.reader() as uow:
        assert len(list(uow.session.scalars(select(Sprint)))) == 2


def test_planning_writes_sprint_id_and_entries(w: World) -> None:
    sprint = w.sprint("Sprint 1")
    a, b = w.item("A", 5), w.item("B", None)
    assert services.add_items(w.db.uow(), actor=w.po, sprint_id=sprint.id, item_ids=[a, b]) == 2
    assert w.get(a).sprint_id == sprint.id
    summary = queries.sprint_summary(w.db.reader(), sprint.id)
    assert (summary.committed_points, summary.committed_count, summary.item_ids) == (5, 2, [a, b])
    # removing while planned leaves no trace; the item is back in the backlog
    services.remove_item(w.db.uow(), actor=w.po, sprint_id=sprint.id, item_id=b)
    assert w.get(b).sprint_id is None and w.entries(b) == []
    # an item in another open sprint, a done item, an item of another product: refused
    other = services.create_team(w.db.uow(), actor=w.po, product_id=w.pid, name="Red")
    red = services.create_sprint(
        w.db.uow(), actor=w.po, product_id=w.pid,
        values={"name": "Red 1", "team_id": other.id, "starts_on": MONDAY},
    )  # fmt: skip
    with pytest.raises(Invalid, match="Sprint 1"):
        services.add_items(w.db.uow(), actor=w.po, sprint_id=red.id, item_ids=[a])
    done = w.item("Done already")
    w.status(done, "done")
    with pytest.raises(Invalid, match="already done"):
        services.add_items(w.db.uow(), actor=w.po, sprint_id=sprint.id, item_ids=[done])
    assert w.entries(done) == []


def test_viewers_may_not_plan_and_members_may(w: World) -> None:
    sprint = w.sprint("Sprint 1")
    a = w.item("A")
    with pytest.raises(Forbidden):
        services.add_items(w.db.uow(), actor=w.people["viewer"], sprint_id=sprint.id, item_ids=[a])
    services.add_items(w.db.uow(), actor=w.people["member"], sprint_id=sprint.id, item_ids=[a])
    with pytest.raises(Forbidden):
        services.create_team(w.db.uow(), actor=w.people["member"], product_id=w.pid, name="X")


def test_starting_needs_a_goal_and_one_active_sprint_per_team(w: World) -> None:
    first, second = w.sprint("Sprint 1"), w.sprint("Sprint 2", start=date(2026, 3, 16))
    with pytest.raises(Invalid) as no_goal:
        services.start_sprint(w.db.uow(), actor=w.po, sprint_id=first.id)
    assert "Sprint Goal" in no_goal.value.fields["goal"]
    with w.db.reader() as uow:
        assert uow.session.get(Sprint, first.id).state == "planned"  # type: ignore[union-attr]
    for s in (first, second):
        services.edit_sprint(w.db.uow(), actor=w.po, sprint_id=s.id, values={"goal": "Pay"})
    services.start_sprint(w.db.uow(), actor=w.po, sprint_id=first.id)
    with pytest.raises(Conflict, match="Sprint 1"):
        services.start_sprint(w.db.uow(), actor=w.po, sprint_id=second.id)


def test_scope_added_after_the_start_is_marked_and_the_commitment_frozen(w: World) -> None:
    sprint = w.sprint("Sprint 1", goal="Pay by card")
    a = w.item("A", 3)
    services.add_items(w.db.uow(), actor=w.po, sprint_id=sprint.id, item_ids=[a])
    backlog.edit_item(w.db.uow(), actor=w.po, item_id=a, values={"estimate": 5})
    services.start_sprint(w.db.uow(), actor=w.po, sprint_id=sprint.id)
    backlog.edit_item(w.db.uow(), actor=w.po, item_id=a, values={"estimate": 8})  # re-estimated
    late = w.item("Late", 2)
    services.add_items(w.db.uow(), actor=w.po, sprint_id=sprint.id, item_ids=[late])
    summary = queries.sprint_summary(w.db.reader(), sprint.id)
    assert (summary.committed_points, summary.added_points, summary.added_count) == (5, 2, 1)
    assert w.entries(late) == [(sprint.id, None, True)]
    services.remove_item(w.db.uow(), actor=w.po, sprint_id=sprint.id, item_id=late)
    assert w.entries(late) == [(sprint.id, "removed", True)]  # kept, once started


def _running(w: World) -> tuple[Sprint, dict[str, int]]:
    sprint = w.sprint("Sprint 1", goal="Pay by card")
    ids = {t: w.item(t, e) for t, e in (("done", 3), ("doing", 5), ("todo", 2), ("no", 1))}
    services.add_items(w.db.uow(), actor=w.po, sprint_id=sprint.id, item_ids=list(ids.values()))
    services.start_sprint(w.db.uow(), actor=w.po, sprint_id=sprint.id)
    w.status(ids["done"], "done")
    w.status(ids["doing"], "in_progress")
    w.status(ids["no"], "rejected")
    return sprint, ids


def test_closing_sends_unfinished_items_back_to_the_backlog(w: World) -> None:
    sprint, ids = _running(w)
    closed = services.close_sprint(w.db.uow(), actor=w.po, sprint_id=sprint.id)
    assert closed.counts == {"done": 1, "removed": 1, "backlog": 2, "next_sprint": 0}
    assert closed.next_sprint is None
    assert w.get(ids["done"]).sprint_id == sprint.id  # done items stay in their sprint
    assert w.get(ids["doing"]).sprint_id is None and w.get(ids["todo"]).sprint_id is None
    assert w.entries(ids["doing"]) == [(sprint.id, "backlog", False)]
    summary = queries.sprint_summary(w.db.reader(), sprint.id)
    assert (summary.state, summary.done_points, summary.done_count) == ("closed", 3, 1)
    assert (summary.committed_points, summary.committed_count) == (11, 4)
    assert queries.closed_sprints(w.db.reader(), w.team.id)[0].id == sprint.id
    with pytest.raises(Conflict):
        services.add_items(w.db.uow(), actor=w.po, sprint_id=sprint.id, item_ids=[ids["todo"]])


def test_closing_into_a_new_next_sprint_keeps_the_history(w: World) -> None:
    sprint, ids = _running(w)
    closed = services.close_sprint(
        w.db.uow(), actor=w.po, sprint_id=sprint.id, unfinished="next",
        choices={ids["todo"]: "backlog"},
    )  # fmt: skip
    nxt = closed.next_sprint
    assert nxt is not None and closed.created_next
    assert (nxt.name, nxt.starts_on, nxt.state) == ("Sprint 2", date(2026, 3, 16), "planned")
    assert w.get(ids["doing"]).sprint_id == nxt.id
    assert w.entries(ids["doing"]) == [(sprint.id, "next_sprint", False), (nxt.id, None, False)]
    assert w.get(ids["todo"]).sprint_id is None
    # the status history of the spilled item is untouched
    with w.db.reader() as uow:
        history = uow.session.scalars(
            select(StatusChange.to_status).where(StatusChange.item_id == ids["doing"])
        )
        assert list(history) == ["new", "in_progress"]
    assert queries.sprint_summary(w.db.reader(), nxt.id).item_ids == [ids["doing"]]
    with w.db.reader() as uow:
        made = uow.session.scalars(
            select(ActivityEntry.subject_id).where(ActivityEntry.action == "sprints.sprint.created")
        )
        assert list(made) == [sprint.id, nxt.id]


def test_closing_into_a_chosen_planned_sprint(w: World) -> None:
    sprint, ids = _running(w)
    later = w.sprint("Later", start=date(2026, 4, 1))
    with pytest.raises(Invalid) as wrong:
        services.close_sprint(
            w.db.uow(), actor=w.po, sprint_id=sprint.id, unfinished="next", next_sprint_id=sprint.id
        )
    assert "next_sprint_id" in wrong.value.fields
    closed = services.close_sprint(
        w.db.uow(), actor=w.po, sprint_id=sprint.id, unfinished="next", next_sprint_id=later.id
    )
    assert closed.next_sprint is not None and closed.next_sprint.id == later.id
    assert not closed.created_next
    assert {w.get(ids["doing"]).sprint_id, w.get(ids["todo"]).sprint_id} == {later.id}


def test_capacity_inputs_are_checked(w: World) -> None:
    with pytest.raises(Invalid) as focus:
        services.save_member(
            w.db.uow(), actor=w.po, team_id=w.team.id, user_id=w.po.id, focus_factor=1.5
        )
    assert "focus_factor" in focus.value.fields
    outsider = make_user(w.db, "out@example.org")
    with pytest.raises(Invalid):
        services.save_member(w.db.uow(), actor=w.po, team_id=w.team.id, user_id=outsider.id)
    with pytest.raises(Invalid) as wip:
        services.save_settings(
            w.db.uow(), actor=w.po, product_id=w.pid, values={"wip_limits": {"in_progress": -1}}
        )
    assert "wip_limits.in_progress" in wip.value.fields
    sprint = w.sprint("Sprint 1")
    with pytest.raises(Invalid):
        services.set_days_off(w.db.uow(), actor=w.po, sprint_id=sprint.id, days={w.po.id: 11})
    services.set_days_off(w.db.uow(), actor=w.po, sprint_id=sprint.id, days={w.po.id: "2"})
    with w.db.reader() as uow:
        assert queries.days_off_of(uow, [sprint.id]) == {sprint.id: {w.po.id: 2.0}}


def test_a_team_with_sprints_cannot_be_deleted(w: World) -> None:
    w.sprint("Sprint 1")
    with pytest.raises(Conflict, match="history"):
        services.delete_team(w.db.uow(), actor=w.po, team_id=w.team.id)
    empty = services.create_team(w.db.uow(), actor=w.po, product_id=w.pid, name="Empty")
    services.delete_team(w.db.uow(), actor=w.po, team_id=empty.id)
    teams = queries.list_teams(w.db.reader(), actor=w.po, product_id=w.pid)
    assert [t.team.name for t in teams] == ["Blue"]


def _queries(db: Database, read: Any) -> int:
    count = 0

    def on_execute(*_args: object) -> None:
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        read()
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)
    return count


def _add_sprint(w: World, n: int, *, close: bool) -> Sprint:
    sprint = w.sprint(f"Sprint {n}", start=MONDAY + timedelta(days=14 * n), goal="Go")
    ids = [w.item(f"I{n}-{i}") for i in range(3)]
    services.add_items(w.db.uow(), actor=w.po, sprint_id=sprint.id, item_ids=ids)
    if close:
        services.start_sprint(w.db.uow(), actor=w.po, sprint_id=sprint.id)
        w.status(ids[0], "done")
        services.close_sprint(w.db.uow(), actor=w.po, sprint_id=sprint.id)
    return sprint


def test_the_sprint_pages_read_in_a_bounded_number_of_queries(w: World) -> None:
    _add_sprint(w, 0, close=True)
    current = _add_sprint(w, 1, close=False)

    def pages() -> None:
        views.overview(w.db.reader(), actor=w.po, product_id=w.pid)
        views.plan_view(w.db.reader(), actor=w.po, product_id=w.pid, sprint_id=current.id)
        views.board_view(w.db.reader(), actor=w.po, product_id=w.pid, sprint_id=current.id)

    few = _queries(w.db, pages)
    for n in range(2, 7):  # more sprints, closed and planned, with more items
        _add_sprint(w, n, close=n < 5)
    services.add_items(
        w.db.uow(), actor=w.po, sprint_id=current.id, item_ids=[w.item("X"), w.item("Y")]
    )
    assert _queries(w.db, pages) == few
