"""Charts on two years of daily history of 100,000 items, and the daily snapshot job.

    .venv/bin/python -m bench.charts                                # both engines, full size
    .venv/bin/python -m bench.charts --engine sqlite --items 20000 --days 365 --runs 5

Each engine gets a fresh migrated database and a product seeded with `bench.backlog_data`;
`bench.charts_data` then writes two years of history straight to the snapshot tables
(creation, readiness, planning into 2-week sprints, re-estimation, work, spill-over, done;
preparation, not measured). Measured, server side, as the reports page does it (read the
figures, build the chart definition, render its SVG): every product chart over the default
90-day range, and the burndown and burnup of the last sprint, p50/p95 over `--runs` runs.
Then 2% of the items change and the daily snapshot job runs for today (target ≤ 5 s), and
once more (idempotent: nothing written). The issue's target for each chart is 300 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, update

from bench.backlog_data import seed_backlog
from bench.charts_data import simulate, write
from bench.prioritisation import database
from jalon.accounts import services as accounts
from jalon.backlog.models import Item
from jalon.charts.svg import render_svg
from jalon.history import queries, reports, services
from jalon.history.models import ItemSnapshot
from jalon.permissions import Actor
from jalon.products import services as products
from jalon.sprints.models import Sprint
from jalon.uow import Database


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def _prepare(db: Database, items: int, days: int) -> tuple[Actor, int, int, float]:
    user = accounts.create_user(
        db.uow(), email="po@bench.example", name="PO", password=None, is_admin=True
    )
    po = Actor(user.id, user.label, is_admin=True)
    pid = products.create_product(db.uow(), actor=po, name="Big").id
    started = time.perf_counter()
    ids = seed_backlog(db.engine, pid, items)
    today = queries.today_utc()
    history = simulate(ids, days=days, first_day=today - timedelta(days))
    rows = write(db, pid, history)
    return po, pid, rows, time.perf_counter() - started


def _time_charts(db: Database, po: Actor, pid: int, runs: int) -> dict[str, list[float]]:
    today = queries.today_utc()
    span = reports.parse_range(None, None, None, today=today)
    with db.reader() as r:
        sprint_id = r.session.scalar(
            select(Sprint.id)
            .where(Sprint.product_id == pid, Sprint.ends_on < today)
            .order_by(Sprint.ends_on.desc())
            .limit(1)
        )
    assert sprint_id is not None
    timings: dict[str, list[float]] = {}
    for _ in range(runs):
        for kind in reports.PRODUCT_KINDS:
            started = time.perf_counter()
            chart = reports.product_chart(
                db, actor=po, product_id=pid, kind=kind, span=span, today=today, gettext=str
            )
            render_svg(chart)
            timings.setdefault(kind, []).append(time.perf_counter() - started)
        for kind in reports.SPRINT_KINDS:
            started = time.perf_counter()
            chart = reports.sprint_chart(
                db,
                actor=po,
                product_id=pid,
                sprint_id=sprint_id,
                kind=kind,
                today=today,
                gettext=str,
            )
            render_svg(chart)
            timings.setdefault(kind, []).append(time.perf_counter() - started)
    return timings


def _churn(db: Database, pid: int, share: float = 0.02) -> int:
    """Change the status or the estimate of `share` of the items, as a day of work would."""
    rng = random.Random(9)  # noqa: S311 (benchmark data)
    with db.reader() as r:
        ids = list(r.session.scalars(select(Item.id).where(Item.product_id == pid)))
    picked = rng.sample(ids, int(len(ids) * share))
    changes = [
        {
            "b_id": i,
            "b_status": rng.choice(("ready", "in_progress", "done")),
            "b_estimate": rng.choice((1.0, 2.0, 3.0, 5.0, 8.0)),
        }
        for i in picked
    ]
    stmt = (
        update(Item)
        .where(Item.id == bindparam("b_id"))
        .values(status=bindparam("b_status"), estimate=bindparam("b_estimate"))
    )
    with db.engine.begin() as conn:
        conn.execute(stmt.execution_options(synchronize_session=False), changes)
    return len(picked)


def run(engine: str, *, items: int, days: int, runs: int) -> dict[str, Any]:
    with database(engine) as db:
        po, pid, _rows, seeded = _prepare(db, items, days)
        timings = _time_charts(db, po, pid, runs)
        changed = _churn(db, pid)
        today = queries.today_utc()
        started = time.perf_counter()
        first = services.take_snapshot(db.uow(), actor=po, product_id=pid, day=today, today=today)
        job_s = time.perf_counter() - started
        started = time.perf_counter()
        again = services.take_snapshot(db.uow(), actor=po, product_id=pid, day=today, today=today)
        again_s = time.perf_counter() - started
        with db.reader() as r:
            total = r.session.scalar(select(func.count()).select_from(ItemSnapshot))
    assert first.changed >= changed * 0.9 and again.already_taken
    return {
        "engine": engine,
        "items": items,
        "days": days,
        "rows": total,
        "seed_s": seeded,
        "timings": timings,
        "job_s": job_s,
        "job_rows": first.changed,
        "again_s": again_s,
        "done": first.completed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    engines = ("sqlite", "postgresql") if args.engine == "both" else (args.engine,)
    for engine in engines:
        r = run(engine, items=args.items, days=args.days, runs=args.runs)
        print(
            f"\n{r['engine']}: {r['items']:,} items, {r['days']} days of history, "
            f"{r['rows']:,} snapshot rows (seeded in {r['seed_s']:.0f} s)\n"
        )
        print("| chart | p50 (ms) | p95 (ms) | target |")
        print("|---|---|---|---|")
        for kind, values in r["timings"].items():
            p50, p95 = statistics.median(values) * 1000, _percentile(values, 95) * 1000
            print(f"| {kind} | {p50:.0f} | {p95:.0f} | ≤ 300 ms |")
        print(
            f"| daily snapshot job, {r['job_rows']:,} rows written, {r['done']:,} done "
            f"| {r['job_s'] * 1000:.0f} | — | ≤ 5 s |"
        )
        print(
            f"| the same day again (nothing written) | {r['again_s'] * 1000:.0f} | — | — |",
            flush=True,
        )


if __name__ == "__main__":
    main()
