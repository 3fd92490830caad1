"""The feedback inbox in Chromium: enter a feedback (the similar-feedback panel answers as one
types), link it to a backlog item with an importance, and see it as evidence on the item,
then use the weighted demand as the item's RICE reach."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.live import ADMIN_EMAIL, PASSWORD, ApiSeed, LiveServer

pytestmark = pytest.mark.browser


Seed = ApiSeed


@pytest.fixture(scope="module")
def seed(live: ApiSeed) -> Seed:
    return live


def sign_in(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}/products")


def test_enter_link_and_see_the_evidence_on_the_item(seed: Seed, page: Page) -> None:
    pid = int(seed.call("POST", "/products", {"name": "Covoit'Zone"})["id"])
    item = seed.call("POST", f"/products/{pid}/items", {"title": "Guaranteed ride home"})["id"]
    seed.call("POST", f"/products/{pid}/items", {"title": "Dark mode"})
    sign_in(page, seed.server)
    page.goto(f"{seed.server.url}/products/{pid}")
    page.get_by_role("link", name="Feedback", exact=True).click()
    page.get_by_role("link", name="Enter feedback").first.click()
    panel = page.locator("#similar")
    text = page.get_by_label("What did they say?")
    text.press_sequentially("No ride home after my night shift")
    # The panel answered the typed text (the themes area decides what is similar).
    expect(panel).to_contain_text(re.compile("Nothing similar yet|Similar feedback already"))
    page.get_by_label("Author's name").fill("Nadia Haddad")
    page.get_by_label("Rating").select_option("2")
    page.get_by_role("button", name="Save the feedback").click()
    expect(page.get_by_role("status")).to_have_text("Feedback saved.")
    expect(page.locator(".feedback-quote")).to_have_text("No ride home after my night shift")

    page.get_by_label("Find an item").fill("ride home")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_label(re.compile("Dark mode"))).to_have_count(0)
    page.get_by_label(re.compile(f"#{item} · Guaranteed ride home")).check()
    page.get_by_label("Importance").select_option(label="Critical")
    page.get_by_role("button", name="Link", exact=True).click()
    evidence_for = page.locator("#evidence")
    expect(evidence_for.get_by_role("link", name=f"#{item} · Guaranteed ride home")).to_be_visible()

    evidence_for.get_by_role("link", name=f"#{item} · Guaranteed ride home").click()
    on_item = page.locator("section.evidence")
    expect(on_item).to_contain_text("1 linked feedback")
    expect(on_item).to_contain_text("3 weighted demand")
    expect(on_item.get_by_role("blockquote")).to_contain_text("No ride home after my night shift")
    on_item.get_by_role("button", name="Use as RICE reach (3)").click()
    expect(page.locator("section.evidence").get_by_role("status")).to_have_text(
        "RICE reach set to 3."
    )
    score = seed.call("GET", f"/items/{item}/scores")
    assert json.dumps(score).count('"reach": 3') == 1, score
