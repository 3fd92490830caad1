"""Two years of realistic item history for bench/charts.py, written straight to the
snapshot tables in bulk (not by running the daily job 730 times).

Each item is created on a random day, becomes ready, is planned into the 2-week sprint in
which it starts, is worked on for a few days (spilling into the next sprint when it runs
over), and is done (85%), rejected (5%) or still waiting at the end. One in ten is
re-estimated before it starts. Same-day events collapse into one row, exactly as the job
would store them. Daily tallies (product and sprints) and completions are derived from
the same events, and the items table ends in each item's final state.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import bindparam, insert, update

from jalon.backlog.models import Item
from jalon.history import store
from jalon.history.models import DailySprintStatus, DailyStatus, SnapshotDay
from jalon.sprints.models import Sprint, Team
from jalon.uow import Database

STATUSES = ("new", "ready", "in_progress", "done", "rejected")
SPRINT_DAYS = 14
FIBONACCI = (1.0, 2.0, 3.0, 5.0, 8.0, 13.0)
State = tuple[str, float | None, int | None]  # status, estimate, sprint index (or None)


@dataclass
class History:
    first_day: date
    days: int
    events: dict[int, list[tuple[int, State]]]  # item id -> [(day index, state)], collapsed
    completions: list[tuple[int, int, int]]  # item id, start day index, done day index


def _life(rng: random.Random, days: int) -> list[tuple[int, State]]:
    created = rng.randrange(days)
    estimate = rng.choice(FIBONACCI)
    out: list[tuple[int, State]] = [(created, ("new", estimate, None))]
    if rng.random() < 0.05:
        out.append((created + rng.randint(1, 40), ("rejected", estimate, None)))
        return out
    ready = created + int(rng.expovariate(1 / 20))
    out.append((ready, ("ready", estimate, None)))
    start = ready + int(rng.expovariate(1 / 30))
    if rng.random() < 0.1:
        estimate = rng.choice(FIBONACCI)
        out.append((rng.randint(ready, start), ("ready", estimate, None)))
    sprint = start // SPRINT_DAYS
    out.append((max(ready, sprint * SPRINT_DAYS - 1), ("ready", estimate, sprint)))
    done = start + min(int(rng.lognormvariate(1.3, 0.7)), 60)
    out.append((start, ("in_progress", estimate, sprint)))
    while done >= (sprint + 1) * SPRINT_DAYS:  # spill-over into the next sprint
        sprint += 1
        out.append((sprint * SPRINT_DAYS, ("in_progress", estimate, sprint)))
    if rng.random() < 0.995:  # a few items are abandoned in progress
        out.append((done, ("done", estimate, sprint)))
    return out


def _collapse(events: list[tuple[int, State]], days: int) -> list[tuple[int, State]]:
    """Events up to the last day, sorted; the last state of a day wins; unchanged days drop."""
    by_day: dict[int, State] = {}
    for day, state in sorted(events, key=lambda e: e[0]):
        if day < days:
            by_day[day] = state
    out: list[tuple[int, State]] = []
    for day, state in sorted(by_day.items()):
        if not out or out[-1][1] != state:
            out.append((day, state))
    return out


def simulate(item_ids: Sequence[int], *, days: int, first_day: date, seed: int = 3) -> History:
    rng = random.Random(seed)  # noqa: S311 (benchmark data)
    events: dict[int, list[tuple[int, State]]] = {}
    completions = []
    for item_id in item_ids:
        life = _collapse(_life(rng, days), days)
        events[item_id] = life
        start = next((d for d, s in life if s[0] == "in_progress"), None)
        for day, (status, _e, _s) in life:
            if status == "done":
                completions.append((item_id, start if start is not None else day, day))
    return History(first_day, days, events, completions)


def _tallies(history: History, sprints: int) -> tuple[np.ndarray, np.ndarray]:
    """Items and points per (sprint index + 1, day, status); sprint 0 = no sprint."""
    shape = (sprints + 1, history.days + 1, len(STATUSES))
    counts, points = np.zeros(shape), np.zeros(shape)
    index = {s: i for i, s in enumerate(STATUSES)}
    for life in history.events.values():
        previous: State | None = None
        for day, state in life:
            if previous is not None:
                cell = (0 if previous[2] is None else previous[2] + 1, day, index[previous[0]])
                counts[cell] -= 1
                points[cell] -= previous[1] or 0
            cell = (0 if state[2] is None else state[2] + 1, day, index[state[0]])
            counts[cell] += 1
            points[cell] += state[1] or 0
            previous = state
    return counts.cumsum(axis=1), points.cumsum(axis=1)


def write(db: Database, product_id: int, history: History) -> int:
    """Store the history (snapshots, tallies, completions, sprints) and the items' final
    state; returns the number of snapshot rows."""
    sprints = history.days // SPRINT_DAYS + 1
    sprint_ids = _sprints(db, product_id, history.first_day, sprints)
    day = [(history.first_day + timedelta(n)).isoformat() for n in range(history.days)]
    rows: list[tuple[Any, ...]] = []
    for item_id, life in history.events.items():
        for n, (status, estimate, sprint) in life:
            sid = None if sprint is None else sprint_ids[sprint]
            rows.append((item_id, day[n], status, estimate, sid, None, "story", False))
    counts, points = _tallies(history, sprints)
    with db.uow() as uow:
        store.insert_snapshots(uow, product_id, rows)
        store.upsert_heads(uow, product_id, _heads(history, sprint_ids, day))
        store.insert_completions(
            uow,
            product_id,
            [(i, "story", None, day[s], day[d], d - s + 1) for i, s, d in history.completions],
        )
        _write_tallies(uow, product_id, history, counts, points, sprint_ids)
        uow.session.execute(
            insert(SnapshotDay),
            [
                {
                    "product_id": product_id,
                    "day": history.first_day + timedelta(n),
                    "items": 0,
                    "changed": 0,
                }
                for n in range(history.days)
            ],
        )
        _final_states(uow, history, sprint_ids)
        uow.commit()
    return len(rows)


def _heads(history: History, sprint_ids: list[int], day: list[str]) -> list[tuple[Any, ...]]:
    """Each item's latest row, with the first day of its final run in progress."""
    out = []
    for item_id, life in history.events.items():
        last_day, (status, estimate, sprint) = life[-1]
        since = None
        for d, state in reversed(life):
            if state[0] != "in_progress":
                break
            since = d
        sid = None if sprint is None else sprint_ids[sprint]
        out.append(
            (
                item_id,
                day[last_day],
                status,
                estimate,
                sid,
                None,
                "story",
                False,
                day[since] if since is not None else None,
            )
        )
    return out


