"""Themes in Chromium: a Product Owner re-clusters the feedback from the themes page, watches
the progress until the theme list appears, and merges two themes."""

from __future__ import annotations

import json
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from jalon.themes.demo import SAMPLE_FEEDBACK
from tests.browser.live import ADMIN_EMAIL, NO_PROXY, PASSWORD, ApiSeed, LiveServer

pytestmark = pytest.mark.browser


def _post(live: LiveServer, token: str, path: str, body: object) -> dict[str, object]:
    request = urllib.request.Request(
        f"{live.url}{path}", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    with NO_PROXY.open(request, timeout=30) as response:
        answer: dict[str, object] = json.loads(response.read())
        return answer


@pytest.fixture(scope="module")
def server(live: ApiSeed) -> tuple[LiveServer, int]:
    pid = live.product("Atlas")
    for _topic, text in SAMPLE_FEEDBACK:
        _post(live.server, live.token, f"/api/v1/products/{pid}/feedback", {"text": text})
    return live.server, pid


def sign_in(page: Page, live: LiveServer) -> None:
    page.goto(f"{live.url}/login")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live.url}/products")


def test_recluster_see_the_themes_and_merge_two(server: tuple[LiveServer, int], page: Page) -> None:
    live, pid = server
    sign_in(page, live)
    page.goto(f"{live.url}/products/{pid}/themes")
    expect(page.get_by_text("No theme yet. Re-cluster the feedback")).to_be_visible()
    page.get_by_role("button", name="Re-cluster all feedback").click()
    # The page polls the run's progress and reloads itself when it is done.
    table = page.get_by_role("table")
    expect(table).to_be_visible(timeout=60_000)
    rows = table.locator("tbody tr")
    expect(rows.first).to_be_visible()
    count = rows.count()
    assert count >= 2
    first = rows.nth(0).get_by_role("rowheader").get_by_role("link")
    second_label = rows.nth(1).get_by_role("rowheader").get_by_role("link").inner_text()
    first.click()
    expect(page.get_by_role("heading", name="Feedback in this theme")).to_be_visible()
    page.get_by_label("Merge into").select_option(label=second_label)
    page.get_by_role("button", name="Merge", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(second_label)
    page.goto(f"{live.url}/products/{pid}/themes")
    expect(page.get_by_role("table").locator("tbody tr")).to_have_count(count - 1)
