"""Daily snapshots on both engines: change-only storage, idempotence, append-only days,
completions, and sprint charts that survive re-estimation, scope added mid-sprint and
spill-over."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from jalon.backlog import services as backlog
from jalon.backlog.models import Item
from jalon.errors import Forbidden, Invalid
from jalon.history import flow_queries, queries, services, sprint_queries
from jalon.history.models import Completion, DailyStatus, ItemSnapshot, SnapshotDay
from jalon.permissions import Actor
from jalon.products import services as products
from jalon.sprints.models import Sprint, Team
from jalon.uow import Database
from tests.support.helpers import actor, make_user

D0 = date(2026, 3, 2)  # a Monday
TODAY = date(2026, 4, 1)


def _setup(db: Database) -> tuple[Actor, int]:
    po = actor(make_user(db, "po@example.org", name="Camille"))
    return po, products.create_product(db.uow(), actor=po, name="Atlas").id


def _add(db: Database, po: Actor, pid: int, title: str, **values: Any) -> int:
    return backlog.create_item(
        db.uow(), actor=po, product_id=pid, values={"title": title, **values}
    ).id


def _set(db: Database, item_id: int, **fields: Any) -> None:
    """Change an item behind the services' back (sprint membership belongs to sprints/)."""
    with db.uow() as uow:
        item = uow.session.get(Item, item_id)
        assert item is not None
        for name, value in fields.items():
            setattr(item, name, value)
        uow.commit()


def _snap(db: Database, po: Actor, pid: int, day: date) -> services.SnapshotResult:
    return services.take_snapshot(db.uow(), actor=po, product_id=pid, day=day, today=TODAY)


def _count(db: Database, model: type, **where: Any) -> int:
    with db.reader() as r:
        stmt = select(func.count()).select_from(model).filter_by(**where)
        return int(r.session.scalar(stmt) or 0)


def _sprint(db: Database, pid: int, name: str, start: date, days: int = 5) -> int:
    with db.uow() as uow:
        team = uow.session.scalar(select(Team).where(Team.product_id == pid))
        if team is None:
            team = Team(product_id=pid, name="Core")
            uow.add(team)
            uow.flush()
        sprint = Sprint(
            product_id=pid,
            team_id=team.id,
            name=name,
            goal="Ship",
            starts_on=start,
            ends_on=start + timedelta(days - 1),
        )
        uow.add(sprint)
        uow.commit()
        return sprint.id


def test_rows_are_stored_only_when_an_item_changes(db: Database) -> None:
    po, pid = _setup(db)
    a = _add(db, po, pid, "A", estimate="3")
    _add(db, po, pid, "B")
    first = _snap(db, po, pid, D0)
    assert (first.items, first.changed) == (2, 2)

    again = _snap(db, po, pid, D0)  # the same day twice: nothing new
    assert again.already_taken and _count(db, ItemSnapshot) == 2
    assert _count(db, DailyStatus, day=D0) == 1  # one status: new

    assert _snap(db, po, pid, D0 + timedelta(1)).changed == 0  # an unchanged day costs no row
    _set(db, a, estimate=5.0)
    assert _snap(db, po, pid, D0 + timedelta(2)).changed == 1
    assert _count(db, ItemSnapshot, item_id=a) == 2
    assert _count(db, SnapshotDay, product_id=pid) == 3


def test_a_removed_item_is_recorded_once_and_its_history_kept(db: Database) -> None:
    po, pid = _setup(db)
    gone = _add(db, po, pid, "Gone")
    _add(db, po, pid, "Kept")
    _snap(db, po, pid, D0)
    _add(db, po, pid, "Newcomer")  # one in, one out: the item count alone would not tell
    with db.uow() as uow:
        uow.session.delete(uow.session.get(Item, gone))
        uow.commit()
    assert _snap(db, po, pid, D0 + timedelta(1)).changed == 2
    assert _snap(db, po, pid, D0 + timedelta(2)).changed == 0
    with db.reader() as r:
        rows = r.session.execute(
            select(ItemSnapshot.valid_from, ItemSnapshot.removed)
            .where(ItemSnapshot.item_id == gone)
            .order_by(ItemSnapshot.valid_from)
        ).all()
    assert [tuple(row) for row in rows] == [(D0, False), (D0 + timedelta(1), True)]


def test_history_is_only_ever_appended(db: Database) -> None:
    po, pid = _setup(db)
    _add(db, po, pid, "A")
    _snap(db, po, pid, D0 + timedelta(3))
    with pytest.raises(Invalid) as earlier:
        _snap(db, po, pid, D0)
    assert "date" in earlier.value.fields
    with pytest.raises(Invalid):
        _snap(db, po, pid, TODAY + timedelta(1))
    assert _count(db, SnapshotDay) == 1


def test_only_the_product_owner_or_an_admin_takes_a_snapshot(db: Database) -> None:
    po, pid = _setup(db)
    member = actor(make_user(db, "dev@example.org"))
    products.add_member(db.uow(), actor=po, product_id=pid, email="dev@example.org", role="member")
    with pytest.raises(Forbidden):
        _snap(db, member, pid, D0)