def _sprints(db: Database, product_id: int, first_day: date, count: int) -> list[int]:
    with db.uow() as uow:
        team = Team(product_id=product_id, name="Bench team")
        uow.add(team)
        uow.flush()
        sprints = [
            Sprint(
                product_id=product_id,
                team_id=team.id,
                name=f"Sprint {k + 1}",
                goal="Bench",
                starts_on=first_day + timedelta(k * SPRINT_DAYS),
                ends_on=first_day + timedelta(k * SPRINT_DAYS + SPRINT_DAYS - 1),
                state="closed",
            )
            for k in range(count)
        ]
        for sprint in sprints:
            uow.add(sprint)
        uow.flush()
        ids = [s.id for s in sprints]
        uow.commit()
    return ids


def _write_tallies(
    uow: Any,
    product_id: int,
    history: History,
    counts: np.ndarray,
    points: np.ndarray,
    sprint_ids: list[int],
) -> None:
    product_rows, sprint_rows = [], []
    for n in range(history.days):
        day = history.first_day + timedelta(n)
        total_c, total_p = counts[:, n, :].sum(axis=0), points[:, n, :].sum(axis=0)
        for k, status in enumerate(STATUSES):
            if total_c[k] > 0:
                product_rows.append(
                    {
                        "product_id": product_id,
                        "day": day,
                        "status": status,
                        "items": int(total_c[k]),
                        "points": float(total_p[k]),
                    }
                )
        for sprint, sid in enumerate(sprint_ids):
            start = sprint * SPRINT_DAYS
            if not start - 1 <= n <= start + SPRINT_DAYS - 1:
                continue
            for k, status in enumerate(STATUSES):
                if counts[sprint + 1, n, k] > 0:
                    sprint_rows.append(
                        {
                            "sprint_id": sid,
                            "day": day,
                            "status": status,
                            "items": int(counts[sprint + 1, n, k]),
                            "points": float(points[sprint + 1, n, k]),
                        }
                    )
    uow.session.execute(insert(DailyStatus), product_rows)
    if sprint_rows:
        uow.session.execute(insert(DailySprintStatus), sprint_rows)


def _final_states(uow: Any, history: History, sprint_ids: list[int]) -> None:
    finals = []
    for item_id, life in history.events.items():
        status, estimate, sprint = life[-1][1]
        sid = None if sprint is None else sprint_ids[sprint]
        finals.append(
            {
                "b_id": item_id,
                "b_status": status,
                "b_estimate": estimate,
                "b_sprint": sid,
                "b_type": "story",
                "b_parent": None,
            }
        )
    stmt = (
        update(Item)
        .where(Item.id == bindparam("b_id"))
        .values(
            status=bindparam("b_status"),
            estimate=bindparam("b_estimate"),
            sprint_id=bindparam("b_sprint"),
            type=bindparam("b_type"),
            parent_id=bindparam("b_parent"),
        )
    )
    uow.session.connection().execute(stmt, finals)
