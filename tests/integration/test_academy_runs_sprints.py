"""Playing a run's sprints gives its sandbox real sprints with a dated history, read through
the sprint, history and forecasting queries the pages use (both engines)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from jalon.academy.runs import calendar, services
from jalon.academy.runs.models import SimRun
from jalon.academy.sim import engine, policies
from jalon.academy.sim.scenario import load_scenario
from jalon.backlog.models import Item, StatusChange
from jalon.errors import Invalid
from jalon.forecasting import queries as forecasting
from jalon.history import flow_queries, queries, sprint_queries
from jalon.history.models import SnapshotDay
from jalon.permissions import Actor
from jalon.sprints import queries as sprint_list
from jalon.sprints.models import Sprint, SprintSettings, Team, TeamMember
from jalon.uow import Database
from tests.support.helpers import actor, make_user

SEED = 11
GOALS = ("Technicians see their day in two taps", "Managers stop phoning the field")


def _run(db: Database, run_id: int) -> SimRun:
    with db.reader() as uow:
        return uow.session.get_one(SimRun, run_id)


def _play(db: Database, trainee: Actor, run_id: int, goal: str) -> engine.SprintOutcome:
    run = _run(db, run_id)
    state = engine.State.from_dict(run.state)
    made = policies.POLICIES["value-effort"](load_scenario(run.scenario_key), state)
    chosen: dict[str, Any] = {k: v for k, v in made.to_dict().items() if k != "order"}
    played = services.play_sprint(
        db.uow(), actor=trainee, run_id=run_id, decisions={**chosen, "goal": goal}
    )
    return played.outcome


def _items(db: Database, run: SimRun) -> dict[str, Item]:
    with db.reader() as uow:
        found = uow.session.scalars(select(Item).where(Item.product_id == run.product_id))
        by_id = {item.id: item for item in found}
    return {key: by_id[item_id] for key, item_id in run.item_map.items()}


def _count(db: Database, model: Any, **where: Any) -> int:
    with db.reader() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model).filter_by(**where)))


def test_played_sprints_are_closed_sprints_with_their_dated_history(db: Database) -> None:
    tina = actor(make_user(db, "tina@example.org"))
    run = services.start_run(db.uow(), actor=tina, scenario="saas", seed=SEED)
    outcomes = [_play(db, tina, run.id, goal) for goal in GOALS]
    run = _run(db, run.id)
    assert run.product_id is not None
    items, today = _items(db, run), queries.today_utc()
    keys = {item.id: key for key, item in items.items()}
    listed = sprint_list.list_sprints(db.reader(), actor=tina, product_id=run.product_id)
    first, second = sorted(listed, key=lambda s: s.starts_on)
    assert [(s.name, s.goal, s.state) for s in (first, second)] == [
        ("Sprint 1", GOALS[0], "closed"), ("Sprint 2", GOALS[1], "closed"),
    ]  # fmt: skip
    length = calendar.sprint_length(load_scenario("saas").sprint_days)
    assert second.starts_on == first.ends_on + timedelta(days=1)
    assert second.ends_on == run.created_at.date() - timedelta(days=(run.sprints - 2) * length + 1)
    for summary, plan, outcome in zip((first, second), run.log, outcomes, strict=True):
        committed = [keys[e.item_id] for e in summary.entries if not e.added_after_start]
        assert committed == plan["plan"], "the plan, committed at Sprint Planning"
        done = {keys[e.item_id] for e in summary.entries if e.outcome == "done"}
        assert done == set(outcome.done) and done
        assert summary.done_points == sum(items[k].estimate or 0 for k in outcome.done)
        assert all(e.outcome in ("done", "backlog") for e in summary.entries)
        for key in outcome.unfinished:
            assert items[key].sprint_id is None and items[key].status in ("new", "ready")
        for key in outcome.done:  # done on a working day of its sprint, with its history
            done_at = items[key].done_at
            assert done_at is not None and summary.starts_on < done_at.date() <= summary.ends_on
            assert done_at.weekday() < 5
    velocity = sprint_queries.velocity(db.reader(), actor=tina, product_id=run.product_id,
                                       today=today)  # fmt: skip
    assert [(v.name, v.done) for v in velocity.sprints] == [
        (s.name, s.done_points) for s in (first, second)
    ]
    burndown = sprint_queries.sprint_progress(
        db.reader(), actor=tina, sprint_id=second.id, today=today
    )
    days = [d.day for d in burndown.days]
    assert days == [second.starts_on + timedelta(n) for n in range(length)]
    assert burndown.days[0].scope_points == second.committed_points
    assert burndown.days[0].done_points == 0
    left = sum(e.estimate_at_entry or 0 for e in second.entries if e.outcome == "backlog")
    assert burndown.days[-1].remaining_points == pytest.approx(left)
    assert burndown.days[-1].done_points == pytest.approx(second.done_points)
    done_days = sorted(i.done_at.date() for i in items.values() if i.done_at is not None)
    per_day = flow_queries.throughput(db.reader(), actor=tina, product_id=run.product_id,
                                      start=first.starts_on, end=second.ends_on, today=today,
                                      weekly=False)  # fmt: skip
    assert {d: n for d, n in per_day if n} == Counter(done_days)
    with db.reader() as uow:
        history = forecasting.load_history(uow, run.product_id, today=today, window=84)
        changes = uow.session.scalars(
            select(StatusChange).where(StatusChange.item_id == items[outcomes[1].done[0]].id)
        )
        moved = sorted((c.at, c.id, c.to_status) for c in changes)
    assert sorted(d.day for d in history.days for _ in range(d.count)) == done_days
    assert [s for _at, _id, s in moved][-2:] == ["in_progress", "done"]
    assert second.starts_on <= moved[-2][0].date() <= moved[-1][0].date() <= second.ends_on


def test_a_refused_play_writes_no_sprint_and_an_old_run_gets_its_team(db: Database) -> None:
    tina = actor(make_user(db, "tina@example.org"))
    run = services.start_run(db.uow(), actor=tina, scenario="public", seed=SEED)
    with db.uow() as uow:  # a run started before sprints were recorded had no team
        uow.session.execute(delete(Team).where(Team.product_id == run.product_id))
        uow.session.execute(
            delete(SprintSettings).where(SprintSettings.product_id == run.product_id)
        )
        uow.commit()
    with pytest.raises(Invalid):
        services.play_sprint(db.uow(), actor=tina, run_id=run.id, decisions={"goal": ""})
    assert _count(db, Sprint, product_id=run.product_id) == 0
    assert _count(db, Team, product_id=run.product_id) == 0
    assert _count(db, SnapshotDay, product_id=run.product_id) == 0
    for goal in GOALS:
        _play(db, tina, run.id, goal)
    with db.reader() as uow:
        team = uow.session.scalars(select(Team).filter_by(product_id=run.product_id)).one()
        members = list(uow.session.scalars(select(TeamMember.user_id).filter_by(team_id=team.id)))
        sprints = list(uow.session.scalars(select(Sprint).filter_by(product_id=run.product_id)))
        length = uow.session.get_one(SprintSettings, run.product_id).length_days
    assert members == [tina.id] and length == 14
    assert sorted(s.name for s in sprints) == ["Sprint 1", "Sprint 2"]
    assert {s.team_id for s in sprints} == {team.id}
    assert _count(db, SnapshotDay, product_id=run.product_id) == 2 * length + 1, "one a day"
    today = queries.today_utc()  # the nightly job leaves the simulated calendar alone
    assert run.product_id not in queries.products_missing_day(db.reader(), day=today)
    assert run.product_id not in queries.list_product_ids(db.reader())
