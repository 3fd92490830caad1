"""Reports in Chromium: a product's history, snapshotted by `jalon snapshot` while the server
runs, shown as accessible charts with their tables and downloads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.live import ADMIN_EMAIL, PASSWORD, ApiSeed, LiveServer, jalon

pytestmark = pytest.mark.browser


Seed = ApiSeed


@pytest.fixture(scope="module")
def seed(live: ApiSeed) -> Seed:
    return live


def _history(seed: Seed) -> int:
    """A product whose items moved over three days, each day snapshotted from the CLI."""
    pid = int(seed.call("POST", "/products", {"name": "Atlas"})["id"])
    ids = [
        int(seed.call("POST", f"/products/{pid}/items", {"title": t, "estimate": 3})["id"])
        for t in ("Export invoices", "Dark mode", "Sign up with Google")
    ]
    today = datetime.now(UTC).date()
    moves = [(ids[0], "in_progress"), (ids[0], "done"), (ids[1], "in_progress")]
    for offset, (item_id, status) in zip((3, 2, 1), moves, strict=True):
        out = jalon(
            seed.server.data_dir,
            "snapshot",
            "--product",
            str(pid),
            "--date",
            (today - timedelta(offset)).isoformat(),
        )
        assert "snapshot of" in out
        seed.call("PATCH", f"/items/{item_id}", {"status": status})
    return pid


def _sign_in(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}/products")


def test_the_reports_page_shows_charts_tables_and_downloads(seed: Seed, page: Page) -> None:
    pid = _history(seed)
    _sign_in(page, seed.server)
    page.goto(f"{seed.server.url}/products/{pid}")
    page.get_by_role("link", name="Reports").click()
    expect(page).to_have_url(f"{seed.server.url}/products/{pid}/reports")

    for name in ("Cumulative flow", "Cycle time", "Throughput", "Aging work in progress"):
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
        expect(page.get_by_role("img", name=name, exact=True)).to_be_visible()
    cycle = page.locator("#cycle-time")
    expect(cycle.get_by_role("table")).to_be_hidden()
    cycle.get_by_text("Show the figures as a table").click()
    expect(cycle.get_by_role("row", name="Export invoices")).to_be_visible()
    aging = page.locator("#aging-wip")
    aging.get_by_text("Show the figures as a table").click()
    expect(aging.get_by_role("row", name="Dark mode")).to_be_visible()
    page.screenshot(path=str(seed.server.data_dir.parent / "reports.png"), full_page=True)

    svg_link = page.locator("#cumulative-flow").get_by_role("link", name="SVG")
    download = page.request.get(f"{seed.server.url}{svg_link.get_attribute('href')}")
    assert download.ok and download.body().startswith(b"<svg")

    start = (datetime.now(UTC).date() - timedelta(7)).isoformat()
    page.get_by_label("First day").fill(start)
    page.get_by_label("Throughput per").select_option("week")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(
        f"{seed.server.url}/products/{pid}/reports?start={start}"
        f"&end={datetime.now(UTC).date().isoformat()}&per=week"
    )
    expect(page.get_by_role("img", name="Throughput")).to_be_visible()
