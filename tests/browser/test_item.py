"""One item in Chromium: two tabs editing it at once, ticking the Definition of Ready, and
the item page in French."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.live import ADMIN_EMAIL, NO_PROXY, PASSWORD, ApiSeed, LiveServer

pytestmark = pytest.mark.browser

LEA = "lea@example.com"  # works in French: her language is saved on her account


@dataclass
class Seed:
    server: LiveServer
    token: str
    lea: str

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            f"{self.server.url}/api/v1{path}",
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        with NO_PROXY.open(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def item(self, pid: int, title: str, **extra: Any) -> int:
        return int(self.call("POST", f"/products/{pid}/items", {"title": title, **extra})["id"])


@pytest.fixture(scope="module")
def seed(live: ApiSeed) -> Seed:
    """The shared server, the PO (an administrator) and Léa, a user of this module's own."""
    return Seed(live.server, live.token, live.user(LEA, "Léa"))


@pytest.fixture(scope="module")
def product(seed: Seed) -> int:
    """A product with a DoR and a DoD, of which Léa is a member."""
    pid = int(seed.call("POST", "/products", {"name": "Atlas"})["id"])
    seed.call("POST", f"/products/{pid}/members", {"email": seed.lea, "role": "member"})
    settings = seed.call("GET", f"/products/{pid}/backlog-settings")
    seed.call(
        "PUT",
        f"/products/{pid}/backlog-settings",
        {
            "statuses": [
                {k: s[k] for k in ("key", "label", "category")} for s in settings["statuses"]
            ],
            "scale": "fibonacci",
            "definition_of_ready": ["Estimated by the team", "Acceptance criteria written"],
            "definition_of_done": ["Tested", "Documented"],
        },
    )
    return pid


def sign_in(page: Page, server: LiveServer, email: str = ADMIN_EMAIL) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}/products")


def test_two_tabs_edit_one_item_and_nothing_typed_is_lost(
    seed: Seed, product: int, context: BrowserContext, page: Page
) -> None:
    item = seed.item(product, "Export the backlog", description="First draft")
    url = f"{seed.server.url}/items/{item}"
    sign_in(page, seed.server)
    first = page
    second = context.new_page()
    first.goto(url)
    second.goto(url)

    first.get_by_label("Title").fill("Export the backlog to CSV")
    first.get_by_role("button", name="Save", exact=True).click()
    expect(first.get_by_role("heading", level=1)).to_have_text("Export the backlog to CSV")

    mine = "First draft\nwith the columns of Jira"
    second.get_by_role("textbox", name="Description").fill(mine)
    second.get_by_role("button", name="Save", exact=True).click()

    conflict = second.locator("#conflict")
    expect(conflict).to_be_visible()
    expect(conflict.get_by_role("heading")).to_have_text(
        "Someone else changed this item while you were editing it"
    )
    title_row = conflict.locator('tr[data-field="title"]')
    expect(title_row.locator("td.theirs")).to_have_text("Export the backlog to CSV")
    expect(title_row.locator("td.mine")).to_have_text("Export the backlog")
    description_row = conflict.locator('tr[data-field="description"]')
    expect(description_row.locator("td.mine mark")).to_have_text("with the columns of Jira")
    expect(second.get_by_role("textbox", name="Description")).to_have_value(
        mine
    )  # the typed text is kept

    second.get_by_label("Title").fill("Export the backlog to CSV")  # take their title too
    second.get_by_role("button", name="Save", exact=True).click()
    expect(second.locator("#conflict")).to_have_count(0)
    expect(second.get_by_role("heading", level=1)).to_have_text("Export the backlog to CSV")
    expect(second.locator("#h-description + .prose")).to_contain_text("with the columns of Jira")


def test_ticking_the_definition_of_ready_shows_the_ready_badge(
    seed: Seed, product: int, page: Page
) -> None:
    item = seed.item(product, "Import a Trello board")
    sign_in(page, seed.server)
    page.goto(f"{seed.server.url}/items/{item}")
    badge = page.locator("#ready-badge")
    expect(badge).to_have_text("Not ready")
    ready = page.locator("#checklist-ready")
    ready.get_by_label("Estimated by the team").check()
    ready.get_by_role("button", name="Save ticks").click()
    expect(badge).to_have_text("Not ready")
    expect(ready.get_by_label("Estimated by the team")).to_be_checked()
    ready.get_by_label("Acceptance criteria written").check()
    ready.get_by_role("button", name="Save ticks").click()
    expect(badge).to_have_text("Ready")

    done = page.locator("#checklist-done")
    done.get_by_label("Tested").check()
    done.get_by_role("button", name="Save ticks").click()
    page.get_by_label("Status", exact=True).select_option("done")
    page.get_by_role("button", name="Save", exact=True).click()
    warning = page.locator("#dod-warning")
    expect(warning).to_contain_text("Definition of Done is not met")
    expect(warning.get_by_role("listitem")).to_have_text(["Documented"])


def test_work_in_french(seed: Seed, product: int, page: Page) -> None:
    item = seed.item(product, "As a user I want a fast search")
    sign_in(page, seed.server, seed.lea)
    page.get_by_label("Language").select_option("fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    page.goto(f"{seed.server.url}/items/{item}")
    expect(page.locator("#h-checklists")).to_have_text("Prêt et terminé")
    ready = page.locator("#checklist-ready")
    expect(ready.locator("legend")).to_contain_text("Définition de prêt")
    expect(page.locator("#ready-badge")).to_have_text("Pas prêt")
    ready.get_by_label("Estimated by the team").check()  # the PO's own words stay as written
    ready.get_by_label("Acceptance criteria written").check()
    ready.get_by_role("button", name="Enregistrer les coches").click()
    expect(page.locator("#ready-badge")).to_have_text("Prêt")

    hints = page.locator("#hints")
    expect(hints.get_by_role("heading")).to_have_text("Qualité de la story")
    expect(hints.locator('[data-hint="vague_words"]')).to_contain_text("fast")
    expect(hints.locator('[data-hint="no_acceptance_criteria"]')).to_be_visible()
    expect(hints.get_by_text("No acceptance criteria yet", exact=False)).to_have_count(0)
    expect(page.get_by_role("heading", name="Historique des statuts")).to_be_visible()
