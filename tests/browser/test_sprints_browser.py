"""Sprints in Chromium: plan a sprint by dragging items and see the capacity bar (and its
warning against the team's history), then move cards on the board past a WIP limit."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.live import ADMIN_EMAIL, NO_PROXY, PASSWORD, ApiSeed, LiveServer

pytestmark = pytest.mark.browser


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


def _world(seed: Seed) -> tuple[int, int, dict[str, int]]:
    """A team of one with one closed sprint (2 points done in 10 person-days), a planned
    sprint of 10 working days, and three estimated backlog items."""
    pid = seed.call("POST", "/products", {"name": "Sprints"})["id"]
    me = seed.call("GET", "/me")["id"]
    team = seed.call(
        "POST", f"/products/{pid}/teams", {"name": "Blue", "members": [{"user_id": me}]}
    )
    seed.call("PATCH", f"/products/{pid}/sprint-settings", {"wip_limits": {"in_progress": 1}})
    ids = {}
    for title, estimate in (("Old work", 2), ("Pay by card", 5), ("Refunds", 3), ("Export", 8)):
        body = {"title": title, "estimate": estimate}
        ids[title] = seed.call("POST", f"/products/{pid}/items", body)["id"]
    past = seed.call(
        "POST", f"/products/{pid}/sprints",
        {"name": "Sprint 0", "team_id": team["id"], "starts_on": "2026-02-16", "goal": "Start"},
    )  # fmt: skip
    seed.call("POST", f"/sprints/{past['id']}/items", {"item_ids": [ids["Old work"]]})
    seed.call("POST", f"/sprints/{past['id']}/start")
    seed.call("PATCH", f"/items/{ids['Old work']}", {"status": "done"})
    seed.call("POST", f"/sprints/{past['id']}/close", {"unfinished": "backlog"})
    sprint = seed.call(
        "POST", f"/products/{pid}/sprints",
        {"name": "Sprint 1", "team_id": team["id"], "starts_on": "2026-03-02",
         "goal": "Customers pay by card"},
    )  # fmt: skip
    return pid, sprint["id"], ids


def _sign_in(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}/products")


def test_plan_a_sprint_by_dragging_items_and_see_the_capacity_bar(seed: Seed, page: Page) -> None:
    pid, sid, ids = _world(seed)
    _sign_in(page, seed.server)
    page.goto(f"{seed.server.url}/products/{pid}/sprints/{sid}/plan")
    text = page.locator("#capacity-text")
    expect(text).to_have_text("0 of 2.0 points planned (0% of capacity)")
    expect(page.locator("#plan-sprint")).to_contain_text("Nothing planned yet")
    row = page.locator(f"#plan-backlog #item-{ids['Pay by card']}")
    with (
        page.expect_navigation(),  # the page reloads itself with the server's figures
        page.expect_response(re.compile(rf"/api/v1/sprints/{sid}/items$")) as added,
    ):
        row.locator(".handle").drag_to(page.locator("#plan-sprint"))
    assert added.value.ok
    page.reload()
    expect(page.locator(f"#plan-sprint #item-{ids['Pay by card']}")).to_be_visible()
    expect(page.locator(f"#plan-backlog #item-{ids['Pay by card']}")).to_have_count(0)
    expect(text).to_have_text("5 of 2.0 points planned (100% of capacity)")
    expect(page.locator("[data-capacity-bar]")).to_have_attribute("value", "100")
    warning = page.locator("[data-capacity-warning]")
    expect(warning).to_contain_text("above what the team usually finishes: 2.0 on average")
    # the keyboard / no-JS way: the row's button
    page.get_by_role("button", name="Add to sprint: Refunds").click()
    expect(page.locator(f"#plan-sprint #item-{ids['Refunds']}")).to_be_visible()
    expect(text).to_have_text("8 of 2.0 points planned (100% of capacity)")
    # and back: drag a planned item to the backlog
    refunds = re.compile(rf"/api/v1/sprints/{sid}/items/{ids['Refunds']}$")
    with page.expect_navigation(), page.expect_response(refunds) as removed:
        page.locator(f"#plan-sprint #item-{ids['Refunds']} .handle").drag_to(
            page.locator("#plan-backlog")
        )
    assert removed.value.ok
    page.reload()
    expect(page.locator(f"#plan-backlog #item-{ids['Refunds']}")).to_be_visible()
    expect(text).to_have_text("5 of 2.0 points planned (100% of capacity)")


def test_the_board_moves_cards_and_warns_past_the_wip_limit(seed: Seed, page: Page) -> None:
    pid, sid, ids = _world(seed)
    seed.call("POST", f"/sprints/{sid}/items", {"item_ids": [ids["Pay by card"], ids["Refunds"]]})
    _sign_in(page, seed.server)
    page.goto(f"{seed.server.url}/products/{pid}/sprints/{sid}/plan")
    page.get_by_role("button", name="Start the sprint").click()
    expect(page.locator("h1 .badge")).to_have_text("Active")
    page.get_by_role("link", name="Board").click()
    card = page.locator(f"#card-{ids['Pay by card']}")
    patched = re.compile(rf"/api/v1/items/{ids['Pay by card']}$")
    with page.expect_navigation(), page.expect_response(patched) as moved:
        card.drag_to(page.locator('[data-status="in_progress"]'))
    assert moved.value.ok
    page.reload()
    expect(page.locator(f'[data-status="in_progress"] #card-{ids["Pay by card"]}')).to_be_visible()
    expect(page.locator("[data-wip-warning]")).to_have_count(0)
    # the keyboard / no-JS way: choose the status under the card
    page.get_by_label("Status of Refunds").select_option("in_progress")
    page.locator(f"#card-{ids['Refunds']}").get_by_role("button", name="Move").click()
    expect(page.locator("[data-wip-warning]")).to_contain_text(
        "In progress: 2 cards for a limit of 1"
    )
    expect(page.locator(".board-col.over-limit")).to_have_count(1)
