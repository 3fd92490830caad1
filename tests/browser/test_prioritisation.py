"""Prioritisation in Chromium: score an item with RICE in the grid (keyboard only) and open its
explanation; apply RICE's order to the backlog and undo it."""

from __future__ import annotations

import json
import re
import urllib.request
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.live import ADMIN_EMAIL, NO_PROXY, PASSWORD, ApiSeed, LiveServer

pytestmark = pytest.mark.browser


@dataclass
class Seed:
    server: LiveServer
    token: str

    def call(self, method: str, path: str, body: Any = None) -> Any:
        request = urllib.request.Request(
            f"{self.server.url}/api/v1{path}",
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        with NO_PROXY.open(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def product(self, name: str, *titles: str) -> tuple[int, list[int]]:
        pid = int(self.call("POST", "/products", {"name": name})["id"])
        ids = [int(self.call("POST", f"/products/{pid}/items", {"title": t})["id"]) for t in titles]
        return pid, ids


@pytest.fixture(scope="module")
def seed(live: ApiSeed) -> Seed:
    return Seed(live.server, live.token)


def sign_in(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}/products")


def test_score_an_item_with_rice_in_the_grid_and_open_its_explanation(
    seed: Seed, page: Page
) -> None:
    pid, (first, second) = seed.product("Atlas", "Export invoices", "Dark mode")
    sign_in(page, seed.server)
    page.goto(f"{seed.server.url}/products/{pid}/prioritisation?model=rice")
    reach = page.get_by_label("Reach · Export invoices")
    reach.click()
    reach.fill("800")
    # The keyboard walks the row: right arrow at the end of a cell goes to the next one.
    page.keyboard.press("ArrowRight")
    expect(page.get_by_label("Impact · Export invoices")).to_be_focused()
    page.keyboard.type("2")
    page.keyboard.press("Tab")
    page.keyboard.type("0,8")  # a French decimal comma is fine
    page.keyboard.press("Tab")
    page.keyboard.type("4")
    page.keyboard.press("Enter")  # saves the row and goes down to the next item
    expect(page.get_by_label("Effort · Dark mode")).to_be_focused()
    row = page.locator(f"#row-{first}")
    expect(row.locator("[data-score]")).to_have_text("320")
    expect(row.locator("[data-rank]")).to_have_text("1")
    # A bad value is refused in place, and nothing of that row is saved.
    page.get_by_label("Confidence · Dark mode").fill("80")
    page.keyboard.press("ArrowUp")
    expect(page.locator(f"#row-{second} .field-error")).to_contain_text("0.8 for 80%")
    expect(page.locator(f"#row-{second} [data-score]")).to_have_text("—")

    page.reload()  # the score survived: it was saved by the row's script, not kept in the page
    expect(page.locator(f"#row-{first} [data-score]")).to_have_text("320")
    page.locator(f"#row-{first} [data-score] a").click()
    expect(page).to_have_url(re.compile(rf"/items/{first}/scores"))
    rice = page.locator("#score-rice")
    rice.get_by_text("Explain").click()
    expect(rice.locator("code.explanation")).to_have_text("(800 × 2 × 0.8) / 4 = 320")
    expect(rice.locator(".steps li").last).to_contain_text("320")


def test_apply_rice_order_and_undo_it(seed: Seed, page: Page) -> None:
    pid, ids = seed.product("Orbit", "Alpha", "Bravo", "Charlie")
    for item, reach in zip(ids, (100, 900, 500), strict=True):
        inputs = {"reach": reach, "impact": 1, "confidence": 1, "effort": 1}
        seed.call("PUT", f"/items/{item}/scores/rice", inputs)
    sign_in(page, seed.server)

    def order() -> list[str]:
        page.goto(f"{seed.server.url}/products/{pid}/backlog")
        return page.locator(".backlog-title").all_inner_texts()

    assert order() == ["Alpha", "Bravo", "Charlie"]
    page.goto(f"{seed.server.url}/products/{pid}/prioritisation/order?model=rice")
    expect(page.locator(".preview-order li").first).to_contain_text("Bravo")
    apply = page.get_by_role("button", name="Apply this order to the backlog")
    apply.click()  # refused by the browser until the confirmation is ticked
    expect(page).to_have_url(re.compile(r"/order\?model=rice$"))
    page.get_by_label("I want to reorder the whole backlog (this can be undone).").check()
    apply.click()
    expect(page.get_by_role("status")).to_contain_text("now follows this model's order")
    assert order() == ["Bravo", "Charlie", "Alpha"]

    page.goto(f"{seed.server.url}/products/{pid}/prioritisation/order?model=rice")
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("status")).to_contain_text("The previous order is back.")
    expect(page.get_by_role("button", name="Undo")).to_have_count(0)
    assert order() == ["Alpha", "Bravo", "Charlie"]
