"""Importing a Jira CSV in Chromium: upload, map the columns, dry run, import, then see the
items in the backlog; and undo it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.live import ADMIN_EMAIL, PASSWORD, ApiSeed, LiveServer

pytestmark = pytest.mark.browser

# As French Excel saves it: semicolons, Windows-1252, a French column name to map by hand.
CSV = (
    "Issue key;Résumé;Issue Type;Status;Story Points;Epic Link;Labels\r\n"
    "PAY-1;Paiement en ligne;Epic;To Do;;;\r\n"
    "PAY-2;Payer par carte bancaire;Story;In Progress;5;PAY-1;web\r\n"
    "PAY-3;Rembourser un achat;Story;Parked;3;PAY-1;\r\n"
).encode("cp1252")


@pytest.fixture(scope="module")
def server(live: ApiSeed) -> LiveServer:
    return live.server


def _sign_in_and_create_product(page: Page, server: LiveServer) -> str:
    page.goto(f"{server.url}/login")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{server.url}/products/new")
    page.get_by_label("Name").fill("Covoiturage")
    page.get_by_role("button", name="Create product").click()
    expect(page).to_have_url(re.compile(r"/products/\d+$"))
    return page.url


def _upload(page: Page, product_url: str, path: Path) -> None:
    page.goto(f"{product_url}/backlog")
    page.get_by_role("link", name="Import and export").click()
    page.get_by_label("File to import").set_input_files(str(path))
    page.get_by_role("button", name="Upload and map the columns").click()
    expect(page.get_by_role("heading", name="Map the columns")).to_be_visible()


def test_import_a_csv_through_the_mapping_and_the_dry_run(
    server: LiveServer, page: Page, tmp_path: Path
) -> None:
    product_url = _sign_in_and_create_product(page, server)
    bad = tmp_path / "jira.csv"
    bad.write_bytes(CSV)
    _upload(page, product_url, bad)
    # Jira's columns are mapped already; the French one is not.
    expect(page.get_by_label("Issue key")).to_have_value("external_key")
    expect(page.get_by_label("Résumé")).to_have_value("")
    expect(page.get_by_role("cell", name="Payer par carte bancaire")).to_be_visible()
    page.get_by_role("button", name="Check the file (dry run)").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose the column that holds the title")
    page.get_by_label("Résumé").select_option("title")
    page.get_by_role("button", name="Check the file (dry run)").click()
    expect(page.get_by_role("heading", name="1 problems to fix before importing")).to_be_visible()
    problems = page.locator("table.problems")
    expect(problems).to_contain_text("Unknown status 'Parked'")
    expect(problems.locator("td").first).to_have_text("4")  # the line of the bad row
    expect(page.get_by_role("button", name=re.compile("^Import"))).to_have_count(0)

    good = tmp_path / "jira-fixed.csv"
    good.write_bytes(CSV.replace(b"Parked", b"To Do"))
    _upload(page, product_url, good)
    page.get_by_label("Résumé").select_option("title")
    page.get_by_role("button", name="Check the file (dry run)").click()
    preview = page.locator("table.preview")
    expect(preview).to_contain_text("Payer par carte bancaire")
    expect(preview.locator("tbody tr")).to_have_count(3)
    page.get_by_role("button", name="Import 3 rows").click()
    expect(page.get_by_role("status")).to_contain_text("3 new items")

    page.get_by_role("link", name="See the backlog").click()
    backlog = page.locator("#backlog")
    expect(backlog).to_contain_text("Paiement en ligne")
    expect(backlog).to_contain_text("Payer par carte bancaire")
    expect(backlog).to_contain_text("Rembourser un achat")

    page.get_by_role("link", name="Import and export").click()
    page.get_by_role("button", name="Undo").click()
    expect(page.locator("table")).to_contain_text("Undone")
    page.goto(f"{product_url}/backlog")
    expect(page.locator("#backlog")).not_to_contain_text("Payer par carte bancaire")
