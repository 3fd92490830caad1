"""The backlog list in Chromium: drag and drop that survives a reload, keyboard moves,
filters, search, a saved view and a bulk edit."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.live import ADMIN_EMAIL, NO_PROXY, PASSWORD, ApiSeed, LiveServer

pytestmark = pytest.mark.browser

TITLES = (
    "Paiement par carte",
    "Running the nightly export",
    "Écran d'accueil",
    "Bug de connexion",
    "Paiements refusés",
)


class Seed:
    def __init__(self, server: LiveServer, token: str) -> None:
        self.server, self.token = server, token

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            f"{self.server.url}/api/v1{path}",
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        with NO_PROXY.open(request, timeout=10) as response:
            return json.loads(response.read() or b"null")


@pytest.fixture(scope="module")
def seed(live: ApiSeed) -> Seed:
    return Seed(live.server, live.token)


def _product(seed: Seed, name: str) -> tuple[int, dict[str, int]]:
    pid = int(seed.call("POST", "/products", {"name": name})["id"])
    ids = {}
    for title in TITLES:
        kind = "bug" if title.startswith("Bug") else "story"
        ids[title] = int(
            seed.call("POST", f"/products/{pid}/items", {"title": title, "type": kind})["id"]
        )
    return pid, ids


def _sign_in(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}/products")


def _expect_titles(page: Page, titles: list[str]) -> None:
    """Wait until the backlog shows exactly these titles, in this order (a filter or a
    reload may still be rendering when the assertion starts)."""
    expect(page.locator("#backlog .backlog-title")).to_have_text(titles)


def test_drag_and_drop_and_keyboard_moves_survive_a_reload(seed: Seed, page: Page) -> None:
    pid, ids = _product(seed, "Ordre")
    _sign_in(page, seed.server)
    page.goto(f"{seed.server.url}/products/{pid}/backlog")
    _expect_titles(page, list(TITLES))
    last = page.locator(f"#item-{ids['Paiements refusés']}")
    with page.expect_response(re.compile(r"/api/v1/items/\d+/move")) as moved:
        last.locator(".handle").drag_to(page.locator(f"#item-{ids['Running the nightly export']}"))
    assert moved.value.ok
    page.reload()
    expected = [TITLES[0], TITLES[4], TITLES[1], TITLES[2], TITLES[3]]
    _expect_titles(page, expected)

    with page.expect_response(re.compile(r"/api/v1/items/\d+/move")):
        page.get_by_role("button", name="Move to top: Bug de connexion").click()
    expect(page.locator("#backlog .backlog-title").first).to_have_text("Bug de connexion")
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == "Move to top: Bug de connexion"  # the keyboard user keeps their place
    page.reload()
    _expect_titles(page, [TITLES[3], TITLES[0], TITLES[4], TITLES[1], TITLES[2]])


def test_filter_search_save_a_view_and_edit_in_bulk(seed: Seed, page: Page) -> None:
    pid, _ids = _product(seed, "Filtres")
    _sign_in(page, seed.server)
    page.goto(f"{seed.server.url}/products/{pid}/backlog")
    page.get_by_label("Search").fill("paiements")
    page.get_by_role("button", name="Filter", exact=True).click()
    _expect_titles(page, ["Paiement par carte", "Paiements refusés"])
    page.get_by_label("Type", exact=True).first.select_option("bug")
    page.get_by_label("Search").fill("")
    page.get_by_role("button", name="Filter", exact=True).click()
    _expect_titles(page, ["Bug de connexion"])

    page.get_by_label("Search").fill("run")
    page.get_by_label("Type", exact=True).first.select_option("")
    page.get_by_role("button", name="Filter", exact=True).click()
    _expect_titles(page, ["Running the nightly export"])
    page.get_by_label("Save these filters as").fill("Exports")
    page.get_by_role("button", name="Save view").click()
    page.goto(f"{seed.server.url}/products/{pid}/backlog")
    page.get_by_role("link", name="Exports").click()
    _expect_titles(page, ["Running the nightly export"])

    page.goto(f"{seed.server.url}/products/{pid}/backlog?q=paiement")
    page.get_by_label("Select all shown").check()
    expect(page.locator("[data-selected-count]")).to_have_text("2")
    page.get_by_label("Set status").select_option("ready")
    page.get_by_label("Add tags").fill("paiements, q3")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page).to_have_url(re.compile(r"/backlog\?q=paiement$"))
    rows = page.locator("#backlog .backlog-row")
    expect(rows).to_have_count(2)
    for i in range(2):
        expect(rows.nth(i).locator(".badge.status-todo, .badge").nth(1)).to_have_text("Ready")
        expect(rows.nth(i).locator(".tag")).to_have_text(["#paiements", "#q3"])
