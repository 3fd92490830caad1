"""The opportunity solution tree in Chromium: a Product Owner builds outcome → opportunity →
solution through the page and sees it rendered as a nested, collapsible tree."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.live import ADMIN_EMAIL, PASSWORD, ApiSeed, LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(live: ApiSeed) -> tuple[LiveServer, int]:
    return live.server, live.product("Atlas")


def sign_in(page: Page, live: LiveServer) -> None:
    page.goto(f"{live.url}/login")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live.url}/products")


def test_build_a_small_tree_through_the_page(server: tuple[LiveServer, int], page: Page) -> None:
    live, pid = server
    sign_in(page, live)
    page.goto(f"{live.url}/products/{pid}/discovery/tree")
    expect(page.get_by_text("No desired outcome yet.")).to_be_visible()
    new_outcome = page.locator(
        "section", has=page.get_by_role("heading", name="Add a desired outcome")
    )
    new_outcome.get_by_label("Title").fill("Trial users reach a first report within a day")
    new_outcome.get_by_role("button", name="Add a desired outcome").click()

    tree = page.get_by_role("list", name="Opportunity solution tree")
    outcome = tree.locator("li.kind-outcome")
    expect(
        outcome.get_by_role("link", name="Trial users reach a first report within a day")
    ).to_be_visible()
    outcome.locator("summary", has_text="Add an opportunity").click()  # unfold the form
    form = outcome.locator("form.ost-form")
    form.get_by_label("Title").fill("Connecting a data source is confusing")
    form.get_by_role("button", name="Add an opportunity").click()

    opportunity = tree.locator("li.kind-opportunity")
    expect(
        opportunity.get_by_role("link", name="Connecting a data source is confusing")
    ).to_be_visible()
    expect(opportunity.locator(".ost-evidence")).to_have_text("0 feedback as evidence")
    opportunity.locator("summary", has_text="Add a solution").click()
    form = opportunity.locator("form.ost-form")
    form.get_by_label("Title").fill("Guided import wizard")
    form.get_by_role("button", name="Add a solution").click()

    # Rendered as a tree: the solution is nested in the opportunity, itself in the outcome.
    solution = tree.locator("li.kind-outcome li.kind-opportunity li.kind-solution")
    expect(solution.get_by_role("link", name="Guided import wizard")).to_be_visible()
    expect(tree.locator("li.ost-node")).to_have_count(3)
    # Collapsible from the keyboard: folding the outcome hides everything under it.
    outcome.locator("summary").first.focus()
    page.keyboard.press("Enter")
    expect(solution).to_be_hidden()
    page.keyboard.press("Enter")
    expect(solution).to_be_visible()
