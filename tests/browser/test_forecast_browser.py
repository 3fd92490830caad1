"""Forecasts in Chromium: run a forecast and see the percentiles, the histogram and the
calibration, swapped in by HTMX without leaving the page; then the same with a long run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from jalon.db import utcnow
from tests.browser.live import ADMIN_EMAIL, PASSWORD, ApiSeed, LiveServer
from tests.browser.test_journeys import axe_context, serious_violations
from tests.integration.test_forecasting_history import seed_done

pytestmark = pytest.mark.browser
__all__ = ["axe_context"]  # the fixture, imported for the accessibility check


@dataclass
class Seeded:
    server: LiveServer
    product_id: int


@pytest.fixture(scope="module")
def seeded(live: ApiSeed) -> Seeded:
    pid = live.product("Atlas")
    today = utcnow().date()
    pace = [1, 3, 0, 2, 4, 2, 1]  # a week of a team's work, repeated for a year
    seed_done(live.database, pid, {today - timedelta(days=d): pace[d % 7] for d in range(1, 366)})
    return Seeded(live.server, pid)


def _sign_in(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}/products")


def test_run_a_forecast_and_see_percentiles_histogram_and_calibration(
    seeded: Seeded, page: Page
) -> None:
    _sign_in(page, seeded.server)
    page.goto(f"{seeded.server.url}/products/{seeded.product_id}")
    page.get_by_role("link", name="Forecasts").click()
    expect(page.get_by_role("heading", name="Ask a forecast")).to_be_visible()
    expect(page.locator("svg[aria-labelledby^='forecast-throughput']")).to_be_visible()
    page.evaluate("window.__samePage = true")  # lost if the form reloads the whole page
    page.get_by_role("textbox", name="Items").fill("40")
    page.get_by_text("Options").click()
    page.get_by_role("spinbutton", name="Seed").fill("11")
    page.get_by_role("button", name="Forecast").click()
    result = page.locator(".forecast-result")
    expect(result.get_by_role("heading", name="When will 40 items be done?")).to_be_visible()
    assert page.evaluate("window.__samePage === true"), "the page reloaded instead of swapping"
    rows = result.locator("table.percentiles tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(2).locator("th")).to_have_text("85%")
    days = [int(rows.nth(i).locator("td.num").inner_text()) for i in range(4)]
    assert days == sorted(days) and 15 <= days[0] <= 30  # 40 items at about 2 a day
    expect(result.locator("svg[aria-labelledby^='forecast-histogram']")).to_be_visible()
    expect(result.locator(".calibration-sentence")).to_contain_text("the 85% forecast held")
    expect(result.locator("svg[aria-labelledby^='forecast-calibration']")).to_be_visible()
    assert "seed=11" in page.url  # the forecast's address can be shared
    page.reload()
    again = page.locator("table.percentiles tbody tr td.num")
    assert [int(again.nth(i).inner_text()) for i in range(4)] == days  # same seed, same answer


def test_how_many_by_a_date_and_a_bad_date(seeded: Seeded, page: Page) -> None:
    _sign_in(page, seeded.server)
    page.goto(f"{seeded.server.url}/products/{seeded.product_id}/forecast")
    page.get_by_label("How many items by a date?").check()
    page.locator("#f-date").fill("2001-01-01")
    page.get_by_role("button", name="Forecast").click()
    expect(page.locator("#e-date")).to_have_text("Choose today or a later date.")
    later = (utcnow().date() + timedelta(days=27)).isoformat()
    page.locator("#f-date").fill(later)
    page.get_by_role("button", name="Forecast").click()
    result = page.locator(".forecast-result")
    expect(result.get_by_role("heading", name=f"How many items by {later}?")).to_be_visible()
    expect(result.locator("table.percentiles tbody tr")).to_have_count(4)
    expect(page.locator("#e-date")).to_have_count(0)


def test_the_forecast_page_has_no_serious_accessibility_violations(
    seeded: Seeded, axe_context: BrowserContext
) -> None:
    page = axe_context.new_page()
    _sign_in(page, seeded.server)
    page.goto(f"{seeded.server.url}/products/{seeded.product_id}/forecast?mode=when&items=25")
    expect(page.locator(".forecast-result table.percentiles")).to_be_visible()
    page.locator("details").evaluate_all("(all) => all.forEach((d) => { d.open = true; })")
    assert serious_violations(page) == []
