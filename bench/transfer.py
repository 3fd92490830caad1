"""CSV import and JSON export of a 100,000-item backlog, on SQLite and PostgreSQL.

Writes a Jira-like CSV (epics → features → stories, one epic per 100 rows and one feature
per 10, French and English text, labels, dates; newest first as Jira exports it, so most
parents come after their children), then runs each import in a fresh process that reports
its own time and peak resident memory (`resource.getrusage`). A smaller file is imported
first: if memory grew with the file, the two peaks would differ by far more than the
size of the key index. Then the product is exported as JSON (to /dev/null), timed.

    .venv/bin/python -m bench.transfer --engine sqlite --rows 100000
    .venv/bin/python -m bench.transfer --engine postgresql

Figures go to docs/benchmarks.md (targets: import ≤ 60 s, memory flat; export ≤ 15 s).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.backlog_data import POINTS, TAGS, THEMES, WANTS_EN, WANTS_FR, _story

HEADER = ["Issue key", "Issue id", "Summary", "Issue Type", "Status", "Priority",
          "Story Points", "Parent", "Labels", "Labels", "Sprint", "Created", "Resolved",
          "Description"]  # fmt: skip
STATUSES = ("To Do", "To Do", "Selected for Development", "In Progress", "Done")
PRIORITIES = ("Highest", "High", "Medium", "Medium", "Low")


def _row(i: int, rng: random.Random, start: datetime) -> list[str]:
    if i % 100 == 0:
        kind, parent = "Epic", ""
        title, desc = f"Epic {i // 100}: {rng.choice(THEMES)}", "Grand thème du trimestre"
    elif i % 10 == 0:
        kind, parent = "Feature", f"CAR-{(i // 100) * 100 + 1}"
        title, desc = f"Feature {i // 10}: {rng.choice(WANTS_EN)}", rng.choice(WANTS_FR)
    else:
        kind, parent = ("Bug" if rng.random() < 0.1 else "Story"), f"CAR-{(i // 10) * 10 + 1}"
        title, desc, criteria = _story(rng)
        desc = f"{desc}\n\n{criteria}"
    status = rng.choice(STATUSES)
    created = start + timedelta(minutes=7 * i)
    points = str(rng.choice(POINTS)) if kind in ("Story", "Bug") else ""
    return [
        f"CAR-{i + 1}", str(10_000 + i), f"{title} #{i}"[:200], kind, status,
        rng.choice(PRIORITIES), points, parent, rng.choice(TAGS),
        rng.choice(TAGS) if rng.random() < 0.3 else "", f"Sprint {i // 500 + 1}",
        created.strftime("%d/%b/%y %I:%M %p"),
        (created + timedelta(days=3)).strftime("%d/%b/%y %I:%M %p") if status == "Done" else "",
        desc,
    ]  # fmt: skip


def generate(path: Path, rows: int, seed: int = 5) -> int:
    """Write the CSV, newest rows first, a row at a time; return its size in bytes."""
    start = datetime(2023, 1, 2, 9, 0, tzinfo=UTC)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in reversed(range(rows)):
            rng = random.Random(seed * 1_000_003 + i)  # noqa: S311 (test data, not secrets)
            writer.writerow(_row(i, rng, start))
    return path.stat().st_size


def _peak_mib() -> float:
    """This process's peak resident memory. ru_maxrss counts from the fork, so the worker
    also reads the kernel's high-water mark of its own address space (VmHWM, Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return peak
    found = [line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")]
    return int(found[0]) / 1024 if found else peak


def worker(settings_json: str, product_id: int, file: str) -> None:
    """One import, then one JSON export, in this process; prints the figures as JSON."""
    from jalon.permissions import CLI_ACTOR
    from jalon.settings import load_settings
    from jalon.transfer import queries, services
    from jalon.uow import Database

    database = Database(load_settings({}, overrides=json.loads(settings_json)))
    baseline = _peak_mib()
    started = time.perf_counter()
    with open(file, "rb") as stream:
        report = services.import_file(
            database.uow(), actor=CLI_ACTOR, product_id=product_id, stream=stream,
            filename=Path(file).name,
        )  # fmt: skip
    import_s = time.perf_counter() - started
    import_peak = _peak_mib()
    started = time.perf_counter()
    _name, chunks = queries.export_product(
        database.reader(), actor=CLI_ACTOR, product_id=product_id, export_format="json"
    )
    size = 0
    with open("/dev/null", "w", encoding="utf-8") as out:
        for chunk in chunks:
            size += len(chunk)
            out.write(chunk)
    print(json.dumps({
        "created": report.created, "import_s": round(import_s, 1),
        "rss_before_import_mib": round(baseline), "rss_peak_import_mib": round(import_peak),
        "export_json_s": round(time.perf_counter() - started, 1),
        "export_mib": round(size / 2**20, 1), "rss_peak_after_export_mib": round(_peak_mib()),
    }))  # fmt: skip
    database.dispose()


def _prepare(overrides: dict[str, Any], names: list[str]) -> list[int]:
    from jalon import db as db_module
    from jalon.permissions import CLI_ACTOR
    from jalon.products import services as products
    from jalon.settings import load_settings
    from jalon.uow import Database

    database = Database(load_settings({}, overrides=overrides))
    db_module.upgrade(database.engine)
    ids = [products.create_product(database.uow(), actor=CLI_ACTOR, name=n).id for n in names]
    database.dispose()
    return ids


def _import(overrides: dict[str, Any], product_id: int, file: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.transfer", "--worker", json.dumps(overrides),
               str(product_id), str(file)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run(engine: str, rows: int, small: int) -> dict[str, Any]:
    from tests.support.pg import PostgresServer

    folder = Path(tempfile.mkdtemp(prefix="jalon-bench-transfer-"))
    pg = PostgresServer() if engine == "postgresql" else None
    overrides: dict[str, Any] = {"data_dir": str(folder / "data"), "secret_key": "bench"}
    if pg is not None:
        overrides["database_url"] = pg.start()
    try:
        sizes = {n: generate(folder / f"jira-{n}.csv", n) for n in (small, rows)}
        small_id, big_id = _prepare(overrides, ["Small", "Big"])
        results = {
            "small": {"rows": small, "mib": round(sizes[small] / 2**20, 1),
                      **_import(overrides, small_id, folder / f"jira-{small}.csv")},
            "big": {"rows": rows, "mib": round(sizes[rows] / 2**20, 1),
                    **_import(overrides, big_id, folder / f"jira-{rows}.csv")},
        }  # fmt: skip
    finally:
        if pg is not None:
            pg.stop()
    return {"engine": engine, **results}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=20_000)
    args = parser.parse_args()
    print(json.dumps(run(args.engine, args.rows, args.small), indent=2))


if __name__ == "__main__":
    main()
