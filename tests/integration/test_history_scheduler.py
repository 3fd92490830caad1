"""The daily snapshot outside a request: the server's own scheduler (SQLite) and
`jalon snapshot` for cron, on both engines."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner

from jalon.backlog import services as backlog
from jalon.cli import main
from jalon.history import queries, scheduler
from jalon.permissions import Actor
from jalon.products import services as products
from jalon.settings import Settings
from jalon.uow import Database
from tests.support.helpers import actor, make_user


def _product(db: Database, name: str = "Atlas") -> tuple[Actor, int]:
    po = actor(make_user(db, f"po-{name.lower()}@example.org"))
    pid = products.create_product(db.uow(), actor=po, name=name).id
    backlog.create_item(db.uow(), actor=po, product_id=pid, values={"title": "Export"})
    return po, pid


def test_the_scheduler_snapshots_yesterday_once_for_every_product(db: Database) -> None:
    _po, first = _product(db, "Atlas")
    _po, second = _product(db, "Borealis")
    now = datetime(2026, 4, 2, 0, 5, tzinfo=UTC)
    assert scheduler.run_due(db, now=now) == 2
    for pid in (first, second):
        assert queries.last_snapshot_day(db.reader(), product_id=pid) == date(2026, 4, 1)
    assert scheduler.run_due(db, now=now + timedelta(hours=3)) == 0  # nothing missing


@pytest.mark.parametrize(
    ("now", "seconds"),
    [
        (datetime(2026, 4, 2, 23, 0, tzinfo=UTC), 65 * 60),
        (datetime(2026, 4, 2, 0, 0, tzinfo=UTC), 5 * 60),
        (datetime(2026, 4, 2, 0, 5, tzinfo=UTC), 24 * 3600),
    ],
)
def test_the_next_run_is_at_five_past_midnight_utc(now: datetime, seconds: float) -> None:
    assert scheduler.seconds_until_next_run(now) == seconds


def test_it_runs_only_on_sqlite_and_only_when_enabled(settings: Settings) -> None:
    assert scheduler.enabled(settings) == settings.is_sqlite
    assert not scheduler.enabled(replace(settings, snapshot_in_server=False))


def test_the_app_takes_the_missing_snapshot_in_the_background(
    settings: Settings, db: Database
) -> None:
    if not settings.is_sqlite:
        pytest.skip("the embedded scheduler runs on SQLite; PostgreSQL uses cron")
    _po, pid = _product(db)

    async def serve_briefly() -> date | None:
        async with scheduler.running(settings, db, first_delay=0):
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:  # wait for the background pass, not a guess
                day = await asyncio.to_thread(
                    queries.last_snapshot_day, db.reader(), product_id=pid
                )
                if day is not None:
                    return day
                await asyncio.sleep(0.05)
        return None

    # A thread of its own: the test's thread may hold another event loop (Playwright's).
    with ThreadPoolExecutor(max_workers=1) as pool:
        taken = pool.submit(lambda: asyncio.run(serve_briefly())).result()
    assert taken == queries.today_utc() - timedelta(days=1)


def _cli(settings: Settings, *args: str) -> tuple[int, str]:
    env = {"JALON_DATABASE_URL": settings.database_url} if settings.database_url else {}
    result = CliRunner(env=env).invoke(main, ["--data-dir", str(settings.data_dir), *args])
    return result.exit_code, result.output


def test_jalon_snapshot_takes_a_day_once_and_refuses_bad_dates(
    settings: Settings, db: Database
) -> None:
    _po, pid = _product(db)
    code, out = _cli(settings, "snapshot", "--product", str(pid), "--date", "2026-03-02")
    assert code == 0 and f"Product {pid}: snapshot of 2026-03-02 taken; 1 items" in out
    code, out = _cli(settings, "snapshot", "--date", "2026-03-02")
    assert code == 0 and "was taken already" in out
    code, out = _cli(settings, "snapshot", "--product", str(pid), "--date", "2026-03-01")
    assert code == 2 and "history is only ever added to" in out
    code, out = _cli(settings, "snapshot", "--date", "tomorrow")
    assert code == 2 and "YYYY-MM-DD" in out
    code, out = _cli(settings, "snapshot")  # yesterday, every product
    assert code == 0 and "taken" in out
