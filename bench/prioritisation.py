"""Rescore a 100,000-item backlog with a custom formula, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.prioritisation                  # both engines, 100,000 items
    .venv/bin/python -m bench.prioritisation --engine sqlite --items 20000

Each engine gets a fresh migrated database, a product seeded with `bench.backlog_data`
(epics → features → stories) and RICE and WSJF inputs for 99% of the items (seeding is
preparation, not measured). The figures are the whole use case as a user triggers it,
transaction and commit included: `services.create_formula` (check, read every input,
`evaluate_many`, one bulk insert) and `services.update_formula` with a new expression
(one read of the typed inputs and the stored scores, then only the changed scores written:
one UPDATE from arrays on PostgreSQL). For reference it also times applying RICE's order to
the whole backlog and undoing it. The issue's target for the rescore is 2 s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from tests.support.pg import PostgresServer

from bench.backlog_data import seed_backlog
from jalon import db as db_module
from jalon.accounts import services as accounts
from jalon.backlog.models import Item
from jalon.permissions import Actor
from jalon.prioritisation import rules, services
from jalon.prioritisation.models import ItemScore
from jalon.products import services as products
from jalon.settings import load_settings
from jalon.uow import Database

FORMULA = "0.6 * rice + 0.4 * wsjf * 10 + if(rice_confidence < 0.5, -5, 0) + log(1 + rice_reach)"
NEW_FORMULA = "(wsjf_business_value + wsjf_time_criticality) / max(rice_effort, 0.5) + rice / 100"
FIBONACCI = (1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0)


@contextmanager
def database(engine: str) -> Iterator[Database]:
    data_dir = Path(tempfile.mkdtemp(prefix="jalon-bench-prio-"))
    overrides: dict[str, Any] = {"data_dir": data_dir}
    pg = None
    if engine == "postgresql":
        pg = PostgresServer()
        overrides["database_url"] = pg.start()
    db = Database(load_settings({}, overrides=overrides))
    try:
        db_module.upgrade(db.engine)
        yield db
    finally:
        db.dispose()
        if pg is not None:
            pg.stop()


def _inputs(rng: random.Random) -> tuple[dict[str, float], dict[str, float]]:
    rice = {
        "reach": float(rng.randint(0, 20_000)),
        "impact": rng.choice((0.25, 0.5, 1.0, 2.0, 3.0)),
        "confidence": rng.choice((0.3, 0.5, 0.8, 1.0)),
        "effort": rng.choice((0.5, 1.0, 2.0, 3.0, 5.0)),
    }
    wsjf = {
        name: rng.choice(FIBONACCI)
        for name in ("business_value", "time_criticality", "risk_reduction", "job_size")
    }
    return rice, wsjf


def seed_scores(db: Database, ids: list[int], chunk: int = 10_000) -> None:
    rng = random.Random(5)  # noqa: S311 (benchmark data)
    rows: list[dict[str, Any]] = []
    for item_id in ids:
        if rng.random() < 0.01:
            continue  # 1% of the backlog is not scored yet
        for model, inputs in zip(("rice", "wsjf"), _inputs(rng), strict=True):
            value = rules.score(model, inputs).value
            rows.append({"item_id": item_id, "model": model, "inputs": inputs, "value": value})
    with db.engine.begin() as conn:
        for start in range(0, len(rows), chunk):
            conn.execute(insert(ItemScore), rows[start : start + chunk])


def _timed(run: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


def _prepare(db: Database, items: int) -> tuple[Actor, int, float]:
    user = accounts.create_user(
        db.uow(), email="po@bench.example", name="PO", password=None, is_admin=True
    )
    po = Actor(user.id, user.label, is_admin=True)
    pid = products.create_product(db.uow(), actor=po, name="Big").id
    started = time.perf_counter()
    ids = seed_backlog(db.engine, pid, items)
    seed_scores(db, ids)
    return po, pid, time.perf_counter() - started


def run(engine: str, *, items: int, runs: int) -> dict[str, Any]:
    with database(engine) as db:
        po, pid, seeded = _prepare(db, items)
        create_s, saved = _timed(
            lambda: services.create_formula(
                db.uow(), actor=po, product_id=pid, name="Weighted", expression=FORMULA
            )
        )
        updates = []
        for n in range(runs):
            expression = NEW_FORMULA if n % 2 == 0 else FORMULA
            seconds, _ = _timed(
                lambda e=expression: services.update_formula(  # type: ignore[misc]
                    db.uow(), actor=po, product_id=pid, key="weighted", expression=e
                )
            )
            updates.append(seconds)
        apply_s, applied = _timed(
            lambda: services.apply_order(db.uow(), actor=po, product_id=pid, model="rice")
        )
        undo_s, _ = _timed(
            lambda: services.undo_order(
                db.uow(), actor=po, product_id=pid, snapshot_id=applied.snapshot.id
            )
        )
        with db.reader() as uow:
            count = len(list(uow.session.scalars(select(Item.id).where(Item.product_id == pid))))
    return {
        "engine": engine,
        "items": count,
        "seed_s": seeded,
        "scored": saved.scored,
        "failed": saved.failed,
        "create_s": create_s,
        "update_median_s": statistics.median(updates),
        "update_max_s": max(updates),
        "apply_order_s": apply_s,
        "undo_order_s": undo_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    engines = ("sqlite", "postgresql") if args.engine == "both" else (args.engine,)
    print(f"Formula: {FORMULA}\nThen, alternately: {NEW_FORMULA}\n")
    print("| engine | items | scored | save formula (s) | rescore, median (s) | max (s) "
          "| apply order (s) | undo (s) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for engine in engines:
        r = run(engine, items=args.items, runs=args.runs)
        print(
            f"| {r['engine']} | {r['items']:,} | {r['scored']:,} | {r['create_s']:.2f} "
            f"| {r['update_median_s']:.2f} | {r['update_max_s']:.2f} "
            f"| {r['apply_order_s']:.2f} | {r['undo_order_s']:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
