"""A retrospective in Chromium: choose the format, add cards, vote with dots, agree on an
action item, and find it again in the next sprint's retro, then on the product's list."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.live import ADMIN_EMAIL, ADMIN_NAME, NO_PROXY, PASSWORD, ApiSeed, LiveServer

pytestmark = pytest.mark.browser


@dataclass
class Seeded:
    server: LiveServer
    product_id: int
    sprints: list[int]


def _call(server: LiveServer, token: str, method: str, path: str, body: Any = None) -> Any:
    request = urllib.request.Request(
        f"{server.url}/api/v1{path}",
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with NO_PROXY.open(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


@pytest.fixture(scope="module")
def seeded(live: ApiSeed) -> Seeded:
    """A product with a team and two consecutive sprints, made through the API."""
    server, token = live.server, live.token
    pid = int(_call(server, token, "POST", "/products", {"name": "Atlas"})["id"])
    team = _call(server, token, "POST", f"/products/{pid}/teams", {"name": "Core"})["id"]
    sprints = [
        _call(
            server, token, "POST", f"/products/{pid}/sprints",
            {"name": name, "team_id": team, "starts_on": start, "goal": "Pay by card"},
        )["id"]
        for name, start in (("Sprint 1", "2026-01-05"), ("Sprint 2", "2026-01-19"))
    ]  # fmt: skip
    return Seeded(server, pid, sprints)


def _sign_in(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}/products")


def _add_card(page: Page, column: str, text: str) -> None:
    page.get_by_label(f"Add a card to “{column}”").fill(text)
    column_box = page.locator(".retro-column", has=page.locator("h2", has_text=column))
    column_box.get_by_role("button", name="Add", exact=True).click()


def test_run_a_retro_and_carry_its_action_item(seeded: Seeded, page: Page) -> None:
    server, pid = seeded.server, seeded.product_id
    first, second = seeded.sprints
    _sign_in(page, server)
    page.goto(f"{server.url}/products/{pid}/sprints/{first}/retro")
    expect(page.get_by_role("link", name="Retrospective", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    page.get_by_label("Format").select_option(label="4Ls: liked, learned, lacked, longed for")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".retro-column h2", has_text="Longed for")).to_be_visible()

    _add_card(page, "Liked", "Pairing on the payment flow")
    _add_card(page, "Lacked", "Test data for refunds")
    liked = page.locator(".retro-card", has_text="Pairing on the payment flow")
    expect(liked).to_be_visible()
    liked.get_by_role("button", name="Put a dot on “Pairing on the payment flow”").click()
    liked = page.locator(".retro-card", has_text="Pairing on the payment flow")
    liked.get_by_role("button", name="Put a dot on “Pairing on the payment flow”").click()
    expect(page.locator(".retro-card", has_text="Pairing").locator(".dot-count")).to_have_text("2")
    expect(page.locator("#dots-left")).to_have_text("You have 1 of your 3 dots left.")
    expect(page.get_by_label("Format")).to_have_count(0)  # fixed once there are cards

    page.get_by_label("Action item", exact=True).fill("Write refund test data before planning")
    page.get_by_label("Owner").select_option(label=ADMIN_NAME)
    page.get_by_label("Due by the end of").select_option(label="Sprint 2")
    page.get_by_role("button", name="Add the action item").click()
    own = page.locator("#actions")
    expect(own.get_by_role("row", name="Write refund test data")).to_contain_text(ADMIN_NAME)

    expect(own.get_by_role("row", name="Write refund test data")).to_contain_text("Sprint 2")
    page.goto(f"{server.url}/products/{pid}/sprints/{second}/retro")
    carried = page.locator("#carried")
    row = carried.get_by_role("row", name="Write refund test data")
    expect(row).to_contain_text("Open")
    expect(row.get_by_role("link", name="Sprint 1")).to_be_visible()
    row.get_by_role("button", name="Mark “Write refund test data before planning” done").click()
    expect(page).to_have_url(f"{server.url}/products/{pid}/sprints/{second}/retro#action-1")
    expect(page.locator("#carried")).to_contain_text("No open action item from earlier retros")

    page.goto(f"{server.url}/products/{pid}/actions?status=done")
    expect(page.get_by_role("row", name="Write refund test data")).to_contain_text("Done")
