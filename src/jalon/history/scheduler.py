"""The embedded scheduler: on SQLite, the server takes the daily snapshot itself.

A minute after start-up it snapshots yesterday for every product that misses it (the delay
keeps start-up quick, and short-lived test servers untouched), then sleeps until 00:05 UTC
and does it again, every day. With PostgreSQL (several workers, several machines)
it does nothing: `jalon snapshot` runs from cron instead (docs/configuration.md).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime, time, timedelta

from jalon.db import utcnow
from jalon.history import queries, services
from jalon.permissions import Actor
from jalon.settings import Settings
from jalon.uow import Database

log = logging.getLogger("jalon.history")
RUN_AT = time(0, 5)  # UTC, a little after the day it snapshots has ended
STARTUP_DELAY = 60.0  # seconds
SCHEDULER = Actor(None, "scheduler", is_admin=True)


def seconds_until_next_run(now: datetime) -> float:
    """Seconds from `now` to the next 00:05 UTC (tomorrow's if today's has passed)."""
    today_run = datetime.combine(now.date(), RUN_AT, tzinfo=UTC)
    target = today_run if now < today_run else today_run + timedelta(days=1)
    return (target - now).total_seconds()


def run_due(database: Database, *, now: datetime) -> int:
    """Snapshot yesterday for every product that misses it; the number taken."""
    today = now.date()
    day = today - timedelta(days=1)
    missing = queries.products_missing_day(database.reader(), day=day)
    if not missing:
        return 0
    results = services.take_snapshots(
        database, actor=SCHEDULER, day=day, today=today, product_ids=missing
    )
    taken = sum(1 for r in results if not r.already_taken)
    log.info("history: snapshot of %s taken for %d product(s)", day, taken)
    return taken


async def _loop(database: Database, first_delay: float) -> None:
    await asyncio.sleep(first_delay)
    while True:
        try:
            await asyncio.to_thread(run_due, database, now=utcnow())
        except Exception:  # a failed night must not stop the server, nor the next nights
            log.exception("history: the daily snapshot failed")
        await asyncio.sleep(seconds_until_next_run(utcnow()))


def enabled(settings: Settings) -> bool:
    return settings.snapshot_in_server and settings.is_sqlite


@asynccontextmanager
async def running(
    settings: Settings, database: Database, *, first_delay: float = STARTUP_DELAY
) -> AsyncIterator[None]:
    """Run the daily snapshot in the background while the app runs (the app's lifespan)."""
    if not enabled(settings):
        yield
        return
    task = asyncio.create_task(_loop(database, first_delay), name="jalon-daily-snapshot")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
