"""Backlog at 100,000 items: first page with a filter, moves, full-text search, server memory.

A real `jalon serve` runs on a database seeded with `bench.backlog_data` (100,000 items, epics →
features → stories, French and English text, tags). One client sends each request in turn, so
the latencies are the server's own (plus a local HTTP round trip), not queueing.

    .venv/bin/python -m bench.backlog --engine sqlite --items 100000
    .venv/bin/python -m bench.backlog --engine postgresql
    .venv/bin/python -m bench.backlog --engine postgresql --only "HTML backlog"   # the page only

Figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.backlog_data import seed_backlog
from bench.http_load import PASSWORD, _call, _jalon, _sign_in, server
from jalon.settings import load_settings
from jalon.uow import Database

SEARCHES = ("paiement", "paiements carte", "notified", "running costs", "sécurité", "rgaa")


def _percentiles(samples: list[float]) -> dict[str, float]:
    q = statistics.quantiles(samples, n=100)
    return {"n": len(samples), "p50_ms": q[49], "p95_ms": q[94], "max_ms": max(samples)}


def _timed(times: int, request: Callable[[int], tuple[int, bytes]]) -> dict[str, float]:
    samples: list[float] = []
    for n in range(times):
        started = time.perf_counter()
        status, body = request(n)
        samples.append((time.perf_counter() - started) * 1000)
        if status >= 400:
            raise RuntimeError(f"request {n} failed with {status}: {body[:300]!r}")
    return _percentiles(samples)


def _peak_rss_mib(port: int) -> float:
    """Peak resident memory (VmHWM) of the server process listening on the port."""
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True, check=True)
    pids = [
        line.split()[0]
        for line in out.stdout.splitlines()[1:]
        if "jalon serve" in line and f"--port {port}" in line
    ]
    peak = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak += int(line.split()[1])
    return peak / 1024


def _seed(data_dir: Path, env: dict[str, str], product_id: int, n: int) -> tuple[list[int], float]:
    overrides: dict[str, Any] = {"data_dir": data_dir}
    if env.get("JALON_DATABASE_URL"):
        overrides["database_url"] = env["JALON_DATABASE_URL"]
    db = Database(load_settings({}, overrides=overrides))
    try:
        ids = seed_backlog(db.engine, product_id, n)
        started = time.perf_counter()
        from jalon.backlog import search  # the index is rebuilt the way an import does it

        rebuild = getattr(search, "rebuild", None)
        if rebuild is not None:
            with db.uow() as uow:
                rebuild(uow, product_id)
                uow.commit()
        return ids, time.perf_counter() - started
    finally:
        db.dispose()


def _measure(
    port: int,
    bearer: dict[str, str],
    browser: dict[str, str],
    pid: int,
    ids: list[int],
    reps: int,
    only: str | None = None,
) -> dict[str, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    rng = random.Random(3)  # noqa: S311 (a benchmark, not a secret)
    api = f"/api/v1/products/{pid}/items"

    def move(n: int) -> tuple[int, bytes]:
        item, anchor = rng.sample(ids, 2)
        body = json.dumps({"before_id": anchor}).encode()
        return _call(conn, "POST", f"/api/v1/items/{item}/move", bearer, body)

    requests: dict[str, Callable[[int], tuple[int, bytes]]] = {
        "first page, API (100 by rank, type=story)": lambda n: _call(
            conn, "GET", f"{api}?limit=100&type=story", bearer
        ),
        "first page, API (100 by rank, status=ready, tag=mobile)": lambda n: _call(
            conn, "GET", f"{api}?limit=100&status=ready&tag=mobile", bearer
        ),
        "first page, HTML backlog (type=story)": lambda n: _call(
            conn, "GET", f"/products/{pid}/backlog?type=story", browser
        ),
        "move (before another item)": move,
        "full-text search (API, q=...)": lambda n: _call(
            conn, "GET", f"{api}?limit=50&q={quote(SEARCHES[n % len(SEARCHES)])}", bearer
        ),
    }
    return {
        name: _timed(reps, request)
        for name, request in requests.items()
        if only is None or only in name
    }


def _service_moves(
    data_dir: Path, env: dict[str, str], ids: list[int], reps: int
) -> dict[str, float]:
    """The move use case itself (service call, one transaction), without HTTP and auth."""
    from jalon.backlog import services
    from jalon.permissions import CLI_ACTOR

    overrides: dict[str, Any] = {"data_dir": data_dir}
    if env.get("JALON_DATABASE_URL"):
        overrides["database_url"] = env["JALON_DATABASE_URL"]
    db = Database(load_settings({}, overrides=overrides))
    rng = random.Random(4)  # noqa: S311 (a benchmark, not a secret)
    samples: list[float] = []
    try:
        for _ in range(reps):
            item, anchor = rng.sample(ids, 2)
            started = time.perf_counter()
            where = services.Placement(before_id=anchor)
            services.move_item(db.uow(), actor=CLI_ACTOR, item_id=item, where=where)
            samples.append((time.perf_counter() - started) * 1000)
    finally:
        db.dispose()
    return _percentiles(samples)


def run(engine: str, *, items: int, reps: int, only: str | None = None) -> dict[str, Any]:
    with server(engine, 1) as (port, env, data_dir):
        _jalon(data_dir, env, "user", "add", "po@bench.example", "--admin", stdin=PASSWORD + "\n")
        token = _jalon(data_dir, env, "token", "create", "po@bench.example")
        bearer = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        _status, body = _call(
            conn, "POST", "/api/v1/products", bearer, json.dumps({"name": "Big"}).encode()
        )
        pid = json.loads(body)["id"]
        started = time.perf_counter()
        ids, index_s = _seed(data_dir, env, pid, items)
        seed_s = time.perf_counter() - started
        conn.close()  # idle during the seeding: the server has closed it
        browser = _sign_in(http.client.HTTPConnection("127.0.0.1", port, timeout=60))
        results = _measure(port, bearer, browser, pid, ids, reps, only)
        if only is None:
            results["move, service call (no HTTP)"] = _service_moves(data_dir, env, ids, reps)
        rss = _peak_rss_mib(port)
    return {
        "engine": engine,
        "items": items,
        "seed_s": round(seed_s, 1),
        "search_index_s": round(index_s, 1),
        "results": results,
        "server_peak_rss_mib": round(rss),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument(
        "--only", help="time only the requests whose name contains this, e.g. 'HTML backlog'"
    )
    args = parser.parse_args()
    result = run(args.engine, items=args.items, reps=args.reps, only=args.only)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
