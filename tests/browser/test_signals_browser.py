"""Market watch in Chromium: follow a real-world RSS feed and a broken one, write a
watchlist, fetch now (the broken feed says why, the other one still gives signals), then
watch a signal in place, link it to an opportunity and turn it into a backlog item."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.live import ADMIN_EMAIL, NO_PROXY, PASSWORD, ApiSeed, LiveServer
from tests.integration.test_signals_watch import FeedServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(live: ApiSeed) -> tuple[LiveServer, str]:
    return live.server, live.token


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    served = FeedServer()
    yield served
    served.close()


def _call(server: tuple[LiveServer, str], path: str, body: Any) -> Any:
    live, token = server
    request = urllib.request.Request(
        f"{live.url}/api/v1{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with NO_PROXY.open(request, timeout=10) as response:
        return json.loads(response.read())


def _sign_in(page: Page, live: LiveServer) -> None:
    page.goto(f"{live.url}/login")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live.url}/products")


def test_follow_feeds_fetch_and_triage_a_signal(
    server: tuple[LiveServer, str], feeds: FeedServer, page: Page
) -> None:
    live, _token = server
    pid = int(_call(server, "/products", {"name": "Atlas"})["id"])
    outcome = _call(server, f"/products/{pid}/tree/nodes", {"kind": "outcome", "title": "Grow"})
    _call(
        server,
        f"/products/{pid}/tree/nodes",
        {"kind": "opportunity", "parent_id": outcome["id"], "title": "Partners want our data"},
    )
    _sign_in(page, live)
    page.goto(f"{live.url}/products/{pid}")
    page.get_by_role("link", name="Signals").click()
    page.get_by_role("link", name="Add feeds and watchlists").click()
    for name, path in (("Regulator news", "/regulator.xml"), ("Old blog", "/gone.xml")):
        page.get_by_label("Name", exact=False).first.fill(name)
        page.get_by_label("Feed address").fill(feeds.url(path))
        page.get_by_label("Kind").select_option("regulator")
        page.get_by_role("button", name="Follow the feed").click()
        expect(page.get_by_role("status")).to_contain_text("The feed is saved.")
    page.get_by_label("Keywords, one per line").fill("open banking\nréglementation")
    page.locator("#wl-name").fill("Regulation")
    page.get_by_role("button", name="Create the watchlist").click()
    expect(page.get_by_role("status")).to_contain_text("The watchlist is saved")
    page.get_by_role("button", name="Fetch now").click()  # a busy status shows meanwhile
    expect(page.locator("p.notice[role=status]")).to_have_text(
        "The feeds were fetched: 3 new entries, 2 new signals."
    )
    broken = page.get_by_role("row", name=re.compile("Old blog"))
    expect(broken.get_by_role("note")).to_have_text(
        re.compile(r"Failed: The server answered HTTP 404 Not Found instead of the feed\.")
    )
    expect(page.get_by_role("row", name=re.compile("Regulator news"))).to_contain_text("OK")

    page.get_by_role("link", name="Signals", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("1 of 2 feeds failed")
    signal = page.locator(".signal", has_text="Consultation publique sur l'open banking")
    expect(signal.locator(".signal-keyword")).to_have_text(["open banking"])
    signal.get_by_role("button", name="Watch").click()  # swapped in place by HTMX
    expect(signal.locator(".signal-title .badge")).to_have_text("Watching")
    expect(signal.get_by_role("button", name="Watch")).to_have_count(0)
    signal.get_by_label("Opportunity").select_option(label="Partners want our data")
    signal.get_by_role("button", name="Link").click()
    expect(signal).to_contain_text("Opportunity: Partners want our data")
    signal.get_by_role("button", name="Create a backlog item").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Consultation publique sur l'open banking"
    )
