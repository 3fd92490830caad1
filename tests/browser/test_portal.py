"""The public portal in Chromium: the PO opens the portal; an anonymous visitor suggests an
idea; the PO approves it from the moderation queue; a visitor votes and sees the count
change, then withdraws the vote."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.live import ADMIN_EMAIL, PASSWORD, ApiSeed, LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(live: ApiSeed) -> tuple[LiveServer, int]:
    return live.server, live.product("Atlas")


def _sign_in(page: Page, live: LiveServer) -> None:
    page.goto(f"{live.url}/login")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live.url}/products")


def test_submit_approve_and_vote(
    server: tuple[LiveServer, int], page: Page, browser: Browser
) -> None:
    live, pid = server
    _sign_in(page, live)
    page.goto(f"{live.url}/products/{pid}/portal/settings")
    page.get_by_label("Open the portal to the public").check()
    slug = f"atlas-{pid}"  # addresses are unique on the server that the modules share
    page.get_by_label("Address").fill(slug)
    page.get_by_role("button", name="Save the settings").click()
    expect(page.get_by_role("status")).to_contain_text("The portal settings are saved.")

    visitor = browser.new_context(locale="en-US", viewport={"width": 420, "height": 860})
    try:
        anon = visitor.new_page()
        problems: list[str] = []
        anon.on("pageerror", lambda exc: problems.append(str(exc)))
        anon.on(
            "console", lambda m: problems.append(m.text) if "Content Security" in m.text else None
        )
        anon.goto(f"{live.url}/portal/{slug}")
        expect(anon.get_by_role("heading", name="Ideas for Atlas")).to_be_visible()
        anon.get_by_label("Your idea in a few words").fill("Offline mode for the train")
        anon.get_by_label("Details").fill("No network in the tunnel.")
        anon.get_by_role("button", name="Send my idea").click()
        expect(anon.get_by_role("status")).to_contain_text("Your idea will appear here")
        expect(anon.locator("#idea-list")).not_to_contain_text("Offline mode for the train")
        anon.screenshot(path="/tmp/portal-list.png", full_page=True)

        page.goto(f"{live.url}/products/{pid}/portal/moderation")
        page.get_by_label("Offline mode for the train").check()
        page.get_by_role("button", name="Approve the ticked ideas").click()
        expect(page.get_by_role("status")).to_contain_text("Ideas approved: 1.")

        anon.goto(f"{live.url}/portal/{slug}")
        anon.get_by_role("link", name="Offline mode for the train").click()
        total = anon.locator("#vote-total")
        expect(total).to_have_text("0 votes")
        anon.get_by_role("button", name="Vote for this idea").click()
        expect(total).to_have_text("1 vote")
        expect(anon.get_by_text("You voted for this idea.")).to_be_visible()
        anon.get_by_role("button", name="Withdraw my vote").click()
        expect(total).to_have_text("0 votes")
        anon.screenshot(path="/tmp/portal-idea.png", full_page=True)
        assert problems == [], "the public pages reported script errors or CSP violations"
    finally:
        visitor.close()
