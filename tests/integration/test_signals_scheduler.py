"""The hourly market watch of the server (SQLite), next to `jalon watch fetch` for cron."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from jalon.products import services as products
from jalon.settings import Settings
from jalon.signals import scheduler, services
from jalon.signals.models import FeedEntry
from jalon.uow import Database
from tests.integration.test_signals_watch import FeedServer
from tests.support.helpers import actor, make_user


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.close()


def test_it_runs_only_on_sqlite_and_only_when_enabled(settings: Settings) -> None:
    assert scheduler.enabled(settings) == settings.is_sqlite
    assert not scheduler.enabled(replace(settings, watch_in_server=False))


def _entries(db: Database) -> int:
    with db.reader() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(FeedEntry)) or 0)


def test_the_server_fetches_the_feeds_in_the_background(
    settings: Settings, db: Database, feed_server: FeedServer
) -> None:
    if not settings.is_sqlite:
        pytest.skip("the embedded market watch runs on SQLite; PostgreSQL uses cron")
    po = actor(make_user(db, "po@example.org"))
    pid = products.create_product(db.uow(), actor=po, name="Atlas").id
    values = {"name": "Rival", "url": feed_server.url("/competitor.atom")}
    services.create_feed(db.uow(), actor=po, product_id=pid, values=values)

    async def serve_briefly() -> int:
        async with scheduler.running(settings, db, first_delay=0, every=3600):
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:  # wait for the background round, not a guess
                if found := await asyncio.to_thread(_entries, db):
                    return found
                await asyncio.sleep(0.05)
        return 0

    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(lambda: asyncio.run(serve_briefly())).result() == 3
    assert len(feed_server.requests) == 1  # one round, then it waits an hour
