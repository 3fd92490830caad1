"""The embedded market watch: on SQLite, the server fetches the feeds itself, every hour.

A minute after start-up (so start-up stays quick and short-lived test servers never touch
the network), then every hour, it fetches the active feeds of every product. With
PostgreSQL (several workers, several machines) it does nothing: `jalon watch fetch` runs
from cron instead. `JALON_WATCH_IN_SERVER=false` turns it off (docs/configuration.md).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from jalon.permissions import Actor
from jalon.settings import Settings
from jalon.signals import services
from jalon.uow import Database

log = logging.getLogger("jalon.signals")
EVERY = 3600.0  # seconds between two rounds
STARTUP_DELAY = 60.0  # seconds
SCHEDULER = Actor(None, "market watch", is_admin=True)


def run_round(database: Database) -> int:
    """Fetch every active feed once; the number of new signals."""
    reports = services.fetch_feeds(database, actor=SCHEDULER)
    failed = [r for r in reports if r.error_code]
    found = sum(r.new_signals for r in reports)
    if reports:
        log.info(
            "market watch: %d feed(s) fetched, %d failed, %d new signal(s)",
            len(reports), len(failed), found,
        )  # fmt: skip
    return found


async def _loop(database: Database, first_delay: float, every: float) -> None:
    await asyncio.sleep(first_delay)
    while True:
        try:
            await asyncio.to_thread(run_round, database)
        except Exception:  # a failed round must not stop the server, nor the next rounds
            log.exception("market watch: the round of feeds failed")
        await asyncio.sleep(every)


def enabled(settings: Settings) -> bool:
    return settings.watch_in_server and settings.is_sqlite


@asynccontextmanager
async def running(
    settings: Settings,
    database: Database,
    *,
    first_delay: float = STARTUP_DELAY,
    every: float = EVERY,
) -> AsyncIterator[None]:
    """Fetch the feeds in the background while the app runs (the app's lifespan)."""
    if not enabled(settings):
        yield
        return
    task = asyncio.create_task(_loop(database, first_delay, every), name="jalon-market-watch")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
