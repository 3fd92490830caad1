"""`jalon watch fetch`, through the command in-process, against a local feed server: one line
per feed, a broken feed named with its reason, exit code 1 when a feed failed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jalon import db as db_module
from jalon.permissions import CLI_ACTOR
from jalon.products import services as products
from jalon.signals import services
from jalon.uow import Database
from tests.integration.test_signals_watch import FeedServer
from tests.support.processes import Target


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.close()


def _product(target: Target, feeds: dict[str, str]) -> int:
    database = Database(target.settings())
    db_module.upgrade(database.engine)
    pid = products.create_product(database.uow(), actor=CLI_ACTOR, name="Atlas").id
    services.create_watchlist(
        database.uow(), actor=CLI_ACTOR, product_id=pid, name="W", keywords="open banking"
    )
    for name, url in feeds.items():
        values = {"name": name, "url": url, "kind": "regulator"}
        services.create_feed(database.uow(), actor=CLI_ACTOR, product_id=pid, values=values)
    database.dispose()
    return pid


def test_watch_fetch_reports_each_feed(target: Target, feed_server: FeedServer) -> None:
    pid = _product(
        target,
        {"Regulator": feed_server.url("/regulator.xml"), "Gone": feed_server.url("/gone.xml")},
    )
    first = target.invoke("watch", "fetch", "--product", str(pid))
    assert first.returncode == 1, first.stderr  # a feed failed
    assert "feed 1 (Regulator): 3 new entries, 1 new signals." in first.stdout
    assert "feed 2 (Gone): failed. The server answered HTTP 404 Not Found" in first.stdout
    again = target.invoke("watch", "fetch")
    assert "feed 1 (Regulator): not modified." in again.stdout


def test_watch_fetch_with_nothing_to_fetch(sqlite_target: Target) -> None:
    _product(sqlite_target, {})
    done = sqlite_target.invoke("watch", "fetch")
    assert done.returncode == 0 and "No active feed to fetch." in done.stdout
    missing = sqlite_target.invoke("watch", "fetch", "--product", "99")
    assert missing.returncode == 4 and "does not exist" in missing.stderr
