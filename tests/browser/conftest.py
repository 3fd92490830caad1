"""Browser fixtures: a real `jalon serve` process and Debian's Chromium driven by Playwright.

The folder is skipped when /usr/bin/chromium is missing, unless JALON_REQUIRE_BROWSER is
set (as `make test` does), in which case every test fails loudly instead.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.live import ApiSeed, LiveServer, admin_seed, live_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
]
REQUIRED = bool(os.environ.get("JALON_REQUIRE_BROWSER"))
HAS_PLAYWRIGHT = importlib.util.find_spec("playwright") is not None

if not HAS_PLAYWRIGHT and not REQUIRED:
    collect_ignore_glob = ["test_*.py"]  # the test modules import playwright


def _browser_missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    if not HAS_PLAYWRIGHT:
        return "the playwright Python package is missing (pip install -e '.[dev]')"
    return None


@pytest.fixture(autouse=True, scope="session")
def _require_browser() -> None:
    reason = _browser_missing()
    if reason is None:
        return
    if REQUIRED:
        pytest.fail(f"JALON_REQUIRE_BROWSER is set but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[ApiSeed]:
    """The server the browser tests share, one per xdist worker, and the administrator's
    API token. A module makes its own products and users (`live.user`), and asserts only on
    them, so that it neither sees nor disturbs the other modules' data."""
    yield from admin_seed(tmp_path_factory, sqlite_template)


@pytest.fixture
def blank_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server with no account at all: every page leads to the first-run setup."""
    yield from live_server(tmp_path_factory)


@pytest.fixture(scope="session")
def browser(_require_browser: None) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile per test: no cookies, English, a desktop window."""
    ctx = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A page that fails the test on an uncaught script error or a CSP violation."""
    problems: list[str] = []
    pg = context.new_page()
    pg.on("pageerror", lambda exc: problems.append(f"uncaught: {exc}"))
    pg.on(
        "console",
        lambda msg: (
            problems.append(f"console: {msg.text}")
            if "Content Security Policy" in msg.text
            else None
        ),
    )
    yield pg
    assert problems == [], "the page reported script errors or CSP violations"
