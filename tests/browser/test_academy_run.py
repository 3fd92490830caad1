"""An Academy run in Chromium: a trainee starts the B2B SaaS scenario, plays two sprints through
the run page (refines, plans, sets Sprint Goals, answers the manager's event), sees the
sandbox in the real backlog, then reads the debrief against the informed policy."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.live import PASSWORD, ApiSeed, LiveServer

pytestmark = pytest.mark.browser
TRAINEE = "tina@example.org"


@pytest.fixture(scope="module")
def trainee(live: ApiSeed) -> str:
    return live.user(TRAINEE, "Tina Trainee")


def _sign_in(page: Page, live: LiveServer, trainee: str) -> None:
    page.goto(f"{live.url}/login")
    page.get_by_label("E-mail").fill(trainee)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live.url}/products")


def _plan_sprint(page: Page, sprint: int, goal: str) -> None:
    form = page.locator("form.ac-turn")
    expect(page.get_by_role("heading", name=f"Plan sprint {sprint}")).to_be_visible()
    for fieldset in form.locator("fieldset.ac-event").all():
        fieldset.get_by_role("radio").nth(1).check()
    form.locator("input[name=refine]").first.check()
    plan = form.locator("input[name=plan]")
    plan.nth(1).check()
    plan.nth(2).check()
    page.get_by_label("Sprint Goal").fill(goal)
    page.get_by_role("button", name=f"Play sprint {sprint}").click()
    expect(page.get_by_role("heading", name=f"Sprint {sprint}: what happened")).to_be_visible()


def test_play_two_sprints_and_read_the_debrief(live: ApiSeed, trainee: str, page: Page) -> None:
    server = live.server
    _sign_in(page, server, trainee)
    page.goto(f"{server.url}/academy/scenarios")
    card = page.locator("li.ac-scenario[data-scenario=saas]")
    card.get_by_label("Seed (optional)").fill("7")
    card.get_by_role("button", name="Start this scenario").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Relais")

    _plan_sprint(page, 1, "Trial accounts finish their onboarding")
    expect(page.get_by_role("group", name="Just manage the project")).to_be_visible()
    _plan_sprint(page, 2, "Teams see their day at a glance")
    expect(page.locator(".ac-answers li")).to_have_count(1)

    page.get_by_role("link", name="Sandbox backlog").click()
    expect(page.get_by_role("note")).to_contain_text("Academy sandbox")
    page.get_by_role("link", name="Back to the run").click()
    page.get_by_role("link", name="Debrief").first.click()
    expect(page.get_by_role("heading", name="Debrief", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="The biggest gaps")).to_be_visible()
    assert 3 <= page.locator(".ac-gaps > li").count() <= 5
    expect(page.locator(".ac-answers > li")).to_have_count(1)
    expect(page.get_by_role("link", name="PDF")).to_have_attribute(
        "href", page.url.removesuffix("/debrief").removeprefix(server.url) + "/debrief.pdf"
    )