def test_a_completion_records_the_cycle_time_from_the_first_day_in_progress(db: Database) -> None:
    po, pid = _setup(db)
    item = _add(db, po, pid, "Login page", estimate="3")
    _snap(db, po, pid, D0)
    _set(db, item, status="in_progress")
    _snap(db, po, pid, D0 + timedelta(1))
    _snap(db, po, pid, D0 + timedelta(2))
    _set(db, item, status="done")
    assert _snap(db, po, pid, D0 + timedelta(3)).completed == 1
    assert _snap(db, po, pid, D0 + timedelta(4)).completed == 0  # done stays done: no new row
    with db.reader() as r:
        row = r.session.scalars(select(Completion)).one()
    assert (row.started_on, row.done_on, row.cycle_days) == (
        D0 + timedelta(1),
        D0 + timedelta(3),
        3,
    )
    ct = flow_queries.cycle_times(
        db.reader(), actor=po, product_id=pid, start=D0, end=TODAY, today=TODAY
    )
    assert [(d.title, d.cycle_days) for d in ct.done] == [("Login page", 3)]
    assert ct.percentiles == {50: 3, 85: 3, 95: 3}


def test_sprint_charts_keep_re_estimation_added_scope_and_spill_over(db: Database) -> None:
    po, pid = _setup(db)
    s1 = _sprint(db, pid, "Sprint 1", D0)
    s2 = _sprint(db, pid, "Sprint 2", D0 + timedelta(7))
    a = _add(db, po, pid, "A", estimate="3")
    b = _add(db, po, pid, "B", estimate="5")
    for item in (a, b):
        _set(db, item, sprint_id=s1)
    _snap(db, po, pid, D0 - timedelta(1))  # planning: 8 points committed
    _set(db, a, status="done")
    _snap(db, po, pid, D0 + timedelta(1))
    c = _add(db, po, pid, "C", estimate="2")  # added mid-sprint
    _set(db, c, sprint_id=s1)
    _set(db, b, estimate=8.0)  # re-estimated
    _snap(db, po, pid, D0 + timedelta(2))
    _set(db, c, status="done")
    _snap(db, po, pid, D0 + timedelta(4))  # the last day: B is not done
    _set(db, b, sprint_id=s2)  # spilled over into the next sprint
    _snap(db, po, pid, D0 + timedelta(6))
    _snap(db, po, pid, D0 + timedelta(7))

    one = sprint_queries.sprint_progress(db.reader(), actor=po, sprint_id=s1, today=TODAY)
    scope = [(d.day - D0).days for d in one.days], [d.scope_points for d in one.days]
    assert scope == ([-1, 0, 1, 2, 3, 4], [8, 8, 8, 13, 13, 13])
    assert [d.done_points for d in one.days] == [0, 0, 3, 3, 3, 5]
    assert one.days[-1].remaining_points == 8  # the spilled item still counts at the end
    assert one.scope_changes == [(D0 + timedelta(2), 5.0)]  # +2 added, +3 re-estimated

    two = sprint_queries.sprint_progress(db.reader(), actor=po, sprint_id=s2, today=TODAY)
    assert two.days[0].scope_points == 8 and two.days[0].day == D0 + timedelta(6)

    vel = sprint_queries.velocity(db.reader(), actor=po, product_id=pid, today=TODAY)
    assert [(v.name, v.committed, v.done) for v in vel.sprints] == [
        ("Sprint 1", 8, 5),
        ("Sprint 2", 8, 0),
    ]
    assert vel.spread is not None and vel.spread.mean == 2.5


def test_cumulative_flow_carries_days_without_snapshot_and_reads_today_live(db: Database) -> None:
    po, pid = _setup(db)
    a = _add(db, po, pid, "A")
    _add(db, po, pid, "B")
    _snap(db, po, pid, TODAY - timedelta(3))
    _set(db, a, status="done")
    flow = queries.flow(
        db.reader(), actor=po, product_id=pid, start=TODAY - timedelta(4), end=TODAY, today=TODAY
    )
    assert sorted(flow.days) == [TODAY - timedelta(n) for n in (3, 2, 1, 0)]
    assert flow.days[TODAY - timedelta(1)] == {"new": (2, 0.0)}  # carried forward
    assert flow.live and flow.days[TODAY] == {"new": (1, 0.0), "done": (1, 0.0)}


def test_aging_counts_from_the_first_day_in_progress_seen_by_a_snapshot(db: Database) -> None:
    po, pid = _setup(db)
    old, fresh = _add(db, po, pid, "Old"), _add(db, po, pid, "Fresh")
    _set(db, old, status="in_progress")
    _snap(db, po, pid, TODAY - timedelta(6))
    _set(db, old, estimate=8.0)  # re-estimated while in progress: still the same run
    _snap(db, po, pid, TODAY - timedelta(2))
    _set(db, fresh, status="in_progress")  # since the last snapshot
    aging = flow_queries.aging_wip(db.reader(), actor=po, product_id=pid, today=TODAY)
    assert [(a.title, a.age) for a in aging.items] == [("Old", 7), ("Fresh", 1)]
