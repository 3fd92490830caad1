"""Releases in Chromium: find items for the scope as one types and add them; generate the
release notes in French (whatever the UI language) and download them; release with the
readiness checklist unticked, confirming the warning."""

from __future__ import annotations

import json
import re
import urllib.request
from dataclasses import dataclass
from pathlib import Path
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

    def product(self, name: str) -> int:
        return int(self.call("POST", "/products", {"name": name})["id"])

    def item(self, pid: int, title: str, **extra: Any) -> int:
        return int(self.call("POST", f"/products/{pid}/items", {"title": title, **extra})["id"])

    def release(self, pid: int, name: str, *items: int) -> int:
        rid = int(self.call("POST", f"/products/{pid}/releases", {"name": name})["id"])
        if items:
            self.call("POST", f"/releases/{rid}/items", {"item_ids": list(items)})
        return rid


@pytest.fixture(scope="module")
def seed(live: ApiSeed) -> Seed:
    return Seed(live.server, live.token)


def sign_in(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}/products")


def test_generate_release_notes_in_french(seed: Seed, page: Page) -> None:
    pid = seed.product("Atlas")
    story = seed.item(pid, "Export des factures", status="done")
    bug = seed.item(pid, "Plantage au démarrage", type="bug", status="done")
    rid = seed.release(pid, "2.4", story, bug)
    sign_in(page, seed.server)  # the UI stays in English
    page.goto(f"{seed.server.url}/releases/{rid}")
    page.get_by_label("Language of the notes").select_option("fr")
    page.get_by_role("button", name="Generate from the done items").click()
    expect(page.get_by_role("status")).to_have_text("The release notes are saved.")
    notes = page.get_by_label("Notes (Markdown)")
    expect(notes).to_have_value(re.compile(r"## Améliorations.*## Corrections de bugs", re.S))
    preview = page.locator(".notes-preview")
    expect(preview.get_by_role("heading", name="Corrections de bugs")).to_be_visible()
    expect(preview.get_by_role("listitem")).to_have_text(
        [f"Export des factures (#{story})", f"Plantage au démarrage (#{bug})"]
    )
    # The PO edits the Markdown before publishing; the download carries the edit.
    notes.fill(notes.input_value() + "\nMerci à toute l'équipe !\n")
    page.get_by_role("button", name="Save the notes").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as Markdown").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "## Corrections de bugs" in text and "Merci à toute l'équipe !" in text


def test_find_items_as_one_types_and_release_after_confirming(seed: Seed, page: Page) -> None:
    pid = seed.product("Borealis")
    seed.item(pid, "Invoice export", status="done")
    seed.item(pid, "Dark mode")
    rid = seed.release(pid, "3.0")
    sign_in(page, seed.server)
    page.goto(f"{seed.server.url}/releases/{rid}/scope")
    page.get_by_label("Find items").fill("invoice")
    candidates = page.locator("#candidates")
    expect(candidates.get_by_label(re.compile("Dark mode"))).to_have_count(0)
    candidates.get_by_label(re.compile("Invoice export")).check()
    page.get_by_role("button", name="Add to the release").click()
    expect(page.get_by_role("status")).to_have_text("Items added to the release: 1.")
    page.get_by_role("link", name="3.0").click()
    expect(page.locator("#progress-text")).to_contain_text("1 of 1 items done")
    page.get_by_role("button", name="Release 3.0").click()
    warning = page.get_by_role("alert")
    expect(warning).to_contain_text("Readiness checklist not ticked: Rollback plan ready")
    warning.get_by_role("button", name="Release anyway").click()
    expect(page.get_by_role("status")).to_have_text("3.0 is released.")
    expect(page.locator(".notice.warn")).to_contain_text("Released despite these warnings")
